"""The membership chapter's autograder tests are honest: every correct answer passes, in any
reasonable style, and each common mistake fails exactly the cells it should.

Graded in-process (see harness.py); the nbgrader round trip checks a real kernel agrees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from autograder_contract import ChapterAutograder

from crm_lab.membership import EVENT_SIGNS, POINT_VALUE_CNY, ROLLING_DAYS, TIERS, tier_of_spend
from grader.reference import membership as ref

REFERENCE = {
    "member_tiers": ref.member_tiers,
    "point_balances": ref.point_balances,
    "points_liability": ref.points_liability,
    "breakage_rate": ref.breakage_rate,
    "tier_migration": ref.tier_migration,
    "join_before_after": ref.join_before_after,
}
TIER_CELLS = {"test_member_tiers_shop", "test_member_tiers_rules"}
BALANCE_CELLS = {"test_point_balances_shop", "test_point_balances_rules"}


def _window(orders, as_of, start_inclusive=True, days=ROLLING_DAYS):
    as_of = pd.Timestamp(as_of)
    start = as_of - pd.Timedelta(days=days)
    after_start = orders["order_time"] >= start if start_inclusive else orders["order_time"] > start
    return orders[(orders["status"] == "paid") & after_start & (orders["order_time"] < as_of)]


def _tiers_from(spend, members, as_of):
    joined = members.loc[members["join_date"] < pd.Timestamp(as_of), "customer_id"].astype(str)
    spend = spend.groupby(spend.index.astype(str)).sum()
    out = pd.DataFrame({"customer_id": joined.to_numpy()})
    out["rolling_spend_cny"] = spend.reindex(joined).fillna(0.0).to_numpy()
    out["tier"] = tier_of_spend(out["rolling_spend_cny"]).to_numpy()
    return out


# ---- other correct styles -------------------------------------------------------------


def member_tiers_merge_cut(orders, members, as_of):
    """pd.cut with right=False, a merge, customer_id as a column, columns the other way."""
    as_of = pd.Timestamp(as_of)
    window = _window(orders, as_of)
    spend = window.groupby("customer_id", observed=True, as_index=False)["net_amount_cny"].sum()
    joined = members[members["join_date"] < as_of][["customer_id"]].astype({"customer_id": str})
    spend["customer_id"] = spend["customer_id"].astype(str)
    out = joined.merge(spend, on="customer_id", how="left").fillna({"net_amount_cny": 0.0})
    edges = [0, 600, 1500, 3500, np.inf]
    out["tier"] = pd.cut(out["net_amount_cny"], edges, right=False, labels=list(TIERS))
    out = out.rename(columns={"net_amount_cny": "rolling_spend_cny"})
    return out[["tier", "rolling_spend_cny", "customer_id"]].sample(frac=1, random_state=1)


def member_tiers_loop(orders, members, as_of):
    """A loop over members, rounding spend to cents."""
    as_of = pd.Timestamp(as_of)
    window = _window(orders, as_of)
    by_customer = dict(list(window.groupby("customer_id", observed=True)["net_amount_cny"]))
    rows = []
    for customer, joined in zip(members["customer_id"], members["join_date"], strict=True):
        if joined >= as_of:
            continue
        spend = round(float(by_customer[customer].sum()) if customer in by_customer else 0.0, 2)
        tier = [t for t, low in zip(TIERS, (0, 600, 1500, 3500), strict=True) if spend >= low][-1]
        rows.append({"customer_id": customer, "rolling_spend_cny": spend, "tier": tier})
    return pd.DataFrame(rows).set_index("customer_id")


def point_balances_vectorised_column(ledger, as_of):
    """The running-minimum trick, customer_id as a column, balance as float."""
    before = ledger[ledger["event_date"] < pd.Timestamp(as_of)].sort_values(
        ["event_date", "event_id"]
    )
    signed = before["event_type"].astype(str).map(EVENT_SIGNS) * before["points"]
    who = before["customer_id"].astype(str)
    running = signed.groupby(who).cumsum()
    low = running.groupby(who).cummin().clip(upper=0)
    out = (running - low).groupby(who).last().astype(float)
    return out.rename("balance").rename_axis("customer_id").reset_index()


def point_balances_group_loop(ledger, as_of):
    """A loop per member with itertuples, extra columns kept."""
    rows = []
    before = ledger[ledger["event_date"] < pd.Timestamp(as_of)]
    for customer, events in before.groupby("customer_id", observed=True):
        balance, n = 0, 0
        for event in events.sort_values(["event_date", "event_id"]).itertuples():
            balance = max(0, balance + EVENT_SIGNS[str(event.event_type)] * int(event.points))
            n += 1
        rows.append({"customer_id": customer, "events": n, "balance": balance})
    return pd.DataFrame(rows).set_index("customer_id")


def points_liability_numpy(balances, value_per_point=POINT_VALUE_CNY, breakage_rate=0.0):
    return np.float64(np.asarray(balances["balance"], dtype=float).sum()) * (
        value_per_point - value_per_point * breakage_rate
    )


def breakage_rate_query(ledger, start, end):
    inside = ledger.query("event_date >= @start and event_date < @end")
    expired = inside.loc[inside["event_type"] == "expire", "points"].sum()
    used = inside.loc[inside["event_type"].isin(["expire", "redeem"]), "points"].sum()
    return np.float64(expired) / used


def tier_migration_unstack_float(tiers_from, tiers_to):
    both = pd.DataFrame({"a": tiers_from["tier"].astype(str), "b": tiers_to["tier"].astype(str)})
    both = both.dropna()
    counts = both.groupby(["a", "b"]).size().unstack(fill_value=0)
    return counts.reindex(index=list(TIERS), columns=list(TIERS)).fillna(0).astype(float)


def tier_migration_inplace(tiers_from, tiers_to):
    """Right, in pandas 2's idioms (join's lsuffix, inplace=True): pandas 3 warns, no mistake."""
    both = tiers_from[["tier"]].join(tiers_to[["tier"]], how="inner", lsuffix="_0", rsuffix="_1")
    counts = pd.crosstab(both["tier_0"], both["tier_1"])
    counts = counts.reindex(index=list(TIERS), columns=list(TIERS))
    counts.fillna(0, inplace=True)
    return counts.astype(int)


def join_before_after_loop(orders, members, customers, as_of, days=180):
    """A loop per member, customer_id as a column, spend rounded, columns reordered."""
    as_of, span, day = pd.Timestamp(as_of), pd.Timedelta(days=days), pd.Timedelta(days=1)
    signup = dict(zip(customers["customer_id"], customers["signup_date"], strict=True))
    paid = orders[orders["status"] == "paid"]
    mine = dict(list(paid.groupby("customer_id", observed=True)))
    rows = []
    for customer, joined in zip(members["customer_id"], members["join_date"], strict=True):
        if not (signup[customer] <= joined - span and joined + day + span <= as_of):
            continue
        own = mine.get(customer, paid.iloc[:0])
        before = own[(own["order_time"] >= joined - span) & (own["order_time"] < joined)]
        after = own[(own["order_time"] >= joined + day) & (own["order_time"] < joined + day + span)]
        rows.append(
            {
                "customer_id": customer,
                "spend_after_cny": round(after["net_amount_cny"].sum(), 2),
                "spend_before_cny": round(before["net_amount_cny"].sum(), 2),
                "orders_after": len(after),
                "orders_before": len(before),
            }
        )
    return pd.DataFrame(rows)


CORRECT_STYLES = {
    "tiers by pd.cut and a merge, key as a column, shuffled rows": dict(
        member_tiers=member_tiers_merge_cut
    ),
    "tiers in a loop over members": dict(member_tiers=member_tiers_loop),
    "balances by running minimum, key as a column, floats": dict(
        point_balances=point_balances_vectorised_column
    ),
    "balances in a loop per member, an extra column": dict(
        point_balances=point_balances_group_loop
    ),
    "liability as a numpy float": dict(points_liability=points_liability_numpy),
    "breakage with query and a numpy float": dict(breakage_rate=breakage_rate_query),
    "migration by unstack, floats": dict(tier_migration=tier_migration_unstack_float),
    "migration with inplace=True (pandas warns)": dict(tier_migration=tier_migration_inplace),
    "before/after in a loop, key as a column": dict(join_before_after=join_before_after_loop),
}


# ---- common mistakes ------------------------------------------------------------------


def tiers_from_lifetime_spend(orders, members, as_of):
    paid = orders[(orders["status"] == "paid") & (orders["order_time"] < pd.Timestamp(as_of))]
    spend = paid.groupby("customer_id", observed=True)["net_amount_cny"].sum()
    return _tiers_from(spend, members, as_of)


def tiers_count_refunds(orders, members, as_of):
    as_of = pd.Timestamp(as_of)
    window = orders[
        orders["status"].isin(["paid", "refunded"])
        & (orders["order_time"] >= as_of - pd.Timedelta(days=ROLLING_DAYS))
        & (orders["order_time"] < as_of)
    ]
    spend = window.groupby("customer_id", observed=True)["net_amount_cny"].sum()
    return _tiers_from(spend, members, as_of)


def tiers_window_open_at_start(orders, members, as_of):
    window = _window(orders, as_of, start_inclusive=False)
    spend = window.groupby("customer_id", observed=True)["net_amount_cny"].sum()
    return _tiers_from(spend, members, as_of)


def tiers_one_calendar_year(orders, members, as_of):
    """pd.DateOffset(years=1): 366 days when the window holds 29 February 2024."""
    as_of = pd.Timestamp(as_of)
    paid = orders[
        (orders["status"] == "paid")
        & (orders["order_time"] >= as_of - pd.DateOffset(years=1))
        & (orders["order_time"] < as_of)
    ]
    spend = paid.groupby("customer_id", observed=True)["net_amount_cny"].sum()
    return _tiers_from(spend, members, as_of)


def tiers_for_every_buyer(orders, members, as_of):
    """Tiers for every customer with paid orders in the window, members or not."""
    window = _window(orders, as_of)
    spend = window.groupby("customer_id", observed=True)["net_amount_cny"].sum()
    everyone = pd.DataFrame({"customer_id": spend.index, "join_date": pd.Timestamp("2000-01-01")})
    return _tiers_from(spend, everyone, as_of)


def tiers_ignore_join_date(orders, members, as_of):
    window = _window(orders, as_of)
    spend = window.groupby("customer_id", observed=True)["net_amount_cny"].sum()
    return _tiers_from(spend, members.assign(join_date=pd.Timestamp("2000-01-01")), as_of)


def _signed(before):
    return before["event_type"].astype(str).map(EVENT_SIGNS) * before["points"]


def balances_plain_sum(ledger, as_of):
    """Earned minus taken, with no floor: a clawback of spent points goes negative."""
    before = ledger[ledger["event_date"] < pd.Timestamp(as_of)]
    out = _signed(before).groupby(before["customer_id"].astype(str)).sum()
    return out.rename("balance").rename_axis("customer_id").to_frame()


def balances_floor_at_the_end(ledger, as_of):
    return balances_plain_sum(ledger, as_of).clip(lower=0)


def balances_include_the_as_of_day(ledger, as_of):
    return ref.point_balances(ledger, pd.Timestamp(as_of) + pd.Timedelta(days=1))


def balances_clawback_adds(ledger, as_of):
    flipped = ledger.assign(
        event_type=ledger["event_type"].astype(str).replace({"refund_clawback": "earn"})
    )
    return ref.point_balances(flipped, as_of)


def balances_ignore_expiry(ledger, as_of):
    return ref.point_balances(ledger[ledger["event_type"] != "expire"], as_of)


def balances_without_sorting(ledger, as_of):
    """Replays the rows in the order given, not by date and event_id."""
    balances = {}
    before = ledger[ledger["event_date"] < pd.Timestamp(as_of)]
    for customer, kind, points in zip(
        before["customer_id"], before["event_type"].astype(str), before["points"], strict=True
    ):
        balances[customer] = max(0, balances.get(customer, 0) + EVENT_SIGNS[kind] * points)
    return pd.DataFrame({"balance": pd.Series(balances)}).rename_axis("customer_id")


def liability_ignores_breakage(balances, value_per_point=POINT_VALUE_CNY, breakage_rate=0.0):
    return float(balances["balance"].sum() * value_per_point)


def liability_hard_codes_the_value(balances, value_per_point=POINT_VALUE_CNY, breakage_rate=0.0):
    return float(balances["balance"].sum() * 0.01 * (1 - breakage_rate))


def breakage_over_points_issued(ledger, start, end):
    inside = ledger[(ledger["event_date"] >= start) & (ledger["event_date"] < end)]
    expired = inside.loc[inside["event_type"] == "expire", "points"].sum()
    issued = inside.loc[inside["event_type"].isin(["earn", "festival_bonus", "signup_bonus"])]
    return float(expired / issued["points"].sum())


def breakage_counts_clawbacks(ledger, start, end):
    inside = ledger[(ledger["event_date"] >= start) & (ledger["event_date"] < end)]
    lost = inside.loc[inside["event_type"].isin(["expire", "refund_clawback"]), "points"].sum()
    used = inside.loc[inside["event_type"] == "redeem", "points"].sum()
    return float(lost / (lost + used))


def breakage_whole_ledger(ledger, start, end):
    return ref.breakage_rate(ledger, "1900-01-01", "2100-01-01")


def migration_transposed(tiers_from, tiers_to):
    return ref.tier_migration(tiers_to, tiers_from)


def migration_missing_tiers(tiers_from, tiers_to):
    both = tiers_from[["tier"]].join(tiers_to[["tier"]], how="inner", lsuffix="_0", rsuffix="_1")
    return pd.crosstab(both["tier_0"], both["tier_1"])


def migration_row_shares(tiers_from, tiers_to):
    counts = ref.tier_migration(tiers_from, tiers_to)
    return counts.div(counts.sum(axis=1).replace(0, 1), axis=0)


def migration_everyone(tiers_from, tiers_to):
    """An outer join: members missing from one date are counted as 普通 there."""
    a = tiers_from["tier"].astype(str)
    b = tiers_to["tier"].astype(str)
    index = a.index.union(b.index)
    both = pd.DataFrame(
        {"a": a.reindex(index).fillna("普通"), "b": b.reindex(index).fillna("普通")}
    )
    table = pd.crosstab(both["a"], both["b"])
    return table.reindex(index=list(TIERS), columns=list(TIERS), fill_value=0)


def before_after_counts_join_day(orders, members, customers, as_of, days=180):
    """The 'after' window starts on the join day, so the order that made them join counts."""
    out = ref.join_before_after(orders, members, customers, pd.Timestamp(as_of), days=days)
    span = pd.Timedelta(days=days)
    paid = orders[orders["status"] == "paid"]
    joined = members.set_index("customer_id")["join_date"]
    paid = paid[paid["customer_id"].isin(out.index)]
    start = joined.reindex(paid["customer_id"]).to_numpy()
    inside = (paid["order_time"].to_numpy() >= start) & (
        paid["order_time"].to_numpy() < start + span
    )
    chosen = paid[inside].groupby("customer_id", observed=True)["net_amount_cny"]
    out["orders_after"] = chosen.size().reindex(out.index).fillna(0).astype(int)
    out["spend_after_cny"] = chosen.sum().reindex(out.index).fillna(0.0)
    return out


def before_after_every_member(orders, members, customers, as_of, days=180):
    """Keeps members who signed up on their join day: their 'before' is empty by construction."""
    everyone = customers.assign(signup_date=pd.Timestamp("2000-01-01"))
    return ref.join_before_after(orders, members, everyone, as_of, days=days)


def before_after_counts_refunds(orders, members, customers, as_of, days=180):
    paid_like = orders.assign(status=orders["status"].astype(str).replace({"refunded": "paid"}))
    return ref.join_before_after(paid_like, members, customers, as_of, days=days)


def before_after_six_months_not_days(orders, members, customers, as_of, days=180):
    return ref.join_before_after(orders, members, customers, as_of, days=183)


MISTAKES = {
    "tiers from lifetime instead of rolling spend": (
        dict(member_tiers=tiers_from_lifetime_spend),
        TIER_CELLS,
    ),
    "tiers count refunded orders": (dict(member_tiers=tiers_count_refunds), TIER_CELLS),
    "rolling window leaves out its first day's midnight": (
        dict(member_tiers=tiers_window_open_at_start),
        {"test_member_tiers_rules"},
    ),
    "rolling window of one calendar year (366 days over 29 February)": (
        dict(member_tiers=tiers_one_calendar_year),
        {"test_member_tiers_shop"},
    ),
    "tiers for every buyer, not for members": (
        dict(member_tiers=tiers_for_every_buyer),
        TIER_CELLS,
    ),
    "tiers for members who have not joined yet": (
        dict(member_tiers=tiers_ignore_join_date),
        TIER_CELLS,
    ),
    "balances go negative (no floor)": (dict(point_balances=balances_plain_sum), BALANCE_CELLS),
    "balances floored only at the end": (
        dict(point_balances=balances_floor_at_the_end),
        BALANCE_CELLS,
    ),
    "balances count the as-of day": (
        dict(point_balances=balances_include_the_as_of_day),
        BALANCE_CELLS,
    ),
    "refund clawbacks added instead of taken": (
        dict(point_balances=balances_clawback_adds),
        BALANCE_CELLS,
    ),
    "expired points kept": (dict(point_balances=balances_ignore_expiry), BALANCE_CELLS),
    "events replayed in the table's row order": (
        dict(point_balances=balances_without_sorting),
        {"test_point_balances_rules"},
    ),
    "liability ignores breakage": (
        dict(points_liability=liability_ignores_breakage),
        {"test_points_liability"},
    ),
    "liability hard-codes 0.01 CNY a point": (
        dict(points_liability=liability_hard_codes_the_value),
        {"test_points_liability"},
    ),
    "breakage over points issued": (
        dict(breakage_rate=breakage_over_points_issued),
        {"test_breakage_rate"},
    ),
    "breakage counts refund clawbacks": (
        dict(breakage_rate=breakage_counts_clawbacks),
        {"test_breakage_rate"},
    ),
    "breakage ignores the window": (
        dict(breakage_rate=breakage_whole_ledger),
        {"test_breakage_rate"},
    ),
    "migration matrix transposed": (
        dict(tier_migration=migration_transposed),
        {"test_tier_migration"},
    ),
    "migration matrix drops tiers nobody reached": (
        dict(tier_migration=migration_missing_tiers),
        {"test_tier_migration"},
    ),
    "migration matrix of row shares, not counts": (
        dict(tier_migration=migration_row_shares),
        {"test_tier_migration"},
    ),
    "migration counts members missing on one date as 普通": (
        dict(tier_migration=migration_everyone),
        {"test_tier_migration"},
    ),
    "after window counts the join day's order": (
        dict(join_before_after=before_after_counts_join_day),
        {"test_join_before_after"},
    ),
    "before/after keeps members who joined at sign-up": (
        dict(join_before_after=before_after_every_member),
        {"test_join_before_after"},
    ),
    "before/after counts refunded orders": (
        dict(join_before_after=before_after_counts_refunds),
        {"test_join_before_after"},
    ),
    "before/after ignores days": (
        dict(join_before_after=before_after_six_months_not_days),
        {"test_join_before_after"},
    ),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "05_membership"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "migration with inplace=True (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 16

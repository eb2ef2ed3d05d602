"""The shop's membership programme (会员体系与积分, chapter 05): ``members`` and ``points_ledger``.

Built after the rest of the shop, from what already happened in it, on its own random
streams, so no other table changes. The rules (tiers, earn rates, bonuses, expiry) are
those of :mod:`crm_lab.membership`. One function per step of the story:

1. :func:`join_dates`: who joins (入会) and when. A customer joins on the store page when
   signing up, or at the checkout of one of their paid orders. The chance at each paid
   order rises with the customer's hidden spend level and buying rate, so better customers
   join more often and earlier: the selection the chapter exposes. The orders were
   simulated before anyone joined, so joining changes none of them; any "uplift" the orders
   show is selection, and the chapter's matched comparison finds it out.
2. :func:`order_tiers`: each member order's tier, from the rolling spend of paid orders
   on the 365 days before its day.
3. :func:`ledger_events`: the points ledger, replayed member by member: sign-up bonus,
   points per yuan times the tier's multiplier, double points in 618 and Double 11,
   redemptions for gifts at later orders (more often in higher tiers: the benefit people
   use), expiry of unredeemed points 365 days after they were earned (oldest first),
   and clawback (积分扣回) of a refunded order's points a few days after the order. A
   clawback never takes a balance below zero: when the points were already spent the
   shop absorbs the difference, so the ledger's clawback can be larger than what it took.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lab import membership as rules

from . import schema
from .loaders import cast_table

__all__ = ["join_dates", "order_tiers", "ledger_events", "membership_tables"]

# Chance of joining on the store page at sign-up, and at each paid order for a typical
# customer (spend level 1, 4 orders a year); a shop's checkout prompt converts a few in ten.
_P_JOIN_AT_SIGNUP = 0.06
_P_JOIN_AT_ORDER = 0.16
_P_JOIN_MAX = 0.75
# A member redeems at a paid order when the balance reaches this, with their own
# appetite (Beta-distributed) raised for higher tiers.
_REDEEM_FROM_POINTS = 1000
_REDEEM_TIER_LIFT = np.array([1.0, 1.3, 1.6, 1.9])
# Days from a refunded order to the refund, which claws its points back.
_REFUND_DELAY_DAYS = (2, 15)


def _day_index(calendar, when) -> np.ndarray:
    start = calendar.date.iloc[0].to_datetime64().astype("datetime64[D]")
    days = pd.to_datetime(pd.Series(when)).to_numpy().astype("datetime64[D]")
    return (days - start).astype(int)


def join_dates(seed, calendar, traits, orders, stream) -> pd.DataFrame:
    """``members``: customer_id, join_date, join_source (``store_page`` or ``checkout``)."""
    rng = stream(seed, "membership.join")
    n = len(traits)
    spend = traits.spend_level.to_numpy()
    rate = traits.purchase_rate_per_year.to_numpy()
    at_signup = rng.random(n) < _P_JOIN_AT_SIGNUP * np.sqrt(spend)

    paid = orders[orders.status == schema.PAID]
    position = pd.Index(traits.customer_id).get_indexer(paid.customer_id)
    p_order = np.clip(
        _P_JOIN_AT_ORDER * spend[position] ** 1.2 * np.sqrt(rate[position] / 4.0), 0.01, _P_JOIN_MAX
    )
    joins = paid[rng.random(len(paid)) < p_order]
    first = joins.groupby("customer_id", observed=True, sort=False)["order_time"].min()

    join_day = pd.Series(pd.NaT, index=pd.Index(traits.customer_id), dtype="datetime64[ns]")
    source = pd.Series(None, index=join_day.index, dtype=object)
    join_day.loc[first.index] = first.dt.normalize().to_numpy()
    source.loc[first.index] = "checkout"
    signup = traits.signup_date.to_numpy()
    join_day[at_signup] = signup[at_signup]
    source[at_signup] = "store_page"
    members = pd.DataFrame(
        {
            "customer_id": join_day.index.to_numpy(),
            "join_date": join_day.to_numpy(),
            "join_source": source.to_numpy(),
        }
    ).dropna(subset=["join_date"])
    members = members.sort_values(["join_date", "customer_id"], kind="stable")
    return members.reset_index(drop=True)


def order_tiers(orders, members) -> pd.DataFrame:
    """Members' paid and refunded orders from their join day on, with the tier of the day.

    Columns: order_id, customer_id, day (datetime64 day), net_amount_cny, status,
    promotion, tier_index (0-3 into :data:`crm_lab.membership.TIERS`).
    """
    paid = orders[orders.status == schema.PAID]
    mine = orders[orders.customer_id.isin(members.customer_id)]
    mine = mine[mine.status != schema.CLOSED].copy()
    mine["day"] = mine.order_time.dt.normalize()
    join = members.set_index("customer_id").join_date
    mine = mine[mine.day >= join.reindex(mine.customer_id).to_numpy()]

    # Rolling sums by binary search on one sorted key (customer, day): the paid spend on
    # the ROLLING_DAYS days before each member order's day.
    codes = pd.Index(pd.unique(orders.customer_id))
    epoch = np.datetime64("2000-01-01", "D")

    def key(customer, days):
        day_number = (days.to_numpy().astype("datetime64[D]") - epoch).astype(np.int64)
        return codes.get_indexer(customer).astype(np.int64) * 10**6 + day_number

    paid_key = key(paid.customer_id, paid.order_time.dt.normalize())
    by_key = np.argsort(paid_key, kind="stable")
    paid_key = paid_key[by_key]
    cum = np.r_[0.0, np.cumsum(paid.net_amount_cny.to_numpy()[by_key])]
    order_key = key(mine.customer_id, mine.day)
    hi = np.searchsorted(paid_key, order_key, side="left")
    lo = np.searchsorted(paid_key, order_key - rules.ROLLING_DAYS, side="left")
    tier = rules.tier_of_spend(np.round(cum[hi] - cum[lo], 2)).to_numpy()
    mine["tier_index"] = pd.Categorical(tier, categories=list(rules.TIERS)).codes.astype(int)
    columns = ["order_id", "customer_id", "day", "net_amount_cny", "status", "promotion"]
    return mine[[*columns, "tier_index"]].sort_values(["customer_id", "day", "order_id"])


def _replay(member_events, appetite, refund_delay, draws, period_end):
    """One member's ledger rows, in the order they happen (see the module's story)."""
    rows = []  # (day, kind, points, order_id)
    lots = []  # [expiry day, remaining points], oldest first

    def balance():
        return sum(lot[1] for lot in lots)

    def take(points):
        taken = min(points, balance())
        left = taken
        for lot in lots:
            used = min(lot[1], left)
            lot[1] -= used
            left -= used
        lots[:] = [lot for lot in lots if lot[1] > 0]
        return taken

    def expire_until(day):
        due = {}
        for lot in lots:
            if lot[0] <= day:
                due[lot[0]] = due.get(lot[0], 0) + lot[1]
        lots[:] = [lot for lot in lots if lot[0] > day]
        for when in sorted(due):
            rows.append((when, "expire", due[when], None))

    def add(day, kind, points, order_id):
        if points > 0:
            rows.append((day, kind, points, order_id))
            lots.append([day + pd.Timedelta(days=rules.EXPIRY_DAYS), points])

    pending = []  # clawbacks: (day, points, order_id)
    for k, (kind, day, order_id, points, extra, tier) in enumerate(member_events):
        while pending and pending[0][0] <= day:
            when, owed, oid = pending.pop(0)
            expire_until(when)
            take(owed)
            rows.append((when, "refund_clawback", owed, oid))
        expire_until(day)
        if kind == "join":
            add(day, "signup_bonus", points, None)
            continue
        add(day, "earn", points, order_id)
        add(day, "festival_bonus", extra, order_id)
        if kind == "refunded":
            when = min(day + pd.Timedelta(days=int(refund_delay[k])), period_end)
            pending.append((when, points + extra, order_id))
            pending.sort(key=lambda p: p[0])
        chance = min(appetite * _REDEEM_TIER_LIFT[tier], 0.95)
        if balance() >= _REDEEM_FROM_POINTS and draws[k] < chance:
            rows.append((day, "redeem", take(balance() // 100 * 100), order_id))
    for when, owed, oid in pending:
        expire_until(when)
        take(owed)
        rows.append((when, "refund_clawback", owed, oid))
    expire_until(period_end)
    return rows


def ledger_events(seed, members, tiers, stream, period_end) -> pd.DataFrame:
    """``points_ledger``: one row per event, numbered in the order events happened."""
    rng = stream(seed, "membership.points")
    appetite = rng.beta(1.2, 3.5, size=len(members))
    n_events = len(tiers) + len(members)
    refund_delay = rng.integers(*_REFUND_DELAY_DAYS, size=n_events)
    draws = rng.random(n_events)
    multiplier = np.array([rules.EARN_MULTIPLIERS[t] for t in rules.TIERS])
    base = np.floor(tiers.net_amount_cny.to_numpy()).astype(int) * rules.POINTS_PER_CNY
    earned = np.floor(base * multiplier[tiers.tier_index.to_numpy()] + 1e-9).astype(int)
    extra = np.where(tiers.promotion.isin(rules.FESTIVAL_PROMOTIONS).to_numpy(), base, 0)
    by_customer = {}
    for row in zip(
        tiers.customer_id,
        tiers.status.astype(str),
        tiers.day,
        tiers.order_id,
        earned,
        extra,
        tiers.tier_index,
        strict=True,
    ):
        by_customer.setdefault(row[0], []).append(row[1:])

    out = []
    offset = 0
    for m, (customer, join) in enumerate(zip(members.customer_id, members.join_date, strict=True)):
        events = [("join", join, None, rules.SIGNUP_BONUS_POINTS, 0, 0)]
        events += [
            (status, day, order_id, int(points), int(bonus), int(tier))
            for status, day, order_id, points, bonus, tier in by_customer.get(customer, [])
        ]
        mine = slice(offset, offset + len(events))
        offset += len(events)
        for seq, (day, kind, points, order_id) in enumerate(
            _replay(events, appetite[m], refund_delay[mine], draws[mine], period_end)
        ):
            out.append((day, customer, seq, kind, int(points), order_id))

    ledger = pd.DataFrame(
        out, columns=["event_date", "customer_id", "seq", "event_type", "points", "order_id"]
    )
    # Within a member and a day, events keep the order of the replay; expiries come first.
    first = ledger.event_type.eq("expire").map({True: 0, False: 1})
    ledger = ledger.assign(first=first).sort_values(
        ["event_date", "customer_id", "first", "seq"], kind="stable"
    )
    ledger.insert(0, "event_id", [f"L{i:07d}" for i in range(1, len(ledger) + 1)])
    return ledger.drop(columns=["seq", "first"]).reset_index(drop=True)


def membership_tables(seed, calendar, traits, tables, stream) -> dict[str, pd.DataFrame]:
    """Both membership tables, validated, from the shop's customers and orders."""
    orders = tables["orders"]
    members = join_dates(seed, calendar, traits, orders, stream)
    tiers = order_tiers(orders, members)
    period_end = pd.Timestamp(calendar.date.iloc[-1]).normalize()
    ledger = ledger_events(seed, members, tiers, stream, period_end)
    ledger = ledger[ledger.event_date <= period_end]
    return {
        "members": cast_table("members", members),
        "points_ledger": cast_table("points_ledger", ledger.reset_index(drop=True)),
    }

"""Reference answers for chapter 05, membership systems and points (会员体系与积分).

Definitions (the chapter states the same ones to students; the programme's rules are the
constants of :mod:`crm_lab.membership`):

- **Rolling spend** as of ``as_of``: the sum of ``net_amount_cny`` of the customer's
  **paid** orders with ``as_of - ROLLING_DAYS days <= order_time < as_of``. A member's
  **tier** is :func:`crm_lab.membership.tier_of_spend` of it. Members are those whose
  ``join_date`` is before ``as_of``; a member without such orders spends 0 (普通).
- **Balance** as of ``as_of``: replay the member's ledger events dated before ``as_of`` in
  ``(event_date, event_id)`` order, adding ``points`` for signup_bonus, earn and
  festival_bonus and taking them away for redeem, expire and refund_clawback, with the
  balance never below 0 (a clawback larger than the balance takes it to 0). Members with
  no event before ``as_of`` have no row.
- **Liability** (积分负债): outstanding points × value per point × (1 - expected breakage).
- **Breakage rate** (积分失效率) over ``[start, end)``: expired points / (redeemed +
  expired points), the share of points that left the balances by expiring.
- **Migration matrix**: counts of customers in both tier tables, rows the earlier tier,
  columns the later one, both in ``TIERS`` order, every tier present.
- **Before/after**: per member who signed up at least ``days`` days before joining
  (``signup_date <= join_date - days``) and with ``join_date + 1 + days <= as_of``:
  paid orders and spend in the ``days`` days before the join day (``[join - days, join)``)
  and in the ``days`` days after it
  (``[join + 1, join + 1 + days)``); the join day itself is in neither window.
"""

from __future__ import annotations

import pandas as pd

from crm_lab.membership import (
    EVENT_SIGNS,
    POINT_VALUE_CNY,
    ROLLING_DAYS,
    TIERS,
    tier_of_spend,
)

__all__ = [
    "member_tiers",
    "point_balances",
    "points_liability",
    "breakage_rate",
    "tier_migration",
    "join_before_after",
    "matrix_rows",
    "replay_balances",
]

PAID = "paid"


def _require(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}")


def _paid(orders: pd.DataFrame) -> pd.DataFrame:
    _require(orders, ["customer_id", "order_time", "status", "net_amount_cny"], "orders")
    return orders[orders["status"].astype(str) == PAID]


def member_tiers(orders: pd.DataFrame, members: pd.DataFrame, as_of) -> pd.DataFrame:
    """Index ``customer_id`` (sorted), columns ``rolling_spend_cny`` (float) and ``tier``."""
    _require(members, ["customer_id", "join_date"], "members")
    as_of = pd.Timestamp(as_of)
    paid = _paid(orders)
    window = paid[
        (paid["order_time"] >= as_of - pd.Timedelta(days=ROLLING_DAYS))
        & (paid["order_time"] < as_of)
    ]
    spend = window.groupby(window["customer_id"].astype(str))["net_amount_cny"].sum()
    ids = sorted(members.loc[members["join_date"] < as_of, "customer_id"].astype(str))
    out = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    out["rolling_spend_cny"] = spend.reindex(out.index).fillna(0.0).round(2)
    out["tier"] = tier_of_spend(out["rolling_spend_cny"])
    return out


def point_balances(ledger: pd.DataFrame, as_of) -> pd.DataFrame:
    """Index ``customer_id`` (sorted), column ``balance`` (int points, never negative).

    A running sum floored at 0 is the running sum minus its lowest point so far (when that
    is below 0): ``b_t = S_t - min(0, min_{k<=t} S_k)``, computed for every member at once.
    """
    _require(ledger, ["event_id", "event_date", "customer_id", "event_type", "points"], "ledger")
    as_of = pd.Timestamp(as_of)
    before = ledger[ledger["event_date"] < as_of]
    before = before.sort_values(["customer_id", "event_date", "event_id"], kind="stable")
    sign = before["event_type"].astype(str).map(EVENT_SIGNS)
    if sign.isna().any():
        raise ValueError(f"unknown event_type {sorted(set(before['event_type'][sign.isna()]))}")
    who = before["customer_id"].astype(str)
    running = (sign * before["points"]).groupby(who).cumsum()
    floor = running.groupby(who).cummin().clip(upper=0)
    balance = (running - floor).groupby(who).last()
    out = balance.astype("int64").rename("balance").to_frame()
    out.index.name = "customer_id"
    return out.sort_index()


def replay_balances(ledger: pd.DataFrame, as_of) -> dict[str, int]:
    """The same balances by brute force, one event at a time (the peer check's side)."""
    as_of = pd.Timestamp(as_of)
    balances: dict[str, int] = {}
    rows = ledger[ledger["event_date"] < as_of].sort_values(["event_date", "event_id"])
    for customer, kind, points in zip(
        rows["customer_id"].astype(str),
        rows["event_type"].astype(str),
        rows["points"],
        strict=True,
    ):
        now = balances.get(customer, 0)
        balances[customer] = max(0, now + EVENT_SIGNS[kind] * int(points))
    return balances


def points_liability(balances, value_per_point=POINT_VALUE_CNY, breakage_rate=0.0) -> float:
    """CNY the shop owes in outstanding points, net of the share expected to expire."""
    points = balances["balance"] if isinstance(balances, pd.DataFrame) else balances
    return float(points.sum() * value_per_point * (1.0 - breakage_rate))


def breakage_rate(ledger: pd.DataFrame, start, end) -> float:
    """Expired / (redeemed + expired) points among events with ``start <= event_date < end``."""
    _require(ledger, ["event_date", "event_type", "points"], "ledger")
    inside = ledger[
        (ledger["event_date"] >= pd.Timestamp(start)) & (ledger["event_date"] < pd.Timestamp(end))
    ]
    kind = inside["event_type"].astype(str)
    expired = inside.loc[kind == "expire", "points"].sum()
    redeemed = inside.loc[kind == "redeem", "points"].sum()
    total = expired + redeemed
    return float(expired / total) if total else float("nan")


def tier_migration(tiers_from: pd.DataFrame, tiers_to: pd.DataFrame) -> pd.DataFrame:
    """Counts (int): rows the tier in ``tiers_from``, columns the tier in ``tiers_to``."""
    a = tiers_from["tier"].astype(str)
    b = tiers_to["tier"].astype(str)
    both = a.index.intersection(b.index)
    table = pd.crosstab(a.loc[both], b.loc[both])
    table = table.reindex(index=list(TIERS), columns=list(TIERS), fill_value=0).astype("int64")
    table.index.name, table.columns.name = "from_tier", "to_tier"
    return table


def matrix_rows(matrix) -> pd.DataFrame:
    """A tier × tier matrix as rows keyed by ``from_tier``, for ``assert_same_table``.

    Whatever the answer's axis names, its rows and columns are put in ``TIERS`` order; a
    tier it left out becomes a row or column of missing values, which then fails.
    """
    frame = pd.DataFrame(matrix)
    frame.index = frame.index.astype(str)
    frame.columns = frame.columns.astype(str)
    frame = frame.reindex(index=list(TIERS), columns=list(TIERS))
    frame.index.name, frame.columns.name = "from_tier", None
    return frame.reset_index()


def join_before_after(
    orders: pd.DataFrame, members: pd.DataFrame, customers: pd.DataFrame, as_of, days: int = 180
) -> pd.DataFrame:
    """Index ``customer_id``: ``orders_before``, ``orders_after`` (int), ``spend_before_cny``,
    ``spend_after_cny`` (float) for the members whose two windows are fully observed."""
    _require(members, ["customer_id", "join_date"], "members")
    _require(customers, ["customer_id", "signup_date"], "customers")
    as_of = pd.Timestamp(as_of)
    span = pd.Timedelta(days=days)
    day = pd.Timedelta(days=1)
    join = members.set_index(members["customer_id"].astype(str))["join_date"]
    signup = customers.set_index(customers["customer_id"].astype(str))["signup_date"]
    join = join[(signup.reindex(join.index) <= join - span) & (join + day + span <= as_of)]
    paid = _paid(orders)
    paid = paid.assign(customer_id=paid["customer_id"].astype(str))
    paid = paid[paid["customer_id"].isin(join.index)]
    joined = join.reindex(paid["customer_id"]).to_numpy()
    when = paid["order_time"].to_numpy()
    before = (when >= joined - span) & (when < joined)
    after = (when >= joined + day) & (when < joined + day + span)
    out = pd.DataFrame(index=pd.Index(sorted(join.index), name="customer_id"))
    for name, mask in (("before", before), ("after", after)):
        chosen = paid[mask].groupby("customer_id")["net_amount_cny"]
        out[f"orders_{name}"] = chosen.size().reindex(out.index).fillna(0).astype("int64")
        out[f"spend_{name}_cny"] = chosen.sum().reindex(out.index).fillna(0.0).round(2)
    return out[["orders_before", "orders_after", "spend_before_cny", "spend_after_cny"]]

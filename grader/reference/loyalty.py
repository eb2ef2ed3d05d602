"""Reference answers for chapter 04, loyalty, churn and lifetime value (客户忠诚与流失).

Definitions (the chapter states the same ones to students):

- Only **paid** orders count; refunded and closed orders do not. Days are calendar days
  between order *dates* (``order_time.normalize()``), as for recency in chapter 06.
- ``repeat_rate``: among customers with a paid order before ``as_of``, the share (0–1)
  with at least two.
- ``inter_purchase_days``: one row per paid order before ``as_of`` that has an earlier paid
  order of the same customer (orders in ``order_time`` order, ties by ``order_id``), keyed by
  ``order_id``: ``customer_id`` and ``days_since_previous`` (int, 0 for the same day).
- ``cohort_retention``: a customer's cohort is the calendar month of their first paid order
  before ``as_of`` (text ``"YYYY-MM"``); cell ``(cohort, k)`` is the share of the cohort with
  a paid order in calendar month ``cohort + k``. Months after the last month with data (the
  month of the day before ``as_of``) are NaN. Columns ``0 … K`` (int), K the last month of
  the earliest cohort.
- ``loyalty_classes``: attitude is high when ``avg_satisfaction >= ATTITUDE_HIGH``; a repeat
  buyer has ``paid_orders >= REPEAT_ORDERS``; a customer never rated is ``UNRATED``.
- ``lifecycle_stages``: the rules of :data:`crm_lab.loyalty.LIFECYCLE_STAGES`, in order.
- ``churn_labels``: the customers with a paid order before ``cutoff``; ``churned`` is True
  when they have no paid order with ``cutoff <= order_time < cutoff + horizon_days days``.
- ``lift_table``: customers ranked by score, highest first (ties in the order given); group
  ``g = floor(groups * (rank - 1) / n) + 1``.
- ``purchase_summary``: ``lifetimes.utils.summary_data_from_transaction_data`` with
  ``freq="D"`` on the paid orders: purchases on one day merge into one; orders on days after
  ``observation_end`` are left out; ``frequency`` repeat purchase days, ``recency`` and ``T``
  days from the first purchase day to the last one and to ``observation_end``,
  ``monetary_value`` the mean of the repeat days' totals (0 without repeats).
- ``clv_table``: BG/NBD expected purchases in ``horizon_days`` × Gamma-Gamma expected spend
  × ``margin``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lab.loyalty import (
    ACTIVE_DAYS,
    ATTITUDE_HIGH,
    LOST_DAYS,
    LOYAL_ORDERS,
    REPEAT_ORDERS,
    UNRATED,
    bgnbd_expected_purchases,
    gamma_gamma_expected_spend,
)

__all__ = [
    "repeat_rate",
    "inter_purchase_days",
    "cohort_retention",
    "loyalty_classes",
    "lifecycle_stages",
    "churn_labels",
    "lift_table",
    "purchase_summary",
    "clv_table",
]

PAID = "paid"


def _require(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}")


def _paid_before(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    _require(orders, ["order_id", "customer_id", "order_time", "status"], "orders")
    time = pd.to_datetime(orders["order_time"])
    keep = (orders["status"].astype(str) == PAID) & (time < pd.Timestamp(as_of))
    paid = orders.loc[keep].copy()
    paid["customer_id"] = paid["customer_id"].astype(str)
    paid["order_id"] = paid["order_id"].astype(str)
    paid["order_time"] = time[keep]
    paid["order_day"] = paid["order_time"].dt.normalize()
    return paid.sort_values(["customer_id", "order_time", "order_id"])


def repeat_rate(orders: pd.DataFrame, as_of) -> float:
    """Share (0–1) of customers with a paid order before ``as_of`` who have two or more."""
    counts = _paid_before(orders, as_of).groupby("customer_id").size()
    return float((counts >= REPEAT_ORDERS).mean())


def inter_purchase_days(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """Days from each repeat paid order's date back to the customer's previous one."""
    paid = _paid_before(orders, as_of)
    previous = paid.groupby("customer_id")["order_day"].shift()
    repeat = paid[previous.notna()]
    out = pd.DataFrame(
        {
            "customer_id": repeat["customer_id"].to_numpy(),
            "days_since_previous": (repeat["order_day"] - previous[previous.notna()])
            .dt.days.astype("int64")
            .to_numpy(),
        },
        index=pd.Index(repeat["order_id"].to_numpy(), name="order_id"),
    )
    return out.sort_index()


def _month_number(days: pd.Series) -> pd.Series:
    return days.dt.year * 12 + days.dt.month - 1


def cohort_retention(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """Monthly acquisition cohorts × months since the first paid order: shares 0–1."""
    paid = _paid_before(orders, as_of)
    month = _month_number(paid["order_day"])
    first = month.groupby(paid["customer_id"]).transform("min")
    since = (month - first).astype("int64")
    active = pd.DataFrame({"customer_id": paid["customer_id"], "cohort": first, "k": since})
    active = active.drop_duplicates()
    sizes = active.loc[active["k"] == 0].groupby("cohort").size()
    counts = active.groupby(["cohort", "k"]).size().unstack("k", fill_value=0)
    last = _month_number(pd.Series([pd.Timestamp(as_of) - pd.Timedelta(days=1)])).iloc[0]
    width = int(last - sizes.index.min()) + 1
    counts = counts.reindex(columns=range(width), fill_value=0)
    shares = counts.div(sizes, axis=0).astype("float64")
    observed = (shares.index.to_numpy()[:, None] + np.arange(width)[None, :]) <= last
    shares = shares.where(observed)
    shares.index = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in shares.index]
    shares.index.name = "cohort"
    shares.columns = pd.Index(range(width), name="months_since_first")
    return shares


def loyalty_classes(profile: pd.DataFrame) -> pd.DataFrame:
    """``profile`` with one more column ``loyalty``: ``true``/``latent``/``inertia``/``none``,
    or ``UNRATED`` where ``avg_satisfaction`` is missing."""
    _require(profile, ["avg_satisfaction", "paid_orders"], "profile")
    attitude = profile["avg_satisfaction"].astype("float64") >= ATTITUDE_HIGH
    repeat = profile["paid_orders"] >= REPEAT_ORDERS
    name = np.select(
        [attitude & repeat, attitude & ~repeat, ~attitude & repeat],
        ["true", "latent", "inertia"],
        default="none",
    )
    name = np.where(profile["avg_satisfaction"].isna(), UNRATED, name)
    return profile.assign(loyalty=name)


def lifecycle_stages(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """One row per customer with a paid order before ``as_of``, indexed by ``customer_id``:
    ``stage`` by the rules of :data:`crm_lab.loyalty.LIFECYCLE_STAGES`."""
    as_of = pd.Timestamp(as_of)
    paid = _paid_before(orders, as_of)
    grouped = paid.groupby("customer_id")["order_day"]
    last, first, n = grouped.max(), grouped.min(), grouped.size()
    gap = (paid["order_day"] - grouped.shift()).dt.days
    last_gap = gap.groupby(paid["customer_id"]).last().reindex(last.index)
    recency = (as_of - last).dt.days
    tenure = (as_of - first).dt.days
    stage = np.select(
        [
            recency > LOST_DAYS,
            recency > ACTIVE_DAYS,
            tenure <= ACTIVE_DAYS,
            last_gap.fillna(0) > LOST_DAYS,
            n >= LOYAL_ORDERS,
        ],
        ["lost", "at_risk", "new", "won_back", "loyal"],
        default="active",
    )
    out = pd.DataFrame({"stage": stage}, index=last.index)
    out.index.name = "customer_id"
    return out


def churn_labels(orders: pd.DataFrame, cutoff, horizon_days: int = LOST_DAYS) -> pd.DataFrame:
    """Customers known at ``cutoff`` and whether they churned in the ``horizon_days`` after."""
    cutoff = pd.Timestamp(cutoff)
    known = _paid_before(orders, cutoff)["customer_id"].unique()
    later = _paid_before(orders, cutoff + pd.Timedelta(days=horizon_days))
    came_back = set(later.loc[later["order_time"] >= cutoff, "customer_id"])
    index = pd.Index(sorted(known), name="customer_id")
    return pd.DataFrame({"churned": [c not in came_back for c in index]}, index=index)


def lift_table(y_true: pd.Series, score: pd.Series, groups: int = 10) -> pd.DataFrame:
    """Customers in ``groups`` equal groups by ``score`` (highest first): per group
    ``customers``, ``churners``, ``churn_rate``, ``lift`` (its rate over the overall rate)
    and ``cumulative_capture`` (share of all churners in groups 1…g), indexed by ``group``."""
    y = pd.Series(np.asarray(y_true, dtype="float64"))
    s = pd.Series(np.asarray(score, dtype="float64"))
    if len(y) != len(s):
        raise ValueError("y_true and score must have the same length")
    rank = s.rank(ascending=False, method="first")
    group = (np.floor(groups * (rank - 1) / len(s)) + 1).astype("int64")
    by = y.groupby(group)
    out = pd.DataFrame(
        {"customers": by.size().astype("int64"), "churners": by.sum().astype("int64")}
    )
    out["churn_rate"] = out["churners"] / out["customers"]
    out["lift"] = out["churn_rate"] / y.mean()
    out["cumulative_capture"] = out["churners"].cumsum() / y.sum()
    out.index.name = "group"
    return out


def purchase_summary(
    orders: pd.DataFrame, observation_end, amount_col: str = "net_amount_cny"
) -> pd.DataFrame:
    """Frequency, recency, T (days) and monetary value per customer, as ``lifetimes`` does."""
    _require(orders, [amount_col], "orders")
    end = pd.Timestamp(observation_end).normalize()
    paid = _paid_before(orders, end + pd.Timedelta(days=1))
    days = paid.groupby(["customer_id", "order_day"])[amount_col].sum().reset_index()
    grouped = days.groupby("customer_id")
    first = grouped["order_day"].min()
    last = grouped["order_day"].max()
    frequency = grouped.size() - 1
    total = grouped[amount_col].sum()
    first_amount = days.drop_duplicates("customer_id").set_index("customer_id")[amount_col]
    repeat_total = total - first_amount.reindex(total.index)
    monetary = (repeat_total / frequency.where(frequency > 0)).fillna(0.0)
    out = pd.DataFrame(
        {
            "frequency": frequency.astype("int64"),
            "recency": (last - first).dt.days.astype("int64"),
            "T": (end - first).dt.days.astype("int64"),
            "monetary_value": monetary.astype("float64"),
        }
    )
    out.index.name = "customer_id"
    return out


def clv_table(
    summary: pd.DataFrame, bgnbd_params, gg_params, horizon_days: float, margin: float
) -> pd.DataFrame:
    """Per customer of ``summary``: ``expected_purchases`` in the next ``horizon_days``,
    ``expected_spend`` per purchase and ``clv`` = margin × purchases × spend."""
    _require(summary, ["frequency", "recency", "T", "monetary_value"], "summary")
    purchases = bgnbd_expected_purchases(
        horizon_days, summary["frequency"], summary["recency"], summary["T"], bgnbd_params
    )
    spend = gamma_gamma_expected_spend(summary["frequency"], summary["monetary_value"], gg_params)
    out = pd.DataFrame(
        {
            "expected_purchases": np.asarray(purchases, dtype="float64"),
            "expected_spend": np.asarray(spend, dtype="float64"),
        },
        index=summary.index,
    )
    out["clv"] = margin * out["expected_purchases"] * out["expected_spend"]
    return out

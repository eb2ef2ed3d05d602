"""Reference answers for chapter 06, RFM analysis (RFM 分析).

Definitions (the chapter states the same ones to students):

- Only **paid** orders placed **before** ``as_of`` count; refunded and
  cancelled orders do not. A customer with no such order has no row.
- ``recency_days``: calendar days from the date of the customer's last paid
  order to ``as_of`` (``(as_of - last_order_time.normalize()).days``).
- ``frequency``: number of paid orders.
- ``monetary_cny``: sum of the paid orders' ``amount_col``.
- Scores 1–5: ``1 + floor(5 * (rank_min - 1) / n)`` where ``rank_min`` is the
  customer's rank with ties sharing the lowest rank; recency is ranked on its
  negative, so recent buyers score high. Tied customers always share a score,
  which ``pd.qcut`` on raw values cannot promise (it fails on repeated edges).
- Segments: a score is "high" when it is at least ``HIGH_SCORE`` (4: the top two
  fifths), "low" otherwise; the three levels name one of eight segments.
- Profile: besides sizes and shares, 复购率 ``repeat_rate`` (share of the segment's
  customers with two or more paid orders) and 客单价 ``avg_order_value_cny`` (the
  segment's monetary value divided by its number of paid orders).
- Back-test: each segment's paid orders from ``as_of`` (included) up to
  ``as_of + pd.DateOffset(months=months)`` (excluded), per customer of the segment;
  orders of customers who are not in the segmented table do not count.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_lab.rfm import HIGH_SCORE, SEGMENT_ORDER, segment_names

__all__ = [
    "rfm_table",
    "rfm_scores",
    "rfm_segments",
    "segment_profile",
    "top_customer_share",
    "segment_backtest",
]

PAID = "paid"


def _require(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}")


def rfm_table(orders: pd.DataFrame, as_of, amount_col: str = "net_amount_cny") -> pd.DataFrame:
    """Recency, frequency and monetary value per customer as of ``as_of``.

    Returns a DataFrame indexed by ``customer_id`` (sorted) with columns
    ``recency_days`` (int), ``frequency`` (int) and ``monetary_cny`` (float,
    in the unit of ``amount_col``).
    """
    _require(orders, ["customer_id", "order_time", "status", amount_col], "orders")
    as_of = pd.Timestamp(as_of)
    order_time = pd.to_datetime(orders["order_time"])
    paid = orders[(orders["status"].astype(str) == PAID) & (order_time < as_of)]
    paid = paid.assign(order_day=order_time[paid.index].dt.normalize())
    grouped = paid.groupby("customer_id", observed=True)
    out = pd.DataFrame(
        {
            "recency_days": (as_of - grouped["order_day"].max()).dt.days.astype("int64"),
            "frequency": grouped.size().astype("int64"),
            "monetary_cny": grouped[amount_col].sum().astype("float64"),
        }
    )
    out.index = out.index.astype(str)
    out.index.name = "customer_id"
    return out.sort_index()


def _score(values: pd.Series) -> pd.Series:
    rank_min = values.rank(method="min")
    return (1 + np.floor(5 * (rank_min - 1) / len(values))).astype("int64")


def rfm_scores(rfm: pd.DataFrame) -> pd.DataFrame:
    """Add ``r_score``, ``f_score``, ``m_score`` (int 1–5) to an RFM table."""
    _require(rfm, ["recency_days", "frequency", "monetary_cny"], "rfm")
    return rfm.assign(
        r_score=_score(-rfm["recency_days"]),
        f_score=_score(rfm["frequency"]),
        m_score=_score(rfm["monetary_cny"]),
    )


def rfm_segments(scores: pd.DataFrame) -> pd.DataFrame:
    """Add ``segment``: one of the eight names in :data:`crm_lab.rfm.SEGMENTS`."""
    _require(scores, ["r_score", "f_score", "m_score"], "scores")

    def level(col: str) -> np.ndarray:
        return np.where(scores[col] >= HIGH_SCORE, "high", "low")

    names = segment_names(level("r_score"), level("f_score"), level("m_score"))
    return scores.assign(segment=pd.Categorical(names, categories=SEGMENT_ORDER))


def segment_profile(segmented: pd.DataFrame) -> pd.DataFrame:
    """One row per segment that has customers, indexed by ``segment``.

    Columns: ``customers`` (int), ``customer_share`` and ``revenue_share``
    (fractions 0–1 of all customers / all ``monetary_cny``),
    ``avg_monetary_cny`` (mean monetary value of the segment's customers),
    ``repeat_rate`` (复购率: fraction of them with ``frequency >= 2``) and
    ``avg_order_value_cny`` (客单价: the segment's ``monetary_cny`` over its
    ``frequency``, i.e. per paid order).
    """
    _require(segmented, ["segment", "frequency", "monetary_cny"], "segmented")
    seg = segmented["segment"].astype(str)
    grouped = segmented.groupby(seg)
    money = grouped["monetary_cny"]
    out = pd.DataFrame(
        {
            "customers": grouped.size().astype("int64"),
            "customer_share": grouped.size() / len(segmented),
            "revenue_share": money.sum() / segmented["monetary_cny"].sum(),
            "avg_monetary_cny": money.mean(),
            "repeat_rate": (segmented["frequency"] >= 2).groupby(seg).mean(),
            "avg_order_value_cny": money.sum() / grouped["frequency"].sum(),
        }
    )
    order = [s for s in SEGMENT_ORDER if s in out.index]
    out = out.loc[order]
    out.index.name = "segment"
    return out


def top_customer_share(rfm: pd.DataFrame, top_fraction: float = 0.2) -> float:
    """Share (0–1) of all ``monetary_cny`` from the top ``top_fraction`` of customers.

    The top group is the ``ceil(top_fraction * n)`` customers with the largest
    monetary value.
    """
    _require(rfm, ["monetary_cny"], "rfm")
    if not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be in (0, 1], got {top_fraction}")
    n_top = math.ceil(top_fraction * len(rfm))
    values = rfm["monetary_cny"].sort_values(ascending=False)
    return float(values.iloc[:n_top].sum() / values.sum())


def segment_backtest(
    segmented: pd.DataFrame,
    orders: pd.DataFrame,
    as_of,
    months: int = 6,
    amount_col: str = "net_amount_cny",
) -> pd.DataFrame:
    """What each segment bought in the ``months`` calendar months from ``as_of``.

    ``segmented`` is a segmented RFM table computed as of ``as_of`` (``customer_id``
    as index or column, and ``segment``); ``orders`` the order log. Counts the paid
    orders with ``as_of <= order_time < as_of + pd.DateOffset(months=months)`` of
    the customers in ``segmented``. One row per segment that has customers, indexed
    by ``segment`` in :data:`SEGMENT_ORDER`; columns ``customers`` (int),
    ``buy_rate`` (fraction 0–1 of them with at least one such order),
    ``orders_per_customer`` and ``revenue_per_customer_cny`` (the orders' and their
    ``amount_col``'s totals divided by ``customers``).
    """
    _require(segmented, ["segment"], "segmented")
    _require(orders, ["customer_id", "order_time", "status", amount_col], "orders")
    if "customer_id" in segmented.columns:
        segment = pd.Series(segmented["segment"].to_numpy(), index=segmented["customer_id"])
    elif "customer_id" in segmented.index.names:
        segment = pd.Series(
            segmented["segment"].to_numpy(), index=segmented.index.get_level_values("customer_id")
        )
    else:
        raise ValueError("segmented has no customer_id column or index")
    segment.index = segment.index.astype(str)
    segment = segment.astype(str)
    start = pd.Timestamp(as_of)
    end = start + pd.DateOffset(months=months)
    order_time = pd.to_datetime(orders["order_time"])
    window = orders[
        (orders["status"].astype(str) == PAID) & (order_time >= start) & (order_time < end)
    ]
    per_customer = window.groupby(window["customer_id"].astype(str), observed=True).agg(
        future_orders=(amount_col, "size"), future_revenue=(amount_col, "sum")
    )
    joined = per_customer.reindex(segment.index, fill_value=0).assign(
        segment=segment, bought=lambda t: t["future_orders"] > 0
    )
    grouped = joined.groupby("segment")
    out = pd.DataFrame(
        {
            "customers": grouped.size().astype("int64"),
            "buy_rate": grouped["bought"].mean().astype("float64"),
            "orders_per_customer": grouped["future_orders"].mean().astype("float64"),
            "revenue_per_customer_cny": grouped["future_revenue"].mean().astype("float64"),
        }
    )
    out = out.loc[[s for s in SEGMENT_ORDER if s in out.index]]
    out.index.name = "segment"
    return out

"""Reference answers for chapter 01, customer analysis (客户分析).

Definitions (the chapter states the same ones to students; the numbers live in
:mod:`crm_lab.customers`):

- Identification: only **paid** orders placed **before** ``as_of`` count. Every
  customer of ``customers`` has a row; ``stage`` is ``potential`` without a paid
  order, else ``lapsed`` if the last paid order's day is ``LAPSED_DAYS`` or more
  calendar days before ``as_of``, else ``loyal`` with ``LOYAL_ORDERS`` or more
  paid orders, ``repeat`` with two or more, ``new`` with one.
- ``top_share``: share of the total brought by the ``ceil(fraction * n)`` largest.
- ABC: ``share_before`` is the share of revenue of the customers who spent
  **strictly more**; A if it is below ``ABC_LIMITS[0]``, B below ``ABC_LIMITS[1]``,
  C otherwise (the customer who crosses 70% is still A; ties share a class).
- Gini: ``1 - 2 * (area under the Lorenz curve)`` with the curve through
  ``(0, 0)`` and straight between points, which equals
  ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``.
- Value classes: ``rank`` = rank by revenue from the top, ties sharing the
  best rank (``rank(method="min", ascending=False)``); VIP if ``rank <=
  ceil(0.01 n)``, key account if ``<= ceil(0.05 n)``, ordinary if ``<= ceil(0.5 n)``,
  small otherwise.
- Profit per customer with a paid or refunded order: revenue (net of paid
  orders) minus the product cost of paid orders' lines, ``REFUND_WRITE_OFF`` of the
  product cost of refunded orders, ``SHIPPING_CNY_PER_ORDER`` per paid or refunded
  order, and the customer's service cost (0 without contacts).
- Portrait tags: ``age_band`` (:func:`crm_lab.customers.age_band`), ``big_city``
  (tier in ``BIG_CITY_TIERS``), ``spend_level`` (``high`` at or above the
  ``SPEND_QUANTILES[1]`` quantile of revenue, ``low`` below the
  ``SPEND_QUANTILES[0]`` quantile, else ``mid``), ``deal_seeker`` (``promo_share``
  at least ``DEAL_PROMO_SHARE`` or ``discount_share`` at least
  ``DEAL_DISCOUNT_SHARE``).
- Standardizing: ``(x - mean) / std`` with the population standard deviation
  (``ddof=0``), as scikit-learn's ``StandardScaler``.
- Cluster profile: per label, ``customers``, ``customer_share`` and the mean of
  each feature column.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_lab.customers import (
    ABC_LIMITS,
    BIG_CITY_TIERS,
    DEAL_DISCOUNT_SHARE,
    DEAL_PROMO_SHARE,
    LAPSED_DAYS,
    LOYAL_ORDERS,
    REFUND_WRITE_OFF,
    SHIPPING_CNY_PER_ORDER,
    SPEND_QUANTILES,
    VALUE_CLASSES,
    age_band,
    combined_orders,
)

__all__ = [
    "abc_classes",
    "all_orders",
    "cluster_profile",
    "customer_profit",
    "customer_status",
    "gini",
    "inertia",
    "portrait_tags",
    "silhouette",
    "standardize",
    "top_share",
    "value_classes",
]

PAID, REFUNDED = "paid", "refunded"


def all_orders(tables) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`crm_lab.customers.combined_orders` of a dict of shop tables."""
    return combined_orders(
        tables["orders"],
        tables["business_orders"],
        tables["order_items"],
        tables["business_order_items"],
    )


def _paid_before(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    return orders[(orders["status"] == PAID) & (orders["order_time"] < pd.Timestamp(as_of))]


def customer_status(orders: pd.DataFrame, customers: pd.DataFrame, as_of) -> pd.DataFrame:
    """``paid_orders`` (int) and ``stage`` per customer of ``customers``, index ``customer_id``."""
    as_of = pd.Timestamp(as_of)
    paid = _paid_before(orders, as_of)
    per = paid.groupby(paid["customer_id"].astype(str), observed=True).agg(
        paid_orders=("order_id", "count"), last_time=("order_time", "max")
    )
    ids = pd.Index(customers["customer_id"].astype(str), name="customer_id")
    out = per.reindex(ids)
    count = out["paid_orders"].fillna(0).astype(int)
    days = (as_of - out["last_time"].dt.normalize()).dt.days
    stage = np.select(
        [count == 0, days >= LAPSED_DAYS, count >= LOYAL_ORDERS, count >= 2],
        ["potential", "lapsed", "loyal", "repeat"],
        default="new",
    )
    return pd.DataFrame({"paid_orders": count, "stage": stage}, index=ids)


def top_share(revenue: pd.Series, fraction: float = 0.2) -> float:
    """Share (0-1) of the total brought by the ``ceil(fraction * n)`` largest values."""
    values = np.sort(np.asarray(revenue, dtype=float))[::-1]
    return float(values[: math.ceil(fraction * len(values))].sum() / values.sum())


def abc_classes(revenue: pd.Series) -> pd.DataFrame:
    """``revenue_cny``, ``share_before`` and ``abc_class`` per customer (index of ``revenue``)."""
    revenue = revenue.astype(float)
    total = revenue.sum()
    by_value = revenue.groupby(revenue).sum().sort_index(ascending=False)
    above = by_value.cumsum().shift(fill_value=0.0) / total
    share_before = revenue.map(above)
    abc = np.where(
        share_before < ABC_LIMITS[0], "A", np.where(share_before < ABC_LIMITS[1], "B", "C")
    )
    return pd.DataFrame(
        {"revenue_cny": revenue, "share_before": share_before, "abc_class": abc},
        index=revenue.index,
    )


def gini(revenue) -> float:
    """Gini coefficient (基尼系数) of non-negative values: 0 equal, (n-1)/n one takes all."""
    x = np.sort(np.asarray(revenue, dtype=float))
    n = len(x)
    ranks = np.arange(1, n + 1)
    return float(2 * np.sum(ranks * x) / (n * x.sum()) - (n + 1) / n)


def value_classes(revenue: pd.Series) -> pd.DataFrame:
    """``revenue_cny``, ``value_rank`` and ``value_class`` per customer."""
    revenue = revenue.astype(float)
    n = len(revenue)
    rank = revenue.rank(method="min", ascending=False)
    limits = np.cumsum([share for _, _, share in VALUE_CLASSES])
    classes = np.full(n, VALUE_CLASSES[-1][0], dtype=object)
    for (name, _, _), limit in reversed(list(zip(VALUE_CLASSES, limits, strict=True))[:-1]):
        classes[(rank <= math.ceil(round(limit * n, 9))).to_numpy()] = name
    return pd.DataFrame(
        {"revenue_cny": revenue, "value_rank": rank.astype(int), "value_class": classes},
        index=revenue.index,
    )


def customer_profit(
    orders: pd.DataFrame, items: pd.DataFrame, costs: pd.DataFrame, service: pd.Series
) -> pd.DataFrame:
    """Revenue, costs and profit (CNY) per customer with a paid or refunded order."""
    shipped = orders[orders["status"].isin([PAID, REFUNDED])]
    unit_cost = costs.set_index("product_id")["unit_cost_cny"]
    lines = items[items["order_id"].isin(shipped["order_id"])]
    line_cost = lines["product_id"].map(unit_cost) * lines["quantity"]
    order_cost = line_cost.groupby(lines["order_id"]).sum()
    shipped = shipped.assign(
        customer_id=shipped["customer_id"].astype(str),
        cost=shipped["order_id"].map(order_cost).fillna(0.0),
        is_paid=shipped["status"] == PAID,
    )
    paid = shipped[shipped["is_paid"]]
    refunded = shipped[~shipped["is_paid"]]
    ids = pd.Index(sorted(shipped["customer_id"].unique()), name="customer_id")

    def per_customer(table, column):
        return table.groupby("customer_id")[column].sum().reindex(ids, fill_value=0.0)

    out = pd.DataFrame(
        {
            "revenue_cny": per_customer(paid, "net_amount_cny"),
            "product_cost_cny": per_customer(paid, "cost"),
            "refund_cost_cny": REFUND_WRITE_OFF * per_customer(refunded, "cost"),
            "shipping_cost_cny": SHIPPING_CNY_PER_ORDER
            * shipped.groupby("customer_id").size().reindex(ids, fill_value=0),
        },
        index=ids,
    )
    service = pd.Series(service, dtype=float)
    service.index = service.index.astype(str)
    out["service_cost_cny"] = service.groupby(level=0).sum().reindex(ids).fillna(0.0)
    costs_total = out[
        ["product_cost_cny", "refund_cost_cny", "shipping_cost_cny", "service_cost_cny"]
    ].sum(axis=1)
    out["profit_cny"] = out["revenue_cny"] - costs_total
    return out


def portrait_tags(features: pd.DataFrame) -> pd.DataFrame:
    """``age_band``, ``big_city``, ``spend_level`` and ``deal_seeker`` per row of ``features``."""
    revenue = features["revenue_cny"].astype(float)
    low, high = revenue.quantile(list(SPEND_QUANTILES))
    spend = np.where(revenue >= high, "high", np.where(revenue < low, "low", "mid"))
    deal = (features["promo_share"] >= DEAL_PROMO_SHARE) | (
        features["discount_share"] >= DEAL_DISCOUNT_SHARE
    )
    return pd.DataFrame(
        {
            "age_band": age_band(features["birth_year"]).to_numpy(),
            "big_city": features["city_tier"].astype(str).isin(BIG_CITY_TIERS).to_numpy(),
            "spend_level": spend,
            "deal_seeker": deal.to_numpy(bool),
        },
        index=features.index,
    )


def standardize(features: pd.DataFrame, columns) -> pd.DataFrame:
    """The ``columns`` of ``features`` as z-scores (population standard deviation)."""
    x = features[list(columns)].astype(float)
    return (x - x.mean()) / x.std(ddof=0)


def cluster_profile(features: pd.DataFrame, labels, columns) -> pd.DataFrame:
    """Per cluster label: ``customers``, ``customer_share`` and the mean of each column."""
    labels = pd.Series(np.asarray(labels), index=features.index, name="cluster")
    grouped = features[list(columns)].astype(float).groupby(labels)
    out = grouped.mean()
    out.insert(0, "customer_share", grouped.size() / len(features))
    out.insert(0, "customers", grouped.size())
    return out


def inertia(x, labels) -> float:
    """Sum of squared distances of each point to its cluster's mean (k-means' objective)."""
    x = np.asarray(x, dtype=float)
    labels = np.asarray(labels)
    total = 0.0
    for label in np.unique(labels):
        members = x[labels == label]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def silhouette(x, labels) -> float:
    """Mean silhouette (轮廓系数) over points, by its definition: ``(b - a) / max(a, b)``,
    ``a`` the mean distance to the own cluster's other points, ``b`` the smallest mean
    distance to another cluster; 0 for a point alone in its cluster."""
    x = np.asarray(x, dtype=float)
    labels = np.asarray(labels)
    distances = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    scores = np.zeros(len(x))
    for i in range(len(x)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = distances[i, own].sum() / (own.sum() - 1)
        b = min(distances[i, labels == other].mean() for other in np.unique(labels[~own]))
        scores[i] = (b - a) / max(a, b)
    return float(scores.mean())

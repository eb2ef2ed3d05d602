"""Customer analysis (客户分析): the rules and helpers of chapter 01.

The chapter's definitions live here once, so that the notebook and the grader's
reference read the same numbers:

- customer identification (客户识别): :data:`LIFECYCLE_STAGES`, decided by
  :data:`LAPSED_DAYS` and :data:`LOYAL_ORDERS`;
- value classes (客户价值分类): :data:`ABC_LIMITS` (cumulative revenue shares) and
  :data:`VALUE_CLASSES` (shares of customers, from the top);
- profitability (客户盈利能力): :data:`SHIPPING_CNY_PER_ORDER`,
  :data:`REFUND_WRITE_OFF` and :data:`SERVICE_COST_CNY`, and
  :func:`service_costs` that prices each customer's service contacts;
- the Lorenz curve (洛伦兹曲线) of a spend distribution, :func:`lorenz_curve`;
- the behaviour features (行为特征) a portrait and a clustering start from,
  :func:`customer_features`, and the birth-year bands of :func:`age_band`.

>>> lorenz_curve([1.0, 1.0, 2.0]).round(3).to_dict("list")
{'customer_share': [0.0, 0.333, 0.667, 1.0], 'revenue_share': [0.0, 0.25, 0.5, 1.0]}
>>> VALUE_CLASS_ORDER
('VIP', 'key_account', 'ordinary', 'small')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .i18n import tr

__all__ = [
    "ABC_LIMITS",
    "AGE_BANDS",
    "BIG_CITY_TIERS",
    "DEAL_DISCOUNT_SHARE",
    "DEAL_PROMO_SHARE",
    "LAPSED_DAYS",
    "LIFECYCLE_STAGES",
    "LOYAL_ORDERS",
    "REFUND_WRITE_OFF",
    "SERVICE_COST_CNY",
    "SHIPPING_CNY_PER_ORDER",
    "SPEND_QUANTILES",
    "VALUE_CLASSES",
    "VALUE_CLASS_ORDER",
    "age_band",
    "combined_orders",
    "customer_features",
    "lorenz_curve",
    "service_costs",
]

LAPSED_DAYS = 365  # a tea drinker who has not reordered in a year has found another shop
LOYAL_ORDERS = 4
#: Customer identification (客户识别), in the order the rules are applied:
#: (stage, 中文, rule, 规则).
LIFECYCLE_STAGES = (
    ("potential", "潜在客户", "signed up, no paid order yet", "已注册，尚无已付款订单"),
    ("lapsed", "流失客户", f"last paid order {LAPSED_DAYS} days or more before the as-of date",
     f"最近一笔已付款订单在截止日前 {LAPSED_DAYS} 天或更早"),
    ("loyal", "忠诚客户", f"{LOYAL_ORDERS} or more paid orders, not lapsed",
     f"已付款订单 {LOYAL_ORDERS} 笔或以上，且未流失"),
    ("repeat", "回头客", f"2 to {LOYAL_ORDERS - 1} paid orders, not lapsed",
     f"已付款订单 2 至 {LOYAL_ORDERS - 1} 笔，且未流失"),
    ("new", "新客户", "exactly one paid order, not lapsed", "恰好一笔已付款订单，且未流失"),
)

#: ABC classes (ABC 分类): A holds the customers who bring the first 70% of revenue, counted
#: from the biggest spender down; B the next 20%; C the rest.
ABC_LIMITS = (0.7, 0.9)

#: Value classes (按客户价值划分): (class, 中文, share of customers, counted from the top).
#: The seed's rule of thumb: key accounts (大客户) are about 4% of customers.
VALUE_CLASSES = (
    ("VIP", "VIP客户", 0.01),
    ("key_account", "大客户", 0.04),
    ("ordinary", "普通客户", 0.45),
    ("small", "小客户", 0.50),
)
VALUE_CLASS_ORDER = tuple(c[0] for c in VALUE_CLASSES)

#: Profitability (客户盈利能力): the shop pays the courier for every order it ships (paid or
#: refunded; free shipping, 包邮, is the norm on the platform) ...
SHIPPING_CNY_PER_ORDER = 10.0
#: ... loses this share of the product cost of a refunded order (opened tea cannot be
#: resold, teaware comes back broken, printed gift boxes are of no use to anyone else) ...
REFUND_WRITE_OFF = 0.5
#: ... and pays its agents' time per service contact, CNY (a chat of a few minutes, a phone
#: call at the contracted centre's rate, a ticket with its follow-up).
SERVICE_COST_CNY = {"chat": 3.0, "call": 6.0, "ticket": 25.0}

#: Birth-year bands as the platform names them (00后, 95后...): (band, first year, last year).
AGE_BANDS = (
    ("post_00", 2000, 2099),
    ("post_95", 1995, 1999),
    ("post_90", 1990, 1994),
    ("post_80", 1980, 1989),
    ("before_80", 1900, 1979),
)
BIG_CITY_TIERS = ("tier1", "new_tier1")
#: Portrait tags: spend level ``low`` below the median revenue, ``high`` from the 80th
#: percentile up, ``mid`` between; a deal seeker (价格敏感) places half or more of the paid
#: orders in promotions, or gets 8% or more off the gross amount.
SPEND_QUANTILES = (0.5, 0.8)
DEAL_PROMO_SHARE = 0.5
DEAL_DISCOUNT_SHARE = 0.08


def combined_orders(orders, business_orders, items, business_items):
    """Consumer and business orders as one ``(orders, items)`` pair.

    A business order's ``account_id`` becomes its ``customer_id`` (ids never clash:
    ``C...`` for consumers, ``B...`` for accounts); the columns are those both tables
    have (``order_id``, ``customer_id``, ``order_time``, ``status``,
    ``gross_amount_cny``, ``discount_cny``, ``net_amount_cny``, ``promotion``), with
    ``customer_type`` (``"consumer"`` or ``"business"``) added. Lines are stacked.
    """
    columns = ["order_id", "customer_id", "order_time", "status", "gross_amount_cny"]
    columns += ["discount_cny", "net_amount_cny", "promotion"]
    business = business_orders.rename(columns={"account_id": "customer_id"})
    both = pd.concat(
        [
            orders[columns].assign(customer_type="consumer"),
            business[columns].assign(customer_type="business"),
        ],
        ignore_index=True,
    )
    both["customer_id"] = both["customer_id"].astype(str)
    lines = pd.concat([items, business_items], ignore_index=True)
    return both, lines


def lorenz_curve(values) -> pd.DataFrame:
    """The Lorenz curve of non-negative ``values`` (e.g. revenue per customer, CNY).

    Customers are sorted from the smallest to the largest value; row ``i`` gives the
    share of customers ``i / n`` (the poorest ``i``) and their share of the total. The
    first row is ``(0, 0)``, the last ``(1, 1)``; ``n + 1`` rows. Raises ``ValueError``
    on an empty input, a negative value, or a total of 0.

    >>> lorenz_curve([0.0, 0.0, 10.0]).revenue_share.tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    v = np.sort(np.asarray(values, dtype=float))
    if len(v) == 0 or np.isnan(v).any() or v[0] < 0 or v.sum() <= 0:
        raise ValueError(tr("lorenz_curve needs non-negative values with a positive total"))
    n = len(v)
    return pd.DataFrame(
        {
            "customer_share": np.arange(n + 1) / n,
            "revenue_share": np.r_[0.0, np.cumsum(v) / v.sum()],
        }
    )


def service_costs(chats: pd.DataFrame, tickets: pd.DataFrame, calls=None) -> pd.Series:
    """Cost of each customer's service contacts, CNY: a Series indexed by ``customer_id``.

    Chats and tickets come from ``load_chats()`` and ``load_tickets()``; ``calls``
    (``load_calls()``) is optional, and only its rows with a ``customer_id`` (the shop's
    own callers) count. Each contact costs :data:`SERVICE_COST_CNY` of its kind; a
    customer without a contact has no row.

    >>> chats = pd.DataFrame({"customer_id": ["C1", "C1", "C2"]})
    >>> tickets = pd.DataFrame({"customer_id": ["C2"]})
    >>> service_costs(chats, tickets).to_dict()
    {'C1': 6.0, 'C2': 28.0}
    """
    parts = [(chats, "chat"), (tickets, "ticket")]
    if calls is not None:
        parts.append((calls[calls["customer_id"].notna()], "call"))
    for table, kind in parts:
        if "customer_id" not in table.columns:
            raise ValueError(
                tr("service_costs: the {kind} table has no 'customer_id' column", kind=kind)
            )
    costs = pd.concat(
        [pd.Series(SERVICE_COST_CNY[kind], index=t["customer_id"].astype(str)) for t, kind in parts]
    )
    return costs.groupby(level=0).sum().rename_axis("customer_id").rename("service_cost_cny")


def age_band(birth_year) -> pd.Series:
    """The :data:`AGE_BANDS` band of each birth year (``"unknown"`` when missing).

    >>> age_band(pd.Series([2001, 1995, 1990, 1985, 1970, None])).tolist()
    ['post_00', 'post_95', 'post_90', 'post_80', 'before_80', 'unknown']
    """
    years = pd.Series(birth_year).astype("Float64")
    band = pd.Series("unknown", index=years.index, dtype=object)
    for name, first, last in AGE_BANDS:
        band[((years >= first) & (years <= last)).fillna(False).to_numpy(bool)] = name
    return band


def customer_features(
    orders: pd.DataFrame, customers: pd.DataFrame, as_of, items=None, products=None
) -> pd.DataFrame:
    """One row per customer with a paid order before ``as_of``: what a portrait starts from.

    Index ``customer_id``; columns: the social attributes of ``customers``
    (``birth_year``, ``gender``, ``city_tier``, ``acquisition_channel``) and the
    behaviour of the paid orders: ``paid_orders`` (int), ``revenue_cny`` (sum of
    ``net_amount_cny``), ``avg_order_cny``, ``recency_days`` (calendar days from the
    last paid order's day to ``as_of``), ``tenure_days`` (from sign-up to ``as_of``),
    ``discount_share`` (discounts over gross amount, 0-1) and ``promo_share`` (share
    of paid orders placed during a promotion, 0-1); with ``items`` and ``products``
    also ``favourite_category``, the category of the largest share of the customer's
    paid line amounts (ties: the first in the category list).

    >>> features = customer_features(load_orders(), load_customers(), AS_OF)  # doctest: +SKIP
    """
    as_of = pd.Timestamp(as_of)
    paid = orders[(orders["status"] == "paid") & (orders["order_time"] < as_of)]
    grouped = paid.assign(
        day=paid["order_time"].dt.normalize(), promo=paid["promotion"].astype(str) != "none"
    ).groupby("customer_id", observed=True)
    behaviour = grouped.agg(
        paid_orders=("order_id", "count"),
        revenue_cny=("net_amount_cny", "sum"),
        gross_cny=("gross_amount_cny", "sum"),
        discount_cny=("discount_cny", "sum"),
        last_day=("day", "max"),
        promo_share=("promo", "mean"),
    )
    behaviour.index = behaviour.index.astype(str)
    social = customers.assign(customer_id=customers["customer_id"].astype(str)).set_index(
        "customer_id"
    )
    out = social[["birth_year", "gender", "city_tier", "acquisition_channel"]].join(
        behaviour, how="inner"
    )
    out["avg_order_cny"] = out["revenue_cny"] / out["paid_orders"]
    out["recency_days"] = (as_of - out["last_day"]).dt.days
    out["tenure_days"] = (as_of - social.loc[out.index, "signup_date"].dt.normalize()).dt.days
    out["discount_share"] = out["discount_cny"] / out["gross_cny"]
    columns = ["birth_year", "gender", "city_tier", "acquisition_channel", "paid_orders"]
    columns += ["revenue_cny", "avg_order_cny", "recency_days", "tenure_days"]
    columns += ["discount_share", "promo_share"]
    if items is not None and products is not None:
        lines = items[items["order_id"].isin(paid["order_id"])].merge(
            paid[["order_id", "customer_id"]], on="order_id"
        )
        lines = lines.merge(products[["product_id", "category"]], on="product_id")
        spend = lines.pivot_table(
            "line_amount_cny", "customer_id", "category", aggfunc="sum", observed=False
        ).fillna(0.0)
        spend.index = spend.index.astype(str)
        out["favourite_category"] = spend.idxmax(axis=1).reindex(out.index).astype(str)
        columns.append("favourite_category")
    return out[columns].sort_index()

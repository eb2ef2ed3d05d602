"""Reference answers for chapter 00, CRM and this course (客户关系管理概述).

Three warm-up exercises on the shop's tables (the chapter states the same rules):

- :func:`monthly_orders`: per calendar month, the number of **paid** orders and
  their revenue (sum of ``net_amount_cny``). Months are ``"YYYY-MM"`` text; a
  month without a paid order has no row.
- :func:`status_share`: per order status, the number of orders (any status
  counts) and their share of all orders, a fraction 0–1.
- :func:`channel_summary`: per acquisition channel, the customers who signed
  up, the buyers among them (at least one **paid** order) and the buyer rate,
  a fraction 0–1.

:func:`month_keys` lets hidden tests accept a month written as a ``Period``,
a month-start ``Timestamp`` or text.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["monthly_orders", "status_share", "channel_summary", "month_keys"]

PAID = "paid"


def _require(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}")


def _paid(orders: pd.DataFrame) -> pd.DataFrame:
    return orders[orders["status"].astype(str) == PAID]


def monthly_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Paid orders and revenue per calendar month.

    Returns a DataFrame indexed by ``month`` (``"YYYY-MM"``, sorted) with columns
    ``orders`` (int) and ``revenue_cny`` (float, sum of ``net_amount_cny``).

    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "order_time": pd.to_datetime(["2025-01-05 10:00", "2025-01-31 23:00",
    ...                                   "2025-03-01 08:00"]),
    ...     "status": ["paid", "paid", "refunded"], "net_amount_cny": [10.0, 5.5, 99.0]})
    >>> monthly_orders(orders).to_dict("index")
    {'2025-01': {'orders': 2, 'revenue_cny': 15.5}}
    """
    _require(orders, ["order_time", "status", "net_amount_cny"], "orders")
    paid = _paid(orders)
    month = pd.to_datetime(paid["order_time"]).dt.strftime("%Y-%m").rename("month")
    grouped = paid.groupby(month)["net_amount_cny"]
    out = pd.DataFrame(
        {"orders": grouped.size().astype("int64"), "revenue_cny": grouped.sum().astype("float64")}
    )
    out.index.name = "month"
    return out.sort_index()


def status_share(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders per status and their share of all orders.

    Returns a DataFrame indexed by ``status`` (the statuses that occur, most
    frequent first) with columns ``orders`` (int) and ``share`` (0–1, sums to 1).
    """
    _require(orders, ["status"], "orders")
    counts = orders["status"].astype(str).value_counts()
    out = pd.DataFrame({"orders": counts.astype("int64"), "share": counts / counts.sum()})
    out.index.name = "status"
    return out


def channel_summary(customers: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Sign-ups, buyers and buyer rate per acquisition channel.

    Returns a DataFrame indexed by ``acquisition_channel`` (channels with at
    least one customer, sorted by name) with columns ``customers`` (int, who
    signed up), ``buyers`` (int, of those, who placed at least one paid order)
    and ``buyer_rate`` (``buyers / customers``, 0–1).
    """
    _require(customers, ["customer_id", "acquisition_channel"], "customers")
    _require(orders, ["customer_id", "status"], "orders")
    buyer_ids = set(_paid(orders)["customer_id"].astype(str))
    channel = customers["acquisition_channel"].astype(str)
    is_buyer = customers["customer_id"].astype(str).isin(buyer_ids)
    grouped = is_buyer.groupby(channel)
    out = pd.DataFrame(
        {"customers": grouped.size().astype("int64"), "buyers": grouped.sum().astype("int64")}
    )
    out["buyer_rate"] = out["buyers"] / out["customers"]
    out.index.name = "acquisition_channel"
    return out.sort_index()


def month_keys(table, key: str = "month") -> pd.DataFrame:
    """``table`` with ``key`` as a ``"YYYY-MM"`` text column, however the month was written.

    Accepts the key as a column or the index, holding ``Period``, ``Timestamp``
    (any day of the month) or text such as ``"2025-01"`` or ``"2025-01-01"``.
    Anything else is left as text, so the comparison reports it.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"orders": [3]}, index=pd.PeriodIndex(["2025-01"], freq="M", name="month"))
    >>> month_keys(t)["month"].tolist()
    ['2025-01']
    """
    if isinstance(table, pd.Series):
        table = table.to_frame()
    if key in table.columns:
        out = table.reset_index(drop=True)
    elif key in [n for n in table.index.names if n is not None]:
        out = table.reset_index()
    else:
        return table
    values = out[key]
    if isinstance(values.dtype, pd.PeriodDtype):
        text = values.dt.strftime("%Y-%m")
    else:
        parsed = pd.to_datetime(values.astype(str), errors="coerce", format="mixed")
        text = parsed.dt.strftime("%Y-%m").where(parsed.notna(), values.astype(str))
    return out.assign(**{key: text})

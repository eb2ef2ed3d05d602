"""Reference answers for chapter 00, CRM and this course (客户关系管理概述).

Four warm-up exercises on the shop's tables (the chapter states the same rules):

- :func:`monthly_orders`: per calendar month, the number of **paid** orders and
  their revenue (sum of ``net_amount_cny``). Months are ``"YYYY-MM"`` text; a
  month without a paid order has no row.
- :func:`status_share`: per order status, the number of orders (any status
  counts) and their share of all orders, a fraction 0–1.
- :func:`channel_summary`: per acquisition channel, the customers who signed
  up, the buyers among them (at least one **paid** order) and the buyer rate,
  a fraction 0–1.
- :func:`data_kinds`: the kind of customer data (seed 000's 描述性, 交易性, 促销性) of
  every column of the tables given, ``customer_id`` and ``order_id`` aside.

None of them changes its arguments. :func:`month_keys` lets hidden tests accept a
month written as a ``Period``, a month-start ``Timestamp`` or text; :func:`kinds_of`
reads a ``data_kinds`` answer in any of the forms the statement allows, and
:func:`assert_kinds` grades it, accepting either kind for the columns that fit two.
"""

from __future__ import annotations

import pandas as pd

from crm_lab.data.schema import PAID

__all__ = [
    "ACCEPTED_KINDS",
    "DATA_KINDS",
    "KINDS",
    "LINK_COLUMNS",
    "assert_kinds",
    "channel_summary",
    "data_kinds",
    "kinds_of",
    "month_keys",
    "monthly_orders",
    "status_share",
]

KINDS = ("descriptive", "transactional", "promotional")
# The Chinese names the statement allows for each kind (seed 000: 客户描述性数据,
# 客户交易性数据, 市场促销性数据).
_KIND_NAMES = {
    "descriptive": ("descriptive", "描述性", "描述性数据", "客户描述性数据"),
    "transactional": ("transactional", "交易性", "交易性数据", "客户交易性数据"),
    "promotional": ("promotional", "促销性", "促销性数据", "市场促销性数据"),
}
# The keys that link the tables belong to no kind; the statement leaves them out.
LINK_COLUMNS = ("customer_id", "order_id")
# Every other column of customers, orders and order_items, and its kind by the statement:
# descriptive = who the customer is; transactional = what happened in a purchase;
# promotional = the shop's marketing that reached the customer or the order.
DATA_KINDS: dict[str, str] = {
    "signup_date": "descriptive",
    "acquisition_channel": "promotional",
    "city": "descriptive",
    "city_tier": "descriptive",
    "gender": "descriptive",
    "birth_year": "descriptive",
    "order_time": "transactional",
    "status": "transactional",
    "gross_amount_cny": "transactional",
    "discount_cny": "promotional",
    "coupon_code": "promotional",
    "net_amount_cny": "transactional",
    "payment_method": "transactional",
    "promotion": "promotional",
    "line_no": "transactional",
    "product_id": "transactional",
    "quantity": "transactional",
    "unit_price_cny": "transactional",
    "line_amount_cny": "transactional",
}
# Columns the statement's definitions fit two ways; either answer is right. The channel
# is the campaign that won the customer and also part of their profile; the discount is
# money of the purchase and also the campaign's offer.
ACCEPTED_KINDS: dict[str, set[str]] = {
    **{column: {kind} for column, kind in DATA_KINDS.items()},
    "acquisition_channel": {"promotional", "descriptive"},
    "discount_cny": {"promotional", "transactional"},
}


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


def data_kinds(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The kind of data of every column of ``tables`` but the linking ids.

    ``tables`` maps table names to DataFrames (any of ``customers``, ``orders``,
    ``order_items``); returns ``{column: kind}`` with kind one of :data:`KINDS`.

    >>> import pandas as pd
    >>> data_kinds({"orders": pd.DataFrame(columns=["order_id", "coupon_code", "status"])})
    {'coupon_code': 'promotional', 'status': 'transactional'}
    """
    out = {}
    for name, table in tables.items():
        unknown = [c for c in table.columns if c not in DATA_KINDS and c not in LINK_COLUMNS]
        if unknown:
            raise ValueError(f"table {name!r} has column(s) of no known kind: {unknown}")
        out.update({c: DATA_KINDS[c] for c in table.columns if c not in LINK_COLUMNS})
    return out


def _kind_name(value) -> str:
    text = str(value).strip().lower()
    for kind, names in _KIND_NAMES.items():
        if text in names or text == f"{kind} data":
            return kind
    return text


def kinds_of(answer) -> dict[str, str]:
    """A ``data_kinds`` answer as ``{column: kind}``, whatever form the statement allows.

    Accepts a dict ``{column: kind}``, a Series indexed by column, or a DataFrame
    with columns ``column`` and ``kind`` (``column`` may be the index; other
    columns such as ``table`` are ignored). Kinds may be written in English, in
    any case, or in Chinese (描述性, 交易性数据, ...).

    >>> import pandas as pd
    >>> kinds_of(pd.DataFrame({"column": ["city"], "kind": ["描述性数据"]}))
    {'city': 'descriptive'}
    """
    if isinstance(answer, pd.DataFrame):
        table = answer.reset_index() if "column" not in answer.columns else answer
        if not {"column", "kind"} <= set(table.columns):
            raise AssertionError(
                "data_kinds should return columns 'column' and 'kind'; "
                f"it has {list(answer.columns)}."
            )
        pairs = zip(table["column"], table["kind"], strict=True)
    elif isinstance(answer, pd.Series):
        pairs = answer.items()
    elif isinstance(answer, dict):
        pairs = answer.items()
    else:
        raise AssertionError(
            "data_kinds should return a dict, a Series or a DataFrame, "
            f"not {type(answer).__name__}."
        )
    out: dict[str, str] = {}
    for column, kind in pairs:
        column = str(column)
        if column in out and column not in LINK_COLUMNS:  # ids may repeat: one per table
            raise AssertionError(f"data_kinds gives column {column!r} more than once.")
        out[column] = _kind_name(kind)
    return out


def assert_kinds(answer, tables: dict[str, pd.DataFrame], what: str = "data_kinds") -> None:
    """Fail unless ``answer`` gives every column of ``tables`` (ids aside) a right kind.

    The linking ids may be left out or given any kind; every other column must
    be there, with a kind in :data:`ACCEPTED_KINDS`, and no column may be given
    that ``tables`` do not have.
    """
    got = {c: k for c, k in kinds_of(answer).items() if c not in LINK_COLUMNS}
    want = {c for table in tables.values() for c in table.columns if c not in LINK_COLUMNS}
    missing = sorted(want - set(got))
    if missing:
        raise AssertionError(f"{what} gives no kind for column(s) {missing}.")
    extra = sorted(set(got) - want)
    if extra:
        raise AssertionError(f"{what} gives column(s) the tables do not have: {extra}.")
    unknown = sorted(c for c in got if got[c] not in KINDS)
    if unknown:
        raise AssertionError(
            f"{what}: kinds should be one of {list(KINDS)}; column {unknown[0]!r} has "
            f"{got[unknown[0]]!r}."
        )
    wrong = sorted(c for c in got if got[c] not in ACCEPTED_KINDS[c])
    if wrong:
        raise AssertionError(
            f"{what} gives {len(wrong)} column(s) the wrong kind (e.g. {wrong[0]!r})."
        )


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

"""Data the hidden tests grade on, besides the shipped shop.

A second shop generated with another seed means an answer that hard-codes the
shipped data's numbers cannot pass; the small hand-made tables pin down the
rules (refunds, unpaid orders, the as-of cut-off, window ends) that a large table
might hide. Hand-made order tables have every column, dtype and status of the real
``orders`` table (:func:`orders_table`), so an answer that uses any real column
(``order_id``, ``gross_amount_cny``...) works on them as it does on the shop.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import lru_cache, wraps

import pandas as pd

__all__ = [
    "fresh_copies",
    "warm_fixtures",
    "SECOND_SHOP_SEED",
    "second_shop",
    "orders_table",
    "edge_case_orders",
    "EDGE_AS_OF",
    "backtest_edge_case",
    "BACKTEST_AS_OF",
    "boundary_scores",
    "overview_edge_case",
]

SECOND_SHOP_SEED = 7
EDGE_AS_OF = pd.Timestamp("2025-07-01")
BACKTEST_AS_OF = pd.Timestamp("2025-08-31")  # + 3 months is 2025-11-30: the month end clips


#: The cached builders :func:`warm_fixtures` runs (every :func:`fresh_copies` fixture).
_WARMABLE: list = []


def _copied(value):
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    if isinstance(value, dict):
        return _FreshTables(value)
    return value


def fresh_copies(make):
    """A fixture without arguments, built once per process and handed to every caller as
    its own copy (tables, series, tuples of them, and dicts of them copied as read).
    Building a hand-made table (validating it) takes 10–20 ms, and the hidden tests ask
    for some a dozen times."""
    cached = lru_cache(maxsize=1)(make)
    _WARMABLE.append(cached)

    @wraps(make)
    def fresh():
        return _copied(cached())

    return fresh


def warm_fixtures(imported_only: bool = False) -> int:
    """Build every :func:`fresh_copies` fixture of the ``grader.fixtures*`` modules once (the
    grading kernels' template does, so kernels forked from it start with them); how many.
    They are pure functions of the code, never of the shipped files, so a kernel gets
    exactly what it would build itself. A fixture that fails is left to fail in the kernel.
    ``imported_only``: only those of the modules imported already (a template that
    imported one chapter's modules warms that chapter's fixtures)."""
    import importlib
    import pkgutil

    import grader

    if not imported_only:
        for info in pkgutil.iter_modules(grader.__path__, prefix="grader."):
            if info.name.startswith("grader.fixtures"):
                importlib.import_module(info.name)
    built = 0
    for cached in _WARMABLE:
        try:
            cached()
            built += 1
        except Exception:
            pass
    return built


@lru_cache(maxsize=1)
def _second_shop() -> dict[str, pd.DataFrame]:
    from crm_lab.data import generate_shop

    return generate_shop(seed=SECOND_SHOP_SEED, n_customers=800)


class _FreshTables(MutableMapping):
    """A dict of tables (and other values), each table copied from ``source`` the first
    time it is read.

    Hidden tests mostly take one table (``second_shop()["orders"]``); copying all of them
    for that cost chapter 06 about 20 ms a call. What a caller sees is what a dict of
    copies would give: its own tables, kept with its changes, never the cached ones.
    """

    def __init__(self, source: dict[str, pd.DataFrame]):
        self._source, self._mine, self._gone = source, {}, set()

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in self._gone:
            raise KeyError(name)
        if name not in self._mine:
            self._mine[name] = _copied(self._source[name])
        return self._mine[name]

    def __setitem__(self, name: str, table) -> None:
        self._gone.discard(name)
        self._mine[name] = table

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._mine.pop(name, None)
        self._gone.add(name)

    def __contains__(self, name) -> bool:
        return name not in self._gone and (name in self._mine or name in self._source)

    def __iter__(self):
        return (name for name in dict.fromkeys([*self._source, *self._mine])
                if name not in self._gone)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"second_shop({', '.join(self)})"


def second_shop() -> MutableMapping[str, pd.DataFrame]:
    """Every table of a small shop generated with another seed, as a dict of fresh copies
    (each copied when first read)."""
    return _FreshTables(_second_shop())


_WARMABLE.append(_second_shop)


def orders_table(rows) -> pd.DataFrame:
    """An ``orders`` table with every real column and dtype, from short rows.

    ``rows``: ``(order_id, customer_id, order_time, status, net_amount_cny)``. The
    other columns are filled as the shop fills them: a 10% discount on the gross
    amount (so ``gross_amount_cny`` differs from the net amount), no coupon, Alipay
    for orders that were paid (none for one that never was, where the schema allows
    it), no promotion.
    """
    from crm_lab.data import schema, validate_table

    df = pd.DataFrame(
        rows, columns=["order_id", "customer_id", "order_time", "status", "net_amount_cny"]
    )
    gross = (df["net_amount_cny"] / 0.9).round(2)
    df["gross_amount_cny"] = gross
    df["discount_cny"] = (gross - df["net_amount_cny"]).round(2)
    df["coupon_code"] = None
    payment = {c.name: c.kind for c in schema.TABLES["orders"]}["payment_method"]
    never_paid = df["status"].eq(getattr(schema, "CLOSED", "closed"))
    df["payment_method"] = "alipay"
    if payment == "optional_category":
        df.loc[never_paid, "payment_method"] = None
    df["promotion"] = "none"
    df["order_time"] = pd.to_datetime(df["order_time"])
    columns = [c.name for c in schema.TABLES["orders"]]
    return validate_table("orders", df[columns], source="<grader.fixtures>")


def _not_paid() -> list[str]:
    from crm_lab.data import schema

    return [s for s in schema.ORDER_STATUSES if s != "paid"]


@fresh_copies
def edge_case_orders() -> pd.DataFrame:
    """Orders that exercise each RFM rule, as of :data:`EDGE_AS_OF`.

    - E1: two paid orders and a refunded one (the refund must not count);
    - E2: one order of every status but paid (no row at all);
    - E3: one paid order late in the evening (recency counts calendar days);
    - E4: a paid order before and one after the as-of date (the later one is ignored);
    - E5: three paid orders on the same day (three orders, recency 1);
    - E6: a paid order at 00:00:00 on the as-of date itself (not before it: no row),
      and E7 one a second earlier (recency 1).
    """
    not_paid = _not_paid()
    rows = [
        ("O1", "E1", "2025-01-10 10:00:00", "paid", 100.0),
        ("O2", "E1", "2025-06-01 09:30:00", "paid", 50.5),
        ("O3", "E1", "2025-06-20 12:00:00", not_paid[0], 999.0),
        *[
            (f"O4{k}", "E2", f"2025-03-0{k + 1} 08:00:00", status, 80.0 + k)
            for k, status in enumerate(not_paid)
        ],
        ("O6", "E3", "2025-06-29 23:59:00", "paid", 12.0),
        ("O7", "E4", "2025-02-01 12:00:00", "paid", 30.0),
        ("O8", "E4", "2025-07-15 12:00:00", "paid", 500.0),
        ("O9", "E5", "2025-06-30 08:00:00", "paid", 10.0),
        ("O10", "E5", "2025-06-30 09:00:00", "paid", 20.0),
        ("O11", "E5", "2025-06-30 10:00:00", "paid", 30.0),
        ("O12", "E6", "2025-07-01 00:00:00", "paid", 40.0),
        ("O13", "E7", "2025-06-30 23:59:59", "paid", 45.0),
    ]
    return orders_table(rows)


@fresh_copies
def backtest_edge_case() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(segmented, orders)`` that exercise each back-test rule, as of :data:`BACKTEST_AS_OF`
    with a 3-month window (up to 2025-11-30, excluded).

    Segments: 重要价值客户 B1–B3, 一般发展客户 B4–B5 (nobody buys again: a row of zeros),
    一般挽留客户 B6; the other segments have no customer (no row).

    - B1: an order at exactly the as-of time (counts) and one before it (does not);
    - B2: a refunded and an unpaid order in the window (do not count), a paid one that does;
    - B3: an order at exactly the window's end (does not count), one a second before (counts);
    - B4, B5: orders only before the window and after it;
    - B6: two paid orders in the window;
    - B9: not in the segmented table (a new customer): its orders do not count anywhere.
    """
    segmented = pd.DataFrame(
        {
            "recency_days": [3, 10, 20, 5, 8, 300],
            "frequency": [6, 4, 5, 1, 1, 1],
            "monetary_cny": [900.0, 650.0, 700.0, 40.0, 35.0, 20.0],
            "r_score": [5, 5, 4, 5, 4, 1],
            "f_score": [5, 4, 5, 1, 1, 1],
            "m_score": [5, 5, 4, 1, 1, 1],
            "segment": ["重要价值客户"] * 3 + ["一般发展客户"] * 2 + ["一般挽留客户"],
        },
        index=pd.Index([f"B{i}" for i in range(1, 7)], name="customer_id"),
    )
    not_paid = _not_paid()
    rows = [
        ("Q1", "B1", "2025-08-31 00:00:00", "paid", 100.0),
        ("Q2", "B1", "2025-08-30 23:59:59", "paid", 70.0),
        *[
            (f"Q3{k}", "B2", f"2025-09-0{k + 1} 12:00:00", status, 300.0 + k)
            for k, status in enumerate(not_paid)
        ],
        ("Q4", "B2", "2025-10-10 12:00:00", "paid", 60.0),
        ("Q5", "B3", "2025-11-30 00:00:00", "paid", 500.0),
        ("Q6", "B3", "2025-11-29 23:59:59", "paid", 80.0),
        ("Q7", "B4", "2025-06-01 10:00:00", "paid", 40.0),
        ("Q8", "B5", "2025-12-24 10:00:00", "paid", 35.0),
        ("Q9", "B6", "2025-09-15 10:00:00", "paid", 20.0),
        ("Q10", "B6", "2025-11-11 00:05:00", "paid", 25.0),
        ("Q11", "B9", "2025-09-20 10:00:00", "paid", 999.0),
    ]
    return segmented, orders_table(rows)


@fresh_copies
def boundary_scores() -> pd.DataFrame:
    """Scores that sit on the "high" threshold (4) and next to it, whose means and medians
    are far from 3, so a rule of "above the mean" or "above the median" (or ``> 4``)
    names other segments than "at least 4"."""
    r = [4, 3, 4, 3, 5, 4, 4, 5, 1, 4]
    f = [4, 4, 3, 3, 4, 5, 4, 1, 5, 3]
    m = [4, 4, 4, 4, 3, 3, 5, 4, 4, 5]
    return pd.DataFrame(
        {
            "recency_days": [10, 60, 12, 55, 2, 11, 9, 3, 400, 13],
            "frequency": [4, 4, 2, 2, 4, 9, 4, 1, 9, 2],
            "monetary_cny": [500.0, 510.0, 490.0, 505.0, 200.0, 210.0, 900.0, 480.0, 495.0, 950.0],
            "r_score": r,
            "f_score": f,
            "m_score": m,
        },
        index=pd.Index([f"S{i}" for i in range(10)], name="customer_id"),
    )


@fresh_copies
def overview_edge_case() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(customers, orders)`` that exercise each rule of chapter 00's warm-ups.

    Both tables have every column and dtype of the real ones (built with
    :func:`crm_lab.service.example_rows`); amounts, payment and promotion are set
    as the shop sets them (no discount, Alipay when paid, none when never paid).

    Months (paid orders only count; a month without one has no row):

    - 2024-01 and 2025-01 are the same month of two years (two rows);
    - 2025-01 has orders at its first and last second, 2025-02 at its first;
    - 2025-03 has only a refunded and a closed order (no row), 2025-04 no order at
      all (no row, not a row of zeros), 2025-05 a paid order at its last second.

    Channels (a buyer has at least one paid order; every channel with a customer
    has a row, and social_media has none):

    - search: A (paid) and B (only refunded and closed): buyer rate 1/2;
    - referral: C (paid): buyer rate exactly 1;
    - live_stream: D (no order) and E (only closed): a row with 0 buyers;
    - marketplace_ads: F (two paid orders): one buyer, counted once.

    Amounts have cents that float sums round (0.1 + 0.2), so answers are compared
    with a tolerance.
    """
    from crm_lab.data import load_customers, load_orders, schema, validate_table
    from crm_lab.service import example_rows

    paid, refunded, closed = schema.PAID, schema.REFUNDED, schema.CLOSED
    rows = [
        ("V01", "A", "2024-01-15 12:00:00", paid, 19.9),
        ("V02", "A", "2025-01-01 00:00:00", paid, 0.1),
        ("V03", "A", "2025-01-31 23:59:59", paid, 0.2),
        ("V04", "F", "2025-02-01 00:00:00", paid, 30.0),
        ("V05", "B", "2025-03-10 10:00:00", refunded, 80.0),
        ("V06", "B", "2025-03-20 10:00:00", closed, 60.0),
        ("V07", "C", "2025-05-05 09:00:00", paid, 45.5),
        ("V08", "E", "2025-05-06 09:00:00", closed, 120.0),
        ("V09", "F", "2025-05-31 23:59:59", paid, 30.0),
    ]
    order_id, customer_id, order_time, status, net = (list(c) for c in zip(*rows, strict=True))
    orders = example_rows(
        load_orders(),
        order_id=order_id,
        customer_id=customer_id,
        order_time=pd.to_datetime(order_time),
        status=status,
        gross_amount_cny=net,
        discount_cny=[0.0] * len(rows),
        coupon_code=[None] * len(rows),
        net_amount_cny=net,
        payment_method=[None if s == closed else "alipay" for s in status],
        promotion=["none"] * len(rows),
    )
    channels = {"A": "search", "B": "search", "C": "referral", "D": "live_stream",
                "E": "live_stream", "F": "marketplace_ads"}
    customers = example_rows(
        load_customers(),
        customer_id=list(channels),
        acquisition_channel=list(channels.values()),
        signup_date=[pd.Timestamp("2024-01-01")] * len(channels),  # before every order
    )
    source = "<grader.fixtures.overview_edge_case>"
    return validate_table("customers", customers, source), validate_table("orders", orders, source)

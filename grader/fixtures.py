"""Data the hidden tests grade on, besides the shipped shop.

A second shop generated with another seed means an answer that hard-codes the
shipped data's numbers cannot pass; the small hand-made tables pin down the
rules (refunds, cancellations, the as-of cut-off) that a large table might hide.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

__all__ = [
    "SECOND_SHOP_SEED",
    "second_shop",
    "edge_case_orders",
    "EDGE_AS_OF",
    "overview_edge_case",
]

SECOND_SHOP_SEED = 7
EDGE_AS_OF = pd.Timestamp("2025-07-01")


@lru_cache(maxsize=1)
def _second_shop() -> dict[str, pd.DataFrame]:
    from crm_lab.data import generate_shop

    return generate_shop(seed=SECOND_SHOP_SEED, n_customers=800)


def second_shop() -> dict[str, pd.DataFrame]:
    """A fresh copy of every table of a small shop generated with another seed."""
    return {name: table.copy() for name, table in _second_shop().items()}


def edge_case_orders() -> pd.DataFrame:
    """Orders that exercise each RFM rule, as of :data:`EDGE_AS_OF`.

    - E1: two paid orders and a refunded one (the refund must not count);
    - E2: only refunded and cancelled orders (no row at all);
    - E3: one paid order late in the evening (recency counts calendar days);
    - E4: a paid order before and one after the as-of date (the later one is ignored);
    - E5: three paid orders on the same day (three orders, recency 1).
    """
    rows = [
        ("O1", "E1", "2025-01-10 10:00:00", "paid", 100.0),
        ("O2", "E1", "2025-06-01 09:30:00", "paid", 50.5),
        ("O3", "E1", "2025-06-20 12:00:00", "refunded", 999.0),
        ("O4", "E2", "2025-03-03 08:00:00", "refunded", 80.0),
        ("O5", "E2", "2025-04-04 08:00:00", "cancelled", 60.0),
        ("O6", "E3", "2025-06-29 23:59:00", "paid", 12.0),
        ("O7", "E4", "2025-02-01 12:00:00", "paid", 30.0),
        ("O8", "E4", "2025-07-15 12:00:00", "paid", 500.0),
        ("O9", "E5", "2025-06-30 08:00:00", "paid", 10.0),
        ("O10", "E5", "2025-06-30 09:00:00", "paid", 20.0),
        ("O11", "E5", "2025-06-30 10:00:00", "paid", 30.0),
    ]
    df = pd.DataFrame(
        rows, columns=["order_id", "customer_id", "order_time", "status", "net_amount_cny"]
    )
    df["order_time"] = pd.to_datetime(df["order_time"])
    df["status"] = pd.Categorical(df["status"], categories=["paid", "refunded", "cancelled"])
    return df


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

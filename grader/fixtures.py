"""Data the hidden tests grade on, besides the shipped shop.

A second shop generated with another seed means an answer that hard-codes the
shipped data's numbers cannot pass; the small hand-made tables pin down the
rules (refunds, cancellations, the as-of cut-off) that a large table might hide.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

__all__ = ["SECOND_SHOP_SEED", "second_shop", "edge_case_orders", "EDGE_AS_OF"]

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

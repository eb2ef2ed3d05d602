"""Hand-made data the hidden tests of chapter 04 (loyalty and churn) grade on.

Beside :mod:`grader.fixtures` (the second shop, :func:`grader.fixtures.orders_table`), kept in
a module of its own so that the chapter's rule cases are read in one place. Every table has
the real columns and dtypes, so an answer using any real column works on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grader.fixtures import fresh_copies, orders_table

__all__ = [
    "LOYALTY_AS_OF",
    "CHURN_CUTOFF",
    "CHURN_HORIZON_DAYS",
    "SUMMARY_END",
    "loyalty_edge_orders",
    "loyalty_edge_profile",
    "lift_edge_case",
    "clv_edge_summary",
]

LOYALTY_AS_OF = pd.Timestamp("2025-07-01")
CHURN_CUTOFF = pd.Timestamp("2025-04-01")
CHURN_HORIZON_DAYS = 60  # the window is [2025-04-01, 2025-05-31)
SUMMARY_END = pd.Timestamp("2025-06-30")  # the last day observed, included


@fresh_copies
def loyalty_edge_orders() -> pd.DataFrame:
    """Orders that exercise each rule of the chapter, as of :data:`LOYALTY_AS_OF`.

    - L1: paid 01-10; a refund and two paid orders on 03-01 (gap 0, one purchase day for
      lifetimes); paid 06-30 23:59:59 (recency 1; on :data:`SUMMARY_END`, so it counts);
    - L2: only refunded and closed orders (no row anywhere);
    - L3: one paid order 2025-05-15 (new, not a repeat buyer);
    - L4: paid 2024-06-01 and 2025-06-10 (a 374-day gap: won back), one at exactly as_of;
    - L5: last paid 2024-11-20 (lost); L6: last paid 180 days before as_of (at risk, not
      lost); L7: 181 days before, at 23:00 (lost);
    - L8: last paid exactly 90 days before as_of (active, not at risk);
    - L9: first paid exactly 90 days before (new); L10: 91 days before (active);
    - L11: four paid orders (loyal); L12: three paid and a refunded one (active);
    - L13: a gap of exactly 180 days (not won back);
    - L14: a refund in 2024-12, first paid order 2025-02-01 00:00 (cohort 2025-02);
    - K1–K5 for the churn window [:data:`CHURN_CUTOFF`, + 60 days): K1 buys again at exactly
      the window's end (churned), K2 a second before it (stays), K3 only a refund in the
      window (churned), K4 first buys at exactly the cut-off (not known then: no label),
      K5 buys again at exactly the cut-off (stays).
    """
    rows = [
        ("A01", "L1", "2025-01-10 10:00:00", "paid", 100.0),
        ("A02", "L1", "2025-03-01 09:00:00", "refunded", 999.0),
        ("A03", "L1", "2025-03-01 10:00:00", "paid", 30.0),
        ("A04", "L1", "2025-03-01 15:00:00", "paid", 20.0),
        ("A05", "L1", "2025-06-30 23:59:59", "paid", 45.0),
        ("A06", "L2", "2025-02-02 10:00:00", "refunded", 80.0),
        ("A07", "L2", "2025-03-03 10:00:00", "closed", 60.0),
        ("A08", "L3", "2025-05-15 12:00:00", "paid", 66.0),
        ("A09", "L4", "2024-06-01 12:00:00", "paid", 120.0),
        ("A10", "L4", "2025-06-10 12:00:00", "paid", 80.0),
        ("A11", "L4", "2025-07-01 00:00:00", "paid", 500.0),
        ("A12", "L5", "2024-11-20 08:00:00", "paid", 35.0),
        ("A13", "L6", "2024-10-01 08:00:00", "paid", 40.0),
        ("A14", "L6", "2025-01-02 08:00:00", "paid", 41.0),
        ("A15", "L7", "2025-01-01 23:00:00", "paid", 42.0),
        ("A16", "L8", "2025-01-15 09:00:00", "paid", 50.0),
        ("A17", "L8", "2025-04-02 09:00:00", "paid", 51.0),
        ("A18", "L9", "2025-04-02 20:00:00", "paid", 52.0),
        ("A19", "L9", "2025-06-01 20:00:00", "paid", 53.0),
        ("A20", "L10", "2025-04-01 20:00:00", "paid", 54.0),
        ("A21", "L10", "2025-06-01 20:00:00", "paid", 55.0),
        ("A22", "L11", "2025-02-01 11:00:00", "paid", 60.0),
        ("A23", "L11", "2025-03-01 11:00:00", "paid", 61.0),
        ("A24", "L11", "2025-04-01 11:00:00", "paid", 62.0),
        ("A25", "L11", "2025-06-15 11:00:00", "paid", 63.0),
        ("A26", "L12", "2025-02-05 11:00:00", "paid", 70.0),
        ("A27", "L12", "2025-03-05 11:00:00", "refunded", 71.0),
        ("A28", "L12", "2025-04-05 11:00:00", "paid", 72.0),
        ("A29", "L12", "2025-06-05 11:00:00", "paid", 73.0),
        ("A30", "L13", "2024-12-01 10:00:00", "paid", 90.0),
        ("A31", "L13", "2025-05-30 10:00:00", "paid", 91.0),
        ("A32", "L14", "2024-12-20 10:00:00", "refunded", 95.0),
        ("A33", "L14", "2025-02-01 00:00:00", "paid", 96.0),
        ("B01", "K1", "2025-03-01 10:00:00", "paid", 20.0),
        ("B02", "K1", "2025-05-31 00:00:00", "paid", 21.0),
        ("B03", "K2", "2025-03-01 10:00:00", "paid", 22.0),
        ("B04", "K2", "2025-05-30 23:59:59", "paid", 23.0),
        ("B05", "K3", "2025-03-01 10:00:00", "paid", 24.0),
        ("B06", "K3", "2025-04-10 10:00:00", "refunded", 25.0),
        ("B07", "K4", "2025-04-01 00:00:00", "paid", 26.0),
        ("B08", "K5", "2025-02-01 10:00:00", "paid", 27.0),
        ("B09", "K5", "2025-04-01 00:00:00", "paid", 28.0),
    ]
    return orders_table(sorted(rows, key=lambda row: row[2]))


@fresh_copies
def loyalty_edge_profile() -> pd.DataFrame:
    """A profile for the loyalty 2×2: ratings on and next to the threshold (4), customers
    never rated (NaN: unknown, not "low"), and paid orders of 0, 1, 2 and more."""
    return pd.DataFrame(
        {
            "avg_satisfaction": [4.0, 3.99, np.nan, 5.0, 1.0, 4.5, np.nan, 3.0, 4.0],
            "paid_orders": [2, 2, 5, 1, 0, 7, 0, 1, 1],
            "ratings": [1, 3, 0, 2, 1, 4, 0, 1, 2],
        },
        index=pd.Index([f"P{i}" for i in range(1, 10)], name="customer_id"),
    )


@fresh_copies
def lift_edge_case() -> tuple[pd.Series, pd.Series]:
    """``(y_true, score)`` for 23 customers (not a multiple of 5 or 10) with distinct scores
    given in no particular order, and churners concentrated at high scores."""
    rng = np.random.default_rng(404)
    score = pd.Series(rng.permutation(23) / 23 + 0.01, index=[f"Z{i:02d}" for i in range(23)])
    y = pd.Series(score.rank() > 12, index=score.index)
    y.iloc[[0, 5]] = ~y.iloc[[0, 5]]
    return y.rename("churned"), score.rename("score")


@fresh_copies
def clv_edge_summary() -> pd.DataFrame:
    """A small purchase summary (days): a one-off buyer (frequency 0, monetary 0), a frequent
    recent buyer, a frequent buyer gone quiet."""
    return pd.DataFrame(
        {
            "frequency": [0, 6, 6, 1],
            "recency": [0.0, 300.0, 40.0, 10.0],
            "T": [200.0, 310.0, 320.0, 15.0],
            "monetary_value": [0.0, 120.0, 120.0, 300.0],
        },
        index=pd.Index(["V1", "V2", "V3", "V4"], name="customer_id"),
    )

"""Hand-made membership data for chapter 05's hidden tests (besides the shipped shop and
:func:`grader.fixtures.second_shop`).

Each table has every column and dtype of the real one, so an answer that works on the
shop works here; the rows pin down the rules a large table might hide.
"""

from __future__ import annotations

import pandas as pd

from grader.fixtures import fresh_copies, orders_table

__all__ = ["EDGE_AS_OF", "edge_ledger", "edge_members", "edge_orders", "edge_customers"]

EDGE_AS_OF = pd.Timestamp("2025-07-01")


def _validated(name: str, rows, columns) -> pd.DataFrame:
    from crm_lab.data import validate_table

    df = pd.DataFrame(rows, columns=columns)
    for column in df.columns:
        if column.endswith("_date"):
            df[column] = pd.to_datetime(df[column])
    return validate_table(name, df, source="<grader.fixtures_membership>")


@fresh_copies
def edge_ledger() -> pd.DataFrame:
    """Members A–F as of :data:`EDGE_AS_OF` (balances in brackets).

    A: earn, redeem, an expiry; an event on the as-of day does not count (300).
    B: points redeemed, then the order refunded: the clawback is floored at 0, and later
       points count in full (150, where the plain sum would be -50).
    C: a clawback on the same day as an earn, listed after it (0).
    D: only events after the as-of day (no row).
    E: festival bonus and sign-up bonus, nothing taken (700).
    F: the events of B listed out of date order in the table (150).
    """
    rows = [
        ("L01", "2024-03-01", "A", "signup_bonus", 200, None),
        ("L02", "2024-03-01", "A", "earn", 600, "OA1"),
        ("L03", "2024-09-01", "A", "redeem", 500, "OA2"),
        ("L04", "2025-03-01", "A", "expire", 100, None),
        ("L05", "2025-05-01", "A", "earn", 100, "OA3"),
        ("L06", "2025-07-01", "A", "earn", 900, "OA4"),
        ("L07", "2025-01-10", "B", "earn", 400, "OB1"),
        ("L08", "2025-01-10", "B", "redeem", 400, "OB1"),
        ("L09", "2025-01-20", "B", "refund_clawback", 200, "OB1"),
        ("L10", "2025-06-30", "B", "earn", 150, "OB2"),
        ("L11", "2025-02-02", "C", "earn", 300, "OC1"),
        ("L12", "2025-02-02", "C", "refund_clawback", 300, "OC1"),
        ("L13", "2025-07-02", "D", "signup_bonus", 200, None),
        ("L14", "2025-06-18", "E", "signup_bonus", 200, None),
        ("L15", "2025-06-18", "E", "earn", 250, "OE1"),
        ("L16", "2025-06-18", "E", "festival_bonus", 250, "OE1"),
        ("L19", "2025-06-30", "F", "earn", 150, "OF2"),
        ("L18", "2025-01-20", "F", "refund_clawback", 200, "OF1"),
        ("L17a", "2025-01-10", "F", "redeem", 400, "OF1"),
        ("L17", "2025-01-10", "F", "earn", 400, "OF1"),
    ]
    columns = ["event_id", "event_date", "customer_id", "event_type", "points", "order_id"]
    return _validated("points_ledger", rows, columns)


@fresh_copies
def edge_members() -> pd.DataFrame:
    """P–U: who joined when; U joins after :data:`EDGE_AS_OF` and is not yet a member."""
    rows = [
        ("P", "2024-02-01", "checkout"),
        ("Q", "2024-02-01", "store_page"),
        ("R", "2025-01-15", "checkout"),
        ("S", "2024-05-05", "checkout"),
        ("T", "2025-06-30", "store_page"),
        ("U", "2025-07-01", "checkout"),
    ]
    return _validated("members", rows, ["customer_id", "join_date", "join_source"])


@fresh_copies
def edge_orders() -> pd.DataFrame:
    """Orders for P–U and a non-member V, around the rolling window of :data:`EDGE_AS_OF`.

    P: 600.00 at 00:00 on the window's first day (2024-07-01, in) and 5,000 the day before
       it (out): 银卡, where lifetime spend says 钻石. Q: 1,500 paid and 2,000 refunded:
       金卡. R: 3,500 at 23:59 on the last day in (钻石), 900 at the as-of moment (out).
    S: one closed order only: 0, 普通. T: no order: 0, 普通. U: 800 but not yet a member.
    V: a non-member with 4,000. R also ordered on its join day (2025-01-15, in neither
    before/after window) and on 2024-08-01 (in the window before joining).
    """
    rows = [
        ("E01", "P", "2024-07-01 00:00:00", "paid", 600.00),
        ("E02", "P", "2024-06-30 23:59:59", "paid", 5000.00),
        ("E03", "Q", "2025-02-01 10:00:00", "paid", 1500.00),
        ("E04", "Q", "2025-03-01 10:00:00", "refunded", 2000.00),
        ("E05", "R", "2025-06-30 23:59:00", "paid", 3500.00),
        ("E06", "R", "2025-07-01 00:00:00", "paid", 900.00),
        ("E07", "S", "2025-05-05 12:00:00", "closed", 700.00),
        ("E08", "U", "2025-06-01 12:00:00", "paid", 800.00),
        ("E09", "V", "2025-03-03 12:00:00", "paid", 4000.00),
        ("E10", "R", "2025-01-15 10:00:00", "paid", 300.00),
        ("E11", "R", "2024-08-01 10:00:00", "paid", 200.00),
    ]
    return orders_table(rows)


@fresh_copies
def edge_customers() -> pd.DataFrame:
    """customer_id and signup_date of P–V, for the before/after windows."""
    return pd.DataFrame(
        {
            "customer_id": list("PQRSTUV"),
            "signup_date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-20",
                    "2024-03-01",
                    "2024-05-05",
                    "2025-06-30",
                    "2024-01-01",
                    "2024-01-01",
                ]
            ),
        }
    )

"""Data chapter 01's hidden tests grade on, besides the shipped shop.

The second shop is :func:`grader.fixtures.second_shop` (another seed, small), with its
consumer and business orders combined as the chapter combines them; the hand-made
cases pin down each rule (the as-of cut-off, boundaries of the classes, ties, refunds,
unshipped orders, customers without service contacts). Each is computed once per kernel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grader.fixtures import fresh_copies

__all__ = [
    "EDGE_AS_OF",
    "features_edge_case",
    "profit_edge_case",
    "revenue_edge_case",
    "second_shop_tables",
    "status_edge_case",
]

EDGE_AS_OF = pd.Timestamp("2026-01-01")


@fresh_copies
def second_shop_tables() -> dict:
    """The second shop's tables, plus ``all_orders``, ``all_items``, ``revenue`` (paid
    revenue per customer, consumers and accounts), ``service`` and ``features``; copies."""
    from crm_lab.customers import combined_orders, customer_features, service_costs
    from grader.fixtures import second_shop
    from grader.reference import customers as ref

    shop = second_shop()
    orders, items = combined_orders(
        shop["orders"], shop["business_orders"], shop["order_items"], shop["business_order_items"]
    )
    paid = orders[orders["status"] == "paid"]
    return {
        **shop,
        "all_orders": orders,
        "all_items": items,
        "revenue": paid.groupby("customer_id")["net_amount_cny"].sum(),
        "service": service_costs(shop["chats"], shop["tickets"], shop["calls"]),
        "features": customer_features(
            shop["orders"], shop["customers"], EDGE_AS_OF, shop["order_items"], shop["products"]
        ),
        "reference": ref,
    }


@fresh_copies
def status_edge_case() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(customers, orders)`` for :func:`customer_status` as of :data:`EDGE_AS_OF`.

    - S1: one paid order exactly 365 days before (lapsed: 365 or more);
    - S2: one paid order 364 days before, late in the evening (new);
    - S3: four paid orders, the last 400 days before (lapsed, not loyal);
    - S4: four paid orders and a refund (loyal); S5: three paid orders (repeat);
    - S6: a paid order and a refunded one (new: refunds do not count);
    - S7: only a refunded and a closed order (potential); S8: no order (potential);
    - S9: a paid order at exactly the as-of time (does not count: potential).
    """
    from crm_lab.service import example_rows
    from grader.fixtures import orders_table

    rows = [
        ("E01", "S1", "2025-01-01 12:00:00", "paid", 50.0),
        ("E02", "S2", "2025-01-02 23:59:00", "paid", 50.0),
        *[(f"E03{k}", "S3", f"2024-0{k + 1}-20 10:00:00", "paid", 20.0) for k in range(3)],
        ("E034", "S3", "2024-11-27 10:00:00", "paid", 20.0),
        *[(f"E04{k}", "S4", f"2025-0{k + 5}-01 10:00:00", "paid", 30.0) for k in range(4)],
        ("E045", "S4", "2025-10-01 10:00:00", "refunded", 30.0),
        *[(f"E05{k}", "S5", f"2025-0{k + 2}-11 10:00:00", "paid", 40.0) for k in range(3)],
        ("E061", "S6", "2025-09-01 10:00:00", "paid", 60.0),
        ("E062", "S6", "2025-09-05 10:00:00", "refunded", 60.0),
        ("E071", "S7", "2025-03-01 10:00:00", "refunded", 70.0),
        ("E072", "S7", "2025-03-02 10:00:00", "closed", 70.0),
        ("E09", "S9", "2026-01-01 00:00:00", "paid", 90.0),
    ]
    ids = [f"S{i}" for i in range(1, 10)]
    from crm_lab.data import load_customers

    customers = example_rows(
        load_customers(), customer_id=ids, signup_date=[pd.Timestamp("2024-01-01")] * len(ids)
    )
    return customers, orders_table(rows)


@fresh_copies
def revenue_edge_case() -> pd.Series:
    """Revenue per customer with ties on the class boundaries.

    200 customers from 400 down to 2 CNY, with ties across the lines of the value
    classes (ranks 2/3, 10/11 and 100/101: the tied customer below the line moves up
    with its twin) and many customers near the ABC limits.
    """
    values = np.linspace(400.0, 2.0, 200).round(0)
    values[1] = values[2]  # a tie across the VIP line (ceil(0.01 * 200) = 2)
    values[9] = values[10]  # a tie across the key-account line (10)
    values[99] = values[100]  # a tie across the ordinary line (100)
    return pd.Series(values, index=pd.Index([f"R{i:03d}" for i in range(200)], name="customer_id"))


@fresh_copies
def profit_edge_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Series]:
    """``(orders, items, costs, service)`` for :func:`customer_profit`.

    - A: a paid order of two lines, a refunded order, a closed one (never shipped: no
      cost), chats and a ticket;
    - B: only a closed order (never shipped: no row) but a chat;
    - C: a paid order, no service contact (service cost 0, not missing);
    - D: only a refunded order (a row: it was shipped; revenue 0, a loss).
    """
    from grader.fixtures import orders_table

    orders = orders_table(
        [
            ("F1", "A", "2025-01-01 10:00:00", "paid", 300.0),
            ("F2", "A", "2025-02-01 10:00:00", "refunded", 120.0),
            ("F3", "B", "2025-03-01 10:00:00", "closed", 500.0),
            ("F4", "C", "2025-03-05 10:00:00", "paid", 80.0),
            ("F5", "D", "2025-04-01 10:00:00", "refunded", 200.0),
            ("F6", "A", "2025-05-01 10:00:00", "closed", 98.0),
        ]
    )
    items = pd.DataFrame(
        {
            "order_id": ["F1", "F1", "F2", "F3", "F4", "F5", "F6"],
            "line_no": [1, 2, 1, 1, 1, 1, 1],
            "product_id": ["P0001", "P0037", "P0002", "P0050", "P0009", "P0038", "P0010"],
            "quantity": [1, 2, 1, 1, 3, 1, 1],
            "unit_price_cny": [268.0, 68.0, 168.0, 888.0, 49.0, 388.0, 98.0],
            "line_amount_cny": [268.0, 136.0, 168.0, 888.0, 147.0, 388.0, 98.0],
        }
    )
    from crm_lab.data import load_product_costs

    costs = load_product_costs()
    service = pd.Series({"A": 31.0, "B": 3.0}, name="service_cost_cny").rename_axis("customer_id")
    return orders, items, costs, service


@fresh_copies
def features_edge_case() -> pd.DataFrame:
    """Features on every tag boundary (birth years 2000/1999/1995/1994/1990/1980/1979,
    missing; revenue on the median and the 80th percentile; promo and discount shares
    on their thresholds), with the other columns of :func:`customer_features`."""
    from crm_lab.customers import DEAL_DISCOUNT_SHARE, DEAL_PROMO_SHARE

    n = 10
    return pd.DataFrame(
        {
            "birth_year": pd.array(
                [2000, 1999, 1995, 1994, 1990, 1989, 1980, 1979, None, 2005], dtype="Int64"
            ),
            "gender": ["F", "M", "F", "unknown", "F", "M", "F", "M", "unknown", "F"],
            "city_tier": pd.Categorical(
                ["tier1", "new_tier1", "tier2", "tier3", "tier4", "tier5", "tier1", "tier2",
                 "new_tier1", "tier3"],
                categories=["tier1", "new_tier1", "tier2", "tier3", "tier4", "tier5"],
                ordered=True,
            ),
            "acquisition_channel": ["search"] * n,
            "paid_orders": [1, 2, 3, 1, 5, 1, 2, 8, 1, 1],
            "revenue_cny": [100.0, 200.0, 300.0, 400.0, 500.0, 500.0, 700.0, 820.0, 820.0, 1000.0],
            "avg_order_cny": [100.0] * n,
            "recency_days": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
            "tenure_days": [400] * n,
            "discount_share": [0.0, DEAL_DISCOUNT_SHARE, DEAL_DISCOUNT_SHARE - 0.001, 0.0, 0.0,
                               0.2, 0.0, 0.0, 0.0, 0.0],
            "promo_share": [DEAL_PROMO_SHARE, 0.0, 0.0, DEAL_PROMO_SHARE - 0.01, 1.0, 0.0,
                            0.0, 0.0, 0.0, 0.0],
        },
        index=pd.Index([f"T{i:02d}" for i in range(n)], name="customer_id"),
    )  # fmt: skip

"""Hand-made survey data for chapter 03's hidden tests (besides the shipped shop and
:func:`grader.fixtures.second_shop`).

Each table has every column and dtype of the real one (validated by the loaders' own
rules), so an answer that works on the shop works here; the rows pin down the rules a
large table might hide: unanswered rows, the NPS cut-offs at 6/7 and 8/9, a straight-liner,
two perception items that disagree, an order bought again on the last day of the window
or on the same day, refunded and closed repeat orders, a survey too recent to follow up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lab.satisfaction import ITEM_COLUMNS, LIKERT_COLUMNS
from grader.fixtures import fresh_copies, orders_table

__all__ = [
    "EDGE_AS_OF",
    "edge_surveys",
    "edge_orders",
    "edge_shipments",
    "edge_items",
    "edge_ipa",
]

EDGE_AS_OF = pd.Timestamp("2025-12-01")
_ORDER_DAY = "2025-03-01 10:00:00"


def _validated(name: str, df: pd.DataFrame) -> pd.DataFrame:
    from crm_lab.data import validate_table

    return validate_table(name, df, source="<grader.fixtures_satisfaction>")


@fresh_copies
def edge_surveys() -> pd.DataFrame:
    """Surveys S01-S24 of customers A-X (one order each, O01-O24).

    S01-S16: answered, items drawn once from a fixed generator (so a regression has
    something to fit) with overall satisfaction following quality and delivery.
    S17: a straight-liner (4 everywhere, recommend 8). S18: perception items 5 and 1
    (a mean of 3, where the first item alone says 5). S19-S20: recommend 6 and 9 (the
    cut-offs); S20's order is too recent to follow up. S21-S24: invited, not answered
    (every answer empty; an answer counted as 0 pulls every mean down).
    """
    rng = np.random.default_rng(3)
    n = 24
    ids = [f"S{i:02d}" for i in range(1, n + 1)]
    people = [chr(ord("A") + i) for i in range(n)]
    base = rng.integers(2, 6, size=(n, 1))
    items = np.clip(base + rng.integers(-1, 2, size=(n, len(ITEM_COLUMNS))), 1, 5)
    frame = pd.DataFrame(items, columns=list(ITEM_COLUMNS))
    quality = frame[["perc_quality_1", "perc_quality_2"]].mean(axis=1)
    delivery = frame[["perc_delivery_1", "perc_delivery_2"]].mean(axis=1)
    frame["overall_satisfaction"] = np.clip(np.rint(0.6 * quality + 0.4 * delivery
                                                    + rng.normal(0, 0.5, n)), 1, 5)
    frame["repurchase_intention"] = np.clip(frame["overall_satisfaction"] - 1 + (base[:, 0] > 3),
                                            1, 5)
    frame["recommend"] = np.clip(np.rint(2.2 * frame["overall_satisfaction"] - 1
                                         + rng.normal(0, 1, n)), 0, 10)
    frame.loc[16, list(LIKERT_COLUMNS)] = 4
    frame.loc[16, "recommend"] = 8
    frame.loc[17, ["perc_value_1", "perc_service_1"]] = 5
    frame.loc[17, ["perc_value_2", "perc_service_2"]] = 1
    frame.loc[18, "recommend"] = 6
    frame.loc[19, "recommend"] = 9
    frame.loc[16, "exp_quality"] = 4  # (already) the straight-liner keeps one value
    answered = np.arange(n) < 20
    frame = frame.astype("Int64")
    frame.loc[~answered, [*LIKERT_COLUMNS, "recommend"]] = pd.NA
    out = pd.DataFrame(
        {
            "survey_id": ids,
            "order_id": [f"O{i:02d}" for i in range(1, n + 1)],
            "customer_id": people,
            "sent_date": pd.to_datetime(["2025-03-05"] * 19 + ["2025-11-20"] + ["2025-03-05"] * 4),
            "answered": answered,
            "answer_days": pd.array(np.where(answered, 1, pd.NA), dtype="Int64"),
        }
    )
    for column in (*ITEM_COLUMNS, "overall_satisfaction", "recommend", "repurchase_intention"):
        out[column] = frame[column].to_numpy()
    comments = [None] * n
    comments[0], comments[5] = "物流太慢了。", "茶很香，会回购。"
    out["comment_zh"] = comments
    return _validated("surveys", out)


@fresh_copies
def edge_orders() -> pd.DataFrame:
    """The surveyed orders O01-O24 (2025-03-01, O20 on 2025-11-15) and the repeat orders.

    A: paid again exactly 180 days later (2025-08-28 10:00, in). B: paid 180 days and one
    minute later (out). C: paid again the same day, an hour after (in: after the order).
    D: refunded repeat (not a repurchase). E: closed repeat (not either). F: paid *before*
    the surveyed order only (not a repurchase). T: too recent, left out. O03 and O07 were
    refunded; O05 is large.
    """
    rows = []
    for i in range(1, 25):
        who = chr(ord("A") + i - 1)
        when = "2025-11-15 10:00:00" if i == 20 else _ORDER_DAY
        status = "refunded" if i in (3, 7) else "paid"
        amount = 1200.0 if i == 5 else 100.0 + 10 * i
        rows.append((f"O{i:02d}", who, when, status, amount))
    rows += [
        ("R01", "A", "2025-08-28 10:00:00", "paid", 88.0),
        ("R02", "B", "2025-08-28 10:01:00", "paid", 88.0),
        ("R03", "C", "2025-03-01 11:00:00", "paid", 88.0),
        ("R04", "D", "2025-04-01 10:00:00", "refunded", 88.0),
        ("R05", "E", "2025-04-01 10:00:00", "closed", 88.0),
        ("R06", "F", "2025-01-01 10:00:00", "paid", 88.0),
        ("R07", "T", "2025-11-20 10:00:00", "paid", 88.0),
    ]
    return orders_table(rows)


@fresh_copies
def edge_shipments() -> pd.DataFrame:
    """Shipments of O01-O24: late when delivery_days > promised_days (O02 equal: on time)."""
    n = 24
    delivery = np.full(n, 3)
    delivery[[0, 4, 20, 21]] = 6  # O01, O05 late (answered); O21, O22 late (not answered)
    delivery[1] = 4  # O02: delivered on the promised day
    out = pd.DataFrame(
        {
            "order_id": [f"O{i:02d}" for i in range(1, n + 1)],
            "customer_id": [chr(ord("A") + i) for i in range(n)],
            "ship_days": 1,
            "delivery_days": delivery,
            "promised_days": 4,
        }
    )
    return _validated("shipments", out)


@fresh_copies
def edge_items() -> pd.DataFrame:
    """Three items, six respondents, one row with a missing answer (dropped: alpha is
    computed on complete rows) and one item on which everyone agrees more."""
    return pd.DataFrame(
        {
            "q1": [5, 4, 4, 2, 3, 1, 5],
            "q2": [4, 4, 5, 2, 2, 2, None],
            "q3": [5, 5, 4, 3, 3, 1, 1],
        },
        dtype="Float64",
    )


@fresh_copies
def edge_ipa() -> pd.DataFrame:
    """An IPA table whose means differ from its medians, with a tie on the mean.

    importance: mean 2, median 1; b sits on the mean and counts as high. performance:
    mean 3.67, median 4.25; d (4.1) is high by the mean and low by the median. a is
    "concentrate here" (swapping the axes makes it "possible overkill"), f "low priority".
    """
    return pd.DataFrame(
        {
            "importance": [6.0, 2.0, 1.0, 1.0, 1.0, 1.0],
            "performance": [1.5, 4.5, 4.4, 4.1, 5.0, 2.5],
        },
        index=pd.Index(["a", "b", "c", "d", "e", "f"], name="dimension"),
    )

"""The RFM reference implementation, on cases computed by hand."""

import pandas as pd
import pytest

from crm_lab.rfm import SEGMENT_ORDER
from grader.fixtures import EDGE_AS_OF, edge_case_orders
from grader.reference import rfm as ref


@pytest.fixture
def edge_rfm():
    return ref.rfm_table(edge_case_orders(), EDGE_AS_OF)


def test_recency_ignores_refunded_orders(edge_rfm):
    # E1: paid 01-10 and 06-01, refunded 06-20: last paid day 06-01, 30 days to 07-01
    assert edge_rfm.loc["E1"].tolist() == [30, 2, 150.5]


def test_customer_with_only_refunds_and_cancellations_has_no_row(edge_rfm):
    assert "E2" not in edge_rfm.index


def test_recency_counts_calendar_days(edge_rfm):
    # 2025-06-29 23:59 is two calendar days before 2025-07-01, though under 25 hours
    assert edge_rfm.loc["E3", "recency_days"] == 2


def test_orders_after_as_of_are_ignored(edge_rfm):
    assert edge_rfm.loc["E4"].tolist() == [150, 1, 30.0]


def test_same_day_orders_count_separately(edge_rfm):
    assert edge_rfm.loc["E5"].tolist() == [1, 3, 60.0]


def test_rfm_table_is_indexed_by_customer_with_integer_counts(edge_rfm):
    assert edge_rfm.index.name == "customer_id"
    assert list(edge_rfm.index) == ["E1", "E3", "E4", "E5"]
    assert edge_rfm["recency_days"].dtype == "int64"
    assert edge_rfm["frequency"].dtype == "int64"


def test_amount_column_can_be_renamed():
    orders = edge_case_orders().rename(columns={"net_amount_cny": "net_amount_usd"})
    out = ref.rfm_table(orders, EDGE_AS_OF, amount_col="net_amount_usd")
    assert out.loc["E1", "monetary_cny"] == 150.5


def test_missing_column_is_a_value_error():
    with pytest.raises(ValueError, match="status"):
        ref.rfm_table(edge_case_orders().drop(columns="status"), EDGE_AS_OF)


def test_scores_by_hand_with_ties():
    rfm = pd.DataFrame(
        {
            "recency_days": [1, 2, 3, 4, 5],
            "frequency": [1, 1, 1, 2, 7],
            "monetary_cny": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    scores = ref.rfm_scores(rfm)
    # n = 5: rank_min 1..5 -> 1 + floor(5 * (rank - 1) / 5) = rank
    assert scores["m_score"].tolist() == [1, 2, 3, 4, 5]
    # recency is reversed: the most recent buyer scores 5
    assert scores["r_score"].tolist() == [5, 4, 3, 2, 1]
    # three tied at frequency 1 share the lowest rank, hence score 1
    assert scores["f_score"].tolist() == [1, 1, 1, 4, 5]


def test_scores_stay_within_one_to_five_on_many_ties():
    rfm = pd.DataFrame(
        {"recency_days": [10] * 7 + [3], "frequency": [1] * 8, "monetary_cny": [5.0] * 8}
    )
    scores = ref.rfm_scores(rfm)
    assert scores["f_score"].eq(1).all()
    assert scores["r_score"].tolist() == [1] * 7 + [5]


def test_segments_by_hand():
    scores = pd.DataFrame(
        {"r_score": [5, 1, 5, 1], "f_score": [5, 5, 1, 1], "m_score": [5, 5, 1, 5]}
    )
    # means are 3, 3, 4: above the mean is "high"
    out = ref.rfm_segments(scores)
    assert out["segment"].tolist() == [
        "重要价值客户",
        "重要保持客户",
        "一般发展客户",
        "重要挽留客户",
    ]


def test_profile_shares_add_up_and_follow_segment_order():
    segmented = pd.DataFrame(
        {
            "segment": ["一般挽留客户", "重要价值客户", "重要价值客户", "一般发展客户"],
            "monetary_cny": [10.0, 60.0, 20.0, 10.0],
        }
    )
    profile = ref.segment_profile(segmented)
    assert list(profile.index) == [s for s in SEGMENT_ORDER if s in set(segmented["segment"])]
    assert profile.loc["重要价值客户"].tolist() == [2, 0.5, 0.8, 40.0]
    assert profile["customer_share"].sum() == pytest.approx(1)
    assert profile["revenue_share"].sum() == pytest.approx(1)


def test_top_share_by_hand():
    rfm = pd.DataFrame({"monetary_cny": [100.0, 50.0, 25.0, 15.0, 10.0]})
    assert ref.top_customer_share(rfm, 0.2) == pytest.approx(0.5)
    # ceil(0.3 * 5) = 2 customers
    assert ref.top_customer_share(rfm, 0.3) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="top_fraction"):
        ref.top_customer_share(rfm, 0)

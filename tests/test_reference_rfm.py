"""The RFM reference implementation, on cases computed by hand."""

import numpy as np
import pandas as pd
import pytest

from crm_lab.rfm import HIGH_SCORE, SEGMENT_ORDER, SEGMENTS, segment_names
from grader.fixtures import (
    BACKTEST_AS_OF,
    EDGE_AS_OF,
    backtest_edge_case,
    boundary_scores,
    edge_case_orders,
)
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


def test_an_order_at_exactly_as_of_is_not_before_it(edge_rfm):
    assert "E6" not in edge_rfm.index  # 00:00:00 on the as-of date
    assert edge_rfm.loc["E7", "recency_days"] == 1  # a second earlier


def test_rfm_table_is_indexed_by_customer_with_integer_counts(edge_rfm):
    assert edge_rfm.index.name == "customer_id"
    assert list(edge_rfm.index) == ["E1", "E3", "E4", "E5", "E7"]
    assert edge_rfm["recency_days"].dtype == "int64"
    assert edge_rfm["frequency"].dtype == "int64"


def test_amount_column_can_be_renamed():
    orders = edge_case_orders().rename(columns={"net_amount_cny": "net_amount_usd"})
    out = ref.rfm_table(orders, EDGE_AS_OF, amount_col="net_amount_usd")
    assert out.loc["E1", "monetary_cny"] == 150.5


def test_amount_column_chooses_what_is_summed():
    orders = edge_case_orders()
    gross = ref.rfm_table(orders, EDGE_AS_OF, amount_col="gross_amount_cny")
    paid_e1 = orders[(orders["customer_id"] == "E1") & (orders["status"] == "paid")]
    assert gross.loc["E1", "monetary_cny"] == pytest.approx(paid_e1["gross_amount_cny"].sum())
    assert gross.loc["E1", "monetary_cny"] > 150.5


def test_hand_made_orders_have_every_real_column_dtype_and_status():
    from crm_lab.data import load_orders, schema

    orders, real = edge_case_orders(), load_orders()
    assert list(orders.columns) == list(real.columns)
    assert orders.dtypes.astype(str).tolist() == real.dtypes.astype(str).tolist()
    assert set(orders["status"]) == set(schema.ORDER_STATUSES)
    assert set(backtest_edge_case()[1]["status"]) == set(schema.ORDER_STATUSES)


def test_rfm_table_does_not_change_its_argument():
    orders = edge_case_orders()
    before = orders.copy()
    ref.rfm_table(orders, EDGE_AS_OF)
    assert orders.equals(before)


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
    out = ref.rfm_segments(scores)
    assert out["segment"].tolist() == [
        "重要价值客户",
        "重要保持客户",
        "一般发展客户",
        "重要挽留客户",
    ]


def test_a_score_of_four_is_high_and_three_is_low_whatever_the_mean():
    scores = pd.DataFrame({"r_score": [4, 3, 3], "f_score": [4, 3, 3], "m_score": [4, 3, 3]})
    # means of 3.33: "above the mean" would agree here, but not on the next table
    assert ref.rfm_segments(scores)["segment"].tolist() == ["重要价值客户"] + ["一般挽留客户"] * 2
    low_mean = pd.DataFrame({"r_score": [3, 1, 1], "f_score": [3, 1, 1], "m_score": [3, 1, 1]})
    assert set(ref.rfm_segments(low_mean)["segment"]) == {"一般挽留客户"}


def test_boundary_scores_tell_the_rule_from_mean_and_median_rules():
    scores = boundary_scores()
    ours = ref.rfm_segments(scores)["segment"].astype(str)
    for centre in ("mean", "median"):
        levels = [
            np.where(scores[c] > getattr(scores[c], centre)(), "high", "low")
            for c in ["r_score", "f_score", "m_score"]
        ]
        assert (segment_names(*levels) != ours.to_numpy()).any(), centre
    strict = [
        np.where(scores[c] > HIGH_SCORE, "high", "low") for c in ["r_score", "f_score", "m_score"]
    ]
    assert (segment_names(*strict) != ours.to_numpy()).any()


def test_rfm_segments_does_not_change_its_argument():
    scores = boundary_scores()
    before = scores.copy()
    ref.rfm_segments(scores)
    assert scores.equals(before)


def test_profile_shares_add_up_and_follow_segment_order():
    segmented = pd.DataFrame(
        {
            "segment": ["一般挽留客户", "重要价值客户", "重要价值客户", "一般发展客户"],
            "frequency": [1, 3, 1, 1],
            "monetary_cny": [10.0, 60.0, 20.0, 10.0],
        }
    )
    profile = ref.segment_profile(segmented)
    assert list(profile.index) == [s for s in SEGMENT_ORDER if s in set(segmented["segment"])]
    # 2 customers, half of them, 80 of 100 CNY, 40 each; one of two with 2+ orders; 80 / 4 orders
    assert profile.loc["重要价值客户"].tolist() == [2, 0.5, 0.8, 40.0, 0.5, 20.0]
    assert profile["customer_share"].sum() == pytest.approx(1)
    assert profile["revenue_share"].sum() == pytest.approx(1)


def test_repeat_rate_counts_two_orders_as_a_repeat():
    segmented = pd.DataFrame(
        {"segment": ["一般发展客户"] * 4, "frequency": [1, 2, 2, 3], "monetary_cny": [1.0] * 4}
    )
    assert ref.segment_profile(segmented).loc["一般发展客户", "repeat_rate"] == 0.75


def test_top_share_by_hand():
    rfm = pd.DataFrame({"monetary_cny": [100.0, 50.0, 25.0, 15.0, 10.0]})
    assert ref.top_customer_share(rfm, 0.2) == pytest.approx(0.5)
    # ceil(0.3 * 5) = 2 customers
    assert ref.top_customer_share(rfm, 0.3) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="top_fraction"):
        ref.top_customer_share(rfm, 0)


# ---- the back-test ----------------------------------------------------------------------


@pytest.fixture
def edge_backtest():
    segmented, orders = backtest_edge_case()
    return ref.segment_backtest(segmented, orders, BACKTEST_AS_OF, months=3)


def test_backtest_window_includes_as_of_and_excludes_its_end(edge_backtest):
    # B1 100 at exactly as_of; B2 60 (its refund and unpaid order left out); B3 80 a second
    # before 2025-11-30, not the 500 at it: 2025-08-31 + 3 months clips to 2025-11-30
    assert edge_backtest.loc["重要价值客户"].tolist() == [3, 1.0, 1.0, 80.0]


def test_backtest_segment_where_nobody_bought_has_a_row_of_zeros(edge_backtest):
    assert edge_backtest.loc["一般发展客户"].tolist() == [2, 0.0, 0.0, 0.0]


def test_backtest_ignores_customers_without_a_segment_and_empty_segments(edge_backtest):
    assert edge_backtest.loc["一般挽留客户"].tolist() == [1, 1.0, 2.0, 45.0]  # not B9's 999
    assert list(edge_backtest.index) == ["重要价值客户", "一般发展客户", "一般挽留客户"]


def test_backtest_amount_column_and_arguments_unchanged():
    segmented, orders = backtest_edge_case()
    before = (segmented.copy(), orders.copy())
    gross = ref.segment_backtest(segmented, orders, BACKTEST_AS_OF, 3, "gross_amount_cny")
    assert gross.loc["一般挽留客户", "revenue_per_customer_cny"] > 45.0
    assert segmented.equals(before[0]) and orders.equals(before[1])


def test_backtest_accepts_customer_id_as_a_column():
    segmented, orders = backtest_edge_case()
    as_index = ref.segment_backtest(segmented, orders, BACKTEST_AS_OF, months=3)
    as_column = ref.segment_backtest(segmented.reset_index(), orders, BACKTEST_AS_OF, months=3)
    pd.testing.assert_frame_equal(as_index, as_column)


# ---- what the chapter's text says about the shipped shop (and CDNOW) -------------------


@pytest.fixture(scope="module")
def shop():
    from crm_lab.data import AS_OF, load_orders

    orders = load_orders()
    segmented = ref.rfm_segments(ref.rfm_scores(ref.rfm_table(orders, AS_OF)))
    return orders, segmented, ref.segment_profile(segmented)


def test_text_about_half_bought_once_so_qcut_fails_on_frequency(shop):
    _, segmented, _ = shop
    assert 0.4 <= (segmented["frequency"] == 1).mean() <= 0.6
    with pytest.raises(ValueError, match="Bin edges must be unique"):
        pd.qcut(segmented["frequency"], 5)


def test_text_mean_scores_sit_a_hair_from_three_and_skewed_spend_has_fewer_high_m(shop):
    _, segmented, _ = shop
    for c in ("r_score", "m_score"):
        assert abs(segmented[c].mean() - 3) < 0.02
    classic_high_m = (segmented["monetary_cny"] > segmented["monetary_cny"].mean()).mean()
    assert classic_high_m < (segmented["m_score"] >= HIGH_SCORE).mean()


def test_text_action_groups_active_few_with_much_let_go_many_with_little(shop):
    _, _, profile = shop
    group = SEGMENTS.set_index("segment")["action_group"].reindex(profile.index)
    by_group = profile[["customer_share", "revenue_share"]].groupby(group).sum()
    assert (
        by_group.loc["活跃客户", "revenue_share"] > 2 * by_group.loc["活跃客户", "customer_share"]
    )
    assert (
        by_group.loc["要遗弃客户", "customer_share"]
        > 2 * by_group.loc["要遗弃客户", "revenue_share"]
    )


def test_text_example_answer_figures(shop):
    _, _, profile = shop
    keep = profile.loc["重要保持客户"]
    assert 0.07 <= keep["customer_share"] <= 0.14  # "about a tenth"
    assert 1.5 <= keep["revenue_share"] / keep["customer_share"] <= 2.5  # "about twice"
    assert keep["repeat_rate"] == 1
    develop = profile.loc["一般发展客户"]
    assert 0.13 <= develop["customer_share"] <= 0.22  # "about a sixth"
    assert develop["revenue_share"] < 0.1 and develop["repeat_rate"] < 0.5


def test_text_backtest_segments_separate(shop):
    orders, _, _ = shop
    as_of = pd.Timestamp("2025-07-01")
    then = ref.rfm_segments(ref.rfm_scores(ref.rfm_table(orders, as_of)))
    backtest = ref.segment_backtest(then, orders, as_of, months=6)
    best, lost = backtest.loc["重要价值客户"], backtest.loc["一般挽留客户"]
    assert best["buy_rate"] > 3 * lost["buy_rate"]  # "several times as often"
    assert best["revenue_per_customer_cny"] > 3 * lost["revenue_per_customer_cny"]
    keep = backtest.loc["重要保持客户"]
    assert keep["buy_rate"] < 0.5  # the example answer: "only a minority"


def test_text_cdnow_is_more_polarised_and_champions_lead_revenue_in_both(shop):
    from crm_lab.data import load_cdnow_orders

    _, segmented, profile = shop
    cdnow = ref.rfm_table(load_cdnow_orders(), pd.Timestamp("1998-07-01"), "net_amount_usd")
    cdnow_profile = ref.segment_profile(ref.rfm_segments(ref.rfm_scores(cdnow)))
    for p in (profile, cdnow_profile):
        assert p["revenue_share"].idxmax() == "重要价值客户"
    lost = "一般挽留客户"
    assert cdnow_profile.loc[lost, "customer_share"] > profile.loc[lost, "customer_share"]
    for rfm in (segmented, cdnow):
        assert 0.55 <= ref.top_customer_share(rfm, 0.2) <= 0.75  # "around two thirds"


def test_second_shop_gives_each_caller_its_own_tables():
    """Tables are copied on first read: a caller's changes stay its own, in later reads
    too, and never reach the next caller; it holds every table, like a dict."""
    from grader.fixtures import second_shop

    mine, other = second_shop(), second_shop()
    mine["orders"]["flag"] = 1
    assert "flag" in mine["orders"] and "flag" not in other["orders"]
    assert "flag" not in second_shop()["orders"]
    assert set(mine) == set(other) >= {"orders", "customers", "members"} and len(mine) > 3
    assert {**other}.keys() == other.keys()
    del mine["orders"]
    assert "orders" not in mine and len(mine) == len(other) - 1
    with pytest.raises(KeyError):
        mine["orders"]
    mine["orders"] = other["orders"]
    assert mine["orders"] is other["orders"]

"""The chapter 07 reference answers on small cases worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from grader.reference import callcentre as ref

# --- Erlang C --------------------------------------------------------------------------------
# 10 calls per half hour of 180 s each: A = 10 * 180 / 1800 = 1 erlang.


def test_two_agents_for_one_erlang_wait_one_time_in_three():
    # P(wait) = (A^2/2! * 2/(2-1)) / (1 + A + A^2/2! * 2/(2-1)) = 1 / 3
    assert ref.erlang_c_wait_probability(10, 180, 2) == pytest.approx(1 / 3)


def test_service_level_and_asa_for_two_agents_and_one_erlang():
    # SL = 1 - 1/3 * exp(-(2 - 1) * 20 / 180); ASA = 1/3 * 180 / (2 - 1) = 60 s
    assert ref.erlang_c_service_level(10, 180, 2, 20) == pytest.approx(1 - math.exp(-20 / 180) / 3)
    assert ref.erlang_c_asa(10, 180, 2) == pytest.approx(60.0)


def test_one_agent_is_the_single_server_queue():
    # M/M/1 with utilisation 0.5: P(wait) = 0.5, ASA = 0.5 * AHT / (1 - 0.5) = AHT.
    assert ref.erlang_c_wait_probability(5, 180, 1) == pytest.approx(0.5)
    assert ref.erlang_c_asa(5, 180, 1) == pytest.approx(180.0)


def test_too_few_agents_means_everyone_waits_forever():
    assert ref.erlang_c_wait_probability(20, 180, 2) == 1.0  # A = 2 = N
    assert ref.erlang_c_service_level(20, 180, 2) == 0.0
    assert ref.erlang_c_asa(20, 180, 1) == math.inf


def test_interval_length_only_changes_the_load():
    assert ref.erlang_c_wait_probability(20, 180, 2, interval_seconds=3600) == pytest.approx(1 / 3)


def test_agents_required_is_the_smallest_staffing_reaching_the_target():
    # 100 calls per half hour, AHT 3 min: 13 agents give SL 0.7956, 14 give 0.8884.
    assert ref.agents_required(100, 180, 0.8, 20) == 14
    assert ref.agents_required(100, 180, 0.79, 20) == 13
    assert ref.agents_required(0, 180) == 0


def test_more_agents_never_lower_the_service_level():
    levels = [ref.erlang_c_service_level(100, 180, n) for n in range(10, 25)]
    assert levels == sorted(levels)


def test_staffing_plan_adds_agents_and_their_service_level():
    forecast = pd.DataFrame({"calls": [0, 10, 100]}, index=["08:00", "08:30", "09:00"])
    plan = ref.staffing_plan(forecast, 180)
    assert plan["agents"].tolist() == [0, 3, 14]  # 2 agents give 1 - e^(-1/9)/3 = 0.70
    assert (plan["service_level"] >= 0.8).all()
    assert forecast.columns.tolist() == ["calls"]


def test_occupancy_is_load_over_agents_and_zero_without_agents():
    forecast = pd.DataFrame({"calls": [0, 10, 100]})
    plan = ref.staffing_plan(forecast, 180)
    assert plan["occupancy"].tolist() == pytest.approx([0.0, 1 / 3, 10 / 14])


def test_rostered_agents_cover_shrinkage_and_keep_exact_whole_numbers():
    # 21 agents on the phones with 30% shrinkage: 21 / 0.7 = 30 exactly (30.000000000000004
    # in floats), not 31; 3 / 0.7 = 4.29 rounds up to 5; 14 / 0.7 is 20.
    plan = ref.staffing_plan(pd.DataFrame({"calls": [0, 10, 100, 165]}), 180, shrinkage=0.3)
    assert plan["agents"].tolist() == [0, 3, 14, 21]
    assert plan["rostered"].tolist() == [0, 5, 20, 30]
    assert ref.staffing_plan(pd.DataFrame({"calls": [100]}), 180, shrinkage=0)["rostered"][0] == 14
    with pytest.raises(ValueError, match="shrinkage"):
        ref.staffing_plan(pd.DataFrame({"calls": [100]}), 180, shrinkage=1)


def test_no_calls_means_nobody_waits_whatever_the_agents():
    for agents in (0, 1, 5):
        assert ref.erlang_c_wait_probability(0, 180, agents) == 0.0
        assert ref.erlang_c_service_level(0, 180, agents) == 1.0
        assert ref.erlang_c_asa(0, 180, agents) == 0.0


def test_erlang_c_holds_for_centres_too_large_for_the_factorial_form():
    # 3,000 calls of 108 s per half hour: A = 180 erlangs. A^N for N = 200 agents is about
    # 10^451, beyond a float's 10^308; Erlang B's recursion never leaves [0, 1].
    with pytest.raises(OverflowError):
        180.0**200 / math.factorial(200)
    waits = [ref.erlang_c_wait_probability(3000, 108, n) for n in (185, 190, 200)]
    assert 0 < waits[2] < waits[1] < waits[0] < 1
    assert ref.agents_required(3000, 108) > 180


# --- KPIs ------------------------------------------------------------------------------------


def tiny_calls():
    return pd.DataFrame(
        {
            "arrival_time": pd.to_datetime(
                ["2025-12-01 08:05", "2025-12-01 08:20", "2025-12-01 08:40", "2025-12-03 08:10"]
            ),
            "queue": pd.Categorical(["pre_sale", "pre_sale", "pre_sale", "complaint"]),
            "abandoned": [False, False, True, False],
            "wait_seconds": [0, 30, 50, 20],
            "handle_seconds": pd.array([100, 200, None, 400], dtype="Int64"),
            "resolved_first_contact": pd.array([True, False, None, True], dtype="boolean"),
        }
    )


def test_kpis_count_abandoned_calls_in_service_level_but_not_in_asa():
    kpis = ref.queue_kpis(tiny_calls())
    pre = kpis.loc["pre_sale"]
    assert (pre.offered, pre.answered) == (3, 2)
    assert pre.service_level == pytest.approx(1 / 3)  # only the call with wait 0
    assert pre.abandon_rate == pytest.approx(1 / 3)
    assert pre.asa_seconds == pytest.approx(15.0)
    assert pre.aht_seconds == pytest.approx(150.0)
    assert pre.fcr_rate == pytest.approx(0.5)


def test_a_wait_equal_to_the_threshold_is_in_time():
    assert ref.queue_kpis(tiny_calls()).loc["complaint", "service_level"] == 1.0


def test_queues_without_calls_have_no_row():
    assert sorted(ref.queue_kpis(tiny_calls()).index) == ["complaint", "pre_sale"]


def test_intraday_profile_averages_over_every_day_including_quiet_ones():
    profile = ref.intraday_profile(tiny_calls())
    # Three days (1 to 3 December); two pre-sale calls in the 08:00 slot.
    assert profile.loc["08:00", "pre_sale"] == pytest.approx(2 / 3)
    assert profile.loc["08:30", "pre_sale"] == pytest.approx(1 / 3)
    assert profile.loc["08:00", "complaint"] == pytest.approx(1 / 3)
    assert profile.loc["08:30", "complaint"] == 0


# --- tickets ---------------------------------------------------------------------------------


def tiny_tickets():
    t = pd.to_datetime
    return pd.DataFrame(
        {
            "channel": ["chat", "chat", "email", "email"],
            "category": ["damaged", "damaged", "refund", "refund"],
            "created_time": t(["2025-01-01 10:00"] * 4),
            "first_response_time": t(
                ["2025-01-01 10:30", "2025-01-01 12:00", "2025-01-01 20:00", "2025-01-01 20:00"]
            ),
            "resolved_time": t(["2025-01-02 10:00", "2025-01-02 10:00", "2025-01-06 10:00", None]),
        }
    )


def test_ticket_hours_measure_from_creation():
    hours = ref.ticket_hours(tiny_tickets())
    assert hours.first_response_hours.tolist() == [0.5, 2.0, 10.0, 10.0]
    assert hours.resolution_hours.iloc[:3].tolist() == [24.0, 24.0, 120.0]
    assert np.isnan(hours.resolution_hours.iloc[3])


def test_breaches_use_each_channels_limit_and_count_open_tickets():
    rates = ref.sla_breach_rate(tiny_tickets(), by="category")
    assert rates.loc["damaged"].tolist() == [2, 0.5, 0.0, 0.5]  # chat reply after 2 h > 1 h
    # e-mail replies in 10 h are within 24 h; one resolved after 120 h, one still open.
    assert rates.loc["refund"].tolist() == [2, 0.0, 1.0, 1.0]


def test_breach_limits_can_be_changed():
    rates = ref.sla_breach_rate(
        tiny_tickets(), by="channel", response_sla_hours={"chat": 3, "email": 8}
    )
    assert rates.loc["chat", "response_breach_rate"] == 0.0
    assert rates.loc["email", "response_breach_rate"] == 1.0


# --- FAQ bot ---------------------------------------------------------------------------------


def tiny_faq():
    return pd.DataFrame(
        {
            "faq_id": ["F1", "F2"],
            "question_zh": ["满多少钱包邮？", "退款多久能到账？"],
            "answer_zh": ["满99元包邮。", "一般当天原路退回。"],
        }
    )


def test_match_faq_finds_the_entry_that_shares_the_words():
    questions = pd.DataFrame({"question_zh": ["亲，包邮吗", "退款怎么还没到账", "你好"]})
    matches = ref.match_faq(questions, tiny_faq())
    assert matches.best_faq_id.iloc[:2].tolist() == ["F1", "F2"]
    assert matches.score.iloc[2] == 0.0
    assert matches.score.between(0, 1 + 1e-9).all()


def test_bot_rates_are_shares_of_all_questions():
    matches = pd.DataFrame(
        {
            "faq_id": ["F1", "F2", None, "F1"],
            "best_faq_id": ["F1", "F1", "F2", "F1"],
            "score": [0.9, 0.8, 0.7, 0.1],
        }
    )
    rates = ref.faq_bot_rates(matches, threshold=0.5)
    assert rates["answer_rate"] == 0.75
    assert rates["correct_rate"] == 0.25  # the unlabelled question cannot be right
    assert rates["precision"] == pytest.approx(1 / 3)
    assert math.isnan(ref.faq_bot_rates(matches, threshold=0.95)["precision"])


def test_bot_coverage_and_answers_to_questions_without_an_entry():
    matches = pd.DataFrame(
        {
            "faq_id": ["F1", "F2", None, "F1"],
            "best_faq_id": ["F1", "F1", "F2", "F1"],
            "score": [0.9, 0.8, 0.7, 0.1],
        }
    )
    rates = ref.faq_bot_rates(matches, threshold=0.7)  # a score equal to it is answered
    assert rates["coverage"] == 0.75
    assert rates["answered_unanswerable_rate"] == 0.25
    assert ref.faq_bot_rates(matches, threshold=0.75)["answered_unanswerable_rate"] == 0.0

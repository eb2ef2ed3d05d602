"""The call-centre chapter's autograder tests are honest: correct answers pass in any
reasonable style, and each common mistake fails exactly the cells it should.

Graded in-process (see autograder_contract.py). To keep each grading run to a few
seconds, the simulations of the worked examples (never graded) run for fewer simulated
hours (the loaders already parse each file once).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from autograder_contract import ChapterAutograder

import crm_lab.service
from grader.reference import callcentre as ref

NAMES = [
    "queue_kpis",
    "intraday_profile",
    "erlang_c_wait_probability",
    "erlang_c_service_level",
    "erlang_c_asa",
    "agents_required",
    "staffing_plan",
    "sla_breach_rate",
    "match_faq",
    "faq_bot_rates",
]
REFERENCE = {name: getattr(ref, name) for name in NAMES}
KPI_CELLS = {"test_queue_kpis_shop", "test_queue_kpis_rules"}
SLA_CELLS = {"test_sla_breach_rate_shop", "test_sla_breach_rate_rules"}


@pytest.fixture(scope="module", autouse=True)
def fast_notebook():
    real_simulation = crm_lab.service.simulate_queue
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            crm_lab.service,
            "simulate_queue",
            lambda *args, **kwargs: real_simulation(*args, **{**kwargs, "hours": 1}),
        )
        yield


# ---- other correct styles -------------------------------------------------------------


def queue_kpis_by_loop(calls, threshold_seconds=20):
    rows = []
    for queue, group in calls.groupby(calls["queue"].astype(str)):
        answered = group[~group["abandoned"]]
        rows.append(
            {
                "queue": queue,
                "offered": float(len(group)),
                "answered": float(len(answered)),
                "abandon_rate": group["abandoned"].sum() / len(group),
                "service_level": (answered["wait_seconds"] <= threshold_seconds).sum() / len(group),
                "asa_seconds": answered["wait_seconds"].mean(),
                "aht_seconds": answered["handle_seconds"].astype(float).mean(),
                "fcr_rate": answered["resolved_first_contact"].astype(float).mean(),
            }
        )
    return pd.DataFrame(rows)


def intraday_profile_crosstab(calls):
    days = calls["arrival_time"].dt.date
    n_days = (max(days) - min(days)).days + 1
    slot = calls["arrival_time"].dt.strftime("%H") + np.where(
        calls["arrival_time"].dt.minute < 30, ":00", ":30"
    )
    table = pd.crosstab(slot, calls["queue"]) / n_days
    return table.rename_axis("slot").reset_index()


def wait_probability_erlang_b(calls_per_interval, aht_seconds, agents, interval_seconds=1800):
    a = calls_per_interval * aht_seconds / interval_seconds
    if agents <= a:
        return 1
    b = 1.0
    for k in range(1, agents + 1):
        b = a * b / (k + a * b)
    return agents * b / (agents - a * (1 - b))


def service_level_inline(
    calls_per_interval, aht_seconds, agents, threshold_seconds=20, interval_seconds=1800
):
    a = calls_per_interval * aht_seconds / interval_seconds
    if agents <= a:
        return 0
    terms = [a**k / math.factorial(k) for k in range(agents)]
    last = a**agents / math.factorial(agents) * agents / (agents - a)
    p_wait = last / (sum(terms) + last)
    return 1 - p_wait * np.exp(-(agents - a) * threshold_seconds / aht_seconds)


def agents_required_from_one(
    calls_per_interval, aht_seconds, target_service_level=0.8, threshold_seconds=20,
    interval_seconds=1800,
):  # fmt: skip
    if not calls_per_interval:
        return 0
    n = 1
    level = ref.erlang_c_service_level
    while level(calls_per_interval, aht_seconds, n, threshold_seconds, interval_seconds) < (
        target_service_level
    ):
        n += 1
    return n


def staffing_plan_apply(
    forecast, aht_seconds, target_service_level=0.8, threshold_seconds=20, interval_seconds=1800
):
    def one(calls):
        n = ref.agents_required(calls, aht_seconds, target_service_level, threshold_seconds,
                                interval_seconds)  # fmt: skip
        level = ref.erlang_c_service_level(
            calls, aht_seconds, n, threshold_seconds, interval_seconds
        )
        return pd.Series({"agents": n, "service_level": level if calls else 1.0})

    return forecast.join(forecast["calls"].apply(one))


def sla_breach_rate_timedelta(
    tickets, by="category", response_sla_hours=None, resolution_sla_hours=72
):
    limits = response_sla_hours or {"chat": 1, "phone": 1, "email": 24}
    response_limit = pd.to_timedelta(tickets["channel"].astype(str).map(limits), unit="h")
    late_reply = (tickets["first_response_time"] - tickets["created_time"]) > response_limit
    took = tickets["resolved_time"] - tickets["created_time"]
    late_fix = took.isna() | (took > pd.Timedelta(hours=resolution_sla_hours))
    out = (
        pd.DataFrame({by: tickets[by].astype(str), "r": late_reply, "f": late_fix})
        .groupby(by)
        .agg(
            tickets=("r", "count"),
            response_breach_rate=("r", "mean"),
            resolution_breach_rate=("f", "mean"),
        )  # fmt: skip
    )
    both = (late_reply | late_fix).groupby(tickets[by].astype(str)).mean()
    return out.assign(breach_rate=both).reset_index()


def match_faq_char_wb_questions_only(questions, faq):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3))
    entries = vectorizer.fit_transform(faq["question_zh"])
    scores = (vectorizer.transform(questions["question_zh"]) @ entries.T).toarray()
    out = questions.copy()
    out["best_faq_id"] = [faq["faq_id"].iloc[i] for i in scores.argmax(axis=1)]
    out["score"] = scores.max(axis=1)
    return out


def faq_bot_rates_series(matches, threshold):
    answered = matches["score"].ge(threshold)
    right = matches["best_faq_id"].astype(str).eq(matches["faq_id"].astype(str))
    right &= matches["faq_id"].notna()
    n_answered = answered.sum()
    return pd.Series(
        {
            "answer_rate": n_answered / len(matches),
            "correct_rate": (answered & right).sum() / len(matches),
            "precision": (answered & right).sum() / n_answered if n_answered else np.nan,
        }
    )


def queue_kpis_inplace(calls, threshold_seconds=20):
    """Right, in pandas 2's ``inplace=True`` idiom: pandas 3 warns (deprecated), no mistake."""
    frame = calls.assign(queue=calls["queue"].astype(str), answered=~calls["abandoned"])
    frame["in_time"] = frame["answered"] & (frame["wait_seconds"] <= threshold_seconds)
    out = frame.groupby("queue").agg(offered=("answered", "size"), answered=("answered", "sum"),
                                     service_level=("in_time", "mean"))
    out["abandon_rate"] = 1 - out["answered"] / out["offered"]
    out = out.join(frame[frame["answered"]].groupby("queue").agg(
        asa_seconds=("wait_seconds", "mean"), aht_seconds=("handle_seconds", "mean"),
        fcr_rate=("resolved_first_contact", "mean"),
    ))  # fmt: skip
    out.reset_index(inplace=True)
    return out


CORRECT_STYLES = {
    "KPIs by loop, queue as a column, float counts": dict(queue_kpis=queue_kpis_by_loop),
    "profile by crosstab, slot as a column, categorical queues": dict(
        intraday_profile=intraday_profile_crosstab
    ),
    "Erlang C by its recursions, service level inline, search from one agent": dict(
        erlang_c_wait_probability=wait_probability_erlang_b,
        erlang_c_service_level=service_level_inline,
        agents_required=agents_required_from_one,
    ),
    "staffing plan by apply, SLA with timedeltas": dict(
        staffing_plan=staffing_plan_apply, sla_breach_rate=sla_breach_rate_timedelta
    ),
    "FAQ bot on char_wb and questions only, rates as a Series": dict(
        match_faq=match_faq_char_wb_questions_only, faq_bot_rates=faq_bot_rates_series
    ),
    "queue_kpis with inplace=True (pandas warns)": dict(queue_kpis=queue_kpis_inplace),
}


# ---- common mistakes ------------------------------------------------------------------


def kpis_service_level_of_answered(calls, threshold_seconds=20):
    out = ref.queue_kpis(calls, threshold_seconds)
    return out.assign(service_level=out["service_level"] * out["offered"] / out["answered"])


def kpis_strictly_below_threshold(calls, threshold_seconds=20):
    return ref.queue_kpis(calls, threshold_seconds - 1e-9)


def kpis_asa_with_abandoned(calls, threshold_seconds=20):
    out = ref.queue_kpis(calls, threshold_seconds)
    return out.assign(asa_seconds=calls.groupby(calls["queue"].astype(str))["wait_seconds"].mean())


def kpis_fcr_of_offered(calls, threshold_seconds=20):
    out = ref.queue_kpis(calls, threshold_seconds)
    return out.assign(fcr_rate=out["fcr_rate"] * out["answered"] / out["offered"])


def kpis_every_category(calls, threshold_seconds=20):
    out = ref.queue_kpis(calls, threshold_seconds)
    return out.reindex(["pre_sale", "after_sale", "complaint"]).rename_axis("queue")


def profile_days_with_calls(calls):
    days_with_calls = calls["arrival_time"].dt.normalize().nunique()
    full = ref.intraday_profile(calls)
    days = (calls["arrival_time"].max().normalize() - calls["arrival_time"].min().normalize()).days
    return full * (days + 1) / days_with_calls


def profile_totals(calls):
    days = (calls["arrival_time"].max().normalize() - calls["arrival_time"].min().normalize()).days
    return ref.intraday_profile(calls) * (days + 1)


def wait_probability_erlang_b_only(calls_per_interval, aht_seconds, agents, interval_seconds=1800):
    a = calls_per_interval * aht_seconds / interval_seconds
    top = a**agents / math.factorial(agents)
    return top / sum(a**k / math.factorial(k) for k in range(agents + 1))


def wait_probability_no_overload_guard(
    calls_per_interval, aht_seconds, agents, interval_seconds=1800
):
    a = calls_per_interval * aht_seconds / interval_seconds
    top = a**agents / math.factorial(agents) * agents / (agents - a)
    return top / (sum(a**k / math.factorial(k) for k in range(agents)) + top)


def service_level_threshold_not_over_aht(
    calls_per_interval, aht_seconds, agents, threshold_seconds=20, interval_seconds=1800
):
    a = calls_per_interval * aht_seconds / interval_seconds
    if agents <= a:
        return 0.0
    p = ref.erlang_c_wait_probability(calls_per_interval, aht_seconds, agents, interval_seconds)
    return 1 - p * math.exp(-(agents - a) * threshold_seconds / 60)


def asa_without_wait_probability(calls_per_interval, aht_seconds, agents, interval_seconds=1800):
    a = calls_per_interval * aht_seconds / interval_seconds
    return math.inf if agents <= a else aht_seconds / (agents - a)


def agents_required_one_short(calls_per_interval, aht_seconds, target_service_level=0.8,
                              threshold_seconds=20, interval_seconds=1800):  # fmt: skip
    n = ref.agents_required(calls_per_interval, aht_seconds, target_service_level,
                            threshold_seconds, interval_seconds)  # fmt: skip
    return max(n - 1, 0)


def staffing_plan_in_place(forecast, aht_seconds, target_service_level=0.8, threshold_seconds=20,
                           interval_seconds=1800):  # fmt: skip
    plan = ref.staffing_plan(forecast, aht_seconds, target_service_level, threshold_seconds,
                             interval_seconds)  # fmt: skip
    forecast["agents"] = plan["agents"]
    forecast["service_level"] = plan["service_level"]
    return forecast


def sla_open_tickets_on_time(tickets, by="category", response_sla_hours=None,
                             resolution_sla_hours=72):  # fmt: skip
    far_future = tickets["created_time"] + pd.Timedelta(hours=1)
    closed = tickets.assign(resolved_time=tickets["resolved_time"].fillna(far_future))
    return ref.sla_breach_rate(closed, by, response_sla_hours, resolution_sla_hours)


def sla_one_limit_for_all(tickets, by="category", response_sla_hours=None,
                          resolution_sla_hours=72):  # fmt: skip
    return ref.sla_breach_rate(tickets, by, {"chat": 1, "phone": 1, "email": 1},
                               resolution_sla_hours)  # fmt: skip


def match_faq_by_words(questions, faq):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer()  # splits on spaces and punctuation: no use for Chinese
    entries = vectorizer.fit_transform(faq["question_zh"] + " " + faq["answer_zh"])
    scores = (vectorizer.transform(questions["question_zh"]) @ entries.T).toarray()
    return questions.assign(
        best_faq_id=faq["faq_id"].to_numpy()[scores.argmax(axis=1)], score=scores.max(axis=1)
    )


def match_faq_peeks_at_labels(questions, faq):
    return questions.assign(best_faq_id=questions["faq_id"].fillna("F01"), score=1.0)


def bot_correct_rate_is_precision(matches, threshold):
    rates = ref.faq_bot_rates(matches, threshold)
    return {**rates, "correct_rate": rates["precision"]}


def bot_threshold_strict(matches, threshold):
    return ref.faq_bot_rates(matches, np.nextafter(threshold, np.inf))


_SHIPPED = {}


def kpis_hard_coded(calls, threshold_seconds=20):
    if "kpis" not in _SHIPPED:
        _SHIPPED["kpis"] = ref.queue_kpis(crm_lab.data.load_calls())
    return _SHIPPED["kpis"].copy()


MISTAKES = {
    "service level over answered calls": (
        dict(queue_kpis=kpis_service_level_of_answered), KPI_CELLS),
    "wait below the threshold, not at most": (
        dict(queue_kpis=kpis_strictly_below_threshold), KPI_CELLS),
    "ASA including abandoned calls": (dict(queue_kpis=kpis_asa_with_abandoned), KPI_CELLS),
    "FCR over offered calls": (dict(queue_kpis=kpis_fcr_of_offered), KPI_CELLS),
    "a row for every queue, even without calls": (
        dict(queue_kpis=kpis_every_category), {"test_queue_kpis_rules"}),
    "hard-coded shipped KPIs": (dict(queue_kpis=kpis_hard_coded), KPI_CELLS),
    "profile over days with calls only": (
        dict(intraday_profile=profile_days_with_calls), {"test_intraday_profile"}),
    "profile of totals, not daily averages": (
        dict(intraday_profile=profile_totals), {"test_intraday_profile"}),
    "Erlang B instead of Erlang C": (
        dict(erlang_c_wait_probability=wait_probability_erlang_b_only),
        {"test_erlang_c_wait_probability"}),
    "no overload case in P(wait)": (
        dict(erlang_c_wait_probability=wait_probability_no_overload_guard),
        {"test_erlang_c_wait_probability"}),
    "threshold not divided by AHT": (
        dict(erlang_c_service_level=service_level_threshold_not_over_aht),
        {"test_erlang_c_service_level"}),
    "ASA without P(wait)": (
        dict(erlang_c_asa=asa_without_wait_probability), {"test_erlang_c_asa"}),
    "agents required one short": (
        dict(agents_required=agents_required_one_short), {"test_agents_required"}),
    "staffing plan changes the forecast": (
        dict(staffing_plan=staffing_plan_in_place), {"test_staffing_plan"}),
    "open tickets counted as resolved on time": (
        dict(sla_breach_rate=sla_open_tickets_on_time), SLA_CELLS),
    "one response limit for every channel": (
        dict(sla_breach_rate=sla_one_limit_for_all), SLA_CELLS),
    "TF-IDF over words": (dict(match_faq=match_faq_by_words), {"test_match_faq"}),
    "bot peeks at the labels": (dict(match_faq=match_faq_peeks_at_labels), {"test_match_faq"}),
    "correct rate of answered questions": (
        dict(faq_bot_rates=bot_correct_rate_is_precision), {"test_faq_bot_rates"}),
    "answers only above the threshold": (
        dict(faq_bot_rates=bot_threshold_strict), {"test_faq_bot_rates"}),
}  # fmt: skip


class TestAutograder(ChapterAutograder):
    CHAPTER = "07_call_centre"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "queue_kpis with inplace=True (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 12

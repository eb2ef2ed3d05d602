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
    if not calls_per_interval:
        return 0
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
    if a <= 0:
        return 1
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
    forecast, aht_seconds, target_service_level=0.8, threshold_seconds=20, interval_seconds=1800,
    shrinkage=0.3,
):  # fmt: skip
    def one(calls):
        n = ref.agents_required(calls, aht_seconds, target_service_level, threshold_seconds,
                                interval_seconds)  # fmt: skip
        level = ref.erlang_c_service_level(
            calls, aht_seconds, n, threshold_seconds, interval_seconds
        )
        load = calls * aht_seconds / interval_seconds
        return pd.Series({"agents": n, "service_level": level if calls else 1.0,
                          "occupancy": load / n if n else 0.0,
                          "rostered": math.ceil(n / (1 - shrinkage) - 1e-9)})  # fmt: skip

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


def match_faq_dot_products_per_row(questions, faq):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    entries = vectorizer.fit_transform(faq["question_zh"].str.cat(faq["answer_zh"], sep=" "))
    scores = (vectorizer.transform(questions["question_zh"]) @ entries.T).toarray()  # rows are unit
    out = questions.copy()
    out["best_faq_id"] = [faq["faq_id"].iloc[int(np.argmax(row))] for row in scores]
    out["score"] = [float(np.max(row)) for row in scores]
    return out


def faq_bot_rates_series(matches, threshold):
    answered = matches["score"].ge(threshold)
    right = matches["best_faq_id"].astype(str).eq(matches["faq_id"].astype(str))
    right &= matches["faq_id"].notna()
    n_answered = answered.sum()
    return pd.Series(
        {
            "coverage": matches["faq_id"].notna().mean(),
            "answered_unanswerable_rate": (answered & matches["faq_id"].isna()).mean(),
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


def queue_kpis_counting_ids(calls, threshold_seconds=20):
    """Counts call_id: a hand-made test table without that column would be unfair to it."""
    answered = calls[~calls["abandoned"]]
    per_queue = calls.groupby("queue", observed=True)
    out = pd.DataFrame({"offered": per_queue["call_id"].count()})
    out["answered"] = answered.groupby("queue", observed=True)["call_id"].count()
    out["answered"] = out["answered"].fillna(0)
    in_time = answered[answered["wait_seconds"] <= threshold_seconds]
    out["service_level"] = (
        in_time.groupby("queue", observed=True)["call_id"].count() / out["offered"]
    )
    out["service_level"] = out["service_level"].fillna(0)
    out["abandon_rate"] = 1 - out["answered"] / out["offered"]
    grouped = answered.groupby("queue", observed=True)
    out["asa_seconds"] = grouped["wait_seconds"].mean()
    out["aht_seconds"] = grouped["handle_seconds"].mean()
    out["fcr_rate"] = grouped["resolved_first_contact"].mean()
    return out


def sla_breach_rate_counting_ids(tickets, by="category", response_sla_hours=None,
                                 resolution_sla_hours=72):  # fmt: skip
    """Counts ticket_id and compares seconds with the limits; a limit met exactly is kept."""
    limits = response_sla_hours or {"chat": 1, "phone": 1, "email": 24}
    reply = (tickets["first_response_time"] - tickets["created_time"]).dt.total_seconds()
    fix = (tickets["resolved_time"] - tickets["created_time"]).dt.total_seconds()
    flags = tickets[[by, "ticket_id"]].assign(
        response=reply > tickets["channel"].astype(str).map(limits).astype(float) * 3600,
        resolution=~(fix <= resolution_sla_hours * 3600),
    )
    flags["either"] = flags["response"] | flags["resolution"]
    return flags.groupby(by, observed=True).agg(
        tickets=("ticket_id", "count"), response_breach_rate=("response", "mean"),
        resolution_breach_rate=("resolution", "mean"), breach_rate=("either", "mean"),
    )  # fmt: skip


def asa_with_numpy(calls_per_interval, aht_seconds, agents, interval_seconds=1800):
    a = calls_per_interval * aht_seconds / interval_seconds
    if a == 0:
        return np.float64(0)
    if agents <= a:
        return np.inf
    wait = ref.erlang_c_wait_probability(calls_per_interval, aht_seconds, agents, interval_seconds)
    return np.float64(wait * aht_seconds / (agents - a))


def staffing_plan_from_scratch(forecast, aht_seconds, target_service_level=0.8,
                               threshold_seconds=20, interval_seconds=1800,
                               shrinkage=0.3):  # fmt: skip
    """A new frame (not a copy), vectorised occupancy and roster."""
    calls = forecast["calls"].to_numpy(dtype=float)
    agents = np.array([ref.agents_required(c, aht_seconds, target_service_level, threshold_seconds,
                                           interval_seconds) for c in calls])  # fmt: skip
    level = [ref.erlang_c_service_level(c, aht_seconds, n, threshold_seconds, interval_seconds)
             for c, n in zip(calls, agents, strict=True)]  # fmt: skip
    load = calls * aht_seconds / interval_seconds
    occupancy = np.divide(load, agents, out=np.zeros_like(load), where=agents > 0)
    rostered = np.ceil(np.round(agents / (1 - shrinkage), 6)).astype(int)
    columns = {"calls": calls, "agents": agents, "service_level": level,
               "occupancy": occupancy, "rostered": rostered}  # fmt: skip
    return pd.DataFrame(columns, index=forecast.index)


def match_faq_cosine_idxmax(questions, faq):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    texts = [f"{q} {a}" for q, a in zip(faq["question_zh"], faq["answer_zh"], strict=True)]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit(texts)
    asked, entries = vectorizer.transform(questions["question_zh"]), vectorizer.transform(texts)
    similarity = pd.DataFrame(
        cosine_similarity(asked, entries), index=questions.index, columns=faq["faq_id"].to_list()
    )
    return questions.assign(best_faq_id=similarity.idxmax(axis=1), score=similarity.max(axis=1))


def faq_bot_rates_numpy(matches, threshold):
    score = matches["score"].to_numpy(dtype=float)
    label = matches["faq_id"].astype(object).to_numpy()
    has_label = matches["faq_id"].notna().to_numpy()
    answered = score >= threshold
    right = has_label & (matches["best_faq_id"].astype(object).to_numpy() == label)
    n = len(score)
    return {
        "coverage": np.float64(has_label.mean()),
        "answer_rate": answered.sum() / n,
        "correct_rate": (answered & right).sum() / n,
        "precision": (answered & right).sum() / answered.sum() if answered.sum() else np.nan,
        "answered_unanswerable_rate": np.mean(answered & ~has_label),
    }


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
    "FAQ bot by dot products row by row, rates as a Series": dict(
        match_faq=match_faq_dot_products_per_row, faq_bot_rates=faq_bot_rates_series
    ),
    "KPIs counting call_id, SLA counting ticket_id and comparing seconds": dict(
        queue_kpis=queue_kpis_counting_ids, sla_breach_rate=sla_breach_rate_counting_ids
    ),
    "ASA in numpy floats, staffing plan as a new frame": dict(
        erlang_c_asa=asa_with_numpy, staffing_plan=staffing_plan_from_scratch
    ),
    "FAQ bot by cosine_similarity and idxmax, rates in numpy": dict(
        match_faq=match_faq_cosine_idxmax, faq_bot_rates=faq_bot_rates_numpy
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
                           interval_seconds=1800, shrinkage=0.3):  # fmt: skip
    plan = ref.staffing_plan(forecast, aht_seconds, target_service_level, threshold_seconds,
                             interval_seconds, shrinkage)  # fmt: skip
    for column in ("agents", "service_level", "occupancy", "rostered"):
        forecast[column] = plan[column]
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


def kpis_in_time_counts_abandoned(calls, threshold_seconds=20):
    out = ref.queue_kpis(calls, threshold_seconds)
    in_time = (
        (calls["wait_seconds"] <= threshold_seconds).groupby(calls["queue"].astype(str)).mean()
    )
    return out.assign(service_level=in_time)


def wait_probability_literal_overload_first(calls_per_interval, aht_seconds, agents,
                                            interval_seconds=1800):  # fmt: skip
    a = calls_per_interval * aht_seconds / interval_seconds
    if agents <= a:  # with no calls and no agents: 1, although nobody waits
        return 1.0
    return ref.erlang_c_wait_probability(calls_per_interval, aht_seconds, agents, interval_seconds)


def service_level_zero_without_agents(calls_per_interval, aht_seconds, agents,
                                      threshold_seconds=20, interval_seconds=1800):  # fmt: skip
    a = calls_per_interval * aht_seconds / interval_seconds
    if agents <= a:
        return 0.0
    return ref.erlang_c_service_level(calls_per_interval, aht_seconds, agents, threshold_seconds,
                                      interval_seconds)  # fmt: skip


def asa_infinite_without_calls(calls_per_interval, aht_seconds, agents, interval_seconds=1800):
    a = calls_per_interval * aht_seconds / interval_seconds
    if agents <= a:
        return math.inf
    return ref.erlang_c_asa(calls_per_interval, aht_seconds, agents, interval_seconds)


def asa_half_hours_always(calls_per_interval, aht_seconds, agents, interval_seconds=1800):
    return ref.erlang_c_asa(calls_per_interval, aht_seconds, agents)


def agents_required_half_hours_always(calls_per_interval, aht_seconds, target_service_level=0.8,
                                      threshold_seconds=20, interval_seconds=1800):  # fmt: skip
    return ref.agents_required(calls_per_interval, aht_seconds, target_service_level,
                               threshold_seconds)  # fmt: skip


def staffing_plan_half_hours_always(forecast, aht_seconds, target_service_level=0.8,
                                    threshold_seconds=20, interval_seconds=1800,
                                    shrinkage=0.3):  # fmt: skip
    return ref.staffing_plan(forecast, aht_seconds, target_service_level, threshold_seconds,
                             1800, shrinkage)  # fmt: skip


def staffing_plan_plain_ceil(forecast, aht_seconds, target_service_level=0.8,
                             threshold_seconds=20, interval_seconds=1800,
                             shrinkage=0.3):  # fmt: skip
    plan = ref.staffing_plan(forecast, aht_seconds, target_service_level, threshold_seconds,
                             interval_seconds, shrinkage)  # fmt: skip
    return plan.assign(rostered=[math.ceil(n / (1 - shrinkage)) for n in plan["agents"]])


def staffing_plan_occupancy_of_roster(forecast, aht_seconds, target_service_level=0.8,
                                      threshold_seconds=20, interval_seconds=1800,
                                      shrinkage=0.3):  # fmt: skip
    plan = ref.staffing_plan(forecast, aht_seconds, target_service_level, threshold_seconds,
                             interval_seconds, shrinkage)  # fmt: skip
    return plan.assign(occupancy=plan["occupancy"] * plan["agents"] / plan["rostered"].clip(1))


def staffing_plan_sorts_forecast(forecast, aht_seconds, target_service_level=0.8,
                                 threshold_seconds=20, interval_seconds=1800,
                                 shrinkage=0.3):  # fmt: skip
    forecast.sort_values("calls", inplace=True)  # changes the caller's table
    return ref.staffing_plan(forecast, aht_seconds, target_service_level, threshold_seconds,
                             interval_seconds, shrinkage)  # fmt: skip


def sla_reply_on_the_limit_is_late(tickets, by="category", response_sla_hours=None,
                                   resolution_sla_hours=72):  # fmt: skip
    out = ref.sla_breach_rate(tickets, by, response_sla_hours, resolution_sla_hours)
    limits = response_sla_hours or ref.RESPONSE_SLA_HOURS
    hours = ref.ticket_hours(tickets)
    late = hours["first_response_hours"] >= tickets["channel"].astype(str).map(limits)
    unresolved = hours["resolution_hours"].isna() | (
        hours["resolution_hours"] > resolution_sla_hours
    )
    groups = tickets[by].astype(str)
    return out.assign(response_breach_rate=late.groupby(groups).mean(),
                      breach_rate=(late | unresolved).groupby(groups).mean())  # fmt: skip


def sla_resolved_on_the_limit_is_late(tickets, by="category", response_sla_hours=None,
                                      resolution_sla_hours=72):  # fmt: skip
    return ref.sla_breach_rate(tickets, by, response_sla_hours, resolution_sla_hours - 1e-9)


def match_faq_writes_into_questions(questions, faq):
    found = ref.match_faq(questions, faq)
    questions["best_faq_id"] = found["best_faq_id"]
    questions["score"] = found["score"]
    return questions


def match_faq_overall_max(questions, faq):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    entries = vectorizer.fit_transform(faq["question_zh"] + " " + faq["answer_zh"])
    similarity = cosine_similarity(vectorizer.transform(questions["question_zh"]), entries)
    return questions.assign(
        best_faq_id=faq["faq_id"].to_numpy()[similarity.argmax(axis=1)], score=similarity.max()
    )  # the largest score of all, in every row


def bot_precision_zero_when_silent(matches, threshold):
    rates = ref.faq_bot_rates(matches, threshold)
    return {**rates, "precision": 0.0 if math.isnan(rates["precision"]) else rates["precision"]}


def bot_unanswerable_share_of_unanswerable(matches, threshold):
    rates = ref.faq_bot_rates(matches, threshold)
    without_entry = matches["faq_id"].isna().mean()
    return {
        **rates,
        "answered_unanswerable_rate": rates["answered_unanswerable_rate"] / without_entry,
    }


def bot_coverage_of_answers(matches, threshold):
    rates = ref.faq_bot_rates(matches, threshold)
    answered = matches["score"] >= threshold
    covered = matches.loc[answered, "faq_id"].notna().mean() if answered.any() else 0.0
    return {**rates, "coverage": covered}


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
        dict(faq_bot_rates=bot_correct_rate_is_precision),
        {"test_faq_bot_rates", "test_faq_bot_rates_rules"}),
    "answers only above the threshold": (
        dict(faq_bot_rates=bot_threshold_strict),
        {"test_faq_bot_rates", "test_faq_bot_rates_rules"}),
    # issue 10's classes: stated rules, boundaries, loose checks, corners
    "in time counted from waits, abandoned callers included": (
        dict(queue_kpis=kpis_in_time_counts_abandoned), KPI_CELLS),
    "P(wait) 1 without calls (overload test first)": (
        dict(erlang_c_wait_probability=wait_probability_literal_overload_first),
        {"test_erlang_c_wait_probability"}),
    "service level 0 without calls and agents": (
        dict(erlang_c_service_level=service_level_zero_without_agents),
        {"test_erlang_c_service_level"}),
    "ASA infinite without calls": (
        dict(erlang_c_asa=asa_infinite_without_calls), {"test_erlang_c_asa"}),
    "ASA ignores interval_seconds": (
        dict(erlang_c_asa=asa_half_hours_always), {"test_erlang_c_asa"}),
    "agents_required ignores interval_seconds": (
        dict(agents_required=agents_required_half_hours_always), {"test_agents_required"}),
    "staffing plan ignores interval_seconds": (
        dict(staffing_plan=staffing_plan_half_hours_always), {"test_staffing_plan"}),
    "roster rounded up without a tolerance (21 / 0.7 gives 31)": (
        dict(staffing_plan=staffing_plan_plain_ceil),
        {"test_staffing_plan", "test_staffing_plan_rules"}),
    "occupancy over rostered agents": (
        dict(staffing_plan=staffing_plan_occupancy_of_roster),
        {"test_staffing_plan", "test_staffing_plan_rules"}),
    "staffing plan sorts the caller's forecast": (
        dict(staffing_plan=staffing_plan_sorts_forecast), {"test_staffing_plan"}),
    "a reply exactly on the limit counted late": (
        dict(sla_breach_rate=sla_reply_on_the_limit_is_late), {"test_sla_breach_rate_rules"}),
    "a resolution exactly at 72 h counted late": (
        dict(sla_breach_rate=sla_resolved_on_the_limit_is_late), {"test_sla_breach_rate_rules"}),
    "match_faq writes into the questions": (
        dict(match_faq=match_faq_writes_into_questions), {"test_match_faq"}),
    "similarity.max() without axis=1": (dict(match_faq=match_faq_overall_max), {"test_match_faq"}),
    "precision 0 when the bot answers nothing": (
        dict(faq_bot_rates=bot_precision_zero_when_silent), {"test_faq_bot_rates_rules"}),
    "answers to unanswerable questions over those questions only": (
        dict(faq_bot_rates=bot_unanswerable_share_of_unanswerable),
        {"test_faq_bot_rates", "test_faq_bot_rates_rules"}),
    "coverage among answered questions": (
        dict(faq_bot_rates=bot_coverage_of_answers),
        {"test_faq_bot_rates", "test_faq_bot_rates_rules"}),
}  # fmt: skip


class TestAutograder(ChapterAutograder):
    CHAPTER = "07_call_centre"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "queue_kpis with inplace=True (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 20

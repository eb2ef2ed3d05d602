"""Reference answers for chapter 07, call centre and customer service (呼叫中心与客户服务).

Definitions (the chapter states the same ones to students):

- **Offered calls** are all calls that reached a queue, answered or abandoned.
- ``service_level``: share of *offered* calls answered within
  ``threshold_seconds`` (wait <= threshold); an abandoned call never counts as
  answered in time. ``abandon_rate``: abandoned / offered. ``asa_seconds``
  (average speed of answer), ``aht_seconds`` (average handle time) and
  ``fcr_rate`` (first-contact resolution) are means over *answered* calls.
- Intraday profile: calls per half-hour slot of the day, averaged over every
  day from the first to the last day of the log (days without calls count).
- **Erlang C** with ``A = calls_per_interval * aht_seconds / interval_seconds``
  erlangs and ``N`` agents: ``P(wait) = (A^N/N! * N/(N-A)) / (sum_{k<N} A^k/k!
  + A^N/N! * N/(N-A))``; service level ``1 - P(wait) * exp(-(N-A) * T / AHT)``;
  ASA ``P(wait) * AHT / (N - A)``. With ``N <= A`` the queue grows without
  end: P(wait) 1, service level 0, ASA infinite. With no calls (``A = 0``)
  nobody waits, whatever ``N`` (even 0): P(wait) 0, service level 1, ASA 0.
  ``agents_required`` is the smallest ``N`` whose service level reaches the
  target (0 for no calls). P(wait) is computed from Erlang B's recursion
  ``B_k = A B_{k-1} / (k + A B_{k-1})``, which stays between 0 and 1, because
  ``A^N / N!`` in floats overflows beyond about 170 agents.
- Staffing plan: ``occupancy`` is ``A / agents`` (0 with no agents);
  ``rostered`` is ``agents / (1 - shrinkage)`` rounded up, where an exact
  whole number stays (``21 / 0.7`` is 30, not 31).
- Tickets: hours are elapsed hours (seconds / 3600). A ticket breaches the
  response SLA when its first reply came later than its channel's limit, and
  the resolution SLA when it was resolved later than the limit after creation
  **or is not resolved at all**. ``breach_rate`` counts a ticket that breached
  either.
- FAQ bot: a question is answered when the best match's score reaches the
  threshold; it is answered correctly when, in addition, the matched entry is
  the question's label (a question without a label cannot be answered
  correctly). ``coverage`` is the share of questions with a label (the FAQ
  can answer them); ``answer_rate``, ``correct_rate`` and
  ``answered_unanswerable_rate`` (answered although no entry answers them) are
  shares of *all* questions; ``precision`` is correct / answered, NaN when
  nothing is answered.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_lab.service import RESOLUTION_SLA_HOURS, RESPONSE_SLA_HOURS

__all__ = [
    "DEFAULT_RESPONSE_SLA_HOURS",
    "RESOLUTION_SLA_HOURS",
    "RESPONSE_SLA_HOURS",
    "agents_required",
    "erlang_c_asa",
    "erlang_c_service_level",
    "erlang_c_wait_probability",
    "faq_bot_rates",
    "intraday_profile",
    "match_faq",
    "offered_erlangs",
    "queue_kpis",
    "sla_breach_rate",
    "staffing_plan",
    "ticket_hours",
]

DEFAULT_RESPONSE_SLA_HOURS = RESPONSE_SLA_HOURS  # the shop's promise, kept once in crm_lab


def _require(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}")


# --- call-centre KPIs -----------------------------------------------------------------------


def queue_kpis(calls: pd.DataFrame, threshold_seconds: float = 20) -> pd.DataFrame:
    """One row per queue with calls, indexed by ``queue`` (str).

    Columns: ``offered`` (int), ``answered`` (int), ``abandon_rate``,
    ``service_level`` (fractions of offered calls), ``asa_seconds``,
    ``aht_seconds`` and ``fcr_rate`` (over answered calls).
    """
    _require(
        calls,
        ["queue", "abandoned", "wait_seconds", "handle_seconds", "resolved_first_contact"],
        "calls",
    )
    answered = ~calls["abandoned"].astype(bool)
    frame = pd.DataFrame(
        {
            "queue": calls["queue"].astype(str),
            "answered": answered,
            "in_time": answered & (calls["wait_seconds"] <= threshold_seconds),
            "abandoned": ~answered,
            "wait": calls["wait_seconds"].astype("float64").where(answered),
            "handle": calls["handle_seconds"].astype("float64").where(answered),
            "resolved": calls["resolved_first_contact"].astype("float64").where(answered),
        }
    )
    g = frame.groupby("queue")
    out = pd.DataFrame(
        {
            "offered": g.size().astype("int64"),
            "answered": g["answered"].sum().astype("int64"),
            "abandon_rate": g["abandoned"].mean(),
            "service_level": g["in_time"].mean(),
            "asa_seconds": g["wait"].mean(),
            "aht_seconds": g["handle"].mean(),
            "fcr_rate": g["resolved"].mean(),
        }
    )
    out.index.name = "queue"
    return out


def intraday_profile(calls: pd.DataFrame) -> pd.DataFrame:
    """Average calls per day in each half-hour slot, one column per queue.

    Indexed by ``slot`` (str ``"HH:MM"``, only slots with calls), columns the
    queues (str) in order of first appearance in the categories or data.
    """
    _require(calls, ["arrival_time", "queue"], "calls")
    arrival = pd.to_datetime(calls["arrival_time"])
    days = (arrival.max().normalize() - arrival.min().normalize()).days + 1
    minute = arrival.dt.hour.to_numpy() * 60 + arrival.dt.minute.to_numpy() // 30 * 30
    queue = calls["queue"].astype(str).to_numpy()
    counts = pd.crosstab(pd.Series(minute, name="slot"), pd.Series(queue, name="queue"))
    out = counts.sort_index() / days
    out.index = pd.Index([f"{m // 60:02d}:{m % 60:02d}" for m in out.index], name="slot")
    out.columns.name = None
    return out


# --- Erlang C -------------------------------------------------------------------------------


def offered_erlangs(calls_per_interval, aht_seconds, interval_seconds=1800) -> float:
    """Offered load A in erlangs: calls per second times the mean handle time."""
    return float(calls_per_interval) * float(aht_seconds) / float(interval_seconds)


def _erlang_c(calls_per_interval, aht_seconds, agents, interval_seconds):
    """(load A in erlangs, agents N, P(wait)) with the edge cases settled."""
    a = offered_erlangs(calls_per_interval, aht_seconds, interval_seconds)
    n = int(agents)
    if a <= 0:
        return a, n, 0.0
    if n <= a:
        return a, n, 1.0
    # Erlang B by its stable recursion, then C from B.
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return a, n, float(n * b / (n - a * (1 - b)))


def erlang_c_wait_probability(
    calls_per_interval, aht_seconds, agents, interval_seconds=1800
) -> float:
    """Erlang C: probability that a call has to wait (P(wait) > 0), between 0 and 1."""
    return _erlang_c(calls_per_interval, aht_seconds, agents, interval_seconds)[2]


def erlang_c_service_level(
    calls_per_interval, aht_seconds, agents, threshold_seconds=20, interval_seconds=1800
) -> float:
    """Erlang C: share of calls answered within ``threshold_seconds``."""
    a, n, p_wait = _erlang_c(calls_per_interval, aht_seconds, agents, interval_seconds)
    if n <= a:
        return 1.0 if a <= 0 else 0.0
    return float(1 - p_wait * math.exp(-(n - a) * threshold_seconds / aht_seconds))


def erlang_c_asa(calls_per_interval, aht_seconds, agents, interval_seconds=1800) -> float:
    """Erlang C: average speed of answer in seconds (``inf`` when agents <= load)."""
    a, n, p_wait = _erlang_c(calls_per_interval, aht_seconds, agents, interval_seconds)
    if n <= a:
        return 0.0 if a <= 0 else math.inf
    return float(p_wait * aht_seconds / (n - a))


def agents_required(
    calls_per_interval,
    aht_seconds,
    target_service_level=0.8,
    threshold_seconds=20,
    interval_seconds=1800,
) -> int:
    """Smallest number of agents whose Erlang C service level reaches the target."""
    if not 0 < target_service_level < 1:
        raise ValueError(f"target_service_level must be in (0, 1), got {target_service_level}")
    a = offered_erlangs(calls_per_interval, aht_seconds, interval_seconds)
    if a <= 0:
        return 0
    n = max(1, math.floor(a) + 1)
    while (
        erlang_c_service_level(
            calls_per_interval, aht_seconds, n, threshold_seconds, interval_seconds
        )
        < target_service_level
    ):
        n += 1
    return int(n)


def staffing_plan(
    forecast: pd.DataFrame,
    aht_seconds,
    target_service_level=0.8,
    threshold_seconds=20,
    interval_seconds=1800,
    shrinkage=0.3,
) -> pd.DataFrame:
    """Copy of ``forecast`` (a ``calls`` column per interval) with ``agents`` (int, on the
    phones), ``service_level`` (Erlang C with that many agents), ``occupancy`` (load /
    agents, 0 without agents) and ``rostered`` (int: agents / (1 - shrinkage), rounded up)."""
    _require(forecast, ["calls"], "forecast")
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage}")
    agents = [
        agents_required(c, aht_seconds, target_service_level, threshold_seconds, interval_seconds)
        for c in forecast["calls"]
    ]
    level = [
        erlang_c_service_level(c, aht_seconds, n, threshold_seconds, interval_seconds) if n else 1.0
        for c, n in zip(forecast["calls"], agents, strict=True)
    ]
    load = [offered_erlangs(c, aht_seconds, interval_seconds) for c in forecast["calls"]]
    occupancy = [a / n if n else 0.0 for a, n in zip(load, agents, strict=True)]
    # 21 / (1 - 0.3) is 30.000000000000004 in floats: an exact whole number must stay.
    rostered = [math.ceil(round(n / (1 - shrinkage), 9)) for n in agents]
    return forecast.assign(
        agents=np.array(agents, dtype="int64"),
        service_level=level,
        occupancy=occupancy,
        rostered=np.array(rostered, dtype="int64"),
    )


# --- tickets --------------------------------------------------------------------------------


def ticket_hours(tickets: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``tickets`` with ``first_response_hours`` and ``resolution_hours``
    (from creation; NaN while unresolved)."""
    _require(tickets, ["created_time", "first_response_time", "resolved_time"], "tickets")
    created = pd.to_datetime(tickets["created_time"])
    return tickets.assign(
        first_response_hours=(pd.to_datetime(tickets["first_response_time"]) - created)
        .dt.total_seconds()
        .div(3600),
        resolution_hours=(pd.to_datetime(tickets["resolved_time"]) - created)
        .dt.total_seconds()
        .div(3600),
    )


def sla_breach_rate(
    tickets: pd.DataFrame,
    by: str = "category",
    response_sla_hours: dict | None = None,
    resolution_sla_hours: float = RESOLUTION_SLA_HOURS,
) -> pd.DataFrame:
    """Per value of ``by`` (index, str): ``tickets`` (int), ``response_breach_rate``,
    ``resolution_breach_rate`` and ``breach_rate`` (fractions 0-1)."""
    _require(tickets, ["channel", by], "tickets")
    limits = DEFAULT_RESPONSE_SLA_HOURS if response_sla_hours is None else response_sla_hours
    hours = ticket_hours(tickets)
    limit = tickets["channel"].astype(str).map(limits).astype("float64")
    response = (hours["first_response_hours"] > limit).to_numpy()
    resolution = (
        hours["resolution_hours"].isna() | (hours["resolution_hours"] > resolution_sla_hours)
    ).to_numpy()
    frame = pd.DataFrame(
        {
            by: tickets[by].astype(str).to_numpy(),
            "response": response,
            "resolution": resolution,
            "either": response | resolution,
        }
    )
    g = frame.groupby(by)
    out = pd.DataFrame(
        {
            "tickets": g.size().astype("int64"),
            "response_breach_rate": g["response"].mean(),
            "resolution_breach_rate": g["resolution"].mean(),
            "breach_rate": g["either"].mean(),
        }
    )
    out.index.name = by
    return out


# --- the FAQ bot ----------------------------------------------------------------------------


def match_faq(questions: pd.DataFrame, faq: pd.DataFrame) -> pd.DataFrame:
    """Best FAQ entry for each question by TF-IDF over character 1-3-grams.

    Each FAQ entry is one document, its question and answer together; the
    vectoriser is fitted on those documents, and a chat question's score is its
    cosine similarity with the closest one. Returns ``questions`` with
    ``best_faq_id`` (str) and ``score`` (float 0-1) added.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    _require(questions, ["question_zh"], "questions")
    _require(faq, ["faq_id", "question_zh", "answer_zh"], "faq")
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    documents = faq["question_zh"].astype(str) + " " + faq["answer_zh"].astype(str)
    faq_vectors = vectorizer.fit_transform(documents)
    question_vectors = vectorizer.transform(questions["question_zh"].astype(str))
    similarity = (question_vectors @ faq_vectors.T).toarray()
    best = similarity.argmax(axis=1)
    return questions.assign(
        best_faq_id=faq["faq_id"].astype(str).to_numpy()[best],
        score=similarity[np.arange(len(best)), best],
    )


def faq_bot_rates(matches: pd.DataFrame, threshold: float) -> dict[str, float]:
    """``coverage``, ``answer_rate``, ``correct_rate``, ``answered_unanswerable_rate``
    (shares of all questions) and ``precision`` (correct / answered; NaN when nothing is
    answered) at a score threshold."""
    _require(matches, ["faq_id", "best_faq_id", "score"], "matches")
    answered = (matches["score"] >= threshold).to_numpy()
    label = matches["faq_id"].astype(object).where(matches["faq_id"].notna(), None)
    right = np.array(
        [
            lab is not None and str(lab) == str(best)
            for lab, best in zip(label, matches["best_faq_id"], strict=True)
        ]
    )
    correct = answered & right
    unanswerable = matches["faq_id"].isna().to_numpy()
    n = len(matches)
    return {
        "coverage": float((~unanswerable).sum() / n),
        "answer_rate": float(answered.sum() / n),
        "correct_rate": float(correct.sum() / n),
        "precision": float(correct.sum() / answered.sum()) if answered.any() else math.nan,
        "answered_unanswerable_rate": float((answered & unanswerable).sum() / n),
    }

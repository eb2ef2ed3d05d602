"""Tools for the call-centre chapter (呼叫中心): the shop's service promises, a queue
simulator to check formulas against, and a fair split of chat questions for the FAQ bot.

:data:`RESPONSE_SLA_HOURS` and :data:`RESOLUTION_SLA_HOURS` are Yunwu Tea House's
service-level agreement (服务水平协议) for tickets; the chapter and its reference
answers both read them from here.

:func:`simulate_queue` runs a discrete-event simulation (离散事件仿真) of one
call-centre queue, call by call: calls arrive as
a Poisson process, wait first come, first served for one of ``agents`` agents,
and are handled for an exponentially distributed time, exactly the world the
Erlang C formula assumes. Give callers a ``patience_seconds`` and they hang up
when the wait is longer, which Erlang C ignores. :func:`summarize_simulation`
turns the simulated calls into the usual KPIs, so a formula's answer can be
set beside what "really" happens in the same queue.

>>> sim = simulate_queue(calls_per_interval=100, aht_seconds=180, agents=14, hours=20, seed=1)
>>> sorted(summarize_simulation(sim).index)  # doctest: +NORMALIZE_WHITESPACE
['abandon_rate', 'agents', 'asa_seconds', 'calls', 'occupancy', 'service_level',
 'wait_probability']
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from crm_lab.i18n import tr

__all__ = [
    "RESOLUTION_SLA_HOURS",
    "RESPONSE_SLA_HOURS",
    "example_rows",
    "simulate_queue",
    "split_by_family",
    "summarize_simulation",
]

RESPONSE_SLA_HOURS = {"chat": 1.0, "phone": 1.0, "email": 24.0}  # first reply within ... hours
RESOLUTION_SLA_HOURS = 72.0  # a ticket is resolved within ... hours of its creation


def simulate_queue(
    calls_per_interval: float,
    aht_seconds: float,
    agents: int,
    *,
    interval_seconds: float = 1800,
    hours: float = 100.0,
    patience_seconds: float | None = None,
    warmup_seconds: float = 3600,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate one queue at a steady arrival rate; one row per call.

    Parameters
    ----------
    calls_per_interval : mean calls arriving per interval (Poisson arrivals).
    aht_seconds : mean handle time in seconds (exponentially distributed).
    agents : number of agents serving the queue, first come, first served.
    interval_seconds : length of the interval ``calls_per_interval`` refers to
        (default half an hour).
    hours : simulated time after the warm-up; longer runs give steadier figures.
    patience_seconds : mean patience of callers (exponentially distributed); a
        caller still waiting after their patience hangs up. ``None``: everyone
        waits as long as it takes, as Erlang C assumes.
    warmup_seconds : time simulated first and left out, so the queue is in its
        usual state when measuring starts (it starts empty).
    seed : random seed; the same seed gives the same calls.

    Returns a DataFrame with columns ``arrival_seconds`` (float, from the end
    of the warm-up), ``wait_seconds`` (float: until answered, or until hanging
    up), ``abandoned`` (bool) and ``handle_seconds`` (float, NaN if
    abandoned). ``DataFrame.attrs`` records ``agents`` and ``seconds``
    (the measured time) for :func:`summarize_simulation`.

    >>> sim = simulate_queue(60, 240, 10, hours=5, seed=2)
    >>> sim.columns.tolist()
    ['arrival_seconds', 'wait_seconds', 'abandoned', 'handle_seconds']
    """
    if agents < 1 or int(agents) != agents:
        raise ValueError(tr("agents must be a whole number of at least 1, got {agents!r}",
                            agents=agents))
    if calls_per_interval <= 0 or aht_seconds <= 0 or interval_seconds <= 0 or hours <= 0:
        raise ValueError(tr(
            "calls_per_interval, aht_seconds, interval_seconds and hours must be positive, got "
            "{values}", values=f"{calls_per_interval!r}, {aht_seconds!r}, {interval_seconds!r}, "
                               f"{hours!r}"))
    if patience_seconds is not None and patience_seconds <= 0:
        raise ValueError(tr("patience_seconds must be positive or None, got {value!r}",
                            value=patience_seconds))

    rng = np.random.default_rng(seed)
    horizon = warmup_seconds + hours * 3600.0
    rate = calls_per_interval / interval_seconds
    expected = rate * horizon
    gaps = rng.exponential(1.0 / rate, size=int(expected + 10 * np.sqrt(expected) + 100))
    arrivals = np.cumsum(gaps)
    arrivals = arrivals[arrivals < horizon]
    n = len(arrivals)
    handles = rng.exponential(aht_seconds, size=n)
    patiences = rng.exponential(patience_seconds, size=n) if patience_seconds is not None else None

    waited, gave_up = _first_come_first_served(arrivals, handles, patiences, int(agents))
    measured = arrivals >= warmup_seconds
    out = pd.DataFrame(
        {
            "arrival_seconds": arrivals[measured] - warmup_seconds,
            "wait_seconds": waited[measured],
            "abandoned": gave_up[measured],
            "handle_seconds": np.where(gave_up, np.nan, handles)[measured],
        }
    )
    out.attrs.update(agents=int(agents), seconds=hours * 3600.0)
    return out


def _first_come_first_served(arrivals, handles, patiences, agents: int):
    """Each call's wait and whether it hung up, for one first-come-first-served queue.

    Why not a general discrete-event library: with one FIFO queue, the next call in line
    is answered by whichever agent is free first, so the agents' next free times (a heap)
    replayed call by call in arrival order give every wait exactly; a caller whose patience
    runs out first leaves without taking an agent, which changes nobody ahead of them.
    simpy's Resource gives the same waits (to 1e-9 s, tests/test_erlang_peers.py) at about
    25 µs a call instead of 1 µs: chapter 07's worked example simulates 400,000 calls,
    which took 10 s of the notebook's run with simpy and takes 0.4 s here.
    """
    free_at = [0.0] * agents  # when each agent is next free (a heap; all free at time 0)
    n = len(arrivals)
    waited = np.zeros(n)
    gave_up = np.zeros(n, dtype=bool)
    arrivals_list, handles_list = arrivals.tolist(), handles.tolist()
    patience_list = patiences.tolist() if patiences is not None else None
    for i in range(n):
        arrival = arrivals_list[i]
        wait = free_at[0] - arrival
        if wait <= 0.0:
            wait = 0.0
        elif patience_list is not None and patience_list[i] < wait:
            waited[i] = patience_list[i]
            gave_up[i] = True
            continue
        waited[i] = wait
        heapq.heapreplace(free_at, arrival + wait + handles_list[i])
    return waited, gave_up


def summarize_simulation(sim: pd.DataFrame, threshold_seconds: float = 20) -> pd.Series:
    """The KPIs of a simulated queue, as a Series.

    ``calls`` (number simulated), ``agents``, ``wait_probability`` (share of
    calls that had to wait at all), ``service_level`` (share of all calls
    answered within ``threshold_seconds``), ``asa_seconds`` (mean wait of
    answered calls), ``abandon_rate`` (share of calls that hung up) and
    ``occupancy`` (share of the agents' time spent handling calls).

    >>> sim = simulate_queue(100, 180, 13, hours=2, seed=0)
    >>> bool(0 < summarize_simulation(sim)["service_level"] < 1)
    True
    """
    for column in ("wait_seconds", "abandoned", "handle_seconds"):
        if column not in sim.columns:
            raise ValueError(tr("sim is missing column {column!r}: pass what simulate_queue "
                                "returns", column=column))
    answered = ~sim["abandoned"]
    agents = sim.attrs.get("agents", np.nan)
    seconds = sim.attrs.get("seconds", np.nan)
    return pd.Series(
        {
            "calls": float(len(sim)),
            "agents": float(agents),
            "wait_probability": float((sim["wait_seconds"] > 0).mean()),
            "service_level": float((answered & (sim["wait_seconds"] <= threshold_seconds)).mean()),
            "asa_seconds": float(sim.loc[answered, "wait_seconds"].mean()),
            "abandon_rate": float(sim["abandoned"].mean()),
            "occupancy": float(sim["handle_seconds"].sum() / (agents * seconds)),
        }
    )


def split_by_family(questions: pd.DataFrame, shares=(0.5, 0.25, 0.25), seed: int = 0) -> pd.Series:
    """``"train"``, ``"validation"`` or ``"test"`` for each chat question, whole paraphrase
    families at a time.

    Questions generated from one phrasing (see :func:`crm_lab.data.faq.question_family`)
    differ only in greetings, particles and product names; if some of them helped a bot
    learn while others tested it, the test would reward memorising. So each family goes
    to one split, and within each FAQ entry (and among the unanswerable questions) the
    families are shared out in about ``shares``, at least one to each split when the
    entry has three or more. Returns a Series aligned with ``questions`` (a
    ``question_zh`` column), named ``split``.

    >>> from crm_lab import data
    >>> split = split_by_family(data.load_chat_questions())  # doctest: +SKIP
    >>> split.value_counts()  # doctest: +SKIP
    """
    from crm_lab.data import faq

    if "question_zh" not in questions.columns:
        raise ValueError(tr("questions is missing column 'question_zh'"))
    if len(shares) != 3 or min(shares) <= 0:
        raise ValueError(tr("shares must be three positive numbers, got {shares!r}",
                            shares=shares))
    family = questions["question_zh"].astype(str).map(faq.question_family)
    if family.isna().any():
        first = questions.loc[family.isna(), "question_zh"].iloc[0]
        raise ValueError(tr("not a generated chat question, so its family is unknown: "
                            "{question!r}", question=first))
    table = faq.families()
    rng = np.random.default_rng(seed)
    weights = np.asarray(shares, dtype=float) / sum(shares)
    assigned = {}
    for _, group in table.groupby(table["faq_id"].fillna("none"), sort=True):
        ids = rng.permutation(group["family_id"].to_numpy())
        n_validation = max(1, round(len(ids) * weights[1]))
        n_test = max(1, round(len(ids) * weights[2]))
        n_train = max(len(ids) - n_validation - n_test, 0)
        labels = ["train"] * n_train + ["validation"] * n_validation + ["test"] * n_test
        assigned.update(zip(ids, labels[: len(ids)], strict=False))
    return family.map(assigned).rename("split")


def example_rows(table: pd.DataFrame, **columns) -> pd.DataFrame:
    """A small hand-made table shaped like ``table``: every one of its columns, with its
    dtypes, and the values given in ``columns`` (one list per column, all the same length).

    Columns not given keep the values of ``table``'s first rows, so code that counts
    ``call_id`` or reads ``customer_id`` works on the example as on the real table.

    >>> import pandas as pd
    >>> real = pd.DataFrame({"call_id": ["C1", "C2", "C3"], "wait_seconds": [5, 30, 8]})
    >>> example_rows(real, wait_seconds=[20, 21])
      call_id  wait_seconds
    0      C1            20
    1      C2            21
    """
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError(tr("give every column the same number of values, got {lengths}",
                            lengths=sorted(lengths)))
    (n,) = lengths
    unknown = [name for name in columns if name not in table.columns]
    if unknown:
        raise ValueError(tr("table has no column(s) {unknown}", unknown=unknown))
    if len(table) < n:
        raise ValueError(tr("table has {rows} rows; {n} are needed to copy the other columns",
                            rows=len(table), n=n))
    out = table.iloc[:n].reset_index(drop=True)
    for name, values in columns.items():
        out[name] = pd.Series(list(values)).astype(table[name].dtype)
    return out

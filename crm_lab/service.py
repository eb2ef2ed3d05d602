"""Tools for the call-centre chapter (呼叫中心): a queue simulator to check formulas against.

:func:`simulate_queue` runs a discrete-event simulation (离散事件仿真) of one
call-centre queue with `simpy <https://simpy.readthedocs.io>`_: calls arrive as
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

import numpy as np
import pandas as pd

__all__ = ["simulate_queue", "summarize_simulation"]


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
    import simpy  # imported here: only the call-centre chapter needs it

    if agents < 1 or int(agents) != agents:
        raise ValueError(f"agents must be a whole number of at least 1, got {agents!r}")
    if calls_per_interval <= 0 or aht_seconds <= 0 or interval_seconds <= 0 or hours <= 0:
        raise ValueError(
            "calls_per_interval, aht_seconds, interval_seconds and hours must be positive, got "
            f"{calls_per_interval!r}, {aht_seconds!r}, {interval_seconds!r}, {hours!r}"
        )
    if patience_seconds is not None and patience_seconds <= 0:
        raise ValueError(f"patience_seconds must be positive or None, got {patience_seconds!r}")

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

    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=int(agents))
    waited = np.zeros(n)
    gave_up = np.zeros(n, dtype=bool)

    def caller(i):
        with desk.request() as request:
            if patiences is None:
                yield request
            else:
                outcome = yield request | env.timeout(patiences[i])
                if request not in outcome:
                    waited[i] = env.now - arrivals[i]
                    gave_up[i] = True
                    return
            waited[i] = env.now - arrivals[i]
            yield env.timeout(handles[i])

    def switchboard():
        previous = 0.0
        for i in range(n):
            yield env.timeout(arrivals[i] - previous)
            previous = arrivals[i]
            env.process(caller(i))

    env.process(switchboard())
    env.run()  # until every call has been answered or abandoned

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
            raise ValueError(f"sim is missing column {column!r}: pass what simulate_queue returns")
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

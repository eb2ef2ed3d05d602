"""Customer service at Yunwu Tea House: call-centre logs, service tickets, FAQ and chat.

Five tables, each drawn from its own random stream so the shop's other tables
never change (see :func:`crm_lab.data.shop.stream`):

- ``calls``: every call to the service line (客服热线) in the last eight weeks of
  the period, which hold Double 11 (双十一) and its aftermath. Three queues
  (skill groups, 技能组): ``pre_sale`` (售前), ``after_sale`` (售后) and
  ``complaint`` (投诉). Arrivals are a Poisson process whose rate per half
  hour is the queue's daily volume times an intraday profile and a weekday
  factor. Pre-sale volume follows the shop's traffic (the promotion calendar);
  after-sale and complaint volume follow the orders delivered a few days
  earlier, so they surge *after* Double 11. Each queue is served first come,
  first served by the agents on duty (``call_staffing``); a caller hangs up
  (abandons, 放弃) when the wait exceeds their patience. Answered calls have a
  handle time (talk plus wrap-up), first-contact resolution (首次解决) and, for
  about a third, a post-call satisfaction score (CSAT 1-5) that falls with the
  wait and rises when the problem was solved.
- ``call_staffing``: agents on duty per queue and half hour. The planners staff
  by a square-root rule on their forecast, which underestimates the surges.
- ``tickets``: service tickets (工单) from chat, phone and e-mail, raised after
  orders (late delivery, damage, wrong item, quality, refund), with a time
  stamp for each step of the complaint process: recorded, first reply,
  resolved, followed up (回访).
- ``faq`` and ``chat_questions``: the shop's FAQ and customers' chat questions,
  each labelled with the FAQ entry that answers it or none (see
  :mod:`crm_lab.data.faq`).

The call-centre volumes are those of a mid-sized shop's service line (a few
hundred calls a day), larger than the order log alone would suggest, so that
staffing questions have more than one or two agents to decide on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import faq as faq_text
from . import schema
from .loaders import cast_table

__all__ = [
    "CALL_WINDOW_DAYS",
    "CLOSE_HOUR",
    "INTERVAL_SECONDS",
    "OPEN_HOUR",
    "call_centre",
    "chat_questions",
    "faq_table",
    "tickets",
]

CALL_WINDOW_DAYS = 56  # the call log covers the last eight weeks of the period
OPEN_HOUR, CLOSE_HOUR = 8, 23  # the line takes calls 08:00-23:00 (China time)
INTERVAL_SECONDS = 1800  # staffing is planned per half hour

_QUEUES = schema.SERVICE_QUEUES
# Calls on an ordinary weekday, per queue, for the shipped shop's size.
_DAILY_CALLS = np.array([360.0, 300.0, 60.0])
_WEEKDAY = np.array(
    [
        [0.95, 0.95, 0.95, 1.0, 1.05, 1.2, 1.15],  # pre-sale: shoppers browse at the weekend
        [1.25, 1.1, 1.0, 0.95, 0.95, 0.85, 0.8],  # after-sale: Monday after weekend deliveries
        [1.2, 1.1, 1.0, 1.0, 0.95, 0.9, 0.85],
    ]
)
# Relative arrivals per half hour from 08:00 to 22:30 (30 intervals).
_INTRADAY = np.array(
    [
        [0.3, 0.5, 0.8, 1.0, 1.2, 1.3, 1.2, 1.0, 0.8, 0.8, 1.0, 1.1, 1.2, 1.1, 1.0,
         0.9, 0.9, 0.8, 0.8, 0.9, 1.1, 1.4, 1.7, 1.9, 2.0, 1.9, 1.6, 1.2, 0.8, 0.5],
        [0.4, 0.8, 1.2, 1.5, 1.6, 1.6, 1.4, 1.1, 0.9, 1.0, 1.3, 1.4, 1.4, 1.3, 1.2,
         1.1, 1.0, 0.9, 0.8, 0.8, 0.9, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.5, 0.4, 0.3],
        [0.4, 0.8, 1.2, 1.5, 1.6, 1.6, 1.4, 1.1, 0.9, 1.0, 1.3, 1.4, 1.4, 1.3, 1.2,
         1.1, 1.0, 0.9, 0.8, 0.8, 0.9, 1.0, 1.1, 1.1, 1.0, 0.9, 0.7, 0.5, 0.4, 0.3],
    ]
)  # fmt: skip
_MEAN_HANDLE_SECONDS = np.array([200.0, 330.0, 480.0])
_MEAN_PATIENCE_SECONDS = np.array([80.0, 140.0, 240.0])
_FIRST_CONTACT_RESOLUTION = np.array([0.90, 0.74, 0.55])
_FORECAST_SURGE_SHARE = 0.6  # planners foresee only this share of a surge above normal


def _call_window(calendar: pd.DataFrame) -> pd.DataFrame:
    return calendar.iloc[-CALL_WINDOW_DAYS:].reset_index(drop=True)


def _daily_order_load(orders: pd.DataFrame, calendar: pd.DataFrame) -> np.ndarray:
    """Per calendar day, orders arriving at customers (placed 2-6 days before)."""
    day = (orders.order_time.dt.normalize() - calendar.date.iloc[0]).dt.days.to_numpy().astype(int)
    placed = np.bincount(day[(day >= 0) & (day < len(calendar))], minlength=len(calendar))
    delivered = np.convolve(placed, np.r_[0, 0, 0.15, 0.3, 0.25, 0.2, 0.1])[: len(calendar)]
    return delivered.astype(float)


def _rates(calendar, orders, scale):
    """Expected calls per (day, queue, interval) in the call window, and the planners' view."""
    window = _call_window(calendar)
    n_days = len(window)
    first = len(calendar) - n_days
    traffic = calendar.intensity.to_numpy() ** 0.6
    load = _daily_order_load(orders, calendar)
    # Relative level of each queue per day of the window (1.0 = an ordinary day).
    pre = traffic[first:] / np.median(traffic)
    after = load[first:] / max(np.median(load[load > 0]) if (load > 0).any() else 1.0, 1e-9)
    after = np.clip(after, 0.3, None)
    # Late deliveries after the big sale turn into complaints more than proportionally.
    complaint = after**1.3
    level = np.vstack([pre, after, complaint]).T  # (day, queue)
    weekday = _WEEKDAY[:, window.date.dt.day_of_week.to_numpy()].T  # (day, queue)
    profile = _INTRADAY / _INTRADAY.sum(axis=1, keepdims=True)  # (queue, interval)
    daily = _DAILY_CALLS * scale * weekday  # an ordinary day of that weekday
    expected = (daily * level)[:, :, None] * profile[None, :, :]
    planned_level = 1.0 + _FORECAST_SURGE_SHARE * np.clip(level - 1.0, 0.0, None)
    planned = (daily * np.minimum(level, planned_level))[:, :, None] * profile[None, :, :]
    return window, expected, planned


def _serve(arrival, patience, handle, agents_by_interval, day_start):
    """First come, first served with patience: (answer or hang-up time, abandoned).

    ``agents_by_interval[j]`` agents are on duty in half hour ``j`` after
    ``day_start`` (seconds); agent ``k`` works the half hours with more than
    ``k`` agents, and finishes a call past the end of a shift.
    """
    n_intervals = len(agents_by_interval)
    staffed = [int(a) for a in agents_by_interval]
    n_slots = max(max(staffed), 1)
    # next_on[k][j]: first half hour >= j in which agent k is on duty (None: never).
    next_on = []
    for k in range(n_slots):
        row = [None] * (n_intervals + 1)
        for j in range(n_intervals - 1, -1, -1):
            row[j] = j if staffed[j] > k else row[j + 1]
        next_on.append(row)
    free = [day_start] * n_slots
    start = np.empty(len(arrival))
    abandoned = np.zeros(len(arrival), bool)
    triples = zip(arrival.tolist(), patience.tolist(), handle.tolist(), strict=True)
    for i, (a, limit, h) in enumerate(triples):
        # Most calls find an agent on duty free at once: the first such agent takes it.
        j = min(int((a - day_start) // INTERVAL_SECONDS), n_intervals)
        free_now = next(
            (k for k in range(staffed[j] if j < n_intervals else 0) if free[k] <= a), -1
        )
        if free_now >= 0:
            start[i] = a
            free[free_now] = a + h
            continue
        best, best_k = float("inf"), -1
        for k in range(n_slots):
            ready = free[k] if free[k] > a else a
            j = min(int((ready - day_start) // INTERVAL_SECONDS), n_intervals)
            first_on = next_on[k][j]
            if first_on is None:
                continue
            if first_on != j:
                ready = day_start + first_on * INTERVAL_SECONDS
            if ready < best:
                best, best_k = ready, k
        if best - a > limit:
            abandoned[i] = True
            start[i] = a + limit
            continue
        start[i] = best
        free[best_k] = best + h
    return start, abandoned


def call_centre(seed, calendar, orders, n_customers, stream) -> dict[str, pd.DataFrame]:
    """The ``calls`` and ``call_staffing`` tables (see the module docstring)."""
    scale = n_customers / 4000.0  # calls grow with the shop
    window, expected, planned = _rates(calendar, orders, scale)
    n_days, n_queues, n_intervals = expected.shape

    rng = stream(seed, "calls.staffing")
    offered_load = planned * _MEAN_HANDLE_SECONDS[None, :, None] / INTERVAL_SECONDS
    agents = np.ceil(offered_load + 0.9 * np.sqrt(offered_load) + 0.2).astype(int)
    agents = np.maximum(agents - (rng.random(agents.shape) < 0.08), 1)  # someone off sick

    rng = stream(seed, "calls.arrivals")
    counts = rng.poisson(expected)
    day_idx, queue_idx, interval_idx = np.nonzero(counts >= 0)
    repeat = counts.ravel()
    day_of = np.repeat(day_idx, repeat)
    queue_of = np.repeat(queue_idx, repeat)
    interval_of = np.repeat(interval_idx, repeat)
    n = len(day_of)
    offset = (
        OPEN_HOUR * 3600
        + interval_of * INTERVAL_SECONDS
        + np.floor(rng.random(n) * INTERVAL_SECONDS)
    )
    order = np.lexsort((offset, queue_of, day_of))
    day_of, queue_of, interval_of, offset = (
        a[order] for a in (day_of, queue_of, interval_of, offset)
    )

    rng = stream(seed, "calls.callers")
    patience = rng.exponential(_MEAN_PATIENCE_SECONDS[queue_of])
    sigma = 0.55
    handle = np.round(
        rng.lognormal(np.log(_MEAN_HANDLE_SECONDS[queue_of]) - sigma**2 / 2, sigma)
    ).clip(20, None)

    start = np.empty(n)
    abandoned = np.zeros(n, bool)
    bounds = np.flatnonzero(np.r_[True, (np.diff(day_of) != 0) | (np.diff(queue_of) != 0), True])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        d, q = day_of[lo], queue_of[lo]
        start[lo:hi], abandoned[lo:hi] = _serve(
            offset[lo:hi], patience[lo:hi], handle[lo:hi], agents[d, q], OPEN_HOUR * 3600.0
        )
    wait = np.floor(start - offset).astype(int)

    rng = stream(seed, "calls.outcomes")
    resolved = rng.random(n) < _FIRST_CONTACT_RESOLUTION[queue_of] - 0.1 * (wait > 120)
    mood = (
        4.3
        + 0.6 * resolved
        - 1.0
        - 0.006 * np.minimum(wait, 400)
        - 0.5 * (queue_of == 2)
        + rng.normal(0, 0.7, n)
    )
    csat = np.clip(np.rint(mood), 1, 5).astype(int)
    answers_survey = (rng.random(n) < 0.35) & ~abandoned

    # Some after-sale and complaint callers are recognised as recent buyers.
    rng = stream(seed, "calls.customers")
    recent = orders[orders.order_time >= window.date.iloc[0] - pd.Timedelta(days=30)]
    recent_ids = recent.customer_id.drop_duplicates().to_numpy(dtype=object)
    known = (queue_of > 0) & (rng.random(n) < 0.7) & (len(recent_ids) > 0)
    if len(recent_ids) == 0:
        recent_ids = np.array([None], dtype=object)
    customer = np.where(known, recent_ids[rng.integers(0, len(recent_ids), n)], None)
    known_pre = (queue_of == 0) & (rng.random(n) < 0.25) & (len(recent_ids) > 0)
    customer = np.where(known_pre, recent_ids[rng.integers(0, len(recent_ids), n)], customer)

    dates = window.date.to_numpy()
    arrival = dates[day_of].astype("datetime64[s]") + offset.astype("timedelta64[s]")
    by_time = np.lexsort((queue_of, arrival))
    calls = pd.DataFrame(
        {
            "call_id": np.strings.add("K", np.strings.zfill(np.arange(1, n + 1).astype(str), 6)),
            "arrival_time": arrival[by_time],
            "queue": pd.Categorical.from_codes(queue_of[by_time], categories=list(_QUEUES)),
            "customer_id": customer[by_time],
            "abandoned": abandoned[by_time],
            "wait_seconds": wait[by_time],
            "handle_seconds": pd.array(
                np.where(abandoned, None, handle.astype(int).astype(object))[by_time],
                dtype="Int64",
            ),
            "resolved_first_contact": pd.array(
                np.where(abandoned, None, resolved.astype(object))[by_time], dtype="boolean"
            ),
            "csat": pd.array(
                np.where(answers_survey, csat.astype(object), None)[by_time], dtype="Int64"
            ),
        }
    )
    calls["call_id"] = calls["call_id"].astype(object)

    interval_start = (
        dates[:, None, None].astype("datetime64[s]")
        + np.timedelta64(OPEN_HOUR * 3600, "s")
        + (np.arange(n_intervals) * INTERVAL_SECONDS).astype("timedelta64[s]")[None, None, :]
    )
    interval_start = np.broadcast_to(interval_start, agents.shape)
    queue_grid = np.broadcast_to(np.arange(n_queues)[None, :, None], agents.shape)
    staffing = pd.DataFrame(
        {
            "interval_start": interval_start.ravel(),
            "queue": pd.Categorical.from_codes(queue_grid.ravel(), categories=list(_QUEUES)),
            "agents": agents.ravel().astype("int64"),
        }
    ).sort_values(["interval_start", "queue"], kind="stable", ignore_index=True)
    return {
        "calls": cast_table("calls", calls),
        "call_staffing": cast_table("call_staffing", staffing),
    }


# --- tickets --------------------------------------------------------------------------------

_CATEGORY_BASE = np.array([0.030, 0.008, 0.010, 0.012, 0.012])  # per paid order
_CHANNEL_SHARES = np.array([0.62, 0.24, 0.14])
# Median hours from the first reply to the resolution, per category.
_RESOLVE_HOURS = np.array([30.0, 20.0, 40.0, 60.0, 36.0])
# Outcome probabilities per category (refund, replacement, compensation, explanation, rejected).
_OUTCOMES = np.array(
    [
        [0.10, 0.00, 0.45, 0.40, 0.05],
        [0.35, 0.55, 0.05, 0.00, 0.05],
        [0.15, 0.75, 0.05, 0.00, 0.05],
        [0.40, 0.20, 0.15, 0.10, 0.15],
        [0.85, 0.00, 0.00, 0.05, 0.10],
    ]
)


def _next_working_moment(t, open_hour: int, close_hour: int, rng=None) -> np.ndarray:
    """Move times (seconds) outside ``open_hour``-``close_hour`` to the next opening.

    With ``rng``, a moved time lands up to 90 minutes after the opening, since the
    overnight backlog is not all handled in the first second.
    """
    day = np.floor(t / 86400.0) * 86400.0
    second = t - day
    before = second < open_hour * 3600
    after = second >= close_hour * 3600
    moved = np.where(
        before, day + open_hour * 3600, np.where(after, day + 86400 + open_hour * 3600, t)
    )
    if rng is not None:
        moved = moved + np.where(before | after, np.floor(rng.uniform(0, 5400, len(t))), 0)
    return moved


def tickets(seed, calendar, orders, items, products, stream) -> pd.DataFrame:
    """The ``tickets`` table (see the module docstring)."""
    rng = stream(seed, "tickets.raised")
    teaware = products.loc[products.category == "teaware", "product_id"]
    has_teaware = orders.order_id.isin(items.loc[items.product_id.isin(teaware), "order_id"])
    order_day = orders.order_time.dt.strftime("%m-%d").to_numpy()
    big_sale = orders.promotion.isin(["double11", "618"]).to_numpy()
    status = orders.status.astype(str).to_numpy()
    n_orders = len(orders)
    p = np.tile(_CATEGORY_BASE, (n_orders, 1))
    p[:, 0] *= np.where(big_sale, 3.0, 1.0) * np.where(order_day == "11-11", 1.5, 1.0)
    p[:, 1] *= np.where(has_teaware.to_numpy(), 8.0, 1.0)
    p[:, 4] = np.where(status == "refunded", 0.7, p[:, 4])
    p[status == "cancelled"] = 0.0
    u = rng.random(n_orders)
    cum = p.cumsum(axis=1)
    raised = u < cum[:, -1]
    category = (cum < u[:, None]).sum(axis=1)[raised]
    picked = orders[raised]
    n = len(picked)

    rng = stream(seed, "tickets.timing")
    placed = (picked.order_time.to_numpy().astype("datetime64[s]").astype("int64")).astype(float)
    days_after = np.select(
        [category == 0, category == 4],
        [rng.uniform(3, 7, n), rng.uniform(0.2, 8, n)],
        rng.uniform(2, 6, n) + np.where(category == 3, rng.exponential(6, n), 0),
    )
    created = placed + np.floor(days_after * 86400 * (0.8 + 0.4 * rng.random(n)))
    created = _next_working_moment(created, 7, 24, rng)
    channel = rng.choice(len(_CHANNEL_SHARES), size=n, p=_CHANNEL_SHARES)
    # Busy after the big sales: service staff answer and resolve more slowly.
    created_md = pd.to_datetime(created, unit="s").strftime("%m-%d").to_numpy()
    busy = ((created_md >= "11-11") & (created_md <= "11-25")) | (
        (created_md >= "06-18") & (created_md <= "06-28")
    )
    reply_minutes = np.select(
        [channel == 0, channel == 1],
        [rng.lognormal(np.log(4), 0.9, n), rng.lognormal(np.log(1), 0.5, n)],
        rng.lognormal(np.log(360), 0.8, n),
    ) * np.where(busy, 3.0, 1.0)
    reply = created + np.ceil(reply_minutes * 60)
    reply = np.where(
        channel == 2,
        _next_working_moment(reply, 9, 18, rng),
        _next_working_moment(reply, 8, 23, rng),
    )
    reply = np.maximum(reply, created + 30)
    resolve_hours = rng.lognormal(np.log(_RESOLVE_HOURS[category]), 0.7) * np.where(busy, 1.8, 1.0)
    resolved = _next_working_moment(reply + np.ceil(resolve_hours * 3600), 9, 22, rng)
    follow = resolved + rng.uniform(20, 72, n) * 3600
    followed_up = rng.random(n) < 0.45
    follow = _next_working_moment(np.floor(follow), 9, 21, rng)

    rng = stream(seed, "tickets.outcome")
    cum_out = _OUTCOMES[category].cumsum(axis=1)
    outcome = np.minimum((cum_out < rng.random(n)[:, None]).sum(axis=1), 4)
    mood = (
        4.6
        - 0.35 * np.log1p(np.maximum(resolved - created, 0) / 3600 / 24)
        - 0.25 * np.log1p((reply - created) / 3600)
        - 1.8 * (outcome == 4)
        - 0.4 * (outcome == 3)
        + 0.3 * followed_up
        + rng.normal(0, 0.6, n)
    )
    satisfaction = np.clip(np.rint(mood), 1, 5).astype(int)
    answered_survey = rng.random(n) < 0.55

    end = (calendar.date.iloc[-1] + pd.Timedelta(days=1)).value / 1e9
    keep = created < end - 3600
    open_at_end = resolved >= end
    follow_ok = followed_up & ~open_at_end & (follow < end)
    answered_survey &= ~open_at_end

    def as_time(values, present):
        out = pd.to_datetime(values, unit="s").astype("datetime64[ns]")
        return pd.Series(out).where(present).to_numpy()

    table = pd.DataFrame(
        {
            "order_id": picked.order_id.to_numpy(dtype=object),
            "customer_id": picked.customer_id.to_numpy(dtype=object),
            "channel": pd.Categorical.from_codes(channel, categories=list(schema.TICKET_CHANNELS)),
            "category": pd.Categorical.from_codes(
                category, categories=list(schema.TICKET_CATEGORIES)
            ),
            "created_time": as_time(created, np.ones(n, bool)),
            "first_response_time": as_time(reply, np.ones(n, bool)),
            "resolved_time": as_time(resolved, ~open_at_end),
            "followed_up_time": as_time(follow, follow_ok),
            "outcome": pd.Categorical.from_codes(
                np.where(open_at_end, -1, outcome), categories=list(schema.TICKET_OUTCOMES)
            ),
            "satisfaction": pd.array(
                np.where(answered_survey, satisfaction.astype(object), None), dtype="Int64"
            ),
        }
    )[keep]
    table = table.sort_values(["created_time", "order_id"], kind="stable", ignore_index=True)
    ids = np.strings.add("T", np.strings.zfill(np.arange(1, len(table) + 1).astype(str), 6))
    table.insert(0, "ticket_id", ids.astype(object))
    return cast_table("tickets", table)


# --- FAQ and chat ---------------------------------------------------------------------------


def faq_table() -> pd.DataFrame:
    """The shop's FAQ (not random): ``faq_id``, ``stage``, ``topic``, ``question_zh``,
    ``answer_zh``."""
    table = pd.DataFrame(
        list(faq_text.FAQ), columns=["faq_id", "stage", "topic", "question_zh", "answer_zh"]
    )
    return cast_table("faq", table)


def chat_questions(seed, n_customers, stream) -> pd.DataFrame:
    """Customers' chat questions, labelled with an FAQ entry or none: see
    :func:`crm_lab.data.faq.chat_questions`."""
    return faq_text.chat_questions(seed, n_customers, stream)

"""Customer service at Yunwu Tea House: chats, calls, tickets, FAQ and chat questions.

Every contact of the shop's own customers follows from its orders, in the
order of the story (each step one function, each from its own random stream
so that the shop's other tables never change; see :func:`crm_lab.data.shop.stream`):

1. **Pre-sale questions** (询单), :func:`pre_sale_contacts`. Before a share of
   its orders (:data:`PRE_SALE_CHAT_SHARE`: more before a first order and in
   the big sales) the customer asks in chat, minutes to a day or two before
   paying; the chat's ``order_id`` is the order that followed. Other pre-sale
   chats are followed by no order within :data:`CONVERSION_WINDOW_DAYS`
   (询单转化率 = share of pre-sale chats that convert, about half).
2. **After-sale issues** (售后), :func:`after_sale_issues`. Per shipped order
   and topic, a rate declared in :data:`AFTER_SALE_TOPICS` (logistics queries,
   refunds, damage, wrong items, quality, usage), much higher for refunded
   orders and, for logistics, after the big sales; each issue is raised on a
   channel (chat, phone, e-mail) some days after the order.
3. **Repeat contacts** (重复进线), :func:`repeat_contacts`: an issue not solved
   at the first contact (first-contact resolution, :data:`AFTER_SALE_TOPICS`)
   brings the customer back, up to twice.
4. **Chat** (旺旺/千牛), :func:`chat_sessions`, the shop's main channel: its
   own agents answer 09:00-24:00, each holding up to :data:`CHAT_CONCURRENCY`
   chats at once (``chat_staffing``); first and average response times grow
   with the load per agent, and chats outside service hours wait for the
   morning.
5. **Phone**, :func:`call_centre`: the shop's phone line is run by a contracted
   service centre (外包客服中心) that answers the hotlines of about forty shops
   of the platform. Its call log (``calls``) holds the last eight weeks: the
   shop's own phone contacts (``shop_id`` ``"yunwu"``, with customer and
   order), and the other shops' calls, whose volume follows those shops'
   orders (:data:`CENTRE_CLIENT_ORDERS_PER_DAY` on an ordinary day) at the
   per-order rates of :data:`CENTRE_CALLS_PER_ORDER`. The centre's volume does
   not grow with the shop. Its queues (``pre_sale``, ``after_sale``,
   ``complaint``) are served first come, first served by the agents on duty
   (``call_staffing``, planned on a forecast that sees only part of the
   surges); callers hang up when the wait exceeds their patience.
6. **Tickets** (工单), :func:`tickets`: the issues that become a formal
   complaint, recorded at their first contact, with a time stamp for each step
   of complaint handling (recorded, first reply, resolved, followed up).

``faq`` and ``chat_questions`` are the shop's FAQ and customers' chat questions,
each labelled with the FAQ entry that answers it or none (:mod:`crm_lab.data.faq`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import faq as faq_text
from . import schema
from .loaders import cast_table

__all__ = [
    "AFTER_SALE_TOPICS",
    "CALL_WINDOW_DAYS",
    "CENTRE_CALLS_PER_ORDER",
    "CENTRE_CLIENT_ORDERS_PER_DAY",
    "CHAT_CLOSE_HOUR",
    "CHAT_CONCURRENCY",
    "CHAT_OPEN_HOUR",
    "CLOSE_HOUR",
    "CONVERSION_WINDOW_DAYS",
    "INTERVAL_SECONDS",
    "OPEN_HOUR",
    "OWN_SHOP_ID",
    "PRE_SALE_CHAT_SHARE",
    "after_sale_issues",
    "call_centre",
    "chat_questions",
    "chat_sessions",
    "faq_table",
    "phone_line",
    "pre_sale_contacts",
    "repeat_contacts",
    "shop_contacts",
    "tickets",
]

CALL_WINDOW_DAYS = 56  # the centre shares the last eight weeks of its call log
OPEN_HOUR, CLOSE_HOUR = 8, 23  # the phone line takes calls 08:00-23:00 (China time)
INTERVAL_SECONDS = 1800  # phone staffing is planned per half hour
CHAT_OPEN_HOUR, CHAT_CLOSE_HOUR = 9, 24  # the shop's own agents chat 09:00-24:00
CHAT_CONCURRENCY = 4  # chats one agent holds at once (a Taobao agent holds 3-5)
CONVERSION_WINDOW_DAYS = 3  # a pre-sale chat converts if an order follows within 3 days
OWN_SHOP_ID = "yunwu"  # the shop's calls in the centre's log

_DAY = 86400
_CHANNELS = ("chat", "phone", "email")  # the order of schema.TICKET_CHANNELS
_CHAT, _PHONE, _EMAIL = range(3)
_PRE, _AFTER = range(2)

# --- 1. pre-sale questions ------------------------------------------------------------------

#: Share of orders with a pre-sale chat before them: first orders (a new customer asks
#: about freshness, origin, shipping) and repeat orders; the big sales add some (coupons,
#: stock). Silent orders (静默下单) are the rest, typical of a shop with loyal buyers.
PRE_SALE_CHAT_SHARE = {"first_order": 0.45, "repeat_order": 0.22, "big_sale_extra": 0.08}
_TARGET_CONVERSION = 0.5  # 询单转化率 a tea shop aims at: about one chat in two
_PRE_SALE_PHONE_SHARE = 0.025  # a few ask by phone (gift boxes, company orders)
_PRE_SALE_TOPICS = ("product", "promotion", "shipping")
_PRE_SALE_TOPIC_SHARES = np.array([0.55, 0.25, 0.20])  # promotion doubles on promotion days

# --- 2. after-sale issues -------------------------------------------------------------------


@dataclass(frozen=True)
class AfterSaleTopic:
    """How often one kind of after-sale issue arises, and how it is handled.

    ``rate`` is the chance per shipped (paid) order, ``refunded_rate`` per
    refunded order, ``big_sale`` multiplies ``rate`` for orders of 618 and
    Double 11 (couriers overloaded); the first contact comes ``days`` (low,
    high) after the order, on the phone with ``phone_share``, by e-mail with
    ``email_share``, else in chat; ``fcr`` is the chance the first contact
    solves it; ``ticket_share`` of the issues become a ticket of category
    ``ticket_category``.
    """

    topic: str
    rate: float
    refunded_rate: float
    big_sale: float
    days: tuple[float, float]
    phone_share: float
    email_share: float
    fcr: float
    ticket_category: str | None
    ticket_share: float


#: The after-sale rates, per order event and channel (the shop's service statistics).
AFTER_SALE_TOPICS = (
    # "Where is my parcel?" (物流查询): 5% of orders, 2.5x after big sales.
    AfterSaleTopic("logistics", 0.05, 0.05, 2.5, (2, 6), 0.08, 0.0, 0.80, "late_delivery", 0.45),
    # Refunds (退款): most refunded orders start with a contact; a few paid ones ask in vain.
    AfterSaleTopic("refund", 0.006, 0.40, 1.0, (0.2, 8.0), 0.05, 0.02, 0.75, "refund", 0.50),
    AfterSaleTopic("damaged", 0.003, 0.25, 1.0, (2.0, 5.0), 0.15, 0.05, 0.60, "damaged", 1.0),
    AfterSaleTopic("wrong_item", 0.008, 0.10, 1.3, (2.0, 5.0), 0.12, 0.03, 0.65, "wrong_item", 1.0),
    AfterSaleTopic("quality", 0.006, 0.20, 1.0, (3.0, 15.0), 0.15, 0.05, 0.50, "quality", 0.90),
    # How to brew it, how to store it (冲泡/保存): almost always solved at once.
    AfterSaleTopic("usage", 0.020, 0.0, 1.0, (2.0, 20.0), 0.05, 0.00, 0.92, None, 0.0),
)  # fmt: skip
_AFTER_SALE = {t.topic: t for t in AFTER_SALE_TOPICS}

# --- 3. repeat contacts ---------------------------------------------------------------------

_MAX_REPEATS = 2
_COMES_BACK = 0.85  # an unsolved customer contacts again (the rest give up)
_REPEAT_FCR = 0.70  # the second and third contact solve more (escalated, 升级处理)
_REPEAT_PHONE_SHARE = 0.30  # annoyed customers pick up the phone more
_REPEAT_MEAN_HOURS = 20.0

# --- 4. chat ----------------------------------------------------------------------------------

_CHAT_MEDIAN_SECONDS = np.array([240.0, 420.0])  # a pre-sale / after-sale chat's length
_CHAT_MEAN_MESSAGES = np.array([5.0, 8.0])  # customer messages besides the first
_FIRST_RESPONSE_MEDIAN_SECONDS = 9.0  # a free agent answers within seconds (首次响应)
_REPLY_MEDIAN_SECONDS = 20.0  # later replies take longer: the agent types an answer
_CHAT_PLANNED_OCCUPANCY = 0.6  # planners staff so that agents' chat slots are 60% used
_CHAT_RATED_SHARE = 0.25  # customers who rate the service after a chat (服务评价)

# --- 5. phone: the contracted service centre ------------------------------------------------

_QUEUES = schema.SERVICE_QUEUES
#: Orders a day, on an ordinary day, of the centre's other client shops (about forty
#: shops of the platform, most of them bigger than Yunwu Tea House).
CENTRE_CLIENT_ORDERS_PER_DAY = 20_000
#: Calls per order to the centre, per queue: the same order of magnitude as the shop's
#: own phone contacts per order (pre-sale calls per order placed, after-sale and complaint
#: calls per order delivered).
CENTRE_CALLS_PER_ORDER = {"pre_sale": 0.012, "after_sale": 0.015, "complaint": 0.004}
_N_CLIENT_SHOPS = 39
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
# Share of the orders placed on a day that reach the customer 0, 1, 2... days later.
_DELIVERY_DAYS = np.array([0, 0, 0.15, 0.3, 0.25, 0.2, 0.1])
_MEAN_HANDLE_SECONDS = np.array([200.0, 330.0, 480.0])
_MEAN_PATIENCE_SECONDS = np.array([80.0, 140.0, 240.0])
_FIRST_CONTACT_RESOLUTION = np.array([0.90, 0.74, 0.55])  # the other shops' calls
_FORECAST_SURGE_SHARE = 0.6  # planners foresee only this share of a surge above normal
# Share of rostered (paid) agent time not spent logged in to a queue: breaks, meetings,
# training, absence (缩减率); call centres plan with 25-35%.
_PLANNED_SHRINKAGE = 0.30


# --- the orders, as the contact model reads them -------------------------------------------


@dataclass(frozen=True)
class _Orders:
    """The orders as arrays: times in seconds since 1970, customers as codes."""

    order_id: np.ndarray  # object, with a trailing None for "no order" (index -1)
    time: np.ndarray  # int64 seconds
    customer: np.ndarray  # int64 code into customer_id; codes follow first orders
    customer_id: np.ndarray  # object, one per code
    first_time: np.ndarray  # per code: the customer's first order (int64 seconds)
    is_first: np.ndarray  # bool per order
    status: np.ndarray  # str per order, schema.ORDER_STATUSES
    big_sale: np.ndarray  # bool: placed in 618 or Double 11
    on_promotion: np.ndarray  # bool: placed in any promotion
    end: int  # first second after the period


def _read_orders(orders: pd.DataFrame, calendar: pd.DataFrame) -> _Orders:
    time = orders.order_time.to_numpy().astype("datetime64[s]").astype("int64")
    if (np.diff(time) < 0).any():
        by_time = np.argsort(time, kind="stable")
        orders, time = orders.iloc[by_time], time[by_time]
    ids = orders.customer_id.to_numpy(dtype=object)
    # Codes in order of first appearance, so in order of the customers' first orders; a
    # code is new exactly when it is above every code before it.
    customer, _ = pd.factorize(ids)
    customer = customer.astype(np.int64)
    is_first = customer > np.maximum.accumulate(np.r_[-1, customer[:-1]])
    first_index = np.flatnonzero(is_first)
    end = int((calendar.date.iloc[-1] + pd.Timedelta(days=1)).value // 10**9)
    return _Orders(
        order_id=np.append(orders.order_id.to_numpy(dtype=object), None),
        time=time,
        customer=customer,
        customer_id=ids[first_index],
        first_time=time[first_index],
        is_first=is_first,
        status=_category_values(orders.status),
        big_sale=np.isin(_category_values(orders.promotion), ["618", "double11"]),
        on_promotion=_category_values(orders.promotion) != "none",
        end=end,
    )


def _category_values(column: pd.Series) -> np.ndarray:
    """A column's values as an object array, fast for a categorical column."""
    values = pd.Categorical(column)
    return np.append(np.asarray(values.categories, dtype=object), None)[values.codes]


@dataclass(frozen=True)
class _Contacts:
    """Contacts as parallel arrays (one element per contact)."""

    order: np.ndarray  # index into the orders, -1 when the contact concerns none
    customer: np.ndarray  # customer code
    time: np.ndarray  # int64 seconds since 1970
    stage: np.ndarray  # _PRE or _AFTER
    topic: np.ndarray  # code into schema.CONTACT_TOPICS
    channel: np.ndarray  # _CHAT, _PHONE or _EMAIL
    resolved: np.ndarray  # bool: solved at this contact (after-sale)
    issue: np.ndarray  # index of the after-sale issue, -1 for pre-sale
    repeat: np.ndarray  # bool: the customer got in touch about this issue before

    def take(self, which) -> _Contacts:
        return _Contacts(*(getattr(self, f)[which] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(parts) -> _Contacts:
        fields = _Contacts.__dataclass_fields__
        return _Contacts(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))


def _line_open(seconds: np.ndarray) -> np.ndarray:
    """Whether the phone line is open at these times (seconds since 1970, China time)."""
    second = seconds % _DAY
    return (second >= OPEN_HOUR * 3600) & (second < CLOSE_HOUR * 3600)


def _reachable(seconds: np.ndarray, channel: np.ndarray, rng) -> np.ndarray:
    """Contact times: a customer who decides to call at night calls when the line opens."""
    moved = _next_working_moment(seconds.astype(float), OPEN_HOUR, CLOSE_HOUR, rng)
    return np.where(channel == _PHONE, moved.astype(np.int64), seconds)


def _topic_code(name: str) -> int:
    return schema.CONTACT_TOPICS.index(name)


def _seconds_in_day(rng, n, weights) -> np.ndarray:
    hour = rng.choice(24, size=n, p=weights / weights.sum())
    return hour * 3600 + rng.integers(0, 3600, size=n)


# Chats per hour of the day: shoppers chat in the evening, as they order.
_CHAT_HOURS = np.array(
    [2, 1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3.5, 4.5, 4.5,
     4, 4.5, 4.5, 4.5, 4.5, 4, 4, 5, 6.5, 7.5, 6.5, 4]
)  # fmt: skip


def pre_sale_contacts(seed, calendar, orders: _Orders, stream) -> _Contacts:
    """Pre-sale questions (询单): before orders, and without an order following.

    A share :data:`PRE_SALE_CHAT_SHARE` of orders has a question 30 s to 3
    days before it (60% within 20 minutes: ask, then pay), never before the
    customer's first order day (so never before sign-up). About as many
    questions again come from customers who then buy nothing within
    :data:`CONVERSION_WINDOW_DAYS`: shoppers who already bought once, asking
    on a day drawn from the shop's traffic.
    """
    rng = stream(seed, "contacts.pre_sale")
    n = len(orders.time)
    share = np.where(
        orders.is_first, PRE_SALE_CHAT_SHARE["first_order"], PRE_SALE_CHAT_SHARE["repeat_order"]
    ) + np.where(orders.big_sale, PRE_SALE_CHAT_SHARE["big_sale_extra"], 0.0)
    asked = rng.random(n) < share
    lag = np.where(
        rng.random(n) < 0.6,
        rng.uniform(30, 1200, n),
        np.minimum(rng.exponential(15 * 3600, n), CONVERSION_WINDOW_DAYS * _DAY - 60),
    ).astype(np.int64)
    first_day = orders.first_time[orders.customer] // _DAY * _DAY
    when = np.minimum(np.maximum(orders.time - lag, first_day), orders.time - 1)
    asked &= when >= first_day
    promo_share = _PRE_SALE_TOPIC_SHARES * np.array([1.0, 2.0, 1.0])
    topic = np.where(
        orders.on_promotion,
        _draw(rng, promo_share / promo_share.sum(), n),
        _draw(rng, _PRE_SALE_TOPIC_SHARES, n),
    )
    channel = np.where((rng.random(n) < _PRE_SALE_PHONE_SHARE) & _line_open(when), _PHONE, _CHAT)
    index = np.flatnonzero(asked)
    converted = _Contacts(
        order=index,
        customer=orders.customer[index],
        time=when[index],
        stage=np.full(len(index), _PRE),
        topic=topic[index] + _topic_code(_PRE_SALE_TOPICS[0]),
        channel=channel[index],
        resolved=np.ones(len(index), bool),
        issue=np.full(len(index), -1),
        repeat=np.zeros(len(index), bool),
    )

    # Questions without an order: as many as the target conversion implies.
    rng = stream(seed, "contacts.pre_sale.unconverted")
    m = rng.poisson(len(index) * (1 - _TARGET_CONVERSION) / _TARGET_CONVERSION)
    traffic = calendar.intensity.to_numpy() ** 0.8
    day = rng.choice(len(calendar), size=m, p=traffic / traffic.sum())
    start = int(calendar.date.iloc[0].value // 10**9)
    when = start + day.astype(np.int64) * _DAY + _seconds_in_day(rng, m, _CHAT_HOURS)
    # Among the customers who had bought by then (codes follow first orders).
    known = _sorted_search(orders.first_time, when - 1)  # first orders before `when`
    customer = np.floor(rng.random(m) * known).astype(np.int64)
    topic = _draw(rng, np.array([0.6, 0.3, 0.1]), m) + _topic_code(_PRE_SALE_TOPICS[0])
    channel = np.where((rng.random(m) < _PRE_SALE_PHONE_SHARE) & _line_open(when), _PHONE, _CHAT)
    keep = (known > 0) & (when < orders.end)
    keep &= ~_orders_within(orders, customer, when, CONVERSION_WINDOW_DAYS * _DAY)
    unconverted = _Contacts(
        order=np.full(m, -1),
        customer=customer,
        time=when,
        stage=np.full(m, _PRE),
        topic=topic,
        channel=channel,
        resolved=np.ones(m, bool),
        issue=np.full(m, -1),
        repeat=np.zeros(m, bool),
    ).take(keep)
    return _Contacts.concat([converted, unconverted])


def _draw(rng, shares: np.ndarray, n: int) -> np.ndarray:
    """n draws of 0..len(shares)-1 with the given shares."""
    cum = np.cumsum(shares) / np.sum(shares)
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(shares) - 1)


def _orders_within(orders: _Orders, customer, when, seconds) -> np.ndarray:
    """Whether each customer placed an order in (when, when + seconds]."""
    sorted_key = np.sort(orders.customer * (1 << 32) + orders.time)
    asked = customer * (1 << 32) + when
    position = _sorted_search(sorted_key, asked)
    following = sorted_key[np.minimum(position, len(sorted_key) - 1)]
    return (position < len(sorted_key)) & (following <= asked + seconds)


def _sorted_search(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """``np.searchsorted(haystack, needles, side="right")``, needles looked up in order
    (several times faster on a million needles: the search stays in cache)."""
    by_value = np.argsort(needles, kind="stable")
    position = np.empty(len(needles), np.int64)
    position[by_value] = np.searchsorted(haystack, needles[by_value], side="right")
    return position


def after_sale_issues(seed, calendar, orders: _Orders, stream) -> _Contacts:
    """The first contact of each after-sale issue (one row per issue).

    Every shipped order (status ``paid``) and every refunded one may raise each
    topic of :data:`AFTER_SALE_TOPICS` at its rate; the contact comes some days
    after the order, on the topic's channel mix, and is solved with the topic's
    first-contact resolution. Issues after the period's end are dropped.
    """
    rng = stream(seed, "contacts.after_sale")
    n, k = len(orders.time), len(AFTER_SALE_TOPICS)
    refunded = orders.status == schema.REFUNDED
    shipped = (orders.status == schema.PAID) | refunded
    # Rates per kind of order (not shipped, ordinary, big sale, refunded) and topic.
    rate = np.array([t.rate for t in AFTER_SALE_TOPICS])
    rates = np.array(
        [
            np.zeros(k),
            rate,
            rate * np.array([t.big_sale for t in AFTER_SALE_TOPICS]),
            np.array([t.refunded_rate for t in AFTER_SALE_TOPICS]),
        ],
        dtype=np.float32,
    )
    kind = np.where(refunded, 3, np.where(shipped, 1 + orders.big_sale, 0))
    raised = rng.random((n, k), dtype=np.float32) < rates[kind]
    order, topic = np.nonzero(raised)
    m = len(order)
    low = np.array([t.days[0] for t in AFTER_SALE_TOPICS])[topic]
    high = np.array([t.days[1] for t in AFTER_SALE_TOPICS])[topic]
    when = orders.time[order] + (rng.uniform(low, high) * _DAY).astype(np.int64)
    phone = np.array([t.phone_share for t in AFTER_SALE_TOPICS])[topic]
    email = np.array([t.email_share for t in AFTER_SALE_TOPICS])[topic]
    u = rng.random(m)
    channel = np.where(u < phone, _PHONE, np.where(u < phone + email, _EMAIL, _CHAT))
    fcr = np.array([t.fcr for t in AFTER_SALE_TOPICS])[topic]
    resolved = rng.random(m) < fcr
    when = _reachable(when, channel, rng)
    first_topic = _topic_code(AFTER_SALE_TOPICS[0].topic)
    issues = _Contacts(
        order=order,
        customer=orders.customer[order],
        time=when,
        stage=np.full(m, _AFTER),
        topic=topic + first_topic,
        channel=channel,
        resolved=resolved,
        issue=np.arange(m),
        repeat=np.zeros(m, bool),
    )
    return issues.take(when < orders.end)


def repeat_contacts(seed, first: _Contacts, end: int, stream) -> _Contacts:
    """Contacts after an unsolved one (重复进线): up to :data:`_MAX_REPEATS` more.

    An unsolved customer comes back with chance ``_COMES_BACK``, hours to a
    few days later (exponential, mean ``_REPEAT_MEAN_HOURS`` plus an hour),
    more often by phone; a repeat contact solves the issue with chance
    ``_REPEAT_FCR``. A solved issue brings no more contacts.
    """
    rng = stream(seed, "contacts.repeats")
    rounds, last = [], first
    for _ in range(_MAX_REPEATS):
        back = ~last.resolved & (rng.random(len(last.time)) < _COMES_BACK)
        last = last.take(back)
        m = len(last.time)
        gap = (3600 + rng.exponential(_REPEAT_MEAN_HOURS * 3600, m)).astype(np.int64)
        channel = np.where(rng.random(m) < _REPEAT_PHONE_SHARE, _PHONE, _CHAT)
        when = _reachable(last.time + gap, channel, rng)
        last = _Contacts(
            order=last.order,
            customer=last.customer,
            time=when,
            stage=last.stage,
            topic=last.topic,
            channel=channel,
            resolved=rng.random(m) < _REPEAT_FCR,
            issue=last.issue,
            repeat=np.ones(m, bool),
        ).take(when < end)
        rounds.append(last)
    return _Contacts.concat(rounds)


def shop_contacts(
    seed, calendar, orders: pd.DataFrame, stream
) -> tuple[_Orders, _Contacts, _Contacts]:
    """The shop's orders as arrays, every contact of its customers, and the issues.

    Returns ``(orders, contacts, issues)``: ``contacts`` holds the pre-sale
    questions, the first contact of every after-sale issue and the repeat
    contacts, on every channel; ``issues`` the first contacts alone (one per
    issue, in issue order), from which :func:`tickets` raises its tickets.
    """
    key = _contacts_key(seed, calendar, orders, stream)
    if _LAST_CONTACTS and _LAST_CONTACTS[0] == key and _LAST_CONTACTS[1]() is orders:
        return _LAST_CONTACTS[2]
    view = _read_orders(orders, calendar)
    pre = pre_sale_contacts(seed, calendar, view, stream)
    issues = after_sale_issues(seed, calendar, view, stream)
    repeats = repeat_contacts(seed, issues, view.end, stream)
    result = view, _Contacts.concat([pre, issues, repeats]), issues
    _LAST_CONTACTS[:] = [key, weakref.ref(orders), result]
    return result


# generate_shop builds the calls, chats and tickets from the same orders one after the
# other: the last result is kept (1.0 of 5 s of CPU for 1.1 M orders), for the same orders
# object only, and only while its size, times and statuses are unchanged.
_LAST_CONTACTS: list = []


def _contacts_key(seed, calendar, orders, stream) -> tuple:
    times = orders.order_time.to_numpy().view(np.int64)
    status = pd.Categorical(orders.status).codes
    return (
        int(seed),
        id(orders),
        stream,
        calendar.date.iloc[0],
        calendar.date.iloc[-1],
        len(orders),
        int(times.sum()),
        int(status.astype(np.int64).sum()),
    )


# --- 4. chat sessions -----------------------------------------------------------------------


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


def _congestion(load_per_slot: np.ndarray) -> np.ndarray:
    """How much slower replies get as agents' chat slots fill (1 = no wait at all).

    A queueing-like factor, 1 + rho / (1 - rho), of the share rho of the agents'
    chat slots in use: 1.33 for one chat of one agent's four, 2 at two, 4 at
    three, 20 (the cap, 95%) once every slot is taken.
    """
    rho = np.minimum(load_per_slot, 0.95)
    return 1.0 + rho / (1.0 - rho)


def chat_staffing_plan(calendar, hourly_chats: np.ndarray, mean_seconds: float) -> np.ndarray:
    """Agents on chat per (day, hour of day): 0 outside service hours, else at least 1.

    Planners staff on the week's average (a 7-day moving average of the chats
    per day, times the hour's share of a day's chats), so a one-day surge such
    as 11-11 is under-staffed; they fill each agent's :data:`CHAT_CONCURRENCY`
    slots to :data:`_CHAT_PLANNED_OCCUPANCY` of the forecast.
    """
    per_day = hourly_chats.sum(axis=1)
    padded = np.r_[np.full(3, per_day[:7].mean()), per_day, np.full(3, per_day[-7:].mean())]
    week = np.convolve(padded, np.ones(7) / 7, mode="valid")
    profile = hourly_chats.sum(axis=0) / max(hourly_chats.sum(), 1)
    forecast = week[:, None] * profile[None, :]
    concurrent = forecast * mean_seconds / 3600
    agents = np.ceil(concurrent / (CHAT_CONCURRENCY * _CHAT_PLANNED_OCCUPANCY)).astype(np.int64)
    hours = np.arange(24)
    open_hours = (hours >= CHAT_OPEN_HOUR) & (hours < CHAT_CLOSE_HOUR)
    return np.where(open_hours[None, :], np.maximum(agents, 1), 0)


def chat_sessions(seed, calendar, orders: _Orders, contacts: _Contacts, stream):
    """The ``chats`` and ``chat_staffing`` tables from the chat contacts.

    A chat lasts a few minutes (log-normal, longer after the sale); the load a
    chat meets is the number of chats open when it starts, per chat slot of
    the agents on duty (agents times :data:`CHAT_CONCURRENCY`). First response
    (首次响应时长) and average response times grow with that load
    (:func:`_congestion`); a chat started outside service hours waits for the
    09:00 shift. About a quarter of customers rate the chat 1-5, lower when
    the first reply was slow or the issue stayed unsolved.
    """
    chat = np.flatnonzero(contacts.channel == _CHAT)
    chat = contacts.take(chat[np.argsort(contacts.time[chat], kind="stable")])
    n = len(chat.time)
    rng = stream(seed, "chats.sessions")
    stage = chat.stage
    talk = rng.lognormal(np.log(_CHAT_MEDIAN_SECONDS[stage]), 0.6).astype(np.int64)
    messages = 1 + rng.poisson(_CHAT_MEAN_MESSAGES[stage])

    start = int(calendar.date.iloc[0].value // 10**9)
    hour = (chat.time - start) // 3600
    n_days = len(calendar)
    hourly = np.bincount(hour, minlength=n_days * 24)[: n_days * 24].reshape(n_days, 24)
    mean_talk = float(talk.mean()) if n else float(_CHAT_MEDIAN_SECONDS.mean())
    agents = chat_staffing_plan(calendar, hourly, mean_talk)
    # The load a chat meets: chats open when it starts (itself included), per agent slot.
    ends = np.sort(chat.time + talk)
    open_now = np.searchsorted(chat.time, chat.time, side="right") - _sorted_search(ends, chat.time)
    slots = (agents * CHAT_CONCURRENCY).ravel()[hour]
    slow = _congestion(np.where(slots > 0, open_now / np.maximum(slots, 1), 0.0))

    rng = stream(seed, "chats.responses")
    first = rng.lognormal(np.log(_FIRST_RESPONSE_MEDIAN_SECONDS * slow), 0.6)
    opens = _next_working_moment(chat.time.astype(float), CHAT_OPEN_HOUR, CHAT_CLOSE_HOUR, rng)
    waited = opens - chat.time  # 0 in service hours, else until the next shift
    first = np.ceil(np.where(waited > 0, waited + first, first)).astype(np.int64)
    reply = rng.lognormal(np.log(_REPLY_MEDIAN_SECONDS * slow), 0.5)
    average = np.ceil((first + (messages - 1) * reply) / messages).astype(np.int64)
    duration = first + talk + ((messages - 1) * reply).astype(np.int64)

    rng = stream(seed, "chats.ratings")
    after = stage == _AFTER
    mood = (
        4.4
        + np.where(after, np.where(chat.resolved, 0.3, -1.2), 0.0)
        - 0.5 * (first > 30)
        - 0.5 * (first > 120)
        + rng.normal(0, 0.7, n)
    )
    satisfaction = np.clip(np.rint(mood), 1, 5).astype(np.int64)
    rated = rng.random(n) < _CHAT_RATED_SHARE

    chats = pd.DataFrame(
        {
            "chat_id": _numbered("W", n, 7),
            "customer_id": orders.customer_id[chat.customer],
            "order_id": orders.order_id[chat.order],
            "stage": pd.Categorical.from_codes(stage, categories=list(schema.CONTACT_STAGES)),
            "topic": pd.Categorical.from_codes(chat.topic, categories=list(schema.CONTACT_TOPICS)),
            "start_time": _as_datetime(chat.time),
            "first_response_seconds": first,
            "avg_response_seconds": average,
            "messages": messages,
            "duration_seconds": duration,
            "resolved": _nullable(chat.resolved, after),
            "satisfaction": _nullable(satisfaction, rated),
        }
    )
    day, hour_of_day = np.nonzero(agents > 0)
    staffing = pd.DataFrame(
        {
            "interval_start": _as_datetime(start + day * _DAY + hour_of_day * 3600),
            "agents": agents[day, hour_of_day],
            "chats_per_agent": np.full(len(day), CHAT_CONCURRENCY),
        }
    )
    return cast_table("chats", chats), cast_table("chat_staffing", staffing)


def _numbered(prefix: str, n: int, width: int) -> np.ndarray:
    """Ids like W0000001, W0000002... as an object array (wider past 10**width - 1).

    ``prefix`` is one letter: it overwrites the leading 1 of 10**width + i, which
    is twice as fast as numpy's string functions (0.25 s for 855,000 chats).
    """
    width = max(width, len(str(n)))
    text = (np.arange(1, n + 1, dtype=np.int64) + 10**width).astype(f"U{width + 1}")
    chars = text.view(np.uint32).reshape(n, width + 1).copy()
    chars[:, 0] = ord(prefix)
    return chars.view(f"U{width + 1}").ravel().astype(object)


def _nullable(values: np.ndarray, present: np.ndarray):
    """A nullable pandas array (Int64 or boolean) with ``values`` where ``present``."""
    if values.dtype == bool:
        return pd.arrays.BooleanArray(values, ~present)
    return pd.arrays.IntegerArray(values.astype(np.int64), ~present)


def _as_datetime(seconds) -> np.ndarray:
    return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[ns]")


# --- 5. phone: the contracted service centre ------------------------------------------------


def _call_window(calendar: pd.DataFrame) -> pd.DataFrame:
    return calendar.iloc[-CALL_WINDOW_DAYS:].reset_index(drop=True)


def _client_shop_rates(calendar):
    """Expected calls of the other client shops per (day, queue, half hour) of the window,
    and the planners' forecast of them.

    Pre-sale calls follow the platform's traffic (the calendar's intensity to the
    power 0.6: on 11-11 shoppers order without asking); after-sale and complaint
    calls follow the orders delivered a few days before; late deliveries after a
    big sale turn into complaints more than proportionally.
    """
    window = _call_window(calendar)
    first = len(calendar) - len(window)
    intensity = calendar.intensity.to_numpy()
    placed = CENTRE_CLIENT_ORDERS_PER_DAY * intensity
    delivered = np.convolve(placed, _DELIVERY_DAYS)[: len(calendar)]
    ordinary = CENTRE_CLIENT_ORDERS_PER_DAY * np.median(intensity)
    per_order = np.array([CENTRE_CALLS_PER_ORDER[q] for q in _QUEUES])
    surge = (delivered[first:] / ordinary).clip(0.3, None)
    level = np.vstack(
        [
            (intensity[first:] / np.median(intensity)) ** 0.6,
            surge,
            surge**1.3,
        ]
    ).T  # (day, queue), 1.0 = an ordinary day
    weekday = _WEEKDAY[:, window.date.dt.day_of_week.to_numpy()].T
    profile = _INTRADAY / _INTRADAY.sum(axis=1, keepdims=True)
    daily = ordinary * per_order * weekday
    expected = (daily * level)[:, :, None] * profile[None, :, :]
    planned_level = 1.0 + _FORECAST_SURGE_SHARE * np.clip(level - 1.0, 0.0, None)
    planned = (daily * np.minimum(level, planned_level))[:, :, None] * profile[None, :, :]
    return window, expected, planned


def _own_calls(window, contacts: _Contacts) -> _Contacts:
    """The shop's phone contacts in the window of the centre's log."""
    phone = contacts.take(contacts.channel == _PHONE)
    first = int(window.date.iloc[0].value // 10**9)
    last = int(window.date.iloc[-1].value // 10**9) + _DAY
    return phone.take((phone.time >= first) & (phone.time < last))


def _queue_of(contacts: _Contacts) -> np.ndarray:
    """The IVR queue a contact lands in: pre-sale; complaint for damage and quality
    and for a customer calling again; after-sale otherwise."""
    complaint_topics = [_topic_code("damaged"), _topic_code("quality")]
    complaint = np.isin(contacts.topic, complaint_topics) | contacts.repeat
    return np.where(contacts.stage == _PRE, 0, np.where(complaint, 2, 1))


def _serve(arrival, patience, handle, lane_agents, day_start):
    """First come, first served with patience, for many independent queues at once.

    ``arrival``, ``patience``, ``handle`` are (lanes, calls) arrays in seconds,
    each lane sorted by arrival and padded with ``inf``; ``lane_agents[l, j]``
    agents are on duty in half hour ``j`` after ``day_start``. Agent ``k``
    works the half hours with more than ``k`` agents and finishes a call past
    the end of a shift; a call goes to the agent who can take it first (the
    first free one on duty, else the first to come free or on duty), and is
    abandoned when that is later than its patience allows. Returns (answer or
    hang-up time, abandoned) per call. The loop runs over call positions,
    vectorised over lanes: lanes are independent (a (day, queue) empties
    overnight), so the work is numpy operations on (lanes, agents) arrays, not
    one Python step per call (0.3 s of CPU for the centre's 48,000 calls).
    """
    n_lanes, width = arrival.shape
    n_intervals = lane_agents.shape[1]
    n_slots = max(int(lane_agents.max()), 1)
    length = np.isfinite(arrival).sum(axis=1)
    order = np.argsort(-length, kind="stable")  # longest lanes first: active ones lead
    arrival, patience, handle = arrival[order], patience[order], handle[order]
    length, lane_agents = length[order], lane_agents[order]
    on_duty = lane_agents[:, None, :] > np.arange(n_slots)[None, :, None]
    # next_on[l, k, j]: first half hour >= j in which agent k of lane l is on duty
    # (n_intervals: never again that day); flattened for one fancy index per step.
    next_on = np.full((n_lanes, n_slots, n_intervals + 1), n_intervals)
    for j in range(n_intervals - 1, -1, -1):
        next_on[:, :, j] = np.where(on_duty[:, :, j], j, next_on[:, :, j + 1])
    next_on = next_on.ravel()
    row = (np.arange(n_lanes)[:, None] * n_slots + np.arange(n_slots)[None, :]) * (n_intervals + 1)
    # When half hour j starts; "never" is infinitely late.
    opens = np.r_[day_start + np.arange(n_intervals) * float(INTERVAL_SECONDS), np.inf]
    free = np.full((n_lanes, n_slots), float(day_start))
    start = np.full((n_lanes, width), np.inf)
    abandoned = np.zeros((n_lanes, width), bool)
    active_at = np.searchsorted(-length, -np.arange(width), side="left")  # lanes with > i calls
    for i in range(width):
        active = int(active_at[i])
        a = arrival[:active, i]
        ready = np.maximum(free[:active], a[:, None])
        j = np.minimum((ready - day_start) // INTERVAL_SECONDS, n_intervals).astype(np.int64)
        first_on = next_on[row[:active] + j]
        ready = np.where((first_on == j) & (j < n_intervals), ready, opens[first_on])
        best_k = np.argmin(ready, axis=1)
        lanes = np.arange(active)
        best = ready[lanes, best_k]
        limit = a + patience[:active, i]
        gives_up = best > limit
        start[:active, i] = np.where(gives_up, limit, best)
        abandoned[:active, i] = gives_up
        served = np.flatnonzero(~gives_up)
        free[served, best_k[served]] = best[served] + handle[served, i]
    back = np.empty(n_lanes, np.int64)
    back[order] = np.arange(n_lanes)
    return start[back], abandoned[back]


def call_centre(seed, calendar, orders, n_customers, stream) -> dict[str, pd.DataFrame]:
    """The ``calls``, ``call_staffing``, ``chats`` and ``chat_staffing`` tables.

    ``n_customers`` is not used: the shop's contacts follow its orders, and the
    centre's other shops do not grow with it. See the module docstring.
    """
    del n_customers
    view, contacts, _issues = shop_contacts(seed, calendar, orders, stream)
    chats, chat_staffing = chat_sessions(seed, calendar, view, contacts, stream)
    calls, staffing = phone_line(seed, calendar, view, contacts, stream)
    return {
        "calls": calls,
        "call_staffing": staffing,
        "chats": chats,
        "chat_staffing": chat_staffing,
    }


def phone_line(seed, calendar, view: _Orders, contacts: _Contacts, stream):
    """The ``calls`` and ``call_staffing`` tables of the contracted service centre.

    Arrivals (the other client shops' from :func:`_client_shop_rates`, the shop's
    own phone contacts in the window), staffing on the planners' forecast,
    queueing (:func:`_serve`) and outcomes (first-contact resolution, CSAT).
    """
    window, expected, planned = _client_shop_rates(calendar)
    own = _own_calls(window, contacts)
    n_days, n_queues, n_intervals = expected.shape
    window_start = int(window.date.iloc[0].value // 10**9)
    own_queue = _queue_of(own)
    own_day = (own.time - window_start) // _DAY
    own_offset = own.time - window_start - own_day * _DAY
    own_interval = np.clip((own_offset - OPEN_HOUR * 3600) // INTERVAL_SECONDS, 0, n_intervals - 1)
    own_counts = np.zeros(expected.shape)
    np.add.at(own_counts, (own_day, own_queue, own_interval), 1.0)

    rng = stream(seed, "calls.staffing")
    forecast = (
        planned
        + own_counts.sum(axis=2, keepdims=True)
        * (_INTRADAY / _INTRADAY.sum(axis=1, keepdims=True))[None, :, :]
    )
    offered_load = forecast * _MEAN_HANDLE_SECONDS[None, :, None] / INTERVAL_SECONDS
    needed = np.ceil(offered_load + 0.9 * np.sqrt(offered_load) + 0.2).astype(int)
    # Rostered: enough that, after shrinkage (breaks, meetings, training, absence), the
    # needed agents are logged in; then someone is off sick after all.
    scheduled = np.ceil(needed / (1 - _PLANNED_SHRINKAGE) - 1e-9).astype(int)
    agents = np.maximum(needed - (rng.random(needed.shape) < 0.08), 1)

    rng = stream(seed, "calls.arrivals")
    counts = rng.poisson(expected).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    day_of, queue_of, interval_of = np.unravel_index(cell, expected.shape)
    n_other = len(cell)
    offset = (
        OPEN_HOUR * 3600
        + interval_of * INTERVAL_SECONDS
        + np.floor(rng.random(n_other) * INTERVAL_SECONDS)
    )
    rng = stream(seed, "calls.shops")
    shop_weight = 1.0 / np.arange(1, _N_CLIENT_SHOPS + 1) ** 0.8
    shop = 1 + _draw(rng, shop_weight, n_other)  # 0 is the shop itself

    # One array of every call: the other shops' first, then the shop's own.
    day_of = np.r_[day_of, own_day]
    queue_of = np.r_[queue_of, own_queue]
    offset = np.r_[offset, own_offset.astype(float)]
    shop = np.r_[shop, np.zeros(len(own.time), np.int64)]
    own_index = np.r_[np.full(n_other, -1), np.arange(len(own.time))]
    n = len(day_of)

    rng = stream(seed, "calls.callers")
    patience = rng.exponential(_MEAN_PATIENCE_SECONDS[queue_of])
    sigma = 0.55
    handle = np.round(
        rng.lognormal(np.log(_MEAN_HANDLE_SECONDS[queue_of]) - sigma**2 / 2, sigma)
    ).clip(20, None)

    start, abandoned = _queue_calls(day_of, queue_of, offset, patience, handle, agents)
    wait = np.floor(start - offset).astype(int)

    rng = stream(seed, "calls.outcomes")
    resolved = rng.random(n) < _FIRST_CONTACT_RESOLUTION[queue_of] - 0.1 * (wait > 120)
    is_own = own_index >= 0
    resolved[is_own] = own.resolved[own_index[is_own]] | (own.stage[own_index[is_own]] == _PRE)
    mood = (
        3.3
        + 0.6 * resolved
        - 0.006 * np.minimum(wait, 400)
        - 0.5 * (queue_of == 2)
        + rng.normal(0, 0.7, n)
    )
    csat = np.clip(np.rint(mood), 1, 5).astype(int)
    answers_survey = (rng.random(n) < 0.35) & ~abandoned

    dates = window.date.to_numpy()
    arrival = dates[day_of].astype("datetime64[s]") + offset.astype("timedelta64[s]")
    by_time = np.lexsort((own_index, shop, queue_of, arrival))
    own_of = np.where(is_own, own_index, 0)
    order_index = np.where(is_own, own.order[own_of] if len(own.time) else -1, -1)
    customer = np.where(
        is_own, view.customer_id[own.customer[own_of]] if len(own.time) else None, None
    )
    topic = np.where(is_own, own.topic[own_of] if len(own.time) else -1, -1)
    shop_ids = np.array(
        [OWN_SHOP_ID] + [f"S{i:02d}" for i in range(1, _N_CLIENT_SHOPS + 1)], dtype=object
    )
    calls = pd.DataFrame(
        {
            "call_id": _numbered("K", n, 6),
            "arrival_time": arrival[by_time],
            "queue": pd.Categorical.from_codes(queue_of[by_time], categories=list(_QUEUES)),
            "shop_id": shop_ids[shop[by_time]],
            "customer_id": customer[by_time],
            "order_id": view.order_id[order_index[by_time]],
            "topic": pd.Categorical.from_codes(
                topic[by_time], categories=list(schema.CONTACT_TOPICS)
            ),
            "abandoned": abandoned[by_time],
            "wait_seconds": wait[by_time],
            "handle_seconds": _nullable(handle[by_time], ~abandoned[by_time]),
            "resolved_first_contact": _nullable(resolved[by_time], ~abandoned[by_time]),
            "csat": _nullable(csat[by_time], answers_survey[by_time]),
        }
    )
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
            "scheduled_agents": scheduled.ravel().astype("int64"),
        }
    ).sort_values(["interval_start", "queue"], kind="stable", ignore_index=True)
    return cast_table("calls", calls), cast_table("call_staffing", staffing)


def _queue_calls(day_of, queue_of, offset, patience, handle, agents):
    """Serve every (day, queue) lane: pad the calls into (lane, position) arrays."""
    n_days, n_queues, _ = agents.shape
    lane = day_of * n_queues + queue_of
    by_lane = np.lexsort((offset, lane))
    lane_sorted = lane[by_lane]
    n_lanes = n_days * n_queues
    sizes = np.bincount(lane_sorted, minlength=n_lanes)
    position = np.arange(len(lane_sorted)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = max(int(sizes.max()) if len(sizes) else 0, 1)
    grid = np.full((3, n_lanes, width), np.inf)
    for g, values in enumerate((offset, patience, handle)):
        grid[g, lane_sorted, position] = values[by_lane]
    start_grid, abandoned_grid = _serve(
        grid[0], grid[1], grid[2], agents.reshape(n_lanes, -1), OPEN_HOUR * 3600.0
    )
    start = np.empty(len(lane))
    abandoned = np.empty(len(lane), bool)
    start[by_lane] = start_grid[lane_sorted, position]
    abandoned[by_lane] = abandoned_grid[lane_sorted, position]
    return start, abandoned


# --- 6. tickets -----------------------------------------------------------------------------

# Median hours from the first reply to the resolution, per category.
_RESOLVE_HOURS = np.array([30.0, 20.0, 40.0, 60.0, 36.0])
# Outcome probabilities per category (refund, replacement, compensation, explanation,
# rejected) for orders that were not refunded; a refunded order's ticket ends in a refund.
_OUTCOMES = np.array(
    [
        [0.00, 0.00, 0.45, 0.45, 0.10],
        [0.00, 0.85, 0.10, 0.00, 0.05],
        [0.00, 0.90, 0.05, 0.00, 0.05],
        [0.00, 0.40, 0.30, 0.10, 0.20],
        [0.00, 0.00, 0.20, 0.45, 0.35],
    ]
)


def tickets(seed, calendar, orders, items, products, stream) -> pd.DataFrame:
    """The ``tickets`` table: the after-sale issues that become a formal complaint.

    Each issue of :func:`after_sale_issues` becomes a ticket with its topic's
    ``ticket_share``, recorded when the customer first got in touch and on that
    channel, for that order and customer. A refunded order's ticket is settled
    by the refund; the others by a replacement, compensation, an explanation or
    a rejection. ``items`` and ``products`` are not used (the order's status
    already says what broke).
    """
    del items, products
    view, _contacts, issues = shop_contacts(seed, calendar, orders, stream)
    rng = stream(seed, "tickets.raised")
    share = np.array([t.ticket_share for t in AFTER_SALE_TOPICS])
    first_topic = _topic_code(AFTER_SALE_TOPICS[0].topic)
    topic = issues.topic - first_topic
    raised = rng.random(len(topic)) < share[topic]
    picked = issues.take(raised)
    n = len(picked.time)
    names = [t.ticket_category or schema.TICKET_CATEGORIES[0] for t in AFTER_SALE_TOPICS]
    category = np.array([schema.TICKET_CATEGORIES.index(c) for c in names])[topic[raised]]
    channel = picked.channel
    created = picked.time.astype(float)

    rng = stream(seed, "tickets.timing")
    # Busy after the big sales: service staff answer and resolve more slowly.
    created_md = pd.to_datetime(created, unit="s").strftime("%m-%d").to_numpy()
    busy = ((created_md >= "11-11") & (created_md <= "11-25")) | (
        (created_md >= "06-18") & (created_md <= "06-28")
    )
    reply_minutes = np.select(
        [channel == _CHAT, channel == _PHONE],
        [rng.lognormal(np.log(4), 0.9, n), rng.lognormal(np.log(1), 0.5, n)],
        rng.lognormal(np.log(360), 0.8, n),
    ) * np.where(busy, 3.0, 1.0)
    reply = created + np.ceil(reply_minutes * 60)
    reply = np.where(
        channel == _EMAIL,
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
    refunded = view.status[picked.order] == schema.REFUNDED
    outcome = np.where(refunded, schema.TICKET_OUTCOMES.index("refund"), outcome)
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

    end = float(view.end)
    keep = created < end - 3600
    open_at_end = resolved >= end
    follow_ok = followed_up & ~open_at_end & (follow < end)
    answered_survey &= ~open_at_end

    def as_time(values, present):
        out = pd.to_datetime(values, unit="s").astype("datetime64[ns]")
        return pd.Series(out).where(present).to_numpy()

    table = pd.DataFrame(
        {
            "order_id": view.order_id[picked.order],
            "customer_id": view.customer_id[picked.customer],
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
            "satisfaction": _nullable(satisfaction, answered_survey),
        }
    )[keep]
    table = table.sort_values(["created_time", "order_id"], kind="stable", ignore_index=True)
    table.insert(0, "ticket_id", _numbered("T", len(table), 6))
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

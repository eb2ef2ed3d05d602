"""The loyalty chapter's fixed vocabulary and formulas (客户忠诚与流失).

What the chapter *gives* students, not the answers they write:

- the loyalty 2×2 (忠诚度矩阵): attitude × repeat behaviour, four classes;
- the lifecycle stages (客户生命周期阶段) and the day thresholds that separate them;
- :func:`service_ratings`: each customer's satisfaction ratings from service contacts, the
  attitude the shop's data holds until the satisfaction survey lands;
- the two probabilistic models' per-customer predictions, from fitted parameters:
  :func:`bgnbd_expected_purchases` (BG/NBD, Fader, Hardie & Lee 2005) and
  :func:`gamma_gamma_expected_spend` (Gamma-Gamma, Fader, Hardie & Lee 2005b).

Both formulas are the closed forms of the papers, written with ``scipy.special`` so a
prediction needs no fitted ``lifetimes`` object (importing ``lifetimes`` costs ~1.5 s); the
tests check them against ``lifetimes``' own methods.

>>> LOYALTY_CLASSES.loc["latent", "chinese"]
'潜在忠诚'
>>> loyalty_name(True, False)
'latent'
>>> round(bgnbd_expected_purchases(39, 2, 30.43, 38.86, CDNOW_BGNBD), 3)
1.226
>>> round(gamma_gamma_expected_spend(0, 0.0, {"p": 6.25, "q": 3.74, "v": 15.44}), 2)
35.22
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import hyp2f1

from crm_lab.i18n import tr

__all__ = [
    "ATTITUDE_HIGH",
    "REPEAT_ORDERS",
    "LOYALTY_CLASSES",
    "LOYALTY_ORDER",
    "UNRATED",
    "loyalty_name",
    "ACTIVE_DAYS",
    "LOST_DAYS",
    "LOYAL_ORDERS",
    "LIFECYCLE_STAGES",
    "STAGE_ORDER",
    "CDNOW_BGNBD",
    "service_ratings",
    "bgnbd_expected_purchases",
    "gamma_gamma_expected_spend",
]

ATTITUDE_HIGH = 4.0
"""The lowest average satisfaction (1–5) that counts as a positive attitude: "satisfied" (4)
or "very satisfied" (5) on average."""

REPEAT_ORDERS = 2
"""The fewest paid orders that count as repeat behaviour (a second purchase)."""

UNRATED = "unknown"
"""The loyalty class of a customer whose attitude the data does not show (never rated)."""

_CLASSES = [
    # key,      中文,       English,            attitude, repeats, what the shop does
    ("true", "真正忠诚", "true loyalty", "high", "yes", "reward, ask for referrals and reviews"),
    (
        "latent",
        "潜在忠诚",
        "latent loyalty",
        "high",
        "no",
        "remove what stops the next order: reminders, samples, a better fit of product",
    ),
    (
        "inertia",
        "惰性忠诚",
        "inertia loyalty",
        "low",
        "yes",
        "find out what disappoints before a competitor offers a reason to switch",
    ),
    ("none", "缺乏忠诚", "no loyalty", "low", "no", "little effort; learn from why they left"),
]

LOYALTY_CLASSES: pd.DataFrame = pd.DataFrame(
    _CLASSES, columns=["loyalty", "chinese", "english", "attitude", "repeat_buyer", "action"]
).set_index("loyalty")
"""The four classes of the loyalty 2×2 (Dick & Basu 1994; seed 001): index ``loyalty``
(``true``, ``latent``, ``inertia``, ``none``); columns ``chinese``, ``english``,
``attitude`` (high/low), ``repeat_buyer`` (yes/no) and ``action``."""

LOYALTY_ORDER: list[str] = [row[0] for row in _CLASSES]
"""Class keys in the order of :data:`LOYALTY_CLASSES`."""


def loyalty_name(attitude_high: bool, repeat_buyer: bool) -> str:
    """The 2×2 class key for one customer's attitude and behaviour."""
    if attitude_high:
        return "true" if repeat_buyer else "latent"
    return "inertia" if repeat_buyer else "none"


ACTIVE_DAYS = 90
"""A customer whose last paid order is at most this many days old is active (活跃)."""

LOST_DAYS = 180
"""More days than this since the last paid order: lost (流失). Also the churn definition
of the chapter: no paid order in ``LOST_DAYS`` days."""

LOYAL_ORDERS = 4
"""The fewest paid orders of an active customer called loyal (忠诚)."""

_STAGES = [
    # key, 中文, rule and 规则 (checked in this order; the first that holds names the stage)
    ("lost", "流失客户", f"last paid order more than {LOST_DAYS} days ago",
     f"最近一笔已付款订单在 {LOST_DAYS} 天以前"),
    ("at_risk", "风险客户", f"last paid order {ACTIVE_DAYS + 1}–{LOST_DAYS} days ago",
     f"最近一笔已付款订单在 {ACTIVE_DAYS + 1}–{LOST_DAYS} 天前"),
    ("new", "新客户", f"first paid order at most {ACTIVE_DAYS} days ago",
     f"首笔已付款订单在 {ACTIVE_DAYS} 天以内"),
    ("won_back", "赢回客户", f"a gap of more than {LOST_DAYS} days before the last paid order",
     f"最近一笔已付款订单之前曾间隔 {LOST_DAYS} 天以上"),
    ("loyal", "忠诚客户", f"at least {LOYAL_ORDERS} paid orders",
     f"已付款订单至少 {LOYAL_ORDERS} 笔"),
    ("active", "活跃客户", f"every other customer who bought in the last {ACTIVE_DAYS} days",
     f"其余在最近 {ACTIVE_DAYS} 天内购买过的客户"),
]

LIFECYCLE_STAGES: pd.DataFrame = pd.DataFrame(
    _STAGES, columns=["stage", "chinese", "rule", "rule_zh"]
).set_index("stage")
"""The six lifecycle stages: index ``stage``; columns ``chinese``, ``rule`` and ``rule_zh``
(the rule in Chinese). The rules are checked from the top: the first that holds names the
stage. Days are calendar days from the date of an order to the as-of date, as for recency
in chapter 06."""

STAGE_ORDER: list[str] = ["new", "active", "loyal", "at_risk", "lost", "won_back"]
"""Stage keys in the order a relationship goes through them, for tables and plots."""

CDNOW_BGNBD: dict[str, float] = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
"""BG/NBD parameters for the CDNOW sample (time in weeks), as published by Fader, Hardie &
Lee (2005), "Counting your customers the easy way", Marketing Science 24(2)."""


def service_ratings(chats: pd.DataFrame, tickets: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Each customer's satisfaction ratings (1–5) from chats and tickets.

    Only rated contacts count, and with ``as_of`` only those started before it. Returns a
    DataFrame indexed by ``customer_id`` (customers with at least one rating) with columns
    ``ratings`` (int, how many) and ``avg_satisfaction`` (float, their mean).
    """
    parts = []
    for table, when in ((chats, "start_time"), (tickets, "created_time")):
        missing = [c for c in ("customer_id", when, "satisfaction") if c not in table.columns]
        if missing:
            raise ValueError(tr("the table is missing column(s) {missing}", missing=missing))
        part = table[["customer_id", when, "satisfaction"]].rename(columns={when: "time"})
        parts.append(part)
    rated = pd.concat(parts, ignore_index=True).dropna(subset=["satisfaction"])
    if as_of is not None:
        rated = rated[rated["time"] < pd.Timestamp(as_of)]
    grouped = rated.groupby(rated["customer_id"].astype(str))["satisfaction"]
    out = pd.DataFrame(
        {
            "ratings": grouped.size().astype("int64"),
            "avg_satisfaction": grouped.mean().astype("float64"),
        }
    )
    out.index.name = "customer_id"
    return out.sort_index()


def _params(params, names) -> list[float]:
    try:
        return [float(params[n]) for n in names]
    except (KeyError, TypeError):
        raise ValueError(tr("params needs the keys {names}", names=list(names))) from None


def bgnbd_expected_purchases(t, frequency, recency, T, params):
    """BG/NBD: expected repeat purchases in the next ``t`` time units, per customer.

    ``frequency`` (repeat purchases), ``recency`` (time from first to last purchase) and
    ``T`` (time from first purchase to the end of the calibration period) are numbers or
    array-likes of one entry per customer, in the same unit as ``t`` and as the fitted
    ``params`` (a mapping with ``r``, ``alpha``, ``a``, ``b``). Returns a float, or an
    array (a Series with the index of ``frequency`` if it is one).

    >>> bgnbd_expected_purchases(39, 0, 0.0, 38.86, CDNOW_BGNBD) < 0.2
    True
    """
    r, alpha, a, b = _params(params, ("r", "alpha", "a", "b"))
    x, t_x, big_t = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
    z = t / (alpha + big_t + t)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1)
    second = 1 - hyp * ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
    alive_odds = np.where(
        x > 0, (a / (b + x - 1)) * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0.0
    )
    out = first * second / (1 + alive_odds)
    return _like(out, frequency)


def gamma_gamma_expected_spend(frequency, monetary_value, params):
    """Gamma-Gamma: a customer's expected average spend per purchase.

    A weighted mean of the customer's own average ``monetary_value`` (over their repeat
    purchases) and the population mean ``v p / (q - 1)``, the weight growing with
    ``frequency``; a customer without repeat purchases gets the population mean. ``params``
    is a mapping with ``p``, ``q``, ``v`` (``q > 1``). Unit: that of ``monetary_value``.

    >>> round(gamma_gamma_expected_spend(10, 50.0, {"p": 6.25, "q": 3.74, "v": 15.44}), 2)
    49.38
    """
    p, q, v = _params(params, ("p", "q", "v"))
    x = np.asarray(frequency, dtype="float64")
    m = np.asarray(monetary_value, dtype="float64")
    weight = p * x / (p * x + q - 1)
    out = (1 - weight) * (v * p / (q - 1)) + weight * m
    return _like(out, frequency)


def _like(values: np.ndarray, template):
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index)
    if np.ndim(values) == 0:
        return float(values)
    return values

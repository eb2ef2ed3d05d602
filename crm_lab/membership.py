"""The rules of the shop's membership programme (会员体系与积分), chapter 05.

This module holds what the chapter *gives* students, not the answers they write:
the four tiers and their thresholds, how points are earned, what a point is worth,
when points expire and which ledger events add or take away points. The data
generator (:mod:`crm_lab.data.membership`) and the grader's reference answers
read the same constants, so a rule lives in one place.

Tiers (会员等级) follow the **rolling 12-month spend** (滚动12个月消费): the net
amount of the customer's paid orders on the :data:`ROLLING_DAYS` days before the
day in question (the day itself not included).

>>> tier_of_spend([0, 599.99, 600, 1500, 3499, 3500]).tolist()
['普通', '普通', '银卡', '金卡', '金卡', '钻石']
>>> TIERS
('普通', '银卡', '金卡', '钻石')
>>> EVENT_SIGNS["redeem"], EVENT_SIGNS["earn"]
(-1, 1)
>>> round(points_value_cny(10_000), 2)
100.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lab.i18n import tr

__all__ = [
    "TIERS",
    "TIER_NAMES_EN",
    "TIER_THRESHOLDS_CNY",
    "EARN_MULTIPLIERS",
    "POINTS_PER_CNY",
    "SIGNUP_BONUS_POINTS",
    "FESTIVAL_PROMOTIONS",
    "POINT_VALUE_CNY",
    "EXPIRY_DAYS",
    "ROLLING_DAYS",
    "EVENT_TYPES",
    "EVENT_SIGNS",
    "tier_of_spend",
    "points_value_cny",
]

TIERS = ("普通", "银卡", "金卡", "钻石")
"""The four tiers, lowest first: ordinary, silver, gold, diamond member."""

TIER_NAMES_EN = {"普通": "ordinary", "银卡": "silver", "金卡": "gold", "钻石": "diamond"}

# About the top 30%, 10% and 2% of the shop's paying customers by a year's spend.
TIER_THRESHOLDS_CNY = {"普通": 0.0, "银卡": 600.0, "金卡": 1500.0, "钻石": 3500.0}
"""Lowest rolling 12-month spend (CNY, included) of each tier."""

EARN_MULTIPLIERS = {"普通": 1.0, "银卡": 1.2, "金卡": 1.5, "钻石": 2.0}
"""Points per CNY are multiplied by this in the member's tier on the order's day."""

POINTS_PER_CNY = 1
"""Base points per whole yuan of a paid order's net amount (rounded down)."""

SIGNUP_BONUS_POINTS = 200
"""Points given once, on the day a customer joins (入会礼)."""

FESTIVAL_PROMOTIONS = ("618", "double11")
"""Orders in these promotions earn their base points a second time (双倍积分)."""

POINT_VALUE_CNY = 0.01
"""What one point costs the shop when redeemed: 100 points = 1 CNY of gifts."""

EXPIRY_DAYS = 365
"""Points not redeemed expire this many days after the day they were earned."""

ROLLING_DAYS = 365
"""The window of the rolling spend that sets the tier."""

EVENT_TYPES = ("signup_bonus", "earn", "festival_bonus", "redeem", "expire", "refund_clawback")
EVENT_SIGNS = {
    "signup_bonus": 1,
    "earn": 1,
    "festival_bonus": 1,
    "redeem": -1,
    "expire": -1,
    "refund_clawback": -1,
}
"""+1 for events that add points to a balance, -1 for those that take points away.
In the ledger ``points`` is always positive; this sign says which way it goes."""


def tier_of_spend(spend_cny) -> pd.Series:
    """The tier (one of :data:`TIERS`) for each rolling 12-month spend in CNY.

    ``spend_cny``: numbers (a list, array or Series; a Series keeps its index).
    Each threshold of :data:`TIER_THRESHOLDS_CNY` belongs to the tier it opens.
    Returns a Series of str. Raises ``ValueError`` for negative or missing spend.

    >>> tier_of_spend(pd.Series([120.0, 1800.0], index=["C1", "C2"])).to_dict()
    {'C1': '普通', 'C2': '金卡'}
    """
    spend = spend_cny if isinstance(spend_cny, pd.Series) else pd.Series(spend_cny, dtype=float)
    values = pd.to_numeric(spend, errors="coerce").astype(float)
    bad = values.isna() | (values < 0)
    if bad.any():
        raise ValueError(
            tr(
                "tier_of_spend: spend must be a number of yuan, 0 or more; rows {rows} are not",
                rows=list(spend.index[bad][:5]),
            )
        )
    edges = np.array([TIER_THRESHOLDS_CNY[t] for t in TIERS])
    position = np.searchsorted(edges, values.to_numpy(), side="right") - 1
    return pd.Series(np.array(TIERS, dtype=object)[position], index=spend.index, name="tier")


def points_value_cny(points) -> float:
    """What a number of points costs the shop in CNY (:data:`POINT_VALUE_CNY` each).

    >>> points_value_cny(250)
    2.5
    """
    return float(points) * POINT_VALUE_CNY

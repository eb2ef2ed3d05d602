"""The RFM chapter's fixed vocabulary: the eight value segments (RFM 客户价值分层).

This module holds definitions the chapter *gives* students, not the answers
they write: which R/F/M combination is called what, in Chinese and English, the
marketing idea usually attached to it, and which of the four action groups
(活跃 / 重点突破 / 重点维护 / 要遗弃) it belongs to.

Each of R, F and M is "high" (高) when its 1–5 score is at least
:data:`HIGH_SCORE` (the top two fifths), and "low" (低) otherwise. A fixed
threshold, not "above the mean score": quintile scores have a mean of about 3
by construction, so comparing with the mean would put the whole middle fifth on
one side or the other by noise in the third decimal.

>>> SEGMENTS.loc[("high", "high", "high"), "segment"]
'重要价值客户'
>>> segment_name("low", "low", "high")
'重要挽留客户'
>>> segment_names(["high", "low"], ["high", "low"], ["high", "low"]).tolist()
['重要价值客户', '一般挽留客户']
>>> SEGMENTS.loc[("low", "high", "high"), "action_group"]
'重点维护客户'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lab.i18n import tr

__all__ = [
    "HIGH_SCORE",
    "SEGMENTS",
    "SEGMENT_ORDER",
    "ACTION_GROUPS",
    "ACTION_GROUP_ORDER",
    "segment_name",
    "segment_names",
]

HIGH_SCORE = 4
"""The lowest 1–5 score that counts as "high": scores 4 and 5, the top two fifths."""

_ROWS = [
    # r,      f,      m,      segment (中文),     English,                      typical action
    (
        "high",
        "high",
        "high",
        "重要价值客户",
        "champions (important value)",
        "reward and keep close",
    ),
    ("high", "low", "high", "重要发展客户", "big spenders to develop", "raise purchase frequency"),
    ("low", "high", "high", "重要保持客户", "loyal but lapsing", "reactivate before they leave"),
    ("low", "low", "high", "重要挽留客户", "big spenders at risk", "win back with care"),
    ("high", "high", "low", "一般价值客户", "frequent small spenders", "raise basket size"),
    ("high", "low", "low", "一般发展客户", "new or occasional", "nurture to a second order"),
    ("low", "high", "low", "一般保持客户", "fading regulars", "low-cost reminders"),
    ("low", "low", "low", "一般挽留客户", "lost low value", "lowest priority"),
]

# The four action groups of the syllabus (seed 003, 9.5), read from R first: recent buyers
# who already buy often are active; recent buyers who do not yet are the ones to break
# through with; lapsed customers are worth maintaining only if they spent a lot.
_GROUPS = [
    # group (中文),  English,             which segments,                   what the shop does
    ("活跃客户", "active", "high R, high F", "keep them buying; reward, do not discount"),
    (
        "重点突破客户",
        "to break through",
        "high R, low F",
        "turn a recent first or second order into a habit",
    ),
    (
        "重点维护客户",
        "to maintain",
        "low R, high M",
        "personal win-back while the relationship is worth it",
    ),
    ("要遗弃客户", "to let go", "low R, low M", "no paid effort; cheap reminders at most"),
]


def _action_group(r: str, f: str, m: str) -> str:
    if r == "high":
        return "活跃客户" if f == "high" else "重点突破客户"
    return "重点维护客户" if m == "high" else "要遗弃客户"


SEGMENTS: pd.DataFrame = (
    pd.DataFrame(
        _ROWS, columns=["r_level", "f_level", "m_level", "segment", "segment_en", "action"]
    )
    .assign(
        action_group=lambda t: [
            _action_group(*k) for k in zip(t["r_level"], t["f_level"], t["m_level"], strict=True)
        ]
    )
    .set_index(["r_level", "f_level", "m_level"])
)
"""The eight segments: index (r_level, f_level, m_level) in {"high", "low"};
columns ``segment`` (Chinese name), ``segment_en``, ``action`` and
``action_group`` (one of :data:`ACTION_GROUP_ORDER`)."""

SEGMENT_ORDER: list[str] = [row[3] for row in _ROWS]
"""Segment names from most to least valuable, for ordering tables and plots."""

ACTION_GROUPS: pd.DataFrame = pd.DataFrame(
    _GROUPS, columns=["action_group", "action_group_en", "rule", "action"]
).set_index("action_group")
"""The four action groups (客户行动分组): index ``action_group`` (Chinese name);
columns ``action_group_en``, ``rule`` (which levels) and ``action``."""

ACTION_GROUP_ORDER: list[str] = [row[0] for row in _GROUPS]
"""Action group names in the order of :data:`ACTION_GROUPS`."""


def segment_name(r_level: str, f_level: str, m_level: str) -> str:
    """Chinese segment name for levels given as ``"high"`` or ``"low"``."""
    try:
        return SEGMENTS.loc[(r_level, f_level, m_level), "segment"]
    except KeyError:
        raise ValueError(tr("levels must each be 'high' or 'low', got {levels}",
                            levels=(r_level, f_level, m_level))) from None


def segment_names(r_levels, f_levels, m_levels) -> np.ndarray:
    """Chinese segment names for many customers at once.

    Each argument is an array-like of ``"high"``/``"low"`` of the same length
    (one entry per customer); returns an array of names in the same order.
    One vectorised lookup instead of one ``SEGMENTS.loc`` per customer, which
    takes seconds on tens of thousands of customers.
    """
    keys = pd.MultiIndex.from_arrays(
        [np.asarray(r_levels), np.asarray(f_levels), np.asarray(m_levels)]
    )
    names = SEGMENTS["segment"].reindex(keys).to_numpy()
    if pd.isna(names).any():
        bad = keys[pd.isna(names)][0]
        raise ValueError(tr("levels must each be 'high' or 'low', got {levels}", levels=bad))
    return names

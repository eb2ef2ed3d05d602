"""The RFM chapter's fixed vocabulary: the eight value segments (RFM 客户价值分层).

This module holds definitions the chapter *gives* students, not the answers
they write: which R/F/M combination is called what, in Chinese and English, and
the marketing idea usually attached to it. Each of R, F and M is "high" (高) or
"low" (低) compared with its mean across customers.

>>> SEGMENTS.loc[("high", "high", "high"), "segment"]
'重要价值客户'
>>> segment_name("low", "low", "high")
'重要挽留客户'
>>> segment_names(["high", "low"], ["high", "low"], ["high", "low"]).tolist()
['重要价值客户', '一般挽留客户']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SEGMENTS", "SEGMENT_ORDER", "segment_name", "segment_names"]

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

SEGMENTS: pd.DataFrame = pd.DataFrame(
    _ROWS, columns=["r_level", "f_level", "m_level", "segment", "segment_en", "action"]
).set_index(["r_level", "f_level", "m_level"])
"""The eight segments: index (r_level, f_level, m_level) in {"high", "low"};
columns ``segment`` (Chinese name), ``segment_en`` and ``action``."""

SEGMENT_ORDER: list[str] = [row[3] for row in _ROWS]
"""Segment names from most to least valuable, for ordering tables and plots."""


def segment_name(r_level: str, f_level: str, m_level: str) -> str:
    """Chinese segment name for levels given as ``"high"`` or ``"low"``."""
    try:
        return SEGMENTS.loc[(r_level, f_level, m_level), "segment"]
    except KeyError:
        raise ValueError(
            f"levels must each be 'high' or 'low', got {(r_level, f_level, m_level)}"
        ) from None


def segment_names(r_levels, f_levels, m_levels) -> np.ndarray:
    """Chinese segment names for many customers at once.

    Each argument is an array-like of ``"high"``/``"low"`` of the same length
    (one entry per customer); returns an array of names in the same order.
    One vectorised lookup instead of one ``SEGMENTS.loc`` per customer, which
    takes seconds on tens of thousands of customers.
    """
    keys = pd.MultiIndex.from_arrays([np.asarray(r_levels), np.asarray(f_levels),
                                      np.asarray(m_levels)])
    names = SEGMENTS["segment"].reindex(keys).to_numpy()
    if pd.isna(names).any():
        bad = keys[pd.isna(names)][0]
        raise ValueError(f"levels must each be 'high' or 'low', got {bad}")
    return names

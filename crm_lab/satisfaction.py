"""The shop's post-purchase survey and the platform's ratings (客户满意度), chapter 03.

This module holds what the chapter *gives* students: the survey's service dimensions
(服务维度), the columns that hold each dimension's items, the wording of the questions,
the weights of the shop's satisfaction index (CSI) and the cut-offs of the Net Promoter
Score. The data generator (:mod:`crm_lab.data.survey`) and the grader's reference
answers read the same constants, so a rule lives in one place.

Each dimension has one **expectation** item (期望, asked as "before you ordered, how
good did you expect ... to be?") and two **perception** items (感知, "how good was
..."), all on a 5-point Likert scale (1 = very poor, 5 = excellent).

>>> DIMENSIONS
('quality', 'value', 'delivery', 'service', 'ease')
>>> EXPECTATION_COLUMNS["delivery"], PERCEPTION_COLUMNS["delivery"]
('exp_delivery', ('perc_delivery_1', 'perc_delivery_2'))
>>> round(sum(CSI_WEIGHTS.values()), 6)
1.0
>>> nps_group([10, 8, 6]).tolist()
['promoter', 'passive', 'detractor']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "DIMENSIONS",
    "DIMENSION_NAMES_ZH",
    "EXPECTATION_COLUMNS",
    "PERCEPTION_COLUMNS",
    "ITEM_COLUMNS",
    "LIKERT_COLUMNS",
    "QUESTIONS_ZH",
    "CSI_WEIGHTS",
    "PROMOTER_FROM",
    "DETRACTOR_TO",
    "DSR_COLUMNS",
    "FOLLOW_UP_DAYS",
    "nps_group",
]

DIMENSIONS = ("quality", "value", "delivery", "service", "ease")
"""The five service dimensions of the survey, in the order the questionnaire asks them."""

DIMENSION_NAMES_ZH = {
    "quality": "产品质量",
    "value": "价格与价值",
    "delivery": "物流配送",
    "service": "客服服务",
    "ease": "购物便捷",
}

EXPECTATION_COLUMNS = {d: f"exp_{d}" for d in DIMENSIONS}
"""Dimension -> the column of its expectation item (1-5)."""

PERCEPTION_COLUMNS = {d: (f"perc_{d}_1", f"perc_{d}_2") for d in DIMENSIONS}
"""Dimension -> the columns of its two perception items (1-5)."""

ITEM_COLUMNS = (
    *EXPECTATION_COLUMNS.values(),
    *(c for d in DIMENSIONS for c in PERCEPTION_COLUMNS[d]),
)
"""The 15 dimension items (five expectations, then ten perceptions), in questionnaire order."""

LIKERT_COLUMNS = (
    *ITEM_COLUMNS,
    "overall_satisfaction",
    "repurchase_intention",
)
"""Every 1-5 item of the questionnaire, in the order it is asked (recommend is 0-10)."""

QUESTIONS_ZH = {
    "exp_quality": "下单前，您预期这家店的茶叶和茶具品质如何？",
    "exp_value": "下单前，您预期这次购物物有所值的程度如何？",
    "exp_delivery": "下单前，您预期发货和配送有多快、多可靠？",
    "exp_service": "下单前，您预期客服的服务会怎样？",
    "exp_ease": "下单前，您预期在店里找商品、下单有多方便？",
    "perc_quality_1": "收到的茶叶/茶具品质好。",
    "perc_quality_2": "商品与页面描述相符。",
    "perc_value_1": "这次购物物有所值。",
    "perc_value_2": "与其他店铺相比，价格合理。",
    "perc_delivery_1": "包裹按承诺的时间送达。",
    "perc_delivery_2": "包装完好，物流信息清楚。",
    "perc_service_1": "客服回复及时。",
    "perc_service_2": "客服能解决我的问题。",
    "perc_ease_1": "在店里很容易找到想要的商品。",
    "perc_ease_2": "下单和付款的过程很顺畅。",
    "overall_satisfaction": "总体而言，您对这次购物满意吗？",
    "recommend": "您有多大可能向朋友推荐本店？（0 = 完全不可能，10 = 非常可能）",
    "repurchase_intention": "您今后还会在本店购买吗？",
    "comment_zh": "还有什么想对我们说的吗？（选填）",
}
"""The questionnaire's wording in Chinese, by column.

1-5 items: 1 = 非常不同意 / 很差, 5 = 非常同意 / 很好."""

# The weights the shop states for its index, set with the service team before the
# survey ran (not estimated from it): quality first, then delivery and service.
CSI_WEIGHTS = {"quality": 0.30, "value": 0.20, "delivery": 0.20, "service": 0.20, "ease": 0.10}
"""Dimension -> weight in the customer satisfaction index (sums to 1)."""

PROMOTER_FROM = 9
"""A recommend answer of 9 or 10 is a promoter (推荐者)."""
DETRACTOR_TO = 6
"""A recommend answer of 0 to 6 is a detractor (贬损者); 7 and 8 are passives (被动者)."""

DSR_COLUMNS = {
    "description_match": "描述相符",
    "service_attitude": "服务态度",
    "logistics_service": "物流服务",
}
"""The platform's three shop ratings (店铺动态评分, DSR), 1-5 per rated order."""

FOLLOW_UP_DAYS = 180
"""Days after an order in which a repeat paid order counts as a repurchase."""


def nps_group(recommend) -> pd.Series:
    """``promoter`` (9-10), ``passive`` (7-8) or ``detractor`` (0-6) for 0-10 answers.

    Missing answers stay missing.

    >>> nps_group(pd.Series([9, 7, 0, None])).tolist()
    ['promoter', 'passive', 'detractor', nan]
    """
    values = pd.Series(recommend, dtype="Float64")
    bad = values.notna() & ~values.isin(list(range(11)))
    if bad.any():
        rows = list(values.index[bad.to_numpy(dtype=bool)][:5])
        raise ValueError(f"nps_group: answers must be whole numbers 0-10; rows {rows} are not")
    group = np.select(
        [values.ge(PROMOTER_FROM).fillna(False), values.gt(DETRACTOR_TO).fillna(False),
         values.notna().to_numpy(dtype=bool)],
        ["promoter", "passive", "detractor"],
        default=None,
    )
    return pd.Series(np.where(values.isna(), np.nan, group).astype(object), index=values.index)

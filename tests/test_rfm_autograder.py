"""The RFM chapter's autograder tests are honest: every correct answer passes,
in any reasonable style, and each common mistake fails exactly the cells it should.

Graded in-process (see harness.py); the nbgrader round trip checks a real kernel agrees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from autograder_contract import ChapterAutograder

from crm_lab.rfm import SEGMENTS
from grader.reference import rfm as ref

REFERENCE = {
    "rfm_table": ref.rfm_table,
    "rfm_scores": ref.rfm_scores,
    "rfm_segments": ref.rfm_segments,
    "segment_profile": ref.segment_profile,
    "top_customer_share": ref.top_customer_share,
}
RFM_TABLE_CELLS = {"test_rfm_table_shop", "test_rfm_table_rules"}


# ---- other correct styles -------------------------------------------------------------


def rfm_table_columns_floats(orders, as_of, amount_col="net_amount_cny"):
    paid = orders.query("status == 'paid' and order_time < @as_of")
    g = paid.groupby("customer_id", observed=True)
    last = g["order_time"].max().dt.normalize()
    return (
        pd.DataFrame(
            {
                "monetary_cny": g[amount_col].sum(),
                "frequency": g["order_id"].nunique().astype(float),
                "recency_days": (pd.Timestamp(as_of) - last) / pd.Timedelta(days=1),
            }
        )
        .reset_index()
        .sample(frac=1, random_state=0)
    )


def rfm_table_loop_style(orders, as_of, amount_col="net_amount_cny"):
    rows = []
    paid = orders[orders["status"].astype(str).eq("paid") & (orders["order_time"] < as_of)]
    for customer, group in paid.groupby("customer_id", observed=True):
        last = group["order_time"].max().date()
        rows.append(
            {
                "customer_id": customer,
                "recency_days": (pd.Timestamp(as_of).date() - last).days,
                "frequency": len(group),
                "monetary_cny": round(group[amount_col].sum(), 2),
            }
        )
    return pd.DataFrame(rows)


def rfm_scores_integer_arithmetic(rfm):
    out = rfm.copy()
    n = len(rfm)
    for col, values in [
        ("r_score", -rfm["recency_days"]),
        ("f_score", rfm["frequency"]),
        ("m_score", rfm["monetary_cny"]),
    ]:
        out[col] = (values.rank(method="min").astype(int) - 1) * 5 // n + 1
    return out


def rfm_scores_float_scores(rfm):
    n = len(rfm)
    score = lambda v: 1 + np.floor(5 * (v.rank(method="min") - 1) / n)  # noqa: E731
    return rfm.assign(
        m_score=score(rfm["monetary_cny"]),
        f_score=score(rfm["frequency"]),
        r_score=score(-rfm["recency_days"]),
    )


def rfm_segments_select(scores):
    r = scores["r_score"] > scores["r_score"].mean()
    f = scores["f_score"] > scores["f_score"].mean()
    m = scores["m_score"] > scores["m_score"].mean()
    label = lambda b: np.where(b, "high", "low")  # noqa: E731
    keys = list(zip(label(r), label(f), label(m), strict=True))
    return scores.assign(segment=[SEGMENTS.loc[k, "segment"] for k in keys])


def segment_profile_columns_categorical(segmented):
    seg = pd.Categorical(segmented["segment"], categories=list(SEGMENTS["segment"]))
    g = segmented.groupby(seg, observed=False)["monetary_cny"]
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "customer_share": g.size() / len(segmented),
            "revenue_share": g.sum() / segmented["monetary_cny"].sum(),
            "avg_monetary_cny": g.mean(),
        }
    )
    return out.rename_axis("segment").reset_index()  # empty segments kept, as rows of 0


def top_share_nlargest(rfm, top_fraction=0.2):
    import math

    top = rfm.nlargest(math.ceil(top_fraction * len(rfm)), "monetary_cny")
    return top["monetary_cny"].sum() / rfm["monetary_cny"].sum()


def rfm_table_inplace(orders, as_of, amount_col="net_amount_cny"):
    """Right, in pandas 2's ``inplace=True`` idiom: pandas 3 warns (deprecated), no mistake."""
    as_of = pd.Timestamp(as_of)
    paid = orders[(orders["status"] == "paid") & (orders["order_time"] < as_of)].copy()
    paid["day"] = paid["order_time"].dt.normalize()
    out = paid.groupby("customer_id", observed=True).agg(
        last_day=("day", "max"), frequency=("order_time", "size"), monetary_cny=(amount_col, "sum")
    )
    out["recency_days"] = (as_of - out["last_day"]).dt.days
    out.drop(columns="last_day", inplace=True)
    out.reset_index(inplace=True)
    return out


CORRECT_STYLES = {
    "rfm_table as columns, floats, shuffled rows": dict(rfm_table=rfm_table_columns_floats),
    "rfm_table written as a loop": dict(rfm_table=rfm_table_loop_style),
    "rfm_scores with integer arithmetic": dict(rfm_scores=rfm_scores_integer_arithmetic),
    "rfm_scores with float scores": dict(rfm_scores=rfm_scores_float_scores),
    "rfm_segments with boolean masks": dict(rfm_segments=rfm_segments_select),
    "segment_profile as columns incl. empty categories": dict(
        segment_profile=segment_profile_columns_categorical
    ),
    "top_customer_share with nlargest": dict(top_customer_share=top_share_nlargest),
    "rfm_table with inplace=True (pandas warns)": dict(rfm_table=rfm_table_inplace),
}


# ---- common mistakes ------------------------------------------------------------------


def rfm_table_counts_refunds(orders, as_of, amount_col="net_amount_cny"):
    return ref.rfm_table(orders.assign(status="paid"), as_of, amount_col)


def rfm_table_ignores_as_of(orders, as_of, amount_col="net_amount_cny"):
    paid = orders[orders["status"] == "paid"]
    g = paid.groupby("customer_id", observed=True)
    return pd.DataFrame(
        {
            "recency_days": (as_of - g["order_time"].max().dt.normalize()).dt.days,
            "frequency": g.size(),
            "monetary_cny": g[amount_col].sum(),
        }
    )


def rfm_table_elapsed_days(orders, as_of, amount_col="net_amount_cny"):
    paid = orders[(orders["status"] == "paid") & (orders["order_time"] < as_of)]
    g = paid.groupby("customer_id", observed=True)
    return pd.DataFrame(
        {
            "recency_days": (as_of - g["order_time"].max()).dt.days,
            "frequency": g.size(),
            "monetary_cny": g[amount_col].sum(),
        }
    )


_SHIPPED = {}


def rfm_table_hard_coded(orders, as_of, amount_col="net_amount_cny"):
    from crm_lab.data import AS_OF, load_orders

    if "table" not in _SHIPPED:
        _SHIPPED["table"] = ref.rfm_table(load_orders(), AS_OF)
    return _SHIPPED["table"].copy()


def rfm_scores_qcut_first(rfm):
    q = lambda s: pd.qcut(s.rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)  # noqa: E731
    return rfm.assign(
        r_score=q(-rfm["recency_days"]), f_score=q(rfm["frequency"]), m_score=q(rfm["monetary_cny"])
    )


def rfm_scores_recency_not_reversed(rfm):
    out = ref.rfm_scores(rfm)
    return out.assign(r_score=6 - out["r_score"])


def rfm_segments_by_median(scores):
    level = {
        c: np.where(scores[c] > scores[c].median(), "high", "low")
        for c in ["r_score", "f_score", "m_score"]
    }
    keys = zip(level["r_score"], level["f_score"], level["m_score"], strict=True)
    return scores.assign(segment=[SEGMENTS.loc[k, "segment"] for k in keys])


def segment_profile_percent(segmented):
    out = ref.segment_profile(segmented)
    return out.assign(
        customer_share=out["customer_share"] * 100, revenue_share=out["revenue_share"] * 100
    )


def top_share_of_customers(rfm, top_fraction=0.2):
    return float(top_fraction)


def top_share_by_quantile(rfm, top_fraction=0.2):
    m = rfm["monetary_cny"]  # not the top ceil(f * n) customers the question defines
    return m[m >= m.quantile(1 - top_fraction)].sum() / m.sum()


MISTAKES = {
    "refunded orders counted": (dict(rfm_table=rfm_table_counts_refunds), RFM_TABLE_CELLS),
    "orders after as_of counted": (
        dict(rfm_table=rfm_table_ignores_as_of),
        {"test_rfm_table_rules"},
    ),
    "recency in elapsed 24h periods": (dict(rfm_table=rfm_table_elapsed_days), RFM_TABLE_CELLS),
    "hard-coded shipped-data answer": (
        dict(rfm_table=rfm_table_hard_coded),
        {"test_rfm_table_rules"},
    ),
    "qcut on rank(first) splits ties": (
        dict(rfm_scores=rfm_scores_qcut_first),
        {"test_rfm_scores"},
    ),
    "recency score not reversed": (
        dict(rfm_scores=rfm_scores_recency_not_reversed),
        {"test_rfm_scores"},
    ),
    "segments split at the median": (
        dict(rfm_segments=rfm_segments_by_median),
        {"test_rfm_segments"},
    ),
    "shares in percent": (dict(segment_profile=segment_profile_percent), {"test_segment_profile"}),
    "share of customers, not revenue": (
        dict(top_customer_share=top_share_of_customers),
        {"test_top_customer_share"},
    ),
    "top group by quantile, not ceil(f * n)": (
        dict(top_customer_share=top_share_by_quantile),
        {"test_top_customer_share"},
    ),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "06_rfm"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "rfm_table with inplace=True (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 12

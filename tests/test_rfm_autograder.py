"""The RFM chapter's autograder tests are honest: every correct answer passes,
in any reasonable style, and each common mistake fails exactly the cells it should.

Graded in-process (see harness.py); the nbgrader round trip checks a real kernel agrees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from autograder_contract import ChapterAutograder

from crm_lab.rfm import HIGH_SCORE, SEGMENTS, segment_name
from grader.reference import rfm as ref

REFERENCE = {
    "rfm_table": ref.rfm_table,
    "rfm_scores": ref.rfm_scores,
    "rfm_segments": ref.rfm_segments,
    "segment_profile": ref.segment_profile,
    "top_customer_share": ref.top_customer_share,
    "segment_backtest": ref.segment_backtest,
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
    r = scores["r_score"] >= HIGH_SCORE
    f = scores["f_score"] >= HIGH_SCORE
    m = scores["m_score"] >= HIGH_SCORE
    label = lambda b: np.where(b, "high", "low")  # noqa: E731
    keys = list(zip(label(r), label(f), label(m), strict=True))
    return scores.assign(segment=[SEGMENTS.loc[k, "segment"] for k in keys])


def segment_profile_columns_categorical(segmented):
    seg = pd.Categorical(segmented["segment"], categories=list(SEGMENTS["segment"]))
    g = segmented.groupby(seg, observed=False)["monetary_cny"]
    by = segmented.groupby(seg, observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "customer_share": g.size() / len(segmented),
            "revenue_share": g.sum() / segmented["monetary_cny"].sum(),
            "avg_monetary_cny": g.mean(),
            "repeat_rate": by["frequency"].apply(lambda f: f.gt(1).mean()),
            "avg_order_value_cny": g.sum() / by["frequency"].sum(),
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


def rfm_table_category_codes_and_string_as_of(orders, as_of, amount_col="net_amount_cny"):
    as_of = pd.to_datetime(as_of)
    keep = orders["status"].isin(["paid"]) & orders["order_time"].lt(as_of)
    paid = orders.loc[keep, ["customer_id", "order_time", amount_col]]
    out = paid.groupby("customer_id", observed=True).agg(
        last=("order_time", "max"),
        frequency=("order_time", "count"),
        monetary_cny=(amount_col, "sum"),
    )
    out["recency_days"] = (as_of.normalize() - out.pop("last").dt.floor("D")).dt.days.astype(float)
    return out


def rfm_segments_greater_than_three_categorical(scores):
    levels = {
        c: scores[c].gt(HIGH_SCORE - 1).map({True: "high", False: "low"})
        for c in ["r_score", "f_score", "m_score"]
    }
    names = [segment_name(*k) for k in zip(*levels.values(), strict=True)]
    return scores.assign(segment=pd.Categorical(names, categories=list(SEGMENTS["segment"])))


def rfm_segments_column_key_and_extra_columns(scores):
    out = scores.reset_index()
    for c in ["r_score", "f_score", "m_score"]:
        out[c[0] + "_level"] = np.where(out[c] >= 4, "high", "low")
    keys = zip(out["r_level"], out["f_level"], out["m_level"], strict=True)
    out["segment"] = [SEGMENTS.loc[key, "segment"] for key in keys]
    return out


def segment_profile_float_counts_column_key(segmented):
    rows = []
    for name, group in segmented.groupby(segmented["segment"].astype(str)):
        rows.append(
            {
                "segment": name,
                "customers": float(len(group)),
                "customer_share": len(group) / len(segmented),
                "revenue_share": group["monetary_cny"].sum() / segmented["monetary_cny"].sum(),
                "avg_monetary_cny": group["monetary_cny"].mean(),
                "repeat_rate": float((group["frequency"] >= 2).sum()) / len(group),
                "avg_order_value_cny": group["monetary_cny"].sum() / group["frequency"].sum(),
            }
        )
    return pd.DataFrame(rows)


def backtest_merge_column_key(segmented, orders, as_of, months=6, amount_col="net_amount_cny"):
    start = pd.Timestamp(as_of)
    end = start + pd.DateOffset(months=months)
    window = orders.query("status == 'paid'")
    window = window[(window["order_time"] >= start) & (window["order_time"] < end)]
    per = (
        window.groupby("customer_id", observed=True)
        .agg(n=("order_id", "nunique"), cny=(amount_col, "sum"))
        .reset_index()
    )
    people = segmented.reset_index()[["customer_id", "segment"]]
    people["customer_id"] = people["customer_id"].astype(str)
    per["customer_id"] = per["customer_id"].astype(str)
    merged = people.merge(per, on="customer_id", how="left").fillna({"n": 0, "cny": 0.0})
    merged["bought"] = merged["n"] > 0
    out = merged.groupby("segment", observed=False).agg(
        customers=("customer_id", "count"),
        buy_rate=("bought", "mean"),
        orders_per_customer=("n", "mean"),
        revenue_per_customer_cny=("cny", "mean"),
    )
    return out.reset_index()  # empty segments kept, as rows of 0 customers


def backtest_loop_over_segments(segmented, orders, as_of, months=6, amount_col="net_amount_cny"):
    start = pd.Timestamp(as_of)
    end = start + pd.DateOffset(months=months)
    paid = orders[orders["status"].astype(str).eq("paid")]
    paid = paid[paid["order_time"].between(start, end, inclusive="left")]
    rows = {}
    for segment, members in segmented.groupby("segment", observed=True):
        mine = paid[paid["customer_id"].isin(members.index)]
        rows[segment] = {
            "revenue_per_customer_cny": mine[amount_col].sum() / len(members),
            "orders_per_customer": len(mine) / len(members),
            "buy_rate": mine["customer_id"].nunique() / len(members),
            "customers": len(members),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("segment")


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
    "rfm_table with isin, floor('D') and float recency": dict(
        rfm_table=rfm_table_category_codes_and_string_as_of
    ),
    "rfm_segments as score > 3, categorical, one lookup each": dict(
        rfm_segments=rfm_segments_greater_than_three_categorical
    ),
    "rfm_segments with customer_id as a column and level columns kept": dict(
        rfm_segments=rfm_segments_column_key_and_extra_columns
    ),
    "segment_profile built row by row, float counts, segment column": dict(
        segment_profile=segment_profile_float_counts_column_key
    ),
    "segment_backtest with merge, customer_id column, empty segments kept": dict(
        segment_backtest=backtest_merge_column_key
    ),
    "segment_backtest looping over segments, between(inclusive='left')": dict(
        segment_backtest=backtest_loop_over_segments
    ),
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


def rfm_table_ignores_amount_col(orders, as_of, amount_col="net_amount_cny"):
    return ref.rfm_table(orders, as_of)  # always sums net_amount_cny


def rfm_table_adds_a_column_to_orders(orders, as_of, amount_col="net_amount_cny"):
    orders["order_day"] = orders["order_time"].dt.normalize()  # the caller's table changes
    return ref.rfm_table(orders, as_of, amount_col)


def rfm_table_drops_rows_in_place(orders, as_of, amount_col="net_amount_cny"):
    orders.drop(orders.index[orders["status"] != "paid"], inplace=True)
    return ref.rfm_table(orders, as_of, amount_col)


def rfm_table_includes_as_of(orders, as_of, amount_col="net_amount_cny"):
    # an order at exactly as_of counted (<= instead of <)
    just_after = pd.Timestamp(as_of) + pd.Timedelta(microseconds=1)
    return ref.rfm_table(orders, just_after, amount_col)


def rfm_scores_in_place(rfm):
    scored = ref.rfm_scores(rfm)
    for c in ["r_score", "f_score", "m_score"]:
        rfm[c] = scored[c]
    return rfm


def rfm_scores_average_rank(rfm):
    def score(values):
        return (1 + np.floor(5 * (values.rank(method="average") - 1) / len(rfm))).astype(int)

    return rfm.assign(
        r_score=score(-rfm["recency_days"]),
        f_score=score(rfm["frequency"]),
        m_score=score(rfm["monetary_cny"]),
    )


def rfm_scores_negates_the_recency_column(rfm):
    out = ref.rfm_scores(rfm)
    return out.assign(recency_days=-out["recency_days"])  # the scores are right, rfm's values not


def rfm_segments_only_the_segment(scores):
    return ref.rfm_segments(scores)[["segment"]]  # not a copy of scores with one more column


def _segments_where(scores, is_high):
    levels = [
        np.where(is_high(scores[c]), "high", "low") for c in ["r_score", "f_score", "m_score"]
    ]
    return scores.assign(segment=[SEGMENTS.loc[k, "segment"] for k in zip(*levels, strict=True)])


def rfm_segments_above_mean_score(scores):
    """The rule the chapter used to state: a score above the mean of that score."""
    return _segments_where(scores, lambda s: s > s.mean())


def rfm_segments_strictly_above_four(scores):
    return _segments_where(scores, lambda s: s > HIGH_SCORE)


def rfm_segments_in_place(scores):
    scores["segment"] = ref.rfm_segments(scores)["segment"]
    return scores


def segment_profile_repeat_above_two(segmented):
    out = ref.segment_profile(segmented)
    repeat = (segmented["frequency"] > 2).groupby(segmented["segment"].astype(str)).mean()
    return out.assign(repeat_rate=repeat)


def segment_profile_order_value_per_customer(segmented):
    out = ref.segment_profile(segmented)
    return out.assign(avg_order_value_cny=out["avg_monetary_cny"])  # per customer, not per order


def segment_profile_in_place(segmented):
    segmented["repeat"] = segmented["frequency"] >= 2
    return ref.segment_profile(segmented)


def _window(orders, start, end, months):
    paid = orders["status"] == "paid"
    return paid & (orders["order_time"] >= start) & (orders["order_time"] < end)


def _backtest_with(window=_window, amount=None, keep_silent=True, per="customer"):
    """A back-test built like the reference, with one thing done differently."""

    def backtest(segmented, orders, as_of, months=6, amount_col="net_amount_cny"):
        start = pd.Timestamp(as_of)
        end = start + pd.DateOffset(months=months)
        bought = orders[window(orders, start, end, months)]
        col = amount or amount_col
        n = bought.groupby("customer_id", observed=True).agg(n=(col, "size"), cny=(col, "sum"))
        joined = segmented[["segment"]].join(n, how="left" if keep_silent else "inner").fillna(0)
        g = joined.groupby("segment", observed=True)
        buyers = g["n"].apply(lambda k: (k > 0).sum())
        size = g.size() if per == "customer" else buyers.clip(lower=1)
        return pd.DataFrame(
            {
                "customers": g.size(),
                "buy_rate": buyers / size,
                "orders_per_customer": g["n"].sum() / size,
                "revenue_per_customer_cny": g["cny"].sum() / size,
            }
        )

    return backtest


def _any_status(orders, start, end, months):
    return (orders["order_time"] >= start) & (orders["order_time"] < end)


def _after_as_of(orders, start, end, months):
    return _window(orders, start, end, months) & (orders["order_time"] > start)


def _up_to_end(orders, start, end, months):
    return _window(orders, start, end + pd.Timedelta(microseconds=1), months)


def _thirty_day_months(orders, start, end, months):
    return _window(orders, start, start + pd.Timedelta(days=30 * months), months)


backtest_counts_refunds = _backtest_with(_any_status)
backtest_excludes_as_of = _backtest_with(_after_as_of)
backtest_includes_end = _backtest_with(_up_to_end)
backtest_thirty_day_months = _backtest_with(_thirty_day_months)
backtest_ignores_amount_col = _backtest_with(amount="net_amount_cny")
backtest_drops_silent_segments = _backtest_with(keep_silent=False)
backtest_per_buyer = _backtest_with(per="buyer")


def backtest_adds_a_column_to_orders(
    segmented, orders, as_of, months=6, amount_col="net_amount_cny"
):
    orders["in_window"] = orders["order_time"] >= pd.Timestamp(as_of)
    return ref.segment_backtest(segmented, orders, as_of, months, amount_col)


def backtest_counts_new_customers(segmented, orders, as_of, months=6, amount_col="net_amount_cny"):
    """Every buyer in the window counted, the unsegmented ones in the largest segment."""
    out = ref.segment_backtest(segmented, orders, as_of, months, amount_col)
    start = pd.Timestamp(as_of)
    window = orders[_window(orders, start, start + pd.DateOffset(months=months), months)]
    newcomers = window[~window["customer_id"].astype(str).isin(set(segmented.index.astype(str)))]
    top = out["customers"].idxmax()
    out.loc[top, "orders_per_customer"] += len(newcomers) / out.loc[top, "customers"]
    out.loc[top, "revenue_per_customer_cny"] += (
        newcomers[amount_col].sum() / out.loc[top, "customers"]
    )
    return out


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
    "rfm_table ignores amount_col": (
        dict(rfm_table=rfm_table_ignores_amount_col),
        {"test_rfm_table_rules"},
    ),
    "rfm_table adds a column to the caller's orders": (
        dict(rfm_table=rfm_table_adds_a_column_to_orders),
        {"test_rfm_table_rules"},
    ),
    "rfm_table drops the caller's unpaid rows in place": (
        dict(rfm_table=rfm_table_drops_rows_in_place),
        {"test_rfm_table_rules"},
    ),
    "rfm_table counts an order at exactly as_of": (
        dict(rfm_table=rfm_table_includes_as_of),
        {"test_rfm_table_rules"},
    ),
    "rfm_scores writes into the caller's table": (
        dict(rfm_scores=rfm_scores_in_place),
        {"test_rfm_scores"},
    ),
    "rfm_scores with rank(method='average')": (
        dict(rfm_scores=rfm_scores_average_rank),
        {"test_rfm_scores"},
    ),
    "rfm_scores returns recency_days negated": (
        dict(rfm_scores=rfm_scores_negates_the_recency_column),
        {"test_rfm_scores"},
    ),
    "rfm_segments returns only the segment column": (
        dict(rfm_segments=rfm_segments_only_the_segment),
        {"test_rfm_segments"},
    ),
    "segments by score above its mean (the old rule)": (
        dict(rfm_segments=rfm_segments_above_mean_score),
        {"test_rfm_segments"},
    ),
    "segments by score > 4, not >= 4": (
        dict(rfm_segments=rfm_segments_strictly_above_four),
        {"test_rfm_segments"},
    ),
    "rfm_segments writes into the caller's table": (
        dict(rfm_segments=rfm_segments_in_place),
        {"test_rfm_segments"},
    ),
    "repeat_rate counts 3+ orders": (
        dict(segment_profile=segment_profile_repeat_above_two),
        {"test_segment_profile"},
    ),
    "avg_order_value_cny per customer, not per order": (
        dict(segment_profile=segment_profile_order_value_per_customer),
        {"test_segment_profile"},
    ),
    "segment_profile adds a column to the caller's table": (
        dict(segment_profile=segment_profile_in_place),
        {"test_segment_profile"},
    ),
    "back-test counts refunded and unpaid orders": (
        dict(segment_backtest=backtest_counts_refunds),
        {"test_segment_backtest"},
    ),
    "back-test leaves out an order at exactly as_of": (
        dict(segment_backtest=backtest_excludes_as_of),
        {"test_segment_backtest"},
    ),
    "back-test counts an order at the window's end": (
        dict(segment_backtest=backtest_includes_end),
        {"test_segment_backtest"},
    ),
    "back-test months of 30 days": (
        dict(segment_backtest=backtest_thirty_day_months),
        {"test_segment_backtest"},
    ),
    "back-test ignores amount_col": (
        dict(segment_backtest=backtest_ignores_amount_col),
        {"test_segment_backtest"},
    ),
    "back-test drops segments where nobody bought": (
        dict(segment_backtest=backtest_drops_silent_segments),
        {"test_segment_backtest"},
    ),
    "back-test divides by buyers, not by the segment's customers": (
        dict(segment_backtest=backtest_per_buyer),
        {"test_segment_backtest"},
    ),
    "back-test adds a column to the caller's orders": (
        dict(segment_backtest=backtest_adds_a_column_to_orders),
        {"test_segment_backtest"},
    ),
    "back-test counts customers who have no segment": (
        dict(segment_backtest=backtest_counts_new_customers),
        {"test_segment_backtest"},
    ),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "06_rfm"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "rfm_table with inplace=True (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 15

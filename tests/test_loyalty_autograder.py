"""The loyalty chapter's autograder tests are honest: every correct answer passes, in any
reasonable style, and each common mistake fails exactly the cells it should.

Graded in-process (see harness.py); the nbgrader round trip checks a real kernel agrees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from autograder_contract import ChapterAutograder

from crm_lab.loyalty import (
    ACTIVE_DAYS,
    ATTITUDE_HIGH,
    LOST_DAYS,
    LOYAL_ORDERS,
    REPEAT_ORDERS,
    UNRATED,
    bgnbd_expected_purchases,
    gamma_gamma_expected_spend,
)
from grader.reference import loyalty as ref

REFERENCE = {
    "repeat_rate": ref.repeat_rate,
    "inter_purchase_days": ref.inter_purchase_days,
    "cohort_retention": ref.cohort_retention,
    "loyalty_classes": ref.loyalty_classes,
    "lifecycle_stages": ref.lifecycle_stages,
    "churn_labels": ref.churn_labels,
    "lift_table": ref.lift_table,
    "purchase_summary": ref.purchase_summary,
    "clv_table": ref.clv_table,
}
COHORT_CELLS = {"test_cohort_retention_shop", "test_cohort_retention_rules"}


def _paid(orders, as_of=None):
    keep = orders["status"].astype(str) == "paid"
    if as_of is not None:
        keep &= orders["order_time"] < pd.Timestamp(as_of)
    return orders[keep]


# ---- other correct styles -------------------------------------------------------------


def repeat_rate_value_counts(orders, as_of):
    counts = _paid(orders, as_of)["customer_id"].value_counts()
    return np.float64((counts > 1).sum() / counts.size)


def inter_purchase_days_column_float(orders, as_of):
    paid = _paid(orders, as_of).sort_values("order_time", kind="stable").copy()
    paid["day"] = paid["order_time"].dt.floor("D")
    paid["days_since_previous"] = paid.groupby("customer_id")["day"].diff() / pd.Timedelta(days=1)
    return paid.loc[
        paid["days_since_previous"].notna(), ["order_id", "customer_id", "days_since_previous"]
    ]


def cohort_retention_periods(orders, as_of):
    paid = _paid(orders, as_of)
    month = paid["order_time"].dt.to_period("M")
    first = month.groupby(paid["customer_id"]).transform("min")
    k = (month - first).map(lambda offset: offset.n)
    table = pd.crosstab(first.astype(str), k, values=paid["customer_id"], aggfunc="nunique")
    table = table.fillna(0)
    last = (pd.Timestamp(as_of) - pd.Timedelta(days=1)).to_period("M")
    width = (last - month.min()).n + 1
    table = table.reindex(columns=range(width), fill_value=0)
    shares = table.div(table[0], axis=0)
    for cohort in shares.index:
        observed = (last - pd.Period(cohort, "M")).n
        shares.loc[cohort, [c for c in shares.columns if c > observed]] = np.nan
    return shares.rename_axis("cohort").reset_index()


def loyalty_classes_row_by_row(profile):
    def one(row):
        if pd.isna(row["avg_satisfaction"]):
            return UNRATED
        high = row["avg_satisfaction"] >= ATTITUDE_HIGH
        repeat = row["paid_orders"] >= REPEAT_ORDERS
        return {
            (True, True): "true",
            (True, False): "latent",
            (False, True): "inertia",
            (False, False): "none",
        }[(bool(high), bool(repeat))]

    out = profile.copy()
    out["loyalty"] = pd.Categorical(out.apply(one, axis=1))
    return out.reset_index()


def lifecycle_stages_loop(orders, as_of):
    as_of = pd.Timestamp(as_of)
    rows = []
    for customer, group in _paid(orders, as_of).groupby("customer_id"):
        days = sorted(group["order_time"].dt.date)
        recency = (as_of.date() - days[-1]).days
        gap = (days[-1] - days[-2]).days if len(days) > 1 else 0
        if recency > LOST_DAYS:
            stage = "lost"
        elif recency > ACTIVE_DAYS:
            stage = "at_risk"
        elif (as_of.date() - days[0]).days <= ACTIVE_DAYS:
            stage = "new"
        elif gap > LOST_DAYS:
            stage = "won_back"
        elif len(days) >= LOYAL_ORDERS:
            stage = "loyal"
        else:
            stage = "active"
        rows.append({"customer_id": customer, "stage": stage, "recency_days": recency})
    return pd.DataFrame(rows)


def churn_labels_merge(orders, cutoff, horizon_days=LOST_DAYS):
    cutoff = pd.Timestamp(cutoff)
    paid = _paid(orders)
    known = pd.DataFrame(
        {"customer_id": paid.loc[paid["order_time"] < cutoff, "customer_id"].drop_duplicates()}
    )
    end = cutoff + pd.Timedelta(days=horizon_days)
    window = paid[paid["order_time"].between(cutoff, end, inclusive="left")]
    bought = window.groupby("customer_id").size().rename("n").reset_index()
    out = known.merge(bought, on="customer_id", how="left")
    out["churned"] = out["n"].isna().astype(int)
    return out[["customer_id", "churned"]]


def churn_labels_inplace(orders, cutoff, horizon_days=LOST_DAYS):
    """Right, in pandas 2's ``inplace=True`` idiom: pandas 3 warns (deprecated), no mistake."""
    out = ref.churn_labels(orders, cutoff, horizon_days)
    out.reset_index(inplace=True)
    out.rename(columns={"churned": "churned"}, inplace=True)
    return out


def lift_table_group_column(y_true, score, groups=10):
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    y = np.asarray(y_true, dtype=float)[order]
    n = len(y)
    group = np.arange(n) * groups // n + 1
    frame = pd.DataFrame({"group": group, "y": y})
    out = frame.groupby("group")["y"].agg(customers="count", churners="sum").reset_index()
    out["churn_rate"] = out["churners"] / out["customers"]
    out["lift"] = out["churn_rate"] / y.mean()
    out["cumulative_capture"] = out["churners"].cumsum() / y.sum()
    return out


def purchase_summary_with_lifetimes(orders, observation_end, amount_col="net_amount_cny"):
    from lifetimes.utils import summary_data_from_transaction_data

    return summary_data_from_transaction_data(
        _paid(orders),
        "customer_id",
        "order_time",
        monetary_value_col=amount_col,
        observation_period_end=observation_end,
        freq="D",
    )


def clv_table_column_key(summary, bgnbd_params, gg_params, horizon_days, margin):
    s = summary.reset_index()
    s["expected_purchases"] = bgnbd_expected_purchases(
        horizon_days,
        s["frequency"].to_numpy(),
        s["recency"].to_numpy(),
        s["T"].to_numpy(),
        dict(bgnbd_params),
    )
    s["expected_spend"] = gamma_gamma_expected_spend(
        s["frequency"].to_numpy(), s["monetary_value"].to_numpy(), dict(gg_params)
    )
    s["clv"] = s["expected_purchases"] * s["expected_spend"] * margin
    return s


CORRECT_STYLES = {
    "repeat_rate with value_counts, numpy float": dict(repeat_rate=repeat_rate_value_counts),
    "inter_purchase_days with diff(), order_id column, float days": dict(
        inter_purchase_days=inter_purchase_days_column_float
    ),
    "cohort_retention with periods and crosstab, cohort column": dict(
        cohort_retention=cohort_retention_periods
    ),
    "loyalty_classes row by row, categorical, customer_id column": dict(
        loyalty_classes=loyalty_classes_row_by_row
    ),
    "lifecycle_stages as a loop over customers with dates": dict(
        lifecycle_stages=lifecycle_stages_loop
    ),
    "churn_labels with merge and 0/1 labels": dict(churn_labels=churn_labels_merge),
    "churn_labels with inplace=True (pandas warns)": dict(churn_labels=churn_labels_inplace),
    "lift_table with argsort and a group column": dict(lift_table=lift_table_group_column),
    "purchase_summary with lifetimes itself": dict(
        purchase_summary=purchase_summary_with_lifetimes
    ),
    "clv_table with a customer_id column": dict(clv_table=clv_table_column_key),
}


# ---- common mistakes ------------------------------------------------------------------


def repeat_rate_counts_refunds(orders, as_of):
    return ref.repeat_rate(orders.assign(status="paid"), as_of)


def repeat_rate_over_signups(orders, as_of):
    from crm_lab.data import load_customers

    counts = _paid(orders, as_of).groupby("customer_id").size()
    return float((counts >= 2).sum() / len(load_customers()))


def repeat_rate_ignores_as_of(orders, as_of):
    counts = _paid(orders).groupby("customer_id").size()
    return float((counts >= 2).mean())


def inter_purchase_elapsed_days(orders, as_of):
    paid = _paid(orders, as_of).sort_values(["customer_id", "order_time"])
    gap = paid.groupby("customer_id")["order_time"].diff().dt.days
    return (
        pd.DataFrame(
            {"customer_id": paid["customer_id"], "days_since_previous": gap},
        )
        .set_axis(paid["order_id"])
        .dropna()
    )


def inter_purchase_any_status_previous(orders, as_of):
    before = orders[orders["order_time"] < pd.Timestamp(as_of)].sort_values(
        ["customer_id", "order_time"]
    )
    day = before["order_time"].dt.normalize()
    gap = (day - day.groupby(before["customer_id"]).shift()).dt.days
    keep = (before["status"].astype(str) == "paid") & gap.notna()
    out = pd.DataFrame({"customer_id": before["customer_id"], "days_since_previous": gap})
    return out[keep].set_axis(before.loc[keep, "order_id"])


def _cohorts_from(paid, start, as_of):
    """Cohort shares with each customer's cohort month given by ``start`` (customer -> day)."""
    month = paid["order_time"].dt.year * 12 + paid["order_time"].dt.month - 1
    begin = start.dt.year * 12 + start.dt.month - 1
    first = begin.reindex(paid["customer_id"]).to_numpy()
    active = pd.DataFrame(
        {"c": paid["customer_id"].to_numpy(), "cohort": first, "k": month.to_numpy() - first}
    )
    active = active[active["k"] >= 0].drop_duplicates()
    sizes = begin.reindex(paid["customer_id"].unique()).value_counts()
    counts = active.pivot_table(
        index="cohort", columns="k", values="c", aggfunc="count", fill_value=0
    ).reindex(sizes.index, fill_value=0)
    last_day = pd.Timestamp(as_of) - pd.Timedelta(days=1)
    last = last_day.year * 12 + last_day.month - 1
    counts = counts.reindex(columns=range(int(last - sizes.index.min()) + 1), fill_value=0)
    shares = counts.div(sizes, axis=0).astype(float)
    for cohort in shares.index:
        shares.loc[cohort, shares.columns > last - cohort] = np.nan
    shares.index = [f"{int(m) // 12}-{int(m) % 12 + 1:02d}" for m in shares.index]
    return shares.rename_axis("cohort").sort_index()


def cohort_first_order_any_status(orders, as_of):
    """Cohort from the first order of any status; retention from paid orders."""
    before = orders[orders["order_time"] < pd.Timestamp(as_of)]
    return _cohorts_from(
        _paid(orders, as_of), before.groupby("customer_id")["order_time"].min(), as_of
    )


def cohort_by_signup_month(orders, as_of):
    from crm_lab.data import load_customers

    signup = load_customers().set_index("customer_id")["signup_date"]
    return _cohorts_from(_paid(orders, as_of), signup, as_of)


def cohort_zeros_not_nan(orders, as_of):
    return ref.cohort_retention(orders, as_of).fillna(0.0)


def cohort_thirty_day_months(orders, as_of):
    paid = _paid(orders, as_of)
    first_day = paid.groupby("customer_id")["order_time"].transform("min").dt.normalize()
    k = ((paid["order_time"].dt.normalize() - first_day).dt.days // 30).astype(int)
    cohort = first_day.dt.strftime("%Y-%m")
    active = pd.DataFrame({"c": paid["customer_id"], "cohort": cohort, "k": k}).drop_duplicates()
    table = active.pivot_table(
        index="cohort", columns="k", values="c", aggfunc="count", fill_value=0
    )
    shape = ref.cohort_retention(orders, as_of)
    table = table.reindex(index=shape.index, columns=shape.columns, fill_value=0)
    return table.div(table[0], axis=0).where(shape.notna())


def cohort_counts_refunds(orders, as_of):
    return ref.cohort_retention(orders.assign(status="paid"), as_of)


def loyalty_unrated_is_low(profile):
    out = ref.loyalty_classes(profile.fillna({"avg_satisfaction": 0}))
    return out.assign(avg_satisfaction=profile["avg_satisfaction"])


def loyalty_strictly_above_four(profile):
    out = ref.loyalty_classes(profile)
    on_line = profile["avg_satisfaction"] == ATTITUDE_HIGH
    swap = {"true": "inertia", "latent": "none"}
    return out.assign(loyalty=out["loyalty"].where(~on_line, out["loyalty"].map(swap)))


def loyalty_one_order_is_repeat(profile):
    return ref.loyalty_classes(profile.assign(paid_orders=profile["paid_orders"] + 1)).assign(
        paid_orders=profile["paid_orders"]
    )


def lifecycle_elapsed_days(orders, as_of):
    """Recency and tenure as whole 24-hour periods since the orders' times."""
    as_of = pd.Timestamp(as_of)
    out = ref.lifecycle_stages(orders, as_of)
    times = _paid(orders, as_of).groupby("customer_id")["order_time"]
    recency = (as_of - times.max()).dt.days.reindex(out.index)
    tenure = (as_of - times.min()).dt.days.reindex(out.index)
    stage = out["stage"].copy()
    stage[(recency <= LOST_DAYS) & (stage == "lost")] = "at_risk"
    stage[(recency <= ACTIVE_DAYS) & (stage == "at_risk")] = "active"
    stage[(tenure <= ACTIVE_DAYS) & (recency <= ACTIVE_DAYS)] = "new"
    return out.assign(stage=stage)


def lifecycle_loyal_before_new(orders, as_of):
    out = ref.lifecycle_stages(orders, as_of)
    counts = _paid(orders, as_of).groupby("customer_id").size().reindex(out.index)
    promote = out["stage"].isin(["new", "won_back"]) & (counts >= LOYAL_ORDERS)
    return out.assign(stage=out["stage"].where(~promote, "loyal"))


def lifecycle_counts_refunds(orders, as_of):
    return ref.lifecycle_stages(orders.assign(status="paid"), as_of)


def lifecycle_lost_from_180(orders, as_of):
    out = ref.lifecycle_stages(orders, as_of)
    last = _paid(orders, as_of).groupby("customer_id")["order_time"].max().dt.normalize()
    recency = (pd.Timestamp(as_of) - last).dt.days.reindex(out.index)
    return out.assign(stage=out["stage"].where(recency != LOST_DAYS, "lost"))


def churn_everyone_in_orders(orders, cutoff, horizon_days=LOST_DAYS):
    """Leakage: customers who first buy after the cut-off get a label too."""
    labels = ref.churn_labels(orders, cutoff, horizon_days)
    later = _paid(orders)["customer_id"].astype(str).unique()
    extra = pd.DataFrame(
        {"churned": False},
        index=pd.Index(sorted(set(later) - set(labels.index)), name="customer_id"),
    )
    return pd.concat([labels, extra])


def churn_window_includes_end(orders, cutoff, horizon_days=LOST_DAYS):
    cutoff = pd.Timestamp(cutoff)
    paid = _paid(orders)
    known = paid.loc[paid["order_time"] < cutoff, "customer_id"].unique()
    end = cutoff + pd.Timedelta(days=horizon_days)
    back = set(
        paid.loc[(paid["order_time"] >= cutoff) & (paid["order_time"] <= end), "customer_id"]
    )
    return pd.DataFrame(
        {"churned": [c not in back for c in known]}, index=pd.Index(known, name="customer_id")
    )


def churn_refund_counts_as_return(orders, cutoff, horizon_days=LOST_DAYS):
    labels = ref.churn_labels(orders, cutoff, horizon_days)
    returning = ref.churn_labels(orders.assign(status="paid"), cutoff, horizon_days)
    return labels.assign(churned=labels["churned"] & returning["churned"].reindex(labels.index))


def churn_no_window_end(orders, cutoff, horizon_days=LOST_DAYS):
    return ref.churn_labels(orders, cutoff, horizon_days=100_000)


def churn_excludes_cutoff(orders, cutoff, horizon_days=LOST_DAYS):
    """An order at exactly the cut-off neither makes a customer known nor brings them back."""
    later = pd.Timestamp(cutoff) + pd.Timedelta(microseconds=1)
    labels = ref.churn_labels(orders, later, horizon_days)
    known = ref.churn_labels(orders, cutoff, horizon_days).index
    return labels.reindex(known)


def lift_lowest_first(y_true, score, groups=10):
    return ref.lift_table(y_true, -np.asarray(score, dtype=float), groups)


def lift_qcut_on_rank(y_true, score, groups=10):
    s = pd.Series(np.asarray(score, dtype=float))
    y = pd.Series(np.asarray(y_true, dtype=float))
    group = pd.qcut(s.rank(ascending=False, method="first"), groups, labels=False) + 1
    out = y.groupby(group).agg(customers="count", churners="sum")
    out["churn_rate"] = out["churners"] / out["customers"]
    out["lift"] = out["churn_rate"] / y.mean()
    out["cumulative_capture"] = out["churners"].cumsum() / y.sum()
    return out.rename_axis("group")


def lift_capture_as_rate(y_true, score, groups=10):
    out = ref.lift_table(y_true, score, groups)
    return out.assign(cumulative_capture=out["churners"].cumsum() / out["customers"].cumsum())


def summary_counts_orders_not_days(orders, observation_end, amount_col="net_amount_cny"):
    """Same-day orders not merged: frequency is the number of paid orders minus one."""
    out = ref.purchase_summary(orders, observation_end, amount_col)
    paid = _paid(orders)
    paid = paid[paid["order_time"].dt.normalize() <= pd.Timestamp(observation_end)]
    n = paid.groupby("customer_id").size().reindex(out.index)
    return out.assign(frequency=n - 1)


def summary_monetary_includes_first(orders, observation_end, amount_col="net_amount_cny"):
    out = ref.purchase_summary(orders, observation_end, amount_col)
    paid = _paid(orders)
    paid = paid[paid["order_time"].dt.normalize() <= pd.Timestamp(observation_end)]
    per_day = paid.groupby(["customer_id", paid["order_time"].dt.normalize()])[amount_col].sum()
    mean_all = per_day.groupby(level=0).mean().reindex(out.index)
    return out.assign(monetary_value=mean_all.where(out["frequency"] > 0, 0.0))


def summary_end_excluded(orders, observation_end, amount_col="net_amount_cny"):
    """observation_end read as an as-of date: its own orders left out, T one day short."""
    end = pd.Timestamp(observation_end)
    out = ref.purchase_summary(
        orders[orders["order_time"] < end], end - pd.Timedelta(days=1), amount_col
    )
    return out.assign(T=out["T"] + 1)


def summary_counts_refunds(orders, observation_end, amount_col="net_amount_cny"):
    return ref.purchase_summary(orders.assign(status="paid"), observation_end, amount_col)


def clv_own_monetary_value(summary, bgnbd_params, gg_params, horizon_days, margin):
    out = ref.clv_table(summary, bgnbd_params, gg_params, horizon_days, margin)
    spend = summary["monetary_value"]
    return out.assign(expected_spend=spend, clv=margin * out["expected_purchases"] * spend)


def clv_without_margin(summary, bgnbd_params, gg_params, horizon_days, margin):
    out = ref.clv_table(summary, bgnbd_params, gg_params, horizon_days, margin)
    return out.assign(clv=out["expected_purchases"] * out["expected_spend"])


MISTAKES = {
    "repeat_rate counts refunded orders": (
        dict(repeat_rate=repeat_rate_counts_refunds),
        {"test_repeat_rate"},
    ),
    "repeat_rate over every sign-up, not over buyers": (
        dict(repeat_rate=repeat_rate_over_signups),
        {"test_repeat_rate"},
    ),
    "repeat_rate ignores as_of": (
        dict(repeat_rate=repeat_rate_ignores_as_of),
        {"test_repeat_rate"},
    ),
    "inter-purchase days in elapsed 24 h periods": (
        dict(inter_purchase_days=inter_purchase_elapsed_days),
        {"test_inter_purchase_days"},
    ),
    "inter-purchase gap measured from a refunded order": (
        dict(inter_purchase_days=inter_purchase_any_status_previous),
        {"test_inter_purchase_days"},
    ),
    "cohorts by the first order of any status": (
        dict(cohort_retention=cohort_first_order_any_status),
        COHORT_CELLS,
    ),
    "cohorts by sign-up month": (dict(cohort_retention=cohort_by_signup_month), COHORT_CELLS),
    "unobserved months as 0, not NaN": (dict(cohort_retention=cohort_zeros_not_nan), COHORT_CELLS),
    "months of 30 days": (dict(cohort_retention=cohort_thirty_day_months), COHORT_CELLS),
    "retention counts refunded orders": (
        dict(cohort_retention=cohort_counts_refunds),
        COHORT_CELLS,
    ),
    "customers never rated put in the low-attitude row": (
        dict(loyalty_classes=loyalty_unrated_is_low),
        {"test_loyalty_classes"},
    ),
    "attitude high only above 4, not at 4": (
        dict(loyalty_classes=loyalty_strictly_above_four),
        {"test_loyalty_classes"},
    ),
    "one order counted as repeat buying": (
        dict(loyalty_classes=loyalty_one_order_is_repeat),
        {"test_loyalty_classes"},
    ),
    "lifecycle in elapsed days, not calendar days": (
        dict(lifecycle_stages=lifecycle_elapsed_days),
        {"test_lifecycle_stages"},
    ),
    "lifecycle rules in another order (loyal first)": (
        dict(lifecycle_stages=lifecycle_loyal_before_new),
        {"test_lifecycle_stages"},
    ),
    "lifecycle counts refunded orders": (
        dict(lifecycle_stages=lifecycle_counts_refunds),
        {"test_lifecycle_stages"},
    ),
    "lost from 180 days, not more than 180": (
        dict(lifecycle_stages=lifecycle_lost_from_180),
        {"test_lifecycle_stages"},
    ),
    "churn labels for customers who first buy after the cut-off (leakage)": (
        dict(churn_labels=churn_everyone_in_orders),
        {"test_churn_labels"},
    ),
    "churn window includes its end": (
        dict(churn_labels=churn_window_includes_end),
        {"test_churn_labels"},
    ),
    "a refund in the window counts as coming back": (
        dict(churn_labels=churn_refund_counts_as_return),
        {"test_churn_labels"},
    ),
    "churn window without an end": (dict(churn_labels=churn_no_window_end), {"test_churn_labels"}),
    "an order at exactly the cut-off left out": (
        dict(churn_labels=churn_excludes_cutoff),
        {"test_churn_labels"},
    ),
    "lift groups from the lowest score": (dict(lift_table=lift_lowest_first), {"test_lift_table"}),
    "lift groups by pd.qcut on ranks, not the stated rule": (
        dict(lift_table=lift_qcut_on_rank),
        {"test_lift_table"},
    ),
    "cumulative capture as a cumulative churn rate": (
        dict(lift_table=lift_capture_as_rate),
        {"test_lift_table"},
    ),
    "frequency counts orders, not purchase days": (
        dict(purchase_summary=summary_counts_orders_not_days),
        {"test_purchase_summary"},
    ),
    "monetary value includes the first purchase": (
        dict(purchase_summary=summary_monetary_includes_first),
        {"test_purchase_summary"},
    ),
    "observation_end excluded like an as-of date": (
        dict(purchase_summary=summary_end_excluded),
        {"test_purchase_summary"},
    ),
    "purchase summary counts refunded orders": (
        dict(purchase_summary=summary_counts_refunds),
        {"test_purchase_summary"},
    ),
    "CLV with the customer's own average instead of Gamma-Gamma": (
        dict(clv_table=clv_own_monetary_value),
        {"test_clv_table"},
    ),
    "CLV without the margin": (dict(clv_table=clv_without_margin), {"test_clv_table"}),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "04_loyalty_churn"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "churn_labels with inplace=True (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 12

"""Chapter 01's autograder is honest: correct answers pass in any reasonable style, and each
mistake students of customer analysis really make fails exactly the cells it should.

Graded in-process (see harness.py); the nbgrader round trip checks a real kernel agrees.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from autograder_contract import ChapterAutograder

from crm_lab.customers import (
    ABC_LIMITS,
    LAPSED_DAYS,
    LOYAL_ORDERS,
    REFUND_WRITE_OFF,
    SHIPPING_CNY_PER_ORDER,
)
from grader.reference import customers as ref

REFERENCE = {
    "customer_status": ref.customer_status,
    "top_share": ref.top_share,
    "abc_classes": ref.abc_classes,
    "gini": ref.gini,
    "value_classes": ref.value_classes,
    "customer_profit": ref.customer_profit,
    "portrait_tags": ref.portrait_tags,
    "standardize": ref.standardize,
    "cluster_profile": ref.cluster_profile,
}
STATUS_CELLS = {"test_customer_status_shop", "test_customer_status_rules"}
PROFIT_CELLS = {"test_customer_profit_shop", "test_customer_profit_rules"}


# ---- other correct styles -------------------------------------------------------------


def status_loop_column_key(orders, customers, as_of):
    as_of = pd.Timestamp(as_of)
    paid = orders.query("status == 'paid' and order_time < @as_of")
    last = paid.groupby("customer_id", observed=True)["order_time"].max().dt.date
    count = paid["customer_id"].astype(str).value_counts()
    rows = []
    for cid in customers["customer_id"].astype(str):
        n = int(count.get(cid, 0))
        if n == 0:
            stage = "potential"
        elif (as_of.date() - last[cid]).days >= LAPSED_DAYS:
            stage = "lapsed"
        elif n >= LOYAL_ORDERS:
            stage = "loyal"
        else:
            stage = "repeat" if n > 1 else "new"
        rows.append({"stage": stage, "customer_id": cid, "paid_orders": float(n)})
    return pd.DataFrame(rows)


def status_merge_categorical(orders, customers, as_of):
    keep = orders["status"].isin(["paid"]) & orders["order_time"].lt(pd.to_datetime(as_of))
    per = (
        orders[keep]
        .groupby("customer_id", observed=True)
        .agg(paid_orders=("order_id", "nunique"), last=("order_time", "max"))
        .reset_index()
    )
    out = customers[["customer_id", "city"]].merge(per, on="customer_id", how="left")
    out["paid_orders"] = out["paid_orders"].fillna(0)
    days = (pd.Timestamp(as_of).normalize() - out["last"].dt.floor("D")).dt.days
    stage = pd.Series("new", index=out.index)
    stage[out["paid_orders"] >= 2] = "repeat"
    stage[out["paid_orders"] >= LOYAL_ORDERS] = "loyal"
    stage[days >= LAPSED_DAYS] = "lapsed"
    stage[out["paid_orders"] == 0] = "potential"
    out["stage"] = pd.Categorical(
        stage, categories=["potential", "lapsed", "loyal", "repeat", "new"]
    )
    return out.sample(frac=1, random_state=0)


def status_inplace(orders, customers, as_of):
    """Right, in pandas 2's ``inplace=True`` idiom: pandas 3 warns (deprecated), no mistake."""
    out = ref.customer_status(orders, customers, as_of)
    out.reset_index(inplace=True)
    return out


def top_share_nlargest(revenue, fraction=0.2):
    return revenue.nlargest(math.ceil(fraction * len(revenue))).sum() / revenue.sum()


def abc_loop_over_sorted(revenue):
    ranked = revenue.sort_values(ascending=False)
    total, running, before, last_value, last_before = revenue.sum(), 0.0, {}, None, 0.0
    for cid, value in ranked.items():
        if value != last_value:
            last_before, last_value = running, value
        before[cid] = last_before / total
        running += value
    out = pd.DataFrame({"share_before": pd.Series(before)})
    out["abc_class"] = pd.cut(
        out["share_before"], [-1, ABC_LIMITS[0], ABC_LIMITS[1], 2], right=False, labels=list("ABC")
    )
    return out.rename_axis("customer_id").reset_index()


def gini_trapezoid(revenue):
    x = np.sort(np.asarray(revenue, dtype=float))
    lorenz = np.r_[0, np.cumsum(x) / x.sum()]
    return 1 - np.sum(lorenz[1:] + lorenz[:-1]) / len(x)


def gini_mean_difference(revenue):
    x = np.asarray(revenue, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())


def value_classes_searchsorted_float_rank(revenue):
    n = len(revenue)
    rank = revenue.rank(method="min", ascending=False)
    lines = [math.ceil(0.01 * n), math.ceil(0.05 * n), math.ceil(0.5 * n)]
    names = np.array(["VIP", "key_account", "ordinary", "small"])
    out = pd.DataFrame({"value_rank": rank, "revenue": revenue})
    out["value_class"] = names[np.searchsorted(lines, rank.to_numpy(), side="left")]
    return out


def profit_merge_style(orders, items, costs, service):
    shipped = orders[orders["status"].astype(str).isin(["paid", "refunded"])].copy()
    lines = items.merge(costs, on="product_id", how="left")
    lines["cost"] = lines["quantity"] * lines["unit_cost_cny"]
    shipped = shipped.merge(lines.groupby("order_id", as_index=False)["cost"].sum(), how="left")
    shipped["cost"] = shipped["cost"].fillna(0)
    paid = shipped["status"].astype(str) == "paid"
    out = pd.DataFrame(
        {
            "revenue_cny": shipped[paid].groupby("customer_id")["net_amount_cny"].sum(),
            "product_cost_cny": shipped[paid].groupby("customer_id")["cost"].sum(),
            "refund_cost_cny": shipped[~paid].groupby("customer_id")["cost"].sum()
            * REFUND_WRITE_OFF,
            "shipping_cost_cny": shipped.groupby("customer_id").size() * SHIPPING_CNY_PER_ORDER,
        }
    ).fillna(0.0)
    out = out.join(service.rename("service_cost_cny")).fillna({"service_cost_cny": 0})
    out["profit_cny"] = (
        out["revenue_cny"]
        - out["product_cost_cny"]
        - out["refund_cost_cny"]
        - out["shipping_cost_cny"]
        - out["service_cost_cny"]
    )
    return out.reset_index(names="customer_id")


def tags_apply_row_by_row(features):
    low, high = features["revenue_cny"].quantile([0.5, 0.8])

    def one(row):
        year = row["birth_year"]
        if pd.isna(year):
            band = "unknown"
        elif year >= 2000:
            band = "post_00"
        elif year >= 1995:
            band = "post_95"
        elif year >= 1990:
            band = "post_90"
        elif year >= 1980:
            band = "post_80"
        else:
            band = "before_80"
        level = (
            "high" if row["revenue_cny"] >= high else "low" if row["revenue_cny"] < low else "mid"
        )
        return pd.Series(
            {
                "age_band": band,
                "big_city": str(row["city_tier"]) in ("tier1", "new_tier1"),
                "spend_level": level,
                "deal_seeker": bool(row["promo_share"] >= 0.5 or row["discount_share"] >= 0.08),
            }
        )

    return features.apply(one, axis=1).reset_index()


def standardize_numpy(features, columns):
    x = features[columns].to_numpy(float)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    return pd.DataFrame(z, columns=columns, index=features.index)


def cluster_profile_agg_column_key(features, labels, columns):
    df = features[columns].assign(cluster=list(labels))
    out = df.groupby("cluster").agg(**{c: (c, "mean") for c in columns})
    sizes = df["cluster"].value_counts()
    out["customers"] = sizes.astype(float)
    out["customer_share"] = sizes / sizes.sum()
    return out.reset_index()


CORRECT_STYLES = {
    "customer_status as a loop, customer_id column, float counts": dict(
        customer_status=status_loop_column_key
    ),
    "customer_status with merge, masks in reverse order, categorical, shuffled": dict(
        customer_status=status_merge_categorical
    ),
    "customer_status with inplace=True (pandas warns)": dict(customer_status=status_inplace),
    "top_share with nlargest": dict(top_share=top_share_nlargest),
    "abc_classes as a loop over sorted customers, pd.cut, column key": dict(
        abc_classes=abc_loop_over_sorted
    ),
    "gini by the trapezoid rule under the Lorenz curve": dict(gini=gini_trapezoid),
    "gini by the mean absolute difference": dict(gini=gini_mean_difference),
    "value_classes with searchsorted and a float rank": dict(
        value_classes=value_classes_searchsorted_float_rank
    ),
    "customer_profit with merges and a customer_id column": dict(
        customer_profit=profit_merge_style
    ),
    "portrait_tags row by row with apply": dict(portrait_tags=tags_apply_row_by_row),
    "standardize with numpy": dict(standardize=standardize_numpy),
    "cluster_profile with named aggregation, float counts, cluster column": dict(
        cluster_profile=cluster_profile_agg_column_key
    ),
}
WARNING_STYLE = "customer_status with inplace=True (pandas warns)"


# ---- common mistakes ------------------------------------------------------------------


def status_counts_refunds(orders, customers, as_of):
    return ref.customer_status(orders.assign(status="paid"), customers, as_of)


def status_only_buyers(orders, customers, as_of):
    out = ref.customer_status(orders, customers, as_of)
    return out[out["paid_orders"] > 0]  # the potential customers lost


def status_lapsed_after_loyal(orders, customers, as_of):
    out = ref.customer_status(orders, customers, as_of)
    loyal = out["paid_orders"] >= LOYAL_ORDERS
    return out.assign(stage=np.where(loyal & (out["stage"] == "lapsed"), "loyal", out["stage"]))


def status_elapsed_days(orders, customers, as_of):
    """Days from the last order's time, not its day: a late-evening order 365 days back
    counts 364 and stays 'new'."""
    as_of = pd.Timestamp(as_of)
    paid = orders[(orders["status"] == "paid") & (orders["order_time"] < as_of)]
    g = paid.groupby("customer_id", observed=True)["order_time"]
    out = ref.customer_status(orders, customers, as_of)
    days = (as_of - g.max()).dt.days.reindex(out.index)
    lapsed = (days >= LAPSED_DAYS) & (out["paid_orders"] > 0)
    fresh = (days < LAPSED_DAYS) & (out["stage"] == "lapsed")
    n = out["paid_orders"]
    again = np.where(n >= LOYAL_ORDERS, "loyal", np.where(n >= 2, "repeat", "new"))
    stage = np.where(lapsed, "lapsed", np.where(fresh, again, out["stage"]))
    return out.assign(stage=stage)


def top_share_floor(revenue, fraction=0.2):
    n_top = int(fraction * len(revenue))
    return revenue.sort_values(ascending=False).head(n_top).sum() / revenue.sum()


def abc_cumsum_including_self(revenue):
    ranked = revenue.sort_values(ascending=False)
    share = ranked.cumsum() / ranked.sum()
    abc = np.where(share <= ABC_LIMITS[0], "A", np.where(share <= ABC_LIMITS[1], "B", "C"))
    return pd.DataFrame({"share_before": share - ranked / ranked.sum(), "abc_class": abc})


def abc_ties_by_row_order(revenue):
    ranked = revenue.sort_values(ascending=False, kind="stable")
    before = (ranked.cumsum() - ranked) / ranked.sum()
    abc = np.where(before < ABC_LIMITS[0], "A", np.where(before < ABC_LIMITS[1], "B", "C"))
    return pd.DataFrame({"share_before": before, "abc_class": abc})


def gini_sorted_descending(revenue):
    x = np.sort(np.asarray(revenue, dtype=float))[::-1]
    n = len(x)
    return 2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n


def gini_sample_corrected(revenue):
    n = len(revenue)
    return ref.gini(revenue) * n / (n - 1)


def value_classes_shares_not_cumulated(revenue):
    """Takes each class's share as its cut-off: key accounts down to rank ceil(0.04 n), not
    ceil(0.05 n)."""
    n = len(revenue)
    rank = revenue.rank(method="min", ascending=False)
    value_class = np.select(
        [rank <= math.ceil(0.01 * n), rank <= math.ceil(0.04 * n), rank <= math.ceil(0.45 * n)],
        ["VIP", "key_account", "ordinary"],
        default="small",
    )
    return pd.DataFrame({"value_rank": rank, "value_class": value_class})


def value_classes_first_rank(revenue):
    out = ref.value_classes(revenue)
    rank = revenue.rank(method="first", ascending=False)  # ties split by row order
    n = len(revenue)
    lines = [math.ceil(0.01 * n), math.ceil(0.05 * n), math.ceil(0.5 * n)]
    names = np.array(["VIP", "key_account", "ordinary", "small"])
    return out.assign(
        value_rank=rank.astype(int),
        value_class=names[np.searchsorted(lines, rank.to_numpy(), side="left")],
    )


def profit_at_list_price(orders, items, costs, service):
    prices = items[["product_id", "unit_price_cny"]].drop_duplicates("product_id")
    return ref.customer_profit(
        orders, items, prices.rename(columns={"unit_price_cny": "unit_cost_cny"}), service
    )


def profit_ships_closed_orders(orders, items, costs, service):
    out = ref.customer_profit(orders, items, costs, service)
    closed = orders[orders["status"] == "closed"].groupby("customer_id", observed=True).size()
    extra = SHIPPING_CNY_PER_ORDER * closed.reindex(out.index, fill_value=0)
    return out.assign(
        shipping_cost_cny=out["shipping_cost_cny"] + extra, profit_cny=out["profit_cny"] - extra
    )


def profit_whole_refund_lost(orders, items, costs, service):
    out = ref.customer_profit(orders, items, costs, service)
    extra = out["refund_cost_cny"]  # the whole cost of refunded goods, not REFUND_WRITE_OFF of it
    return out.assign(refund_cost_cny=2 * extra, profit_cny=out["profit_cny"] - extra)


def profit_service_nan(orders, items, costs, service):
    out = ref.customer_profit(orders, items, costs, service)
    service = service.reindex(out.index)  # no fillna: customers without contacts get NaN
    return out.assign(
        service_cost_cny=service, profit_cny=out["profit_cny"] + out["service_cost_cny"] - service
    )


def tags_post_95_in_post_90(features):
    out = ref.portrait_tags(features)
    return out.assign(age_band=out["age_band"].replace({"post_95": "post_90"}))


def tags_strict_high(features):
    out = ref.portrait_tags(features)
    high = features["revenue_cny"] > features["revenue_cny"].quantile(0.8)
    was_high = out["spend_level"] == "high"
    return out.assign(spend_level=np.where(was_high & ~high, "mid", out["spend_level"]))


def tags_deal_seeker_and(features):
    out = ref.portrait_tags(features)
    both = (features["promo_share"] >= 0.5) & (features["discount_share"] >= 0.08)
    return out.assign(deal_seeker=both.to_numpy())


def standardize_sample_std(features, columns):
    x = features[list(columns)].astype(float)
    return (x - x.mean()) / x.std()


def cluster_profile_medians(features, labels, columns):
    out = ref.cluster_profile(features, labels, columns)
    medians = features[list(columns)].groupby(np.asarray(labels)).median()
    return out.assign(**{c: medians[c].to_numpy() for c in columns})


def cluster_profile_share_of_clusters(features, labels, columns):
    out = ref.cluster_profile(features, labels, columns)
    return out.assign(customer_share=1 / len(out))


MISTAKES = {
    "customer_status counts refunded and closed orders": (
        dict(customer_status=status_counts_refunds),
        STATUS_CELLS,
    ),
    "customer_status leaves out customers who never paid": (
        dict(customer_status=status_only_buyers),
        STATUS_CELLS,
    ),
    "customer_status calls a loyal customer who went quiet loyal": (
        dict(customer_status=status_lapsed_after_loyal),
        STATUS_CELLS,
    ),
    "customer_status counts elapsed time, not calendar days": (
        dict(customer_status=status_elapsed_days),
        {"test_customer_status_rules"},
    ),
    "top_share takes int(fraction * n) customers": (
        dict(top_share=top_share_floor),
        {"test_top_share"},
    ),
    "abc_classes compares the running total including the customer": (
        dict(abc_classes=abc_cumsum_including_self),
        {"test_abc_classes"},
    ),
    "abc_classes splits tied customers by row order": (
        dict(abc_classes=abc_ties_by_row_order),
        {"test_abc_classes"},
    ),
    "gini with the values sorted from the largest": (
        dict(gini=gini_sorted_descending),
        {"test_gini"},
    ),
    "gini with the sample correction n / (n - 1)": (
        dict(gini=gini_sample_corrected),
        {"test_gini"},
    ),
    "value_classes takes each class's own share as its cut-off": (
        dict(value_classes=value_classes_shares_not_cumulated),
        {"test_value_classes"},
    ),
    "value_classes splits ties by row order (rank method='first')": (
        dict(value_classes=value_classes_first_rank),
        {"test_value_classes"},
    ),
    "customer_profit prices goods at the list price": (
        dict(customer_profit=profit_at_list_price),
        PROFIT_CELLS,
    ),
    "customer_profit ships closed orders": (
        dict(customer_profit=profit_ships_closed_orders),
        PROFIT_CELLS,
    ),
    "customer_profit writes off all of a refund's goods": (
        dict(customer_profit=profit_whole_refund_lost),
        PROFIT_CELLS,
    ),
    "customer_profit leaves NaN service costs": (
        dict(customer_profit=profit_service_nan),
        PROFIT_CELLS,
    ),
    "portrait_tags puts 1995-99 in post_90": (
        dict(portrait_tags=tags_post_95_in_post_90),
        {"test_portrait_tags"},
    ),
    "portrait_tags calls high only above the 80th percentile": (
        dict(portrait_tags=tags_strict_high),
        {"test_portrait_tags"},
    ),
    "portrait_tags needs promotions and discount for a deal seeker": (
        dict(portrait_tags=tags_deal_seeker_and),
        {"test_portrait_tags"},
    ),
    "standardize with pandas' sample standard deviation": (
        dict(standardize=standardize_sample_std),
        {"test_standardize"},
    ),
    "cluster_profile with medians": (
        dict(cluster_profile=cluster_profile_medians),
        {"test_cluster_profile"},
    ),
    "cluster_profile shares of clusters, not of customers": (
        dict(cluster_profile=cluster_profile_share_of_clusters),
        {"test_cluster_profile"},
    ),
}


class TestCustomerAnalysisAutograder(ChapterAutograder):
    CHAPTER = "01_customer_analysis"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = WARNING_STYLE
    MISTAKES = MISTAKES
    MIN_POINTS = 12

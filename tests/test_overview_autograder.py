"""The overview chapter's autograder is honest: correct answers pass in any reasonable
style, and each common mistake fails exactly its own cell.

Graded in-process (see harness.py), like the RFM chapter's autograder tests.
"""

from __future__ import annotations

import pandas as pd
from autograder_contract import ChapterAutograder

from grader.reference import overview as ref

REFERENCE = {
    "monthly_orders": ref.monthly_orders,
    "status_share": ref.status_share,
    "channel_summary": ref.channel_summary,
}


# ---- other correct styles -------------------------------------------------------------

def monthly_by_period_column(orders):
    paid = orders.query("status == 'paid'")
    out = (paid.assign(month=paid["order_time"].dt.to_period("M"))
           .groupby("month")["net_amount_cny"].agg(["count", "sum"]).reset_index())
    return out.rename(columns={"count": "orders", "sum": "revenue_cny"})


def monthly_by_resample(orders):
    paid = orders[orders["status"] == "paid"].set_index("order_time")
    out = paid["net_amount_cny"].resample("MS").agg(["size", "sum"])
    out = out[out["size"] > 0].rename(columns={"size": "orders", "sum": "revenue_cny"})
    return out.rename_axis("month").astype(float)


def status_share_groupby_categorical(orders):
    g = orders.groupby("status", observed=False)["order_id"].count()
    return pd.DataFrame({"orders": g, "share": g / g.sum()})  # zero rows kept


def status_share_normalize(orders):
    return pd.DataFrame({
        "status": orders["status"].value_counts().index.astype(str),
        "orders": orders["status"].value_counts().to_numpy(),
        "share": orders["status"].value_counts(normalize=True).to_numpy(),
    })


def channel_summary_merge(customers, orders):
    paid = orders.loc[orders["status"] == "paid", ["customer_id"]].drop_duplicates()
    joined = customers.merge(paid.assign(bought=1), on="customer_id", how="left")
    out = joined.groupby("acquisition_channel", observed=False).agg(
        customers=("customer_id", "nunique"), buyers=("bought", "sum"))
    out["buyer_rate"] = out["buyers"] / out["customers"]
    return out.reset_index()  # a channel without customers would give NaN: filtered by the test


def channel_summary_loop(customers, orders):
    paying = set(orders.loc[orders["status"] == "paid", "customer_id"])
    rows = []
    for channel, group in customers.groupby("acquisition_channel", observed=True):
        buyers = sum(cid in paying for cid in group["customer_id"])
        rows.append({"acquisition_channel": str(channel), "customers": len(group),
                     "buyers": buyers, "buyer_rate": buyers / len(group)})
    return pd.DataFrame(rows)


def monthly_orders_inplace(orders):
    """Right, in pandas 2's ``inplace=True`` idiom: pandas 3 warns (deprecated), no mistake."""
    paid = orders[orders["status"] == "paid"].copy()
    paid["month"] = paid["order_time"].dt.strftime("%Y-%m")
    out = paid.groupby("month").agg(orders=("net_amount_cny", "size"),
                                    revenue_cny=("net_amount_cny", "sum"))
    out.sort_index(inplace=True)
    out.reset_index(inplace=True)
    return out


CORRECT_STYLES = {
    "monthly_orders with a Period column": dict(monthly_orders=monthly_by_period_column),
    "monthly_orders with resample and floats": dict(monthly_orders=monthly_by_resample),
    "status_share keeping empty categories": dict(status_share=status_share_groupby_categorical),
    "status_share as columns": dict(status_share=status_share_normalize),
    "channel_summary with a merge": dict(channel_summary=channel_summary_merge),
    "channel_summary written as a loop": dict(channel_summary=channel_summary_loop),
    "monthly_orders with inplace=True (pandas warns)": dict(monthly_orders=monthly_orders_inplace),
}


# ---- common mistakes ------------------------------------------------------------------

def monthly_all_statuses(orders):
    return ref.monthly_orders(orders.assign(status="paid"))


def monthly_by_month_of_year(orders):
    paid = orders[orders["status"] == "paid"]
    return paid.groupby(paid["order_time"].dt.month.rename("month")).agg(
        orders=("order_id", "count"), revenue_cny=("net_amount_cny", "sum"))


def monthly_gross_amount(orders):
    return ref.monthly_orders(orders.assign(net_amount_cny=orders["gross_amount_cny"]))


def status_share_percent(orders):
    out = ref.status_share(orders)
    return out.assign(share=out["share"] * 100)


def status_share_of_revenue(orders):
    amount = orders.groupby("status", observed=True)["net_amount_cny"].sum()
    counts = orders["status"].value_counts()
    return pd.DataFrame({"orders": counts, "share": amount / amount.sum()})


def status_share_paid_only(orders):
    return ref.status_share(orders[orders["status"] == "paid"])


def channel_buyers_any_status(customers, orders):
    return ref.channel_summary(customers, orders.assign(status="paid"))


def channel_buyers_only(customers, orders):
    """Counts only customers who ordered: forgets those who never bought."""
    return ref.channel_summary(customers[customers["customer_id"].isin(orders["customer_id"])],
                               orders)


def channel_rate_percent(customers, orders):
    out = ref.channel_summary(customers, orders)
    return out.assign(buyer_rate=out["buyer_rate"] * 100)


def channel_hard_coded(customers, orders):
    from crm_lab import data

    return ref.channel_summary(data.load_customers(), data.load_orders())


MISTAKES = {
    "refunded and cancelled orders counted": (dict(monthly_orders=monthly_all_statuses),
                                              {"test_monthly_orders"}),
    "months of different years merged": (dict(monthly_orders=monthly_by_month_of_year),
                                         {"test_monthly_orders"}),
    "gross instead of net amount": (dict(monthly_orders=monthly_gross_amount),
                                    {"test_monthly_orders"}),
    "status shares in percent": (dict(status_share=status_share_percent), {"test_status_share"}),
    "share of revenue, not of orders": (dict(status_share=status_share_of_revenue),
                                        {"test_status_share"}),
    "only paid orders counted": (dict(status_share=status_share_paid_only), {"test_status_share"}),
    "buyers counted by any order": (dict(channel_summary=channel_buyers_any_status),
                                    {"test_channel_summary"}),
    "customers who never ordered left out": (dict(channel_summary=channel_buyers_only),
                                             {"test_channel_summary"}),
    "buyer rate in percent": (dict(channel_summary=channel_rate_percent), {"test_channel_summary"}),
    "hard-coded shipped-data answer": (dict(channel_summary=channel_hard_coded),
                                       {"test_channel_summary"}),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "00_overview"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "monthly_orders with inplace=True (pandas warns)"
    MISTAKES = MISTAKES

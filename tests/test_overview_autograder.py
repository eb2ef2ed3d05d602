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
    "data_kinds": ref.data_kinds,
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


def monthly_orders_on_a_copy(orders):
    """Adds its helper column to a copy: the caller's table stays as it was."""
    orders = orders.copy()
    orders["month"] = orders["order_time"].dt.to_period("M")
    paid = orders[orders["status"] == "paid"]
    return paid.groupby("month").agg(orders=("order_id", "nunique"),
                                     revenue_cny=("net_amount_cny", "sum"))


def monthly_orders_pivot_by_year_and_month(orders):
    """Year and month kept apart, then joined into text: months of two years stay apart."""
    paid = orders[orders["status"].astype(str) == "paid"]
    year, month = paid["order_time"].dt.year, paid["order_time"].dt.month
    out = paid.groupby([year.rename("y"), month.rename("m")])["net_amount_cny"].agg(
        orders="count", revenue_cny="sum").reset_index()
    out["month"] = out["y"].astype(str) + "-" + out["m"].map("{:02d}".format)
    return out.drop(columns=["y", "m"])


def status_share_by_groupby_size(orders):
    """Sizes of the status groups, each share summed from 1/n steps (round-off differs)."""
    sizes = orders.groupby(orders["status"].astype(str)).size()
    step = 1 / len(orders)
    return pd.DataFrame({"orders": sizes, "share": [n * step for n in sizes]})


def status_share_counting_order_ids(orders):
    """Counts a real column, order_id, that hand-made test tables must have too."""
    counts = orders.groupby("status", observed=True)["order_id"].nunique()
    return counts.rename("orders").to_frame().assign(share=counts / orders["order_id"].nunique())


def channel_summary_crosstab(customers, orders):
    paying = orders.loc[orders["status"] == "paid", "customer_id"]
    table = pd.crosstab(customers["acquisition_channel"], customers["customer_id"].isin(paying))
    table = table.reindex(columns=[False, True], fill_value=0)
    out = pd.DataFrame({"customers": table.sum(axis=1), "buyers": table[True]})
    out["buyer_rate"] = out["buyers"] / out["customers"]
    return out


def channel_summary_counting_signups(customers, orders):
    """Counts signup_date, a real column of customers (hand-made tables must have it)."""
    paid_ids = orders.loc[orders["status"] == "paid", "customer_id"].drop_duplicates()
    marked = customers.merge(paid_ids.to_frame("customer_id").assign(buyer=True),
                             on="customer_id", how="left", validate="one_to_one")
    marked["buyer"] = marked["buyer"].fillna(False).astype(bool)
    out = marked.groupby("acquisition_channel", observed=True).agg(
        customers=("signup_date", "count"), buyers=("buyer", "sum"))
    return out.assign(buyer_rate=out["buyers"] / out["customers"])


def data_kinds_as_series(tables):
    kinds = pd.Series(ref.DATA_KINDS)
    ids = ("customer_id", "order_id")
    return kinds[[c for t in tables.values() for c in t.columns if c not in ids]]


def data_kinds_as_rows_in_chinese(tables):
    """A DataFrame with a table column, kinds in Chinese, the ids included with a kind."""
    chinese = {"descriptive": "描述性", "transactional": "交易性数据", "promotional": "促销性"}
    rows = [{"table": name, "column": column,
             "kind": chinese[ref.DATA_KINDS.get(column, "transactional")]}
            for name, table in tables.items() for column in table.columns]
    return pd.DataFrame(rows)


def data_kinds_other_readings(tables):
    """The two columns that fit two kinds read the other way; capitalised kind names."""
    other = {**ref.DATA_KINDS, "acquisition_channel": "descriptive",
             "discount_cny": "transactional"}
    return {c: other[c].capitalize() for t in tables.values() for c in t.columns
            if c in other}


CORRECT_STYLES = {
    "monthly_orders with a Period column": dict(monthly_orders=monthly_by_period_column),
    "monthly_orders with resample and floats": dict(monthly_orders=monthly_by_resample),
    "status_share keeping empty categories": dict(status_share=status_share_groupby_categorical),
    "status_share as columns": dict(status_share=status_share_normalize),
    "channel_summary with a merge": dict(channel_summary=channel_summary_merge),
    "channel_summary written as a loop": dict(channel_summary=channel_summary_loop),
    "monthly_orders with inplace=True (pandas warns)": dict(monthly_orders=monthly_orders_inplace),
    "monthly_orders adding its column to a copy": dict(monthly_orders=monthly_orders_on_a_copy),
    "monthly_orders by year and month": dict(
        monthly_orders=monthly_orders_pivot_by_year_and_month),
    "status_share with round-off in the shares": dict(status_share=status_share_by_groupby_size),
    "status_share counting order ids": dict(status_share=status_share_counting_order_ids),
    "channel_summary with a crosstab": dict(channel_summary=channel_summary_crosstab),
    "channel_summary counting sign-up dates": dict(
        channel_summary=channel_summary_counting_signups),
    "data_kinds as a Series": dict(data_kinds=data_kinds_as_series),
    "data_kinds as rows, in Chinese, ids included": dict(data_kinds=data_kinds_as_rows_in_chinese),
    "data_kinds with the other reading of two columns": dict(
        data_kinds=data_kinds_other_readings),
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


def monthly_orders_changes_its_input(orders):
    """Adds its helper column to the caller's own table."""
    orders["month"] = orders["order_time"].dt.strftime("%Y-%m")
    paid = orders[orders["status"] == "paid"]
    return paid.groupby("month").agg(orders=("order_id", "count"),
                                     revenue_cny=("net_amount_cny", "sum"))


def monthly_orders_zero_months_kept(orders):
    """resample fills every month between the first and the last, with zeros."""
    paid = orders[orders["status"] == "paid"].set_index("order_time")
    out = paid["net_amount_cny"].resample("MS").agg(["count", "sum"])
    return out.rename(columns={"count": "orders", "sum": "revenue_cny"}).rename_axis("month")


def monthly_orders_only_refunds_left_out(orders):
    """The old rule "everything but refunds": closed (never paid) orders counted."""
    return ref.monthly_orders(orders.assign(status=orders["status"].astype(str).replace(
        {"closed": "paid"})))


def status_share_changes_its_input(orders):
    orders["status"] = orders["status"].astype(str)
    return ref.status_share(orders)


def status_share_leaves_out_closed_orders(orders):
    """Counts only the orders that were paid at some point."""
    return ref.status_share(orders[orders["status"] != "closed"])


def channel_summary_drops_channels_without_buyers(customers, orders):
    """An inner merge keeps only customers with a paid order: a channel of non-buyers vanishes."""
    paid = orders.loc[orders["status"] == "paid", ["customer_id"]].drop_duplicates()
    joined = customers.merge(paid.assign(bought=1), on="customer_id", how="left")
    out = joined.groupby("acquisition_channel", observed=True).agg(
        customers=("customer_id", "count"), buyers=("bought", "sum"))
    out["buyer_rate"] = out["buyers"] / out["customers"]
    return out[out["buyers"] > 0]


def channel_summary_changes_customers(customers, orders):
    customers["is_buyer"] = customers["customer_id"].isin(
        orders.loc[orders["status"] == "paid", "customer_id"])
    return ref.channel_summary(customers, orders)


def channel_summary_closed_orders_make_buyers(customers, orders):
    """Treats "not refunded" as bought: a customer whose order was never paid counts."""
    return ref.channel_summary(customers, orders.assign(
        status=orders["status"].astype(str).replace({"closed": "paid"})))


def data_kinds_by_table(tables):
    """customers → descriptive, everything of an order → transactional: coupons and festivals
    are promotional."""
    kind = {"customers": "descriptive", "orders": "transactional", "order_items": "transactional"}
    return {c: kind[name] for name, t in tables.items() for c in t.columns
            if c not in ("customer_id", "order_id")}


def data_kinds_ignores_its_argument(tables):
    """Always every column of the three tables, whichever tables it was given."""
    return dict(ref.DATA_KINDS)


def data_kinds_payment_as_promotional(tables):
    """Huabei and WeChat Pay are not campaigns: the payment method is transactional."""
    return {**ref.data_kinds(tables), **({"payment_method": "promotional"}
                                         if any("payment_method" in t for t in tables.values())
                                         else {})}


MISTAKES = {
    "refunded and closed orders counted": (dict(monthly_orders=monthly_all_statuses),
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
    "monthly_orders changes the orders it was given": (
        dict(monthly_orders=monthly_orders_changes_its_input), {"test_monthly_orders"}),
    "months without a paid order kept as zeros": (
        dict(monthly_orders=monthly_orders_zero_months_kept), {"test_monthly_orders"}),
    "closed (never paid) orders counted as revenue": (
        dict(monthly_orders=monthly_orders_only_refunds_left_out), {"test_monthly_orders"}),
    "status_share changes the orders it was given": (
        dict(status_share=status_share_changes_its_input), {"test_status_share"}),
    "closed orders left out of the status shares": (
        dict(status_share=status_share_leaves_out_closed_orders), {"test_status_share"}),
    "channels without a buyer dropped": (
        dict(channel_summary=channel_summary_drops_channels_without_buyers),
        {"test_channel_summary"}),
    "channel_summary changes the customers it was given": (
        dict(channel_summary=channel_summary_changes_customers), {"test_channel_summary"}),
    "closed (never paid) orders make buyers": (
        dict(channel_summary=channel_summary_closed_orders_make_buyers),
        {"test_channel_summary"}),
    "data kinds by table, coupons and festivals transactional": (
        dict(data_kinds=data_kinds_by_table), {"test_data_kinds"}),
    "data_kinds ignores which tables it was given": (
        dict(data_kinds=data_kinds_ignores_its_argument), {"test_data_kinds"}),
    "payment method taken for promotional data": (
        dict(data_kinds=data_kinds_payment_as_promotional), {"test_data_kinds"}),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "00_overview"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "monthly_orders with inplace=True (pandas warns)"
    MISTAKES = MISTAKES

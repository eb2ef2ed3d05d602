"""Chapter 01's tables (business buyers, their orders, product costs) and their stylized facts,
on the shipped shop and on a shop of another seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_data_service import edit  # rewrites one cell of a CSV file

from crm_lab.data import (
    generate_shop,
    load_accounts,
    load_business_accounts,
    load_business_orders,
    load_customers,
    load_order_items,
    load_orders,
    load_product_costs,
    load_products,
    load_service,
    write_shop,
)
from crm_lab.data.accounts import CATEGORY_MARGINS

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def shipped():
    return {
        "customers": load_customers(SHIPPED),
        "orders": load_orders(SHIPPED),
        "order_items": load_order_items(SHIPPED),
        "products": load_products(SHIPPED),
        **load_service(SHIPPED),
        **load_accounts(SHIPPED),
    }


@pytest.fixture(scope="module")
def seed11():
    return generate_shop(seed=11, n_customers=2500)


@pytest.fixture(params=["shipped", "seed11"])
def shop(request):
    return request.getfixturevalue(request.param)


def _types(shop) -> pd.Series:
    accounts = shop["business_accounts"].set_index("account_id")["account_type"]
    return shop["business_orders"]["account_id"].map(accounts)


def test_the_shipped_files_are_what_the_generator_makes(shipped):
    fresh = generate_shop()
    for name in ("business_accounts", "business_orders", "business_order_items", "product_costs"):
        pd.testing.assert_frame_equal(fresh[name], shipped[name], check_index_type=False)


def test_the_new_tables_leave_the_old_ones_unchanged(monkeypatch):
    from crm_lab.data import accounts

    with_accounts = generate_shop(seed=5, n_customers=300)
    monkeypatch.setattr(accounts, "account_tables", lambda *args: {})
    without = generate_shop(seed=5, n_customers=300)
    assert set(with_accounts) - set(without) == {
        "business_accounts",
        "business_orders",
        "business_order_items",
        "product_costs",
    }
    for name, table in without.items():
        pd.testing.assert_frame_equal(with_accounts[name], table)


def test_three_kinds_of_business_buyer_about_one_per_hundred_consumers(shop):
    counts = shop["business_accounts"]["account_type"].value_counts()
    assert set(counts.index) == {"company_gifts", "office", "tea_house"}
    assert (counts > 0).all()
    assert 0.005 < counts.sum() / len(shop["customers"]) < 0.03


def test_accounts_grown_from_bulk_buyers_open_after_a_paid_gift_order(shop):
    accounts = shop["business_accounts"].dropna(subset=["contact_customer_id"])
    assert len(accounts) > 0 and (accounts["account_type"] == "company_gifts").all()
    assert accounts["contact_customer_id"].isin(shop["customers"]["customer_id"]).all()
    orders, items = shop["orders"], shop["order_items"]
    gift_ids = shop["products"].loc[shop["products"]["category"] == "gift_set", "product_id"]
    gift_orders = items.loc[items["product_id"].isin(gift_ids), "order_id"]
    paid_gifts = orders[(orders["status"] == "paid") & orders["order_id"].isin(gift_orders)]
    first = paid_gifts.groupby("customer_id", observed=True)["order_time"].min()
    opened = accounts.set_index("contact_customer_id")["opened_date"]
    gap_days = (opened - first.reindex(opened.index).dt.normalize()).dt.days
    assert gap_days.between(3, 30).all()


def test_gift_buyers_order_before_mid_autumn_and_spring_festival(shop):
    orders = shop["business_orders"][_types(shop) == "company_gifts"]
    months = orders["order_time"].dt.month
    assert months.isin([1, 2, 8, 9, 12]).mean() > 0.95
    assert months.isin([8, 9]).any() and months.isin([12, 1, 2]).any()


def test_offices_and_tea_houses_restock_every_few_weeks(shop):
    orders = shop["business_orders"][_types(shop).isin(["office", "tea_house"])]
    gaps = orders.sort_values("order_time").groupby("account_id")["order_time"].diff().dt.days
    assert gaps.dropna().between(17, 41).all()
    assert 20 < gaps.median() < 35


def test_gift_orders_are_big_and_offices_small(shop):
    paid = shop["business_orders"][shop["business_orders"]["status"] == "paid"]
    median = paid.groupby(_types(shop)[paid.index])["net_amount_cny"].median()
    assert median["company_gifts"] > median["tea_house"] > median["office"] > 300


def test_businesses_bring_a_fifth_to_a_third_of_the_revenue(shop):
    consumers = shop["orders"].loc[shop["orders"]["status"] == "paid", "net_amount_cny"].sum()
    b2b = shop["business_orders"]
    business = b2b.loc[b2b["status"] == "paid", "net_amount_cny"].sum()
    assert 0.1 < business / (business + consumers) < 0.4


def test_business_orders_pay_the_contract_discount_and_carry_an_invoice(shop):
    orders = shop["business_orders"].merge(shop["business_accounts"], on="account_id")
    expected = (orders["gross_amount_cny"] * orders["contract_discount_pct"] / 100).round(2)
    assert np.allclose(orders["discount_cny"], expected, atol=0.011)
    paid = orders["status"] == "paid"
    assert orders.loc[paid, "invoice_no"].notna().all()
    assert orders.loc[~paid, "invoice_no"].isna().all()
    special = orders.loc[paid, "invoice_type"] == "vat_special"
    assert orders.loc[paid, "invoice_no"].str.startswith("ZP").eq(special).all()


def test_business_lines_add_up_to_their_order(shop):
    items = shop["business_order_items"]
    assert np.allclose(items["line_amount_cny"], items["quantity"] * items["unit_price_cny"])
    sums = items.groupby("order_id")["line_amount_cny"].sum()
    orders = shop["business_orders"].set_index("order_id")
    assert np.allclose(sums.reindex(orders.index), orders["gross_amount_cny"])
    assert items["product_id"].isin(shop["products"]["product_id"]).all()


def test_business_order_ids_never_clash_with_consumer_ones(shop):
    assert not shop["business_orders"]["order_id"].isin(shop["orders"]["order_id"]).any()


def test_gross_margins_are_those_of_tea_e_commerce(shop):
    products = shop["products"].merge(shop["product_costs"], on="product_id")
    margin = 1 - products["unit_cost_cny"] / products["list_price_cny"]
    assert margin.between(0.35, 0.66).all()
    by_category = margin.groupby(products["category"], observed=True).mean()
    for category, expected in CATEGORY_MARGINS.items():
        assert abs(by_category[category] - expected) < 0.03
    assert by_category["teaware"] < by_category["gift_set"] < by_category["green_tea"]


def _profit(shop) -> pd.DataFrame:
    """The profit rules of crm_lab.customers, applied to what happened to each customer."""
    from crm_lab.customers import service_costs
    from grader.reference import customers as ref

    orders, items = ref.all_orders(shop)
    service = service_costs(shop["chats"], shop["tickets"], shop["calls"])
    return ref.customer_profit(orders, items, shop["product_costs"], service)


def test_top_revenue_is_not_top_profit(shop):
    """Some of the top tenth by revenue earn a margin below the median customer's."""
    profit = _profit(shop)
    margin = profit["profit_cny"] / profit["revenue_cny"]
    top = profit.nlargest(int(np.ceil(0.1 * len(profit))), "revenue_cny").index
    assert (margin[top] < margin.median()).sum() >= 3


def test_on_the_shipped_shop_some_top_five_percent_customers_lose_money(shipped):
    """True of the shipped seed; a smaller shop has few gift accounts and may have none."""
    profit = _profit(shipped)
    top = profit.nlargest(int(np.ceil(0.05 * len(profit))), "revenue_cny")
    assert (top["profit_cny"] < 0).sum() >= 2
    assert (profit["profit_cny"] < 0).mean() < 0.1


@pytest.fixture(scope="module")
def small_accounts():
    shop = generate_shop(seed=3, n_customers=400)
    return {name: shop[name] for name in ("business_accounts", "business_orders", "product_costs")}


@pytest.fixture
def data_dir(tmp_path, small_accounts):
    write_shop(small_accounts, tmp_path)  # only the files these tests load: fast
    return tmp_path


def test_an_unknown_account_type_names_file_column_and_row(data_dir):
    edit(
        data_dir / "business_accounts.csv", lambda t: t.loc.__setitem__((1, "account_type"), "shop")
    )
    with pytest.raises(ValueError, match=r"business_accounts\.csv.*'account_type'.*row 1"):
        load_business_accounts(data_dir)


def test_a_negative_cost_names_file_column_and_row(data_dir):
    edit(data_dir / "product_costs.csv", lambda t: t.loc.__setitem__((4, "unit_cost_cny"), "-3"))
    with pytest.raises(ValueError, match=r"product_costs\.csv.*'unit_cost_cny'.*row 4"):
        load_product_costs(data_dir)


def test_a_refunded_business_order_with_an_invoice_is_refused(data_dir):
    def change(t):
        t.loc[0, "status"] = "refunded"
        t.loc[0, "invoice_no"] = "PP00000001"

    edit(data_dir / "business_orders.csv", change)
    with pytest.raises(ValueError, match=r"business_orders\.csv.*'invoice_no'.*row 0"):
        load_business_orders(data_dir)


def test_a_discount_above_the_gross_amount_is_refused(data_dir):
    edit(data_dir / "business_orders.csv", lambda t: t.loc.__setitem__((2, "discount_cny"), "1e7"))
    with pytest.raises(ValueError, match=r"business_orders\.csv.*row 2"):
        load_business_orders(data_dir)

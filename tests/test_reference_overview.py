"""The overview chapter's reference answers, on tables small enough to count by hand."""

import pandas as pd
import pytest

from crm_lab.data import ORDER_STATUSES, load_shop
from grader.fixtures import overview_edge_case
from grader.reference import overview as ref


@pytest.fixture
def orders():
    rows = [
        ("O1", "A", "2025-01-03 09:00", "paid", 100.0),
        ("O2", "A", "2025-01-31 23:59", "paid", 50.5),
        ("O3", "B", "2025-01-15 12:00", "refunded", 999.0),
        ("O4", "B", "2025-02-10 08:00", "closed", 70.0),
        ("O5", "C", "2025-03-01 00:00", "paid", 20.0),
        ("O6", "C", "2024-03-05 10:00", "paid", 7.0),
    ]
    df = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_time", "status",
                                     "net_amount_cny"])
    df["order_time"] = pd.to_datetime(df["order_time"])
    df["status"] = pd.Categorical(df["status"], categories=list(ORDER_STATUSES))
    return df


@pytest.fixture
def customers():
    return pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E"],
        "acquisition_channel": pd.Categorical(
            ["search", "search", "referral", "referral", "search"],
            categories=["search", "referral", "live_stream"]),
    })


def test_monthly_orders_counts_paid_orders_and_their_revenue(orders):
    out = ref.monthly_orders(orders)
    # Jan 2025: O1 + O2 paid (the refunded O3 is left out); Feb has only a closed order
    assert out.loc["2025-01"].tolist() == [2, 150.5]
    assert "2025-02" not in out.index


def test_monthly_orders_keeps_the_same_month_of_different_years_apart(orders):
    out = ref.monthly_orders(orders)
    assert list(out.index) == ["2024-03", "2025-01", "2025-03"]
    assert out.loc["2024-03", "revenue_cny"] == 7.0
    assert out.loc["2025-03", "revenue_cny"] == 20.0


def test_monthly_orders_puts_the_last_minute_of_a_month_in_that_month(orders):
    assert ref.monthly_orders(orders).loc["2025-01", "orders"] == 2


def test_monthly_orders_has_integer_counts_and_month_index(orders):
    out = ref.monthly_orders(orders)
    assert out.index.name == "month"
    assert out["orders"].dtype == "int64"
    assert out["revenue_cny"].dtype == "float64"


def test_status_share_counts_every_order_and_shares_sum_to_one(orders):
    out = ref.status_share(orders)
    assert out.loc["paid"].tolist() == [4, 4 / 6]
    assert out.loc["refunded", "orders"] == 1
    assert out.loc["closed", "share"] == pytest.approx(1 / 6)
    assert out["share"].sum() == pytest.approx(1)


def test_status_share_lists_only_statuses_that_occur(orders):
    out = ref.status_share(orders[orders["status"] == "paid"])
    assert list(out.index) == ["paid"]
    assert out.loc["paid", "share"] == 1.0


def test_channel_summary_counts_buyers_by_paid_orders_only(customers, orders):
    out = ref.channel_summary(customers, orders)
    # search: A (paid), B (only refunded/closed), E (no orders) -> 3 customers, 1 buyer
    assert out.loc["search"].tolist() == [3, 1, pytest.approx(1 / 3)]
    # referral: C (paid), D (no orders) -> 2 customers, 1 buyer
    assert out.loc["referral"].tolist() == [2, 1, 0.5]


def test_channel_summary_leaves_out_channels_without_customers(customers, orders):
    out = ref.channel_summary(customers, orders)
    assert list(out.index) == ["referral", "search"]
    assert out.index.name == "acquisition_channel"


def test_missing_column_is_a_value_error(customers, orders):
    with pytest.raises(ValueError, match="net_amount_cny"):
        ref.monthly_orders(orders.drop(columns="net_amount_cny"))
    with pytest.raises(ValueError, match="acquisition_channel"):
        ref.channel_summary(customers.drop(columns="acquisition_channel"), orders)


@pytest.mark.parametrize("month", [
    pd.Period("2025-01", freq="M"), pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31 10:00"),
    "2025-01", "2025-01-01",
])
def test_month_keys_accepts_any_way_of_writing_a_month(month):
    table = pd.DataFrame({"month": [month], "orders": [3]})
    assert ref.month_keys(table)["month"].tolist() == ["2025-01"]
    assert ref.month_keys(table.set_index("month"))["month"].tolist() == ["2025-01"]


def test_month_keys_leaves_a_wrong_key_for_the_comparison_to_report():
    table = pd.DataFrame({"month": [1, 2], "orders": [3, 4]}).set_index("month")
    assert ref.month_keys(table, key="month_name").equals(table)


# ---- the edge case the hidden tests grade on ---------------------------------------------


def test_edge_case_months_without_a_paid_order_have_no_row():
    customers, orders = overview_edge_case()
    out = ref.monthly_orders(orders)
    assert list(out.index) == ["2024-01", "2025-01", "2025-02", "2025-05"]
    assert out.loc["2025-01", "revenue_cny"] == pytest.approx(0.3)


def test_edge_case_channels_cover_rates_of_zero_half_and_one():
    customers, orders = overview_edge_case()
    out = ref.channel_summary(customers, orders)
    assert out["buyer_rate"].to_dict() == {
        "live_stream": 0.0, "marketplace_ads": 1.0, "referral": 1.0, "search": 0.5}
    assert out.loc["live_stream", "customers"] == 2


def test_edge_case_tables_have_every_real_column_and_dtype():
    customers, orders = overview_edge_case()
    shop = load_shop()
    for mine, real in ((customers, shop["customers"]), (orders, shop["orders"])):
        assert mine.columns.tolist() == real.columns.tolist()
        assert mine.dtypes.tolist() == real.dtypes.tolist()
    assert set(orders["status"]) == set(ORDER_STATUSES)


def test_references_leave_their_arguments_unchanged():
    customers, orders = overview_edge_case()
    before_c, before_o = customers.copy(), orders.copy()
    ref.monthly_orders(orders), ref.status_share(orders), ref.channel_summary(customers, orders)
    ref.data_kinds({"customers": customers, "orders": orders})
    assert customers.equals(before_c) and orders.equals(before_o)


# ---- data_kinds --------------------------------------------------------------------------


def test_data_kinds_covers_every_column_of_the_three_tables_but_the_ids():
    shop = load_shop()
    tables = {name: shop[name] for name in ("customers", "orders", "order_items")}
    kinds = ref.data_kinds(tables)
    columns = {c for t in tables.values() for c in t.columns} - {"customer_id", "order_id"}
    assert set(kinds) == columns == set(ref.DATA_KINDS)
    assert set(kinds.values()) == set(ref.KINDS)
    assert all(kinds[c] in ref.ACCEPTED_KINDS[c] for c in kinds)


def test_data_kinds_sorts_seed_000s_examples():
    kinds = ref.DATA_KINDS
    assert kinds["gender"] == kinds["city"] == "descriptive"
    assert kinds["order_time"] == kinds["net_amount_cny"] == "transactional"
    assert kinds["coupon_code"] == kinds["promotion"] == "promotional"


def test_data_kinds_refuses_a_table_with_unknown_columns():
    with pytest.raises(ValueError, match="list_price_cny"):
        ref.data_kinds({"products": pd.DataFrame(columns=["product_id", "list_price_cny"])})


@pytest.mark.parametrize("answer", [
    {"city": "descriptive", "coupon_code": "promotional"},
    pd.Series({"city": "Descriptive", "coupon_code": "促销性"}),
    pd.DataFrame({"table": ["customers", "orders"], "column": ["city", "coupon_code"],
                  "kind": ["描述性数据", "promotional data"]}),
    pd.DataFrame({"kind": ["descriptive", "promotional"]},
                 index=pd.Index(["city", "coupon_code"], name="column")),
])
def test_kinds_of_reads_every_form_the_statement_allows(answer):
    assert ref.kinds_of(answer) == {"city": "descriptive", "coupon_code": "promotional"}


def test_assert_kinds_accepts_either_kind_for_a_column_that_fits_two():
    tables = {"orders": pd.DataFrame(columns=["order_id", "discount_cny", "status"])}
    for discount in ("promotional", "transactional"):
        ref.assert_kinds({"discount_cny": discount, "status": "transactional"}, tables)
    ref.assert_kinds({"discount_cny": "promotional", "status": "transactional",
                      "order_id": "transactional"}, tables)  # an id may be given a kind


@pytest.mark.parametrize(("answer", "message"), [
    ({"status": "transactional"}, "no kind for column"),
    ({"discount_cny": "promotional", "status": "transactional", "city": "descriptive"},
     "do not have"),
    ({"discount_cny": "promotional", "status": "promotional"}, "wrong kind"),
    ({"discount_cny": "promotional", "status": "sales"}, "should be one of"),
    (["status"], "dict, a Series or a DataFrame"),
])
def test_assert_kinds_fails_a_wrong_answer(answer, message):
    tables = {"orders": pd.DataFrame(columns=["order_id", "discount_cny", "status"])}
    with pytest.raises(AssertionError, match=message):
        ref.assert_kinds(answer, tables)


def test_kinds_of_lets_the_ids_repeat_but_no_other_column():
    rows = pd.DataFrame({"column": ["order_id", "order_id", "status"],
                         "kind": ["transactional"] * 3})
    assert ref.kinds_of(rows)["status"] == "transactional"
    with pytest.raises(AssertionError, match="more than once"):
        ref.kinds_of(pd.DataFrame({"column": ["status", "status"], "kind": ["a", "b"]}))

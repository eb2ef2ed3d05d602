"""The overview chapter's reference answers, on tables small enough to count by hand."""

import pandas as pd
import pytest

from grader.reference import overview as ref


@pytest.fixture
def orders():
    rows = [
        ("O1", "A", "2025-01-03 09:00", "paid", 100.0),
        ("O2", "A", "2025-01-31 23:59", "paid", 50.5),
        ("O3", "B", "2025-01-15 12:00", "refunded", 999.0),
        ("O4", "B", "2025-02-10 08:00", "cancelled", 70.0),
        ("O5", "C", "2025-03-01 00:00", "paid", 20.0),
        ("O6", "C", "2024-03-05 10:00", "paid", 7.0),
    ]
    df = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_time", "status",
                                     "net_amount_cny"])
    df["order_time"] = pd.to_datetime(df["order_time"])
    df["status"] = pd.Categorical(df["status"], categories=["paid", "refunded", "cancelled"])
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
    # Jan 2025: O1 + O2 paid (the refunded O3 is left out); Feb has only a cancellation
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
    assert out.loc["cancelled", "share"] == pytest.approx(1 / 6)
    assert out["share"].sum() == pytest.approx(1)


def test_status_share_lists_only_statuses_that_occur(orders):
    out = ref.status_share(orders[orders["status"] == "paid"])
    assert list(out.index) == ["paid"]
    assert out.loc["paid", "share"] == 1.0


def test_channel_summary_counts_buyers_by_paid_orders_only(customers, orders):
    out = ref.channel_summary(customers, orders)
    # search: A (paid), B (only refunded/cancelled), E (no orders) -> 3 customers, 1 buyer
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

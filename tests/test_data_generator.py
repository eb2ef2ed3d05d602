"""The simulated shop looks like real e-commerce data, fits together, and is reproducible.

Each stylized fact is checked on the shipped files and on another seed.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_lab.data import (
    ORDER_STATUSES,
    PAYMENT_METHODS,
    PERIOD_END,
    PERIOD_START,
    customer_traits,
    generate_shop,
    load_shop,
    validate_shop,
    validate_table,
    write_shop,
)
from crm_lab.data.__main__ import main as cli
from crm_lab.data.catalog import PAYMENT_RULES
from crm_lab.data.schema import CLOSED, PAID, REFUNDED, TABLES
from crm_lab.data.shop import payment_shares

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def shipped():
    return load_shop(SHIPPED)


@pytest.fixture(scope="module")
def seed7():
    return generate_shop(seed=7, n_customers=1500)


@pytest.fixture(params=["shipped", "seed7"])
def shop(request):
    return request.getfixturevalue(request.param)


def paid_orders(shop):
    orders = shop["orders"]
    return orders[orders.status == "paid"]


def monthly_revenue(shop):
    return paid_orders(shop).set_index("order_time").net_amount_cny.resample("MS").sum()


# --- stylized facts ------------------------------------------------------------------------


def test_about_half_of_buying_customers_buy_only_once(shop):
    orders_per_buyer = paid_orders(shop).groupby("customer_id").size()
    assert 0.40 <= (orders_per_buyer == 1).mean() <= 0.60


def test_top_fifth_of_buyers_bring_at_least_55_percent_of_revenue(shop):
    revenue = paid_orders(shop).groupby("customer_id").net_amount_cny.sum()
    top = revenue.nlargest(int(np.ceil(0.2 * len(revenue))))
    assert top.sum() / revenue.sum() >= 0.55


def test_top_one_percent_of_buyers_bring_at_least_8_percent_of_revenue(shop):
    revenue = paid_orders(shop).groupby("customer_id").net_amount_cny.sum()
    top = revenue.nlargest(int(np.ceil(0.01 * len(revenue))))
    assert top.sum() / revenue.sum() >= 0.08


def test_many_repeat_buyers_stop_buying_long_before_the_end(shop):
    paid = paid_orders(shop)
    per_customer = paid.groupby("customer_id").order_time.agg(["min", "max", "size"])
    early_repeaters = per_customer[
        (per_customer["size"] >= 2) & (per_customer["min"] < "2025-01-01")
    ]
    lapsed = early_repeaters["max"] < PERIOD_END - pd.Timedelta(days=180)
    assert len(early_repeaters) > 100
    assert lapsed.mean() >= 0.30


def test_november_and_june_revenue_are_above_the_median_month_of_their_year(shop):
    revenue = monthly_revenue(shop)
    for year in (2024, 2025):
        months = revenue[revenue.index.year == year]
        assert months.iloc[10] >= 1.4 * months.median(), f"November {year}"
        assert months.iloc[5] >= 1.2 * months.median(), f"June {year}"


def test_the_busiest_day_of_each_year_is_double11_or_618(shop):
    per_day = paid_orders(shop).set_index("order_time").order_id.resample("D").count()
    for year in (2024, 2025):
        busiest = per_day[per_day.index.year == year].idxmax()
        assert busiest.strftime("%m-%d") in {"11-11", "06-18"}, busiest


def test_double11_is_the_busiest_day_of_november(shop):
    per_day = paid_orders(shop).set_index("order_time").order_id.resample("D").count()
    for year in (2024, 2025):
        assert per_day[f"{year}-11"].idxmax() == pd.Timestamp(f"{year}-11-11")


def test_618_is_the_busiest_day_of_june_apart_from_its_opening(shop):
    per_day = paid_orders(shop).set_index("order_time").order_id.resample("D").count()
    for year in (2024, 2025):
        june = per_day[f"{year}-06-04" : f"{year}-06-30"]
        assert june.idxmax() in pd.date_range(f"{year}-06-16", f"{year}-06-18")


def test_a_few_percent_of_orders_are_never_paid_and_closed(shop):
    assert 0.02 <= (shop["orders"].status == CLOSED).mean() <= 0.06


def test_a_few_percent_of_paid_orders_are_refunded(shop):
    paid_at_all = shop["orders"][shop["orders"].status != CLOSED]
    assert 0.03 <= (paid_at_all.status == REFUNDED).mean() <= 0.07


def test_big_sales_leave_more_orders_unpaid_than_ordinary_days(shop):
    orders = shop["orders"]
    closed = orders.status == CLOSED
    big_sale = orders.promotion.isin(["618", "double11"])
    assert closed[big_sale].mean() > closed[orders.promotion == "none"].mean()


def test_closed_orders_have_no_payment_method_and_every_paid_order_has_one(shop):
    orders = shop["orders"]
    closed = orders.status == CLOSED
    assert orders.payment_method[closed].isna().all()
    assert orders.payment_method[~closed].notna().all()


def test_no_wechat_pay_before_the_platform_offered_it(shop):
    orders = shop["orders"]
    first_day = min(pd.Timestamp(day) for m, day, _ in PAYMENT_RULES if m == "wechat_pay")
    assert first_day == pd.Timestamp("2024-09-05")
    wechat = orders.payment_method == "wechat_pay"
    assert not wechat[orders.order_time < first_day].any()
    assert wechat[orders.order_time >= first_day].any()


def test_every_payment_method_appears_only_from_its_first_rule_on(shop):
    orders = shop["orders"]
    for method in PAYMENT_METHODS:
        starts = [pd.Timestamp(day) for m, day, _ in PAYMENT_RULES if m == method]
        if starts:
            used = orders.order_time[orders.payment_method == method]
            assert used.min() >= min(starts), method


@pytest.mark.parametrize(
    ("start", "end"),
    [("2024-01-01", "2024-09-05"), ("2024-11-01", "2025-03-01"), ("2025-09-01", "2026-01-01")],
)
def test_payment_shares_follow_the_platform_rules_in_each_period(shipped, start, end):
    paid = shipped["orders"][shipped["orders"].status != CLOSED]
    in_period = paid[paid.order_time.between(start, end, inclusive="left")]
    observed = in_period.payment_method.value_counts(normalize=True)
    expected = payment_shares([start]).iloc[0]
    for method in PAYMENT_METHODS:
        assert abs(observed.get(method, 0.0) - expected[method]) <= 0.03, method
    assert observed.idxmax() == "alipay"


def test_wechat_pay_grows_after_its_launch(shipped):
    paid = shipped["orders"][shipped["orders"].status != CLOSED]
    wechat = (paid.payment_method == "wechat_pay").groupby(paid.order_time.dt.year).mean()
    assert 0 < wechat[2024] < wechat[2025]


def test_payment_shares_sum_to_one_and_alipay_takes_the_rest():
    shares = payment_shares(pd.date_range("2023-06-01", "2026-06-01", freq="MS"))
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (shares["alipay"] > 0.5).all()
    assert (shares.loc[:"2024-09-04", "wechat_pay"] == 0).all()


def test_orders_during_promotions_get_discounts_more_often(shop):
    orders = shop["orders"]
    discounted = orders.discount_cny > 0
    on_promotion = orders.promotion != "none"
    assert discounted[on_promotion].mean() >= 1.5 * discounted[~on_promotion].mean()
    assert orders.coupon_code.notna().any()


def test_some_customers_sign_up_but_never_buy(shop):
    never = ~shop["customers"].customer_id.isin(shop["orders"].customer_id)
    assert 0.05 <= never.mean() <= 0.30


def test_every_channel_tier_payment_and_promotion_occurs(shop):
    customers, orders = shop["customers"], shop["orders"]
    for column, table in [
        ("acquisition_channel", customers),
        ("city_tier", customers),
        ("gender", customers),
        ("payment_method", orders),
        ("promotion", orders),
    ]:
        shares = table[column].value_counts(normalize=True)
        assert (shares > 0.005).all(), column


def test_referred_customers_come_back_more_often_than_ad_customers(shop):
    customers = shop["customers"]
    n_paid = customers.customer_id.map(paid_orders(shop).groupby("customer_id").size())
    repeat = (n_paid >= 2).groupby(customers.acquisition_channel, observed=True).mean()
    assert repeat["referral"] > repeat["marketplace_ads"]


def test_some_birth_years_are_missing(shop):
    assert 0.05 <= shop["customers"].birth_year.isna().mean() <= 0.30


# --- internal consistency ------------------------------------------------------------------


def test_net_amount_is_gross_minus_discount(shop):
    orders = shop["orders"]
    expected = (orders.gross_amount_cny - orders.discount_cny).round(2)
    np.testing.assert_allclose(orders.net_amount_cny, expected, atol=1e-9)
    assert (orders.discount_cny >= 0).all()
    assert (orders.discount_cny <= orders.gross_amount_cny).all()


def test_gross_amount_is_the_sum_of_the_order_lines(shop):
    items = shop["order_items"]
    line_sums = items.groupby("order_id").line_amount_cny.sum()
    gross = shop["orders"].set_index("order_id").gross_amount_cny
    np.testing.assert_allclose(line_sums.reindex(gross.index), gross, atol=0.005)


def test_line_amount_is_quantity_times_unit_price(shop):
    items = shop["order_items"]
    np.testing.assert_allclose(items.line_amount_cny, items.quantity * items.unit_price_cny)
    assert (items.quantity >= 1).all()


def test_unit_prices_are_the_list_prices(shop):
    items = shop["order_items"]
    list_price = items.product_id.map(shop["products"].set_index("product_id").list_price_cny)
    assert (items.unit_price_cny == list_price).all()


def test_lines_are_numbered_from_one_within_each_order(shop):
    items = shop["order_items"]
    first = items.groupby("order_id").line_no.agg(["min", "max", "size"])
    assert (first["min"] == 1).all() and (first["max"] == first["size"]).all()


def test_orders_customers_and_products_all_exist(shop):
    validate_shop(shop)  # raises if any link is broken
    orders, items = shop["orders"], shop["order_items"]
    assert orders.customer_id.isin(shop["customers"].customer_id).all()
    assert items.product_id.isin(shop["products"].product_id).all()
    assert set(items.order_id) == set(orders.order_id)


def test_no_order_is_placed_before_sign_up(shop):
    orders = shop["orders"]
    signup = orders.customer_id.map(shop["customers"].set_index("customer_id").signup_date)
    assert (orders.order_time >= signup).all()


def test_everything_happens_within_the_period(shop):
    end = PERIOD_END + pd.Timedelta(days=1)
    assert shop["orders"].order_time.between(PERIOD_START, end, inclusive="left").all()
    assert shop["customers"].signup_date.between(PERIOD_START, PERIOD_END).all()


def test_orders_are_sorted_by_time_then_id(shop):
    orders = shop["orders"]
    resorted = orders.sort_values(["order_time", "order_id"], ignore_index=True)
    pd.testing.assert_frame_equal(orders.reset_index(drop=True), resorted)


def test_order_status_has_exactly_the_three_statuses(shop):
    assert shop["orders"].status.cat.categories.tolist() == list(ORDER_STATUSES)
    assert ORDER_STATUSES == (PAID, REFUNDED, CLOSED) == ("paid", "refunded", "closed")


# --- interface and reproducibility ---------------------------------------------------------


def test_generated_tables_have_the_schema_columns_and_loader_dtypes(seed7, tmp_path):
    write_shop(seed7, tmp_path)
    loaded = load_shop(tmp_path)
    for name, columns in TABLES.items():
        assert seed7[name].columns.tolist() == [c.name for c in columns]
        pd.testing.assert_frame_equal(seed7[name], loaded[name], check_exact=True)


def test_same_seed_gives_byte_identical_files(tmp_path):
    first = write_shop(generate_shop(seed=7, n_customers=800), tmp_path / "a")
    second = write_shop(generate_shop(seed=7, n_customers=800), tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_different_seeds_give_different_shops():
    a = generate_shop(seed=1, n_customers=300)["orders"]
    b = generate_shop(seed=2, n_customers=300)["orders"]
    assert not a.net_amount_cny.equals(b.net_amount_cny)


def test_shipped_files_are_what_the_cli_builds(tmp_path, capsys):
    assert cli(["build", str(tmp_path)]) == 0
    for name in TABLES:
        shipped = (SHIPPED / f"{name}.csv").read_bytes()
        assert (tmp_path / f"{name}.csv").read_bytes() == shipped, name


def test_shipped_files_use_unix_line_ends_and_utf8():
    raw = (SHIPPED / "customers.csv").read_bytes()
    assert b"\r\n" not in raw
    assert "上海" in raw.decode("utf-8")


def test_shipped_data_is_a_few_megabytes():
    total = sum(p.stat().st_size for p in SHIPPED.glob("*.csv"))
    assert 0.5e6 <= total <= 8e6


def test_latent_traits_are_the_customers_table_plus_hidden_columns():
    traits = customer_traits(seed=7, n_customers=1500)
    customers = generate_shop(seed=7, n_customers=1500)["customers"]
    pd.testing.assert_frame_equal(traits[customers.columns.tolist()], customers)
    assert {"purchase_rate_per_year", "dropout_probability", "spend_level"} <= set(traits)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="n_customers"):
        generate_shop(n_customers=0)
    with pytest.raises(ValueError, match="before start"):
        generate_shop(start="2025-01-01", end="2024-01-01")


def test_generated_tables_pass_the_loaders_validation(seed7):
    for name, table in seed7.items():
        pd.testing.assert_frame_equal(validate_table(name, table), table)

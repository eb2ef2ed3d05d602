"""The customer-service tables (chapter 07) look like a real service centre's data,
fit the shop, load with checks, and leave the shop's other tables untouched.

Stylized facts are checked on the shipped files and on another seed.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_lab.data import (
    generate_shop,
    load_call_staffing,
    load_calls,
    load_chat_questions,
    load_faq,
    load_orders,
    load_service,
    load_tickets,
    validate_table,
    write_shop,
)
from crm_lab.data.schema import SERVICE_TABLES
from crm_lab.data.service import CALL_WINDOW_DAYS, CLOSE_HOUR, OPEN_HOUR

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def shipped():
    return {**load_service(SHIPPED), "orders": load_orders(SHIPPED)}


@pytest.fixture(scope="module")
def seed7():
    return generate_shop(seed=7, n_customers=1500)


@pytest.fixture(params=["shipped", "seed7"])
def shop(request):
    return request.getfixturevalue(request.param)


def answered(calls):
    return calls[~calls.abandoned]


# --- calls ---------------------------------------------------------------------------------


def test_calls_cover_the_last_eight_weeks_within_opening_hours(shop):
    arrival = shop["calls"].arrival_time
    assert arrival.dt.normalize().nunique() == CALL_WINDOW_DAYS
    assert arrival.max() < pd.Timestamp("2026-01-01")
    assert arrival.dt.hour.between(OPEN_HOUR, CLOSE_HOUR - 1).all()


def test_double11_is_the_busiest_pre_sale_day(shop):
    pre = shop["calls"][shop["calls"].queue == "pre_sale"]
    per_day = pre.groupby(pre.arrival_time.dt.normalize()).size()
    assert per_day.idxmax() == pd.Timestamp("2025-11-11")
    assert per_day.max() >= 2 * per_day.median()


def test_after_sale_calls_peak_in_the_days_after_double11(shop):
    after = shop["calls"][shop["calls"].queue == "after_sale"]
    per_day = after.groupby(after.arrival_time.dt.normalize()).size()
    assert pd.Timestamp("2025-11-12") <= per_day.idxmax() <= pd.Timestamp("2025-11-20")


def test_pre_sale_calls_peak_in_the_evening(shop):
    pre = shop["calls"][shop["calls"].queue == "pre_sale"]
    by_hour = pre.groupby(pre.arrival_time.dt.hour).size()
    assert 19 <= by_hour.idxmax() <= 22


def test_arrivals_per_half_hour_look_poisson_on_ordinary_days(shop):
    calls = shop["calls"]
    ordinary = calls[calls.arrival_time >= "2025-12-01"]
    slot = ordinary.arrival_time.dt.floor("30min")
    counts = ordinary[ordinary.queue == "after_sale"].groupby(slot).size()
    # Same hour of the day, different days: variance close to the mean.
    by_time = counts.groupby(counts.index.time)
    ratio = (by_time.var() / by_time.mean()).median()
    assert 0.6 <= ratio <= 2.5


def test_abandonment_is_a_few_percent_and_worse_on_the_busiest_days(shop):
    calls = shop["calls"]
    assert 0.03 <= calls.abandoned.mean() <= 0.20
    day = calls.arrival_time.dt.normalize()
    per_day = calls.groupby(day).agg(n=("call_id", "size"), abandoned=("abandoned", "mean"))
    busiest = per_day.nlargest(7, "n").abandoned.mean()
    quietest = per_day.nsmallest(14, "n").abandoned.mean()
    assert busiest > quietest


def test_most_answered_calls_wait_less_than_20_seconds(shop):
    assert 0.6 <= (answered(shop["calls"]).wait_seconds <= 20).mean() <= 0.97


def test_complaints_take_longest_and_are_least_often_resolved_first_time(shop):
    per_queue = (
        answered(shop["calls"])
        .groupby("queue", observed=True)
        .agg(handle=("handle_seconds", "mean"), fcr=("resolved_first_contact", "mean"))
    )
    assert per_queue.handle["complaint"] > per_queue.handle["after_sale"]
    assert per_queue.handle["after_sale"] > per_queue.handle["pre_sale"]
    assert per_queue.fcr["complaint"] < per_queue.fcr["after_sale"] < per_queue.fcr["pre_sale"]


def test_long_waits_and_unresolved_calls_lower_csat(shop):
    rated = shop["calls"].dropna(subset=["csat"])
    long_wait = rated.wait_seconds > 60
    assert rated.csat[long_wait].mean() < rated.csat[~long_wait].mean()
    solved = rated.resolved_first_contact.astype(bool)
    assert rated.csat[solved].mean() > rated.csat[~solved].mean() + 0.3


def test_only_answered_calls_have_handle_time_and_some_are_rated(shop):
    calls = shop["calls"]
    assert calls.handle_seconds.notna().eq(~calls.abandoned).all()
    assert calls.csat[calls.abandoned].isna().all()
    assert 0.2 <= calls.csat.notna().mean() <= 0.5


def test_known_callers_are_customers_of_the_shop(shop):
    known = shop["calls"].customer_id.dropna()
    assert known.isin(shop["orders"].customer_id).all()


def test_staffing_has_every_half_hour_of_every_queue(shop):
    staffing = shop["call_staffing"]
    assert len(staffing) == CALL_WINDOW_DAYS * 3 * (CLOSE_HOUR - OPEN_HOUR) * 2
    assert (staffing.agents >= 1).all()
    # More agents when more calls are expected.
    calls = shop["calls"]
    per_slot = (
        calls.assign(
            interval_start=calls.arrival_time.dt.floor("30min"), queue=calls.queue.astype(str)
        )
        .groupby(["interval_start", "queue"])
        .size()
        .rename("calls")
        .reset_index()
    )
    joined = staffing.assign(queue=staffing.queue.astype(str)).merge(
        per_slot, on=["interval_start", "queue"], how="left"
    )
    joined["calls"] = joined["calls"].fillna(0)
    for _queue, group in joined.groupby("queue"):
        assert group["agents"].corr(group["calls"], method="spearman") > 0.4


# --- tickets -------------------------------------------------------------------------------


def test_tickets_belong_to_real_orders_of_the_same_customer_after_the_order(shop):
    tickets, orders = shop["tickets"], shop["orders"].set_index("order_id")
    assert tickets.order_id.isin(orders.index).all()
    assert (tickets.customer_id.to_numpy() == orders.customer_id[tickets.order_id].to_numpy()).all()
    assert (tickets.created_time > orders.order_time[tickets.order_id].to_numpy()).all()


def test_the_complaint_steps_follow_each_other(shop):
    t = shop["tickets"]
    assert (t.first_response_time >= t.created_time).all()
    resolved = t.dropna(subset=["resolved_time"])
    assert (resolved.resolved_time >= resolved.first_response_time).all()
    followed = t.dropna(subset=["followed_up_time"])
    assert (followed.followed_up_time >= followed.resolved_time).all()
    assert t.outcome.isna().eq(t.resolved_time.isna()).all()


def test_email_is_answered_slowest_and_chat_fast(shop):
    t = shop["tickets"]
    hours = (t.first_response_time - t.created_time).dt.total_seconds() / 3600
    median = hours.groupby(t.channel, observed=True).median()
    assert median["email"] > 4 * median["chat"]
    assert median["chat"] < 1


def test_late_deliveries_are_the_commonest_complaint_and_surge_after_big_sales(shop):
    t = shop["tickets"]
    assert t.category.value_counts().idxmax() == "late_delivery"
    late = t[t.category == "late_delivery"]
    per_month = late.groupby(late.created_time.dt.to_period("M")).size()
    assert per_month.idxmax().month in (6, 11)
    assert per_month[pd.Period("2025-11", "M")] >= 2 * per_month.median()


def test_rejected_complaints_are_rated_lowest(shop):
    t = shop["tickets"].dropna(subset=["satisfaction"])
    by_outcome = t.groupby("outcome", observed=True).satisfaction.mean()
    assert by_outcome.idxmin() == "rejected"


def test_slow_resolution_lowers_satisfaction(shop):
    t = shop["tickets"].dropna(subset=["satisfaction", "resolved_time"])
    days = (t.resolved_time - t.created_time).dt.total_seconds() / 86400
    assert (
        t.satisfaction[days > days.median()].mean() < t.satisfaction[days <= days.median()].mean()
    )


# --- FAQ and chat questions ----------------------------------------------------------------


def test_faq_covers_pre_in_and_after_sale(shop):
    faq = shop["faq"]
    assert len(faq) == 24
    assert set(faq.stage) == {"pre_sale", "in_sale", "after_sale"}


def test_chat_questions_are_labelled_with_faq_entries_or_none(shop):
    questions, faq = shop["chat_questions"], shop["faq"]
    labelled = questions.faq_id.dropna()
    assert labelled.isin(faq.faq_id).all()
    assert 0.10 <= questions.faq_id.isna().mean() <= 0.25
    assert labelled.nunique() == len(faq)
    assert questions.question_zh.str.contains(r"[\u4e00-\u9fff]").all()


# --- loading and reproducibility -----------------------------------------------------------


def test_generated_service_tables_round_trip_through_csv(seed7, tmp_path):
    write_shop(seed7, tmp_path)
    loaded = load_service(tmp_path)
    for name, columns in SERVICE_TABLES.items():
        assert seed7[name].columns.tolist() == [c.name for c in columns]
        pd.testing.assert_frame_equal(seed7[name], loaded[name], check_exact=True)
        pd.testing.assert_frame_equal(validate_table(name, seed7[name]), seed7[name])


def test_each_loader_returns_its_table():
    assert load_calls(SHIPPED).abandoned.dtype == bool
    assert load_calls(SHIPPED).csat.dtype == "Int64"
    assert load_call_staffing(SHIPPED).agents.dtype == "int64"
    assert load_tickets(SHIPPED).resolved_time.dtype == "datetime64[ns]"
    assert load_faq(SHIPPED).stage.dtype == "category"
    assert load_chat_questions(SHIPPED).faq_id.isna().any()


@pytest.fixture
def data_dir(tmp_path):
    write_shop(generate_shop(seed=3, n_customers=200), tmp_path)
    return tmp_path


def edit(path: Path, change):
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(table)
    table.to_csv(path, index=False)


def test_a_csat_outside_1_to_5_names_file_column_and_row(data_dir):
    edit(data_dir / "calls.csv", lambda t: t.loc.__setitem__((2, "csat"), "7"))
    with pytest.raises(ValueError, match=r"calls\.csv.*'csat'.*1 to 5.*row 2"):
        load_calls(data_dir)


def test_a_flag_that_is_not_true_or_false_is_refused(data_dir):
    edit(data_dir / "calls.csv", lambda t: t.loc.__setitem__((0, "abandoned"), "maybe"))
    with pytest.raises(ValueError, match=r"calls\.csv.*'abandoned' is not True or False"):
        load_calls(data_dir)


def test_an_abandoned_call_with_a_handle_time_is_refused(data_dir):
    def change(t):
        row = np.flatnonzero(t.abandoned == "True")[0]
        t.loc[row, "handle_seconds"] = "120"

    edit(data_dir / "calls.csv", change)
    with pytest.raises(ValueError, match=r"'handle_seconds' must be filled for answered"):
        load_calls(data_dir)


def test_a_resolution_before_the_first_reply_is_refused(data_dir):
    def change(t):
        t.loc[0, "resolved_time"] = "2000-01-01 00:00:00"

    edit(data_dir / "tickets.csv", change)
    with pytest.raises(ValueError, match=r"tickets\.csv.*'resolved_time' is before"):
        load_tickets(data_dir)


def test_an_unknown_ticket_category_is_refused(data_dir):
    edit(data_dir / "tickets.csv", lambda t: t.loc.__setitem__((1, "category"), "rude_staff"))
    with pytest.raises(ValueError, match=r"'category' is not one of"):
        load_tickets(data_dir)

"""The customer-service tables (chapter 07) follow from the shop's own orders and customers,
look like a Taobao shop's service data and a service centre's call log, load with checks,
and leave the shop's other tables untouched.

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
    load_chat_staffing,
    load_chats,
    load_customers,
    load_faq,
    load_orders,
    load_service,
    load_tickets,
    validate_table,
    write_shop,
)
from crm_lab.data.schema import CLOSED, PAID, REFUNDED, SERVICE_TABLES
from crm_lab.data.service import (
    CALL_WINDOW_DAYS,
    CENTRE_CALLS_PER_ORDER,
    CHAT_CLOSE_HOUR,
    CHAT_OPEN_HOUR,
    CLOSE_HOUR,
    CONVERSION_WINDOW_DAYS,
    INTERVAL_SECONDS,
    OPEN_HOUR,
    OWN_SHOP_ID,
    _serve,
)

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"
WINDOW = pd.Timedelta(days=CONVERSION_WINDOW_DAYS)


@pytest.fixture(scope="module")
def shipped():
    return {
        **load_service(SHIPPED),
        "orders": load_orders(SHIPPED),
        "customers": load_customers(SHIPPED),
    }


@pytest.fixture(scope="module")
def seed7():
    return generate_shop(seed=7, n_customers=1500)


@pytest.fixture(params=["shipped", "seed7"])
def shop(request):
    return request.getfixturevalue(request.param)


def answered(calls):
    return calls[~calls.abandoned]


def own_calls(shop):
    calls = shop["calls"]
    return calls[calls.shop_id == OWN_SHOP_ID]


def in_call_window(shop, table, column):
    first = shop["calls"].arrival_time.min().normalize()
    return table[table[column] >= first]


def pre_sale(chats):
    return chats[chats.stage == "pre_sale"]


def after_sale(chats):
    return chats[chats.stage == "after_sale"]


def shipped_orders(orders):
    return orders[orders.status.isin([PAID, REFUNDED])]


def contacts(shop):
    """Chats and the shop's own calls as one table of contacts."""
    chats, calls = shop["chats"], own_calls(shop)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "channel": "chat",
                    "customer_id": chats.customer_id,
                    "order_id": chats.order_id,
                    "stage": chats.stage.astype(str),
                    "topic": chats.topic.astype(str),
                    "time": chats.start_time,
                    "resolved": chats.resolved,
                }
            ),
            pd.DataFrame(
                {
                    "channel": "phone",
                    "customer_id": calls.customer_id,
                    "order_id": calls.order_id,
                    "stage": np.where(calls.queue == "pre_sale", "pre_sale", "after_sale"),
                    "topic": calls.topic.astype(str),
                    "time": calls.arrival_time,
                    "resolved": calls.resolved_first_contact,
                }
            ),
        ],
        ignore_index=True,
    )


# --- contact volume: rates per order a shop would recognise --------------------------------


def test_chat_is_the_shops_main_channel(shop):
    chats = in_call_window(shop, shop["chats"], "start_time")
    assert len(chats) / (len(chats) + len(own_calls(shop))) >= 0.9


def test_contacts_per_order_per_channel(shop):
    orders, chats = shop["orders"], shop["chats"]
    assert 0.4 <= len(pre_sale(chats)) / len(orders) <= 0.9
    assert 0.08 <= len(after_sale(chats)) / len(shipped_orders(orders)) <= 0.25
    window_orders = in_call_window(shop, orders, "order_time")
    assert 0.005 <= len(own_calls(shop)) / len(window_orders) <= 0.08


def test_about_a_third_of_orders_follow_a_pre_sale_chat(shop):
    orders, chats = shop["orders"], shop["chats"]
    assert 0.2 <= orders.order_id.isin(pre_sale(chats).order_id).mean() <= 0.45


def test_about_half_of_pre_sale_chats_convert(shop):
    chats = pre_sale(shop["chats"])
    assert 0.35 <= chats.order_id.notna().mean() <= 0.65


def test_a_pre_sale_chat_converts_exactly_when_its_customer_orders_within_the_window(shop):
    chats, orders = pre_sale(shop["chats"]), shop["orders"]
    pairs = chats.reset_index().merge(orders, on="customer_id", suffixes=("", "_placed"))
    soon = (pairs.order_time > pairs.start_time) & (pairs.order_time <= pairs.start_time + WINDOW)
    followed = chats.index.isin(pairs.loc[soon, "index"])
    assert (followed == chats.order_id.notna().to_numpy()).all()


def test_refunded_orders_bring_far_more_after_sale_contacts(shop):
    orders, chats = shop["orders"], after_sale(shop["chats"])
    contacted = orders.order_id.isin(chats.order_id)
    refunded = contacted[orders.status == REFUNDED].mean()
    paid = contacted[orders.status == PAID].mean()
    assert refunded >= 0.4
    assert 0.04 <= paid <= 0.2
    assert refunded >= 4 * paid


def test_orders_never_paid_get_no_after_sale_contact(shop):
    closed = shop["orders"].order_id[shop["orders"].status == CLOSED]
    assert not after_sale(contacts(shop)).order_id.isin(closed).any()


def test_logistics_queries_surge_after_double11(shop):
    chats = after_sale(shop["chats"])
    logistics = chats[chats.topic == "logistics"]
    per_week = logistics.groupby(logistics.start_time.dt.to_period("W")).size()
    assert per_week.idxmax().start_time.strftime("%Y-%m-%d") in ("2024-11-11", "2025-11-10")


# --- first-contact resolution and repeat contacts ------------------------------------------


def test_first_contact_resolution_is_high_but_below_one(shop):
    chats = after_sale(shop["chats"])
    fcr = chats.resolved.mean()
    assert 0.6 <= fcr <= 0.9
    by_topic = chats.groupby("topic", observed=True).resolved.mean()
    assert by_topic["usage"] > by_topic["quality"]


def test_unsolved_customers_come_back_and_solved_ones_do_not(shop):
    every = after_sale(contacts(shop)).sort_values("time", kind="stable")
    every = every.assign(again=every.groupby(["order_id", "topic"]).time.shift(-1).notna())
    # Within the call log's window every later contact (chat or call) is visible.
    first = shop["calls"].arrival_time.min()
    last = shop["calls"].arrival_time.max() - pd.Timedelta(days=7)
    seen = every[(every.time >= first) & (every.time <= last) & every.resolved.notna()]
    unsolved = seen[~seen.resolved.astype(bool)]
    assert unsolved.again.mean() >= 0.6
    assert not seen[seen.resolved.astype(bool)].again.any()


def test_repeat_contacts_are_a_minority(shop):
    every = after_sale(contacts(shop))
    repeats = every.duplicated(subset=["order_id", "topic"])
    assert 0.05 <= repeats.mean() <= 0.35


# --- chat KPIs ----------------------------------------------------------------------------


def in_service_hours(chats):
    hour = chats.start_time.dt.hour
    return (hour >= CHAT_OPEN_HOUR) & (hour < CHAT_CLOSE_HOUR)


def test_chats_are_answered_within_30_seconds_in_service_hours(shop):
    chats = shop["chats"]
    first = chats.first_response_seconds[in_service_hours(chats)]
    assert first.median() <= 20
    assert 0.85 <= (first <= 30).mean() <= 0.995
    assert first.quantile(0.99) >= 30  # a busy hour is slower


def test_night_chats_wait_for_the_morning_shift(shop):
    chats = shop["chats"]
    night = chats[chats.start_time.dt.hour.between(1, CHAT_OPEN_HOUR - 2)]
    assert len(night) > 0
    assert night.first_response_seconds.median() > 3600


def test_average_response_is_slower_than_the_first_in_service_hours(shop):
    chats = shop["chats"][in_service_hours(shop["chats"])]
    assert chats.avg_response_seconds.median() > chats.first_response_seconds.median()
    assert 10 <= chats.avg_response_seconds.median() <= 60
    assert (chats.duration_seconds >= chats.first_response_seconds).all()


def test_a_quarter_rate_the_chat_and_slow_or_unsolved_chats_rate_lower(shop):
    chats = shop["chats"]
    assert 0.15 <= chats.satisfaction.notna().mean() <= 0.35
    rated = chats.dropna(subset=["satisfaction"])
    slow = rated.first_response_seconds > 60
    assert rated.satisfaction[slow].mean() < rated.satisfaction[~slow].mean()
    after = rated[rated.stage == "after_sale"]
    solved = after.resolved.astype(bool)
    assert after.satisfaction[solved].mean() > after.satisfaction[~solved].mean() + 0.5


def test_chat_staffing_covers_every_service_hour_with_several_chats_per_agent(shop):
    staffing = shop["chat_staffing"]
    days = pd.date_range("2024-01-01", "2025-12-31")
    assert (staffing.interval_start.dt.normalize().unique() == days).all()
    assert len(staffing) == len(days) * (CHAT_CLOSE_HOUR - CHAT_OPEN_HOUR)
    assert staffing.interval_start.dt.hour.between(CHAT_OPEN_HOUR, CHAT_CLOSE_HOUR - 1).all()
    assert (staffing.agents >= 1).all()
    assert staffing.chats_per_agent.between(3, 5).all()


# --- links: every contact belongs to the shop's customers and orders -----------------------


@pytest.mark.parametrize("table", ["chats", "own_calls", "tickets"])
def test_every_contact_is_a_customer_of_the_shop_after_sign_up(shop, table):
    rows = own_calls(shop) if table == "own_calls" else shop[table]
    time = {"chats": "start_time", "own_calls": "arrival_time", "tickets": "created_time"}[table]
    signup = shop["customers"].set_index("customer_id").signup_date
    assert rows.customer_id.notna().all()
    assert rows.customer_id.isin(signup.index).all()
    assert (rows[time] >= signup[rows.customer_id].to_numpy()).all()


@pytest.mark.parametrize("table", ["chats", "own_calls"])
def test_a_contacts_order_is_its_customers(shop, table):
    rows = own_calls(shop) if table == "own_calls" else shop[table]
    orders = shop["orders"].set_index("order_id")
    linked = rows.dropna(subset=["order_id"])
    assert linked.order_id.isin(orders.index).all()
    assert (linked.customer_id.to_numpy() == orders.customer_id[linked.order_id].to_numpy()).all()


def test_after_sale_contacts_follow_their_order_and_pre_sale_ones_precede_it(shop):
    orders = shop["orders"].set_index("order_id").order_time
    every = contacts(shop)
    after = every[every.stage == "after_sale"]
    assert after.order_id.notna().all()
    assert (after.time > orders[after.order_id].to_numpy()).all()
    pre = every[(every.stage == "pre_sale") & every.order_id.notna()]
    placed = orders[pre.order_id].to_numpy()
    assert (pre.time < placed).all()
    assert (pre.time >= placed - WINDOW).all()


def test_the_other_shops_calls_name_no_customer_or_order(shop):
    others = shop["calls"][shop["calls"].shop_id != OWN_SHOP_ID]
    assert others.customer_id.isna().all() and others.order_id.isna().all()
    assert others.topic.isna().all()
    assert others.shop_id.nunique() >= 20


# --- the contracted service centre's phone line --------------------------------------------


def test_the_shop_is_a_small_client_of_the_centre(shop):
    calls = shop["calls"]
    assert 0 < (calls.shop_id == OWN_SHOP_ID).mean() <= 0.05


def test_the_centres_volume_does_not_grow_with_the_shop(shipped, seed7):
    def others(shop):
        return (shop["calls"].shop_id != OWN_SHOP_ID).sum()

    assert len(seed7["orders"]) < 0.5 * len(shipped["orders"])
    assert 0.9 <= others(seed7) / others(shipped) <= 1.1


def test_the_shops_phone_calls_per_order_are_of_the_centres_order(shop):
    window_orders = in_call_window(shop, shop["orders"], "order_time")
    own = own_calls(shop)
    after = own.queue.isin(["after_sale", "complaint"]).sum() / len(window_orders)
    centre = CENTRE_CALLS_PER_ORDER["after_sale"] + CENTRE_CALLS_PER_ORDER["complaint"]
    assert centre / 4 <= after <= centre * 4


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


def test_a_third_of_the_rostered_agents_time_is_lost_to_shrinkage(shop):
    staffing = shop["call_staffing"]
    assert (staffing.scheduled_agents >= staffing.agents).all()
    shrinkage = 1 - staffing.agents.sum() / staffing.scheduled_agents.sum()
    assert 0.25 <= shrinkage <= 0.45


def test_staffing_has_every_half_hour_of_every_queue(shop):
    staffing = shop["call_staffing"]
    assert len(staffing) == CALL_WINDOW_DAYS * 3 * (CLOSE_HOUR - OPEN_HOUR) * 2
    assert (staffing.agents >= 1).all()
    assert staffing.agents.max() >= 8  # a centre large enough for staffing to matter
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


def serve_one_by_one(arrival, patience, handle, agents_by_interval, day_start):
    """The queue, one call at a time: FCFS, the agent who can take the call first."""
    n_intervals = len(agents_by_interval)
    n_slots = max(int(max(agents_by_interval)), 1)
    free = [day_start] * n_slots
    start, abandoned = [], []
    for a, limit, h in zip(arrival, patience, handle, strict=True):
        best, best_k = np.inf, -1
        for k in range(n_slots):
            ready = max(free[k], a)
            j = int((ready - day_start) // INTERVAL_SECONDS)
            later = [i for i in range(j, n_intervals) if agents_by_interval[i] > k]
            if not later:
                continue
            if later[0] != j:
                ready = day_start + later[0] * INTERVAL_SECONDS
            if ready < best:
                best, best_k = ready, k
        if best - a > limit:
            start.append(a + limit)
            abandoned.append(True)
        else:
            start.append(best)
            abandoned.append(False)
            free[best_k] = best + h
    return np.array(start), np.array(abandoned)


def test_the_vectorised_queue_serves_calls_as_one_by_one():
    rng = np.random.default_rng(1)
    day_start, n_intervals = OPEN_HOUR * 3600.0, 30
    lanes = []
    for size in (0, 1, 5, 300, 900):  # an empty lane, a quiet one ... an overloaded one
        arrival = np.sort(day_start + rng.uniform(0, n_intervals * INTERVAL_SECONDS, size))
        agents = rng.integers(0, 6, n_intervals)  # some half hours with nobody on duty
        lanes.append((arrival, rng.exponential(120, size), rng.exponential(300, size), agents))
    # A rush in the last half hour: calls wait for agents who are busy past closing time.
    last = np.sort(day_start + (n_intervals - 1) * INTERVAL_SECONDS + rng.uniform(0, 1800, 40))
    lanes.append((last, rng.exponential(600, 40), rng.exponential(300, 40), np.ones(30, int)))
    width = max(len(lane[0]) for lane in lanes)
    grid = np.full((3, len(lanes), width), np.inf)
    for i, (arrival, patience, handle, _agents) in enumerate(lanes):
        for g, values in enumerate((arrival, patience, handle)):
            grid[g, i, : len(values)] = values
    agents = np.array([lane[3] for lane in lanes])
    start, abandoned = _serve(grid[0], grid[1], grid[2], agents, day_start)
    for i, (arrival, patience, handle, lane_agents) in enumerate(lanes):
        want_start, want_abandoned = serve_one_by_one(
            arrival, patience, handle, lane_agents, day_start
        )
        assert np.allclose(start[i, : len(arrival)], want_start)
        assert (abandoned[i, : len(arrival)] == want_abandoned).all()
    assert 0 < abandoned[4, :900].mean() < 1


# --- tickets -------------------------------------------------------------------------------


def test_tickets_belong_to_real_orders_of_the_same_customer_after_the_order(shop):
    tickets, orders = shop["tickets"], shop["orders"].set_index("order_id")
    assert tickets.order_id.isin(orders.index).all()
    assert (tickets.customer_id.to_numpy() == orders.customer_id[tickets.order_id].to_numpy()).all()
    assert (tickets.created_time > orders.order_time[tickets.order_id].to_numpy()).all()
    assert orders.status[tickets.order_id].isin([PAID, REFUNDED]).all()


def test_a_chat_or_phone_ticket_is_recorded_at_the_customers_contact(shop):
    tickets = shop["tickets"]
    chats = shop["chats"][["order_id", "start_time"]].rename(columns={"start_time": "time"})
    by_chat = tickets[tickets.channel == "chat"]
    keys = by_chat[["order_id", "created_time"]].rename(columns={"created_time": "time"})
    assert len(keys.merge(chats, on=["order_id", "time"]).drop_duplicates()) == len(keys)
    calls = own_calls(shop)[["order_id", "arrival_time"]].rename(columns={"arrival_time": "time"})
    by_phone = in_call_window(shop, tickets[tickets.channel == "phone"], "created_time")
    keys = by_phone[["order_id", "created_time"]].rename(columns={"created_time": "time"})
    assert len(keys.merge(calls, on=["order_id", "time"]).drop_duplicates()) == len(keys)


def test_refunds_are_the_outcome_exactly_for_refunded_orders(shop):
    tickets = shop["tickets"].dropna(subset=["outcome"])
    status = shop["orders"].set_index("order_id").status[tickets.order_id].to_numpy()
    assert ((tickets.outcome == "refund").to_numpy() == (status == REFUNDED)).all()


def test_tickets_are_a_few_percent_of_orders(shop):
    assert 0.03 <= len(shop["tickets"]) / len(shipped_orders(shop["orders"])) <= 0.15


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
    assert 0 < questions.faq_id.isna().mean() < 0.5
    assert questions.question_zh.str.contains(r"[\u4e00-\u9fff]").all()


# --- loading and reproducibility -----------------------------------------------------------


def test_generated_service_tables_round_trip_through_csv(seed7, tmp_path):
    write_shop(seed7, tmp_path)
    loaded = load_service(tmp_path)
    for name, columns in SERVICE_TABLES.items():
        assert seed7[name].columns.tolist() == [c.name for c in columns]
        pd.testing.assert_frame_equal(seed7[name], loaded[name], check_exact=True)
        pd.testing.assert_frame_equal(validate_table(name, seed7[name]), seed7[name])


def shop_calendar_of(shop):
    from crm_lab.data.seasons import shop_calendar

    return shop_calendar("2024-01-01", "2025-12-31")


def stream_of():
    from crm_lab.data.shop import stream

    return stream


def test_contacts_are_recomputed_for_changed_orders():
    from crm_lab.data import service

    shop = generate_shop(seed=5, n_customers=300)
    calendar, stream = shop_calendar_of(shop), stream_of()
    before = service.tickets(5, calendar, shop["orders"], None, None, stream)
    orders = shop["orders"]
    orders.loc[orders.status == PAID, "status"] = REFUNDED  # in place: same object
    after = service.tickets(5, calendar, orders, None, None, stream)
    assert (after.outcome.dropna() == "refund").all()
    assert not (before.outcome.dropna() == "refund").all()


def test_each_loader_returns_its_table():
    assert load_calls(SHIPPED).abandoned.dtype == bool
    assert load_calls(SHIPPED).csat.dtype == "Int64"
    assert load_call_staffing(SHIPPED).agents.dtype == "int64"
    assert load_chats(SHIPPED).first_response_seconds.dtype == "int64"
    assert load_chats(SHIPPED).resolved.dtype == "boolean"
    assert load_chat_staffing(SHIPPED).chats_per_agent.dtype == "int64"
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


def test_a_pre_sale_chat_marked_resolved_is_refused(data_dir):
    def change(t):
        row = np.flatnonzero(t.stage == "pre_sale")[0]
        t.loc[row, "resolved"] = "True"

    edit(data_dir / "chats.csv", change)
    with pytest.raises(ValueError, match=r"chats\.csv.*'resolved' must be filled for after-sale"):
        load_chats(data_dir)


def test_a_chat_rating_outside_1_to_5_is_refused(data_dir):
    edit(data_dir / "chats.csv", lambda t: t.loc.__setitem__((1, "satisfaction"), "0"))
    with pytest.raises(ValueError, match=r"chats\.csv.*'satisfaction'.*1 to 5.*row 1"):
        load_chats(data_dir)


def test_fewer_agents_rostered_than_logged_in_is_refused(data_dir):
    edit(data_dir / "call_staffing.csv", lambda t: t.loc.__setitem__((3, "scheduled_agents"), "0"))
    with pytest.raises(ValueError, match=r"'scheduled_agents' is below 'agents'.*row 3"):
        load_call_staffing(data_dir)


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

"""Chapter 03's tables (shipments, surveys, shop_ratings, reviews) and their stylized facts,
on the shipped shop and on a shop of another seed: each answer follows from what happened
to the order and from the customer."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_data_service import edit  # rewrites one cell of a CSV file

from crm_lab import satisfaction as rules
from crm_lab.data import (
    generate_shop,
    load_chats,
    load_customers,
    load_members,
    load_orders,
    load_satisfaction,
    load_surveys,
    load_tickets,
    schema,
)
from grader.reference import satisfaction as ref

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"
NEW_TABLES = {"shipments", "surveys", "shop_ratings", "reviews"}


@pytest.fixture(scope="module")
def shipped():
    return {
        "customers": load_customers(SHIPPED),
        "orders": load_orders(SHIPPED),
        "chats": load_chats(SHIPPED),
        "tickets": load_tickets(SHIPPED),
        "members": load_members(SHIPPED),
        **load_satisfaction(SHIPPED),
    }


@pytest.fixture(scope="module")
def seed13():
    return generate_shop(seed=13, n_customers=4000)


@pytest.fixture(params=["shipped", "seed13"])
def shop(request):
    return request.getfixturevalue(request.param)


def _with_late(shop):
    ships = shop["shipments"]
    return ships.assign(late=ships.delivery_days > ships.promised_days)


def _answered_with(shop):
    """Answered surveys with their order's facts: late, refunded."""
    done = ref.answered(shop["surveys"])
    ships = _with_late(shop).set_index("order_id")
    status = shop["orders"].set_index("order_id").status.astype(str)
    return done.assign(
        late=ships.late.reindex(done.order_id).to_numpy(),
        refunded=(status.reindex(done.order_id) == "refunded").to_numpy(),
    )


def test_the_shipped_files_are_what_the_generator_makes(shipped):
    fresh = generate_shop()
    for name in NEW_TABLES:
        pd.testing.assert_frame_equal(fresh[name], shipped[name], check_index_type=False)


def test_the_new_tables_leave_the_old_ones_unchanged(monkeypatch):
    from crm_lab.data import survey

    with_survey = generate_shop(seed=5, n_customers=300)
    monkeypatch.setattr(survey, "survey_tables", lambda *args: {})
    without = generate_shop(seed=5, n_customers=300)
    assert set(with_survey) - set(without) == NEW_TABLES
    for name, table in without.items():
        pd.testing.assert_frame_equal(with_survey[name], table)


def test_the_schema_lists_the_questionnaire_items_in_order():
    columns = [c.name for c in schema.SURVEY_TABLES["surveys"]]
    assert tuple(columns[6:21]) == rules.ITEM_COLUMNS
    assert columns[21:24] == ["overall_satisfaction", "recommend", "repurchase_intention"]


def test_shipments_are_the_paid_orders_and_some_refunded_ones(shop):
    orders = shop["orders"].set_index("order_id")
    status = orders.status.astype(str).reindex(shop["shipments"].order_id)
    assert set(status) == {"paid", "refunded"}
    assert (orders.status == "paid").sum() == (status == "paid").sum()
    assert (shop["shipments"].customer_id.to_numpy() == orders.customer_id.reindex(
        shop["shipments"].order_id).to_numpy()).all()


def test_deliveries_are_slower_in_lower_tier_cities_and_in_the_big_sales(shop):
    """About 2.3 days in tier-1 cities, 4.3 in tier 4-5; late 10% on ordinary days, ~55% in
    618 and Double 11; 15-22% late overall."""
    ships = _with_late(shop)
    orders = shop["orders"].set_index("order_id")
    tier = shop["customers"].set_index("customer_id").city_tier
    days = ships.groupby(ships.customer_id.map(tier).astype(str)).delivery_days.mean()
    assert days["tier1"] + 1.5 < days["tier5"]
    big = orders.promotion.reindex(ships.order_id).isin(["618", "double11"]).to_numpy()
    assert ships.late[big].mean() > 3 * ships.late[~big].mean()
    assert 0.12 <= ships.late.mean() <= 0.25


def test_every_chased_parcel_arrived_late(shop):
    chats, tickets = shop["chats"], shop["tickets"]
    chased = set(chats.order_id[chats.topic == "logistics"].dropna()) | set(
        tickets.order_id[tickets.category == "late_delivery"]
    )
    ships = _with_late(shop)
    assert ships[ships.order_id.isin(chased)].late.all()


def test_about_a_third_of_invited_customers_answer(shop):
    """40% of eligible shipped orders are invited; 30-36% of the invited answer."""
    surveys = shop["surveys"]
    assert surveys.order_id.isin(shop["shipments"].order_id).all()
    assert 0.33 <= len(surveys) / len(shop["shipments"]) <= 0.45
    assert 0.28 <= surveys.answered.mean() <= 0.38
    assert surveys.loc[~surveys.answered, list(rules.LIKERT_COLUMNS)].isna().all().all()


def test_late_delivery_lowers_the_delivery_items_and_the_dsr_logistics_score(shop):
    done = _answered_with(shop)
    delivery = done[list(rules.PERCEPTION_COLUMNS["delivery"])].astype(float).mean(axis=1)
    assert delivery[done.late.to_numpy()].mean() < delivery[~done.late.to_numpy()].mean() - 0.6
    ratings = shop["shop_ratings"].merge(_with_late(shop)[["order_id", "late"]], on="order_id")
    by_late = ratings.groupby("late").logistics_service.mean()
    assert by_late[True] < by_late[False] - 0.5
    assert ratings.groupby("late").description_match.mean().diff().abs().iloc[-1] < 0.25


def test_a_refund_lowers_quality_service_and_overall(shop):
    done = _answered_with(shop)
    refunded = done.refunded.to_numpy()
    assert refunded.sum() >= 30
    for columns in (rules.PERCEPTION_COLUMNS["quality"], rules.PERCEPTION_COLUMNS["service"],
                    ["overall_satisfaction"]):
        score = done[list(columns)].astype(float).mean(axis=1)
        assert score[refunded].mean() < score[~refunded].mean() - 0.4, columns


def test_a_badly_rated_service_contact_lowers_the_service_items(shop):
    chats = shop["chats"]
    rated = chats[(chats.stage == "after_sale") & chats.satisfaction.notna()]
    rating = rated.groupby("order_id").satisfaction.mean()
    done = _answered_with(shop)
    done = done[done.order_id.isin(rating.index)]
    service = done[list(rules.PERCEPTION_COLUMNS["service"])].astype(float).mean(axis=1)
    low = rating.reindex(done.order_id).to_numpy() <= 3
    assert low.sum() >= 10 and (~low).sum() >= 10
    assert service[low].mean() < service[~low].mean() - 0.3


def test_the_very_unhappy_and_loyal_customers_answer_more(shop):
    """Respondents had refunds 1.5-2 times as often as non-respondents; repeat buyers
    answer more than first-time buyers."""
    invited = shop["surveys"]
    orders = shop["orders"].set_index("order_id")
    refunded = orders.status.astype(str).reindex(invited.order_id).eq("refunded").to_numpy()
    answered = invited.answered.to_numpy()
    assert refunded[answered].mean() > 1.3 * refunded[~answered].mean()
    paid = shop["orders"][shop["orders"].status == "paid"]
    first = paid.groupby("customer_id", observed=True).order_time.min()
    time = orders.order_time.reindex(invited.order_id).to_numpy()
    repeat = time > first.reindex(invited.customer_id).to_numpy()
    assert answered[repeat].mean() > answered[~repeat].mean() + 0.05


def test_straight_liners_and_acquiescent_responders_exist_at_realistic_rates(shop):
    """3-8% of respondents tick one value throughout; agreement lifts some respondents'
    items (expectations above 4.3 on average) more than others."""
    flags = ref.straight_liners(shop["surveys"])
    assert 0.03 <= flags.mean() <= 0.08
    done = ref.answered(shop["surveys"])
    expectation = done[list(rules.EXPECTATION_COLUMNS.values())].astype(float).mean(axis=1)
    assert 0.03 <= (expectation >= 4.6).mean() <= 0.20


def test_the_scales_are_reliable_and_the_drivers_are_quality_delivery_and_service(shop):
    """Cronbach's alpha 0.6-0.9 per dimension; in the regression quality weighs most and
    ease least; delivery is the dimension with the largest negative gap."""
    done = ref.answered(shop["surveys"])
    for d in rules.DIMENSIONS:
        assert 0.6 <= ref.cronbach_alpha(done[list(rules.PERCEPTION_COLUMNS[d])]) <= 0.9, d
    drivers = ref.key_drivers(shop["surveys"])
    assert drivers.coefficient.idxmax() == "quality"
    assert drivers.coefficient.idxmin() == "ease"
    gaps = ref.gap_scores(shop["surveys"])
    assert gaps.gap.idxmin() == "delivery" and gaps.gap["delivery"] < -0.1


def test_ipa_puts_delivery_in_concentrate_here(shop):
    drivers = ref.key_drivers(shop["surveys"])
    table = pd.DataFrame({"importance": drivers.coefficient,
                          "performance": ref.gap_scores(shop["surveys"]).perception})
    quadrants = ref.ipa_quadrants(table)
    assert quadrants["delivery"] == "concentrate here"
    assert quadrants["quality"] == "keep up the good work"
    assert quadrants["ease"] == "possible overkill"


def test_nps_csat_and_dsr_are_in_the_range_of_a_good_tea_shop(shop):
    """NPS 20-40 (se about 2 points); CSAT top-2-box 65-80%; DSR 4.3-4.7, logistics lowest."""
    done = ref.answered(shop["surveys"])
    score = ref.nps(done.recommend)
    assert 20 <= score["nps"] <= 40 and 1.5 <= score["se"] <= 3
    assert 0.65 <= ref.csat_top2(done.overall_satisfaction) <= 0.80
    dsr = shop["shop_ratings"][list(rules.DSR_COLUMNS)].mean()
    assert dsr.between(4.2, 4.8).all() and dsr.idxmin() == "logistics_service"
    assert 4.0 <= shop["reviews"].stars.mean() <= 4.5


def test_satisfied_customers_come_back_more_in_the_next_six_months(shop):
    """Repurchase within 180 days: under 30% after an overall score of 2, above 75% after 5."""
    rates = ref.repurchase_by_satisfaction(shop["surveys"], shop["orders"], "2026-01-01")
    assert rates.repurchase_rate.is_monotonic_increasing
    assert rates.repurchase_rate[5] > rates.repurchase_rate[2] + 0.4


def test_comments_are_chinese_and_follow_the_order(shop):
    done = _answered_with(shop)
    comments = done.comment_zh.dropna()
    assert 0.15 <= len(comments) / len(done) <= 0.40
    assert comments.str.contains(r"[\u4e00-\u9fff]").all()
    late_words = done[done.late & done.comment_zh.str.contains("慢|晚|等了", na=False)]
    assert len(late_words) >= 10
    assert shop["surveys"].loc[~shop["surveys"].answered, "comment_zh"].isna().all()


def test_ratings_and_reviews_come_after_delivery_and_inside_the_period(shop):
    ships = shop["shipments"].set_index("order_id")
    orders = shop["orders"].set_index("order_id")
    for name, column in (("shop_ratings", "rating_date"), ("reviews", "review_date"),
                         ("surveys", "sent_date")):
        table = shop[name]
        assert table.order_id.isin(ships.index).all(), name
        arrived = (orders.order_time.dt.normalize().reindex(table.order_id)
                   + pd.to_timedelta(ships.delivery_days.reindex(table.order_id), unit="D"))
        assert (table[column].to_numpy() >= arrived.to_numpy()).all(), name
        assert table[column].max() <= pd.Timestamp("2025-12-31"), name


def test_a_recommend_above_10_names_file_column_and_row(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(SHIPPED, data_dir)
    edit(data_dir / "surveys.csv", lambda t: t.loc.__setitem__((0, "recommend"), "11"))
    with pytest.raises(ValueError, match=r"surveys\.csv.*'recommend'.*0 to 10.*row 0"):
        load_surveys(data_dir)
    edit(data_dir / "surveys.csv", lambda t: t.loc.__setitem__((0, "recommend"), "9"))
    edit(data_dir / "surveys.csv", lambda t: t.loc.__setitem__((1, "perc_quality_2"), "6"))
    with pytest.raises(ValueError, match=r"surveys\.csv.*'perc_quality_2'.*1 to 5.*row 1"):
        load_surveys(data_dir)


def test_an_answer_on_an_unanswered_survey_names_the_rows(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(SHIPPED, data_dir)
    surveys = pd.read_csv(SHIPPED / "surveys.csv", dtype=str, keep_default_na=False)
    row = int(np.flatnonzero(surveys.answered == "False")[0])
    edit(data_dir / "surveys.csv", lambda t: t.loc.__setitem__((row, "answer_days"), "2"))
    with pytest.raises(ValueError, match=rf"surveys\.csv.*'answer_days'.*row {row}"):
        load_surveys(data_dir)

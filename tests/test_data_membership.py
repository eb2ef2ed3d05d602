"""Chapter 05's membership tables (members, points_ledger) and their stylized facts, on the
shipped shop and on a shop of another seed."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_data_service import edit  # rewrites one cell of a CSV file

from crm_lab import membership as rules
from crm_lab.data import (
    customer_traits,
    generate_shop,
    load_customers,
    load_members,
    load_membership,
    load_orders,
    load_points_ledger,
)
from grader.reference import membership as ref

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def shipped():
    return {
        "customers": load_customers(SHIPPED),
        "orders": load_orders(SHIPPED),
        **load_membership(SHIPPED),
    }


@pytest.fixture(scope="module")
def seed13():
    return generate_shop(seed=13, n_customers=2000)


@pytest.fixture(params=["shipped", "seed13"])
def shop(request):
    return request.getfixturevalue(request.param)


def _paid(shop):
    orders = shop["orders"]
    return orders[orders.status == "paid"]


def test_the_shipped_files_are_what_the_generator_makes(shipped):
    fresh = generate_shop()
    for name in ("members", "points_ledger"):
        pd.testing.assert_frame_equal(fresh[name], shipped[name], check_index_type=False)


def test_the_new_tables_leave_the_old_ones_unchanged(monkeypatch):
    """The membership tables change no other table. Only chapter 02's raw records, which
    include the members' own mini-programme sign-ups, are built from them."""
    from crm_lab.data import membership, records

    with_members = generate_shop(seed=5, n_customers=300)
    monkeypatch.setattr(membership, "membership_tables", lambda *args: {})
    monkeypatch.setattr(records, "customer_records", lambda *args: {})
    without = generate_shop(seed=5, n_customers=300)
    assert set(with_members) - set(without) == {"members", "points_ledger", "customer_records"}
    for name, table in without.items():
        pd.testing.assert_frame_equal(with_members[name], table)


def test_members_are_customers_who_joined_on_or_after_signing_up(shop):
    signup = shop["customers"].set_index("customer_id").signup_date
    members = shop["members"]
    assert members.customer_id.isin(signup.index).all()
    assert (members.join_date >= signup.reindex(members.customer_id).to_numpy()).all()
    assert members.join_date.max() <= pd.Timestamp("2025-12-31")


def test_checkout_joiners_joined_on_the_day_of_one_of_their_paid_orders(shop):
    paid = _paid(shop)
    days = set(zip(paid.customer_id, paid.order_time.dt.normalize(), strict=True))
    checkout = shop["members"][shop["members"].join_source == "checkout"]
    assert all(pair in days for pair in zip(checkout.customer_id, checkout.join_date, strict=True))


def test_a_third_of_paying_customers_are_members_and_they_bring_most_revenue(shop):
    """A Tmall tea shop's member share: 25-45% of buyers, 50-75% of paid revenue."""
    revenue = _paid(shop).groupby("customer_id", observed=True).net_amount_cny.sum()
    is_member = revenue.index.isin(shop["members"].customer_id)
    assert 0.25 <= is_member.mean() <= 0.45
    assert 0.50 <= revenue[is_member].sum() / revenue.sum() <= 0.75


def test_better_customers_join_more_often_the_selection_the_chapter_exposes(shop):
    """Members' hidden spend level and buying rate are higher: members are chosen, not made."""
    n = len(shop["customers"])
    seed = 2026 if shop["customers"].equals(load_customers(SHIPPED)) else 13
    traits = customer_traits(seed, n).set_index("customer_id")
    is_member = traits.index.isin(shop["members"].customer_id)
    assert traits.spend_level[is_member].median() > 1.2 * traits.spend_level[~is_member].median()
    rate = traits.purchase_rate_per_year
    assert rate[is_member].median() > 1.3 * rate[~is_member].median()
    revenue = _paid(shop).groupby("customer_id", observed=True).net_amount_cny.sum()
    top_decile = revenue.nlargest(len(revenue) // 10).index
    assert top_decile.isin(shop["members"].customer_id).mean() >= 0.7


def test_every_member_gets_the_sign_up_bonus_on_the_join_day(shop):
    bonus = shop["points_ledger"].query("event_type == 'signup_bonus'")
    assert (bonus.points == rules.SIGNUP_BONUS_POINTS).all()
    joined = shop["members"].set_index("customer_id").join_date
    assert len(bonus) == len(joined)
    assert (bonus.event_date.to_numpy() == joined.reindex(bonus.customer_id).to_numpy()).all()


def test_earned_points_are_a_tier_multiple_of_whole_yuan(shop):
    ledger = shop["points_ledger"]
    earn = ledger[ledger.event_type == "earn"]
    net = shop["orders"].set_index("order_id").net_amount_cny
    base = np.floor(net.reindex(earn.order_id).to_numpy()) * rules.POINTS_PER_CNY
    allowed = np.array(list(rules.EARN_MULTIPLIERS.values()))
    candidates = np.floor(base[:, None] * allowed[None, :] + 1e-9)
    assert (candidates == earn.points.to_numpy()[:, None]).any(axis=1).all()
    assert (earn.points.to_numpy() > base).mean() > 0.2, "silver and up earn more per yuan"


def test_festival_orders_earn_double_points(shop):
    ledger = shop["points_ledger"]
    bonus = ledger[ledger.event_type == "festival_bonus"]
    promotion = shop["orders"].set_index("order_id").promotion.astype(str)
    assert promotion.reindex(bonus.order_id).isin(rules.FESTIVAL_PROMOTIONS).all()
    net = shop["orders"].set_index("order_id").net_amount_cny
    assert (bonus.points.to_numpy() == np.floor(net.reindex(bonus.order_id)).to_numpy()).all()


def test_refunded_orders_lose_their_points_and_paid_ones_never_do(shop):
    ledger = shop["points_ledger"]
    status = shop["orders"].set_index("order_id").status.astype(str)
    clawed = ledger[ledger.event_type == "refund_clawback"]
    assert (status.reindex(clawed.order_id) == "refunded").all()
    earned = ledger[ledger.event_type.isin(["earn", "festival_bonus"])]
    owed = earned[status.reindex(earned.order_id).eq("refunded").to_numpy()]
    assert owed.groupby("order_id").points.sum().equals(clawed.groupby("order_id").points.sum())
    assert (clawed.event_date.to_numpy() > pd.Series(owed.event_date).min()).all()


def test_balances_never_go_negative_and_some_clawbacks_hit_the_floor(shop):
    """Replayed event by event, no balance is ever below 0, and on the shipped shop a few
    clawbacks are larger than the balance (points already spent), as in real shops."""
    ledger = shop["points_ledger"].sort_values(["event_date", "event_id"])
    sign = ledger.event_type.astype(str).map(rules.EVENT_SIGNS)
    plain = (sign * ledger.points).groupby(ledger.customer_id).cumsum()
    balances = ref.point_balances(ledger, "2026-01-01")
    assert (balances.balance >= 0).all()
    takes = ledger.event_type.isin(["redeem", "expire"])
    floored = plain.groupby(ledger.customer_id).cummin().clip(upper=0)
    assert ((plain - floored)[takes] >= 0).all()
    if shop["points_ledger"].equals(load_points_ledger(SHIPPED)):
        assert (plain < 0).groupby(ledger.customer_id).any().sum() >= 5


def test_points_expire_a_year_after_they_were_earned_and_redemptions_reach_a_third(shop):
    """Breakage 20-45% of points leaving balances in 2025; 30-60% of points issued redeemed."""
    ledger = shop["points_ledger"]
    first = ledger.event_date.min()
    expire = ledger[ledger.event_type == "expire"]
    assert (expire.event_date >= first + pd.Timedelta(days=rules.EXPIRY_DAYS)).all()
    assert 0.20 <= ref.breakage_rate(ledger, "2025-01-01", "2026-01-01") <= 0.45
    issued = ledger[ledger.event_type.isin(["signup_bonus", "earn", "festival_bonus"])].points
    redeemed = ledger[ledger.event_type == "redeem"].points
    assert 0.30 <= redeemed.sum() / issued.sum() <= 0.60


def test_higher_tiers_redeem_more_the_benefit_members_use(shipped):
    tiers = ref.member_tiers(shipped["orders"], shipped["members"], "2026-01-01")
    redeemers = shipped["points_ledger"].query("event_type == 'redeem'").customer_id.unique()
    share = tiers.index.isin(redeemers)
    by_tier = pd.Series(share, index=tiers.index).groupby(tiers.tier).mean()
    assert by_tier["金卡"] > 2 * by_tier["普通"]


def test_tiers_follow_the_spend_distribution(shop):
    """About 30% silver or better among paying customers, 8-15% gold or better."""
    orders, as_of = shop["orders"], pd.Timestamp("2026-01-01")
    everyone = pd.DataFrame({"customer_id": orders.customer_id.unique()})
    tiers = ref.member_tiers(orders, everyone.assign(join_date=pd.Timestamp("2024-01-01")), as_of)
    paying = tiers[tiers.rolling_spend_cny > 0].tier
    assert 0.20 <= paying.ne("普通").mean() <= 0.40
    assert 0.06 <= paying.isin(["金卡", "钻石"]).mean() <= 0.16


def test_the_naive_member_comparison_is_far_bigger_than_the_before_after_change(shipped):
    """The lesson of section 5: members spend several times more than non-members, while the
    members who joined late changed far less around their join day."""
    revenue = _paid(shipped).groupby("customer_id", observed=True).net_amount_cny.sum()
    is_member = revenue.index.isin(shipped["members"].customer_id)
    naive = revenue[is_member].mean() / revenue[~is_member].mean()
    assert naive > 2.5
    around = ref.join_before_after(
        shipped["orders"], shipped["members"], shipped["customers"], "2026-01-01"
    )
    assert len(around) >= 50
    change = around.spend_after_cny.mean() / around.spend_before_cny.mean()
    assert change < naive


def test_a_points_below_one_names_file_column_and_row(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(SHIPPED, data_dir)
    edit(data_dir / "points_ledger.csv", lambda t: t.loc.__setitem__((3, "points"), "-40"))
    with pytest.raises(ValueError, match=r"points_ledger\.csv.*'points'.*row 3"):
        load_points_ledger(data_dir)
    edit(data_dir / "members.csv", lambda t: t.loc.__setitem__((1, "join_source"), "app"))
    with pytest.raises(ValueError, match=r"members\.csv.*'join_source'.*row 1"):
        load_members(data_dir)

"""Chapter 05's reference answers: point balances against a brute-force replay of the ledger
event by event, and every answer against small cases computed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crm_lab.data import AS_OF, load_customers, load_members, load_orders, load_points_ledger
from grader.fixtures import second_shop
from grader.fixtures_membership import (
    EDGE_AS_OF,
    edge_customers,
    edge_ledger,
    edge_members,
    edge_orders,
)
from grader.reference import membership as ref

DATES = ["2024-02-01", "2024-11-12", "2025-01-01", "2025-06-18", "2026-01-01"]


@pytest.fixture(scope="module", params=["shipped", "second"])
def ledger(request):
    return load_points_ledger() if request.param == "shipped" else second_shop()["points_ledger"]


@pytest.mark.parametrize("as_of", DATES)
def test_balances_equal_a_replay_of_the_ledger_event_by_event(ledger, as_of):
    vectorised = ref.point_balances(ledger, as_of)["balance"].to_dict()
    assert vectorised == ref.replay_balances(ledger, as_of)


def test_balances_do_not_depend_on_the_row_order_of_the_ledger(ledger):
    shuffled = ledger.sample(frac=1, random_state=3)
    assert ref.point_balances(shuffled, AS_OF).equals(ref.point_balances(ledger, AS_OF))


def test_balances_by_hand_on_the_rule_cases():
    balances = ref.point_balances(edge_ledger(), EDGE_AS_OF)["balance"].to_dict()
    assert balances == {"A": 300, "B": 150, "C": 0, "E": 700, "F": 150}
    assert ref.replay_balances(edge_ledger(), EDGE_AS_OF) == balances


def test_liability_is_points_times_value_net_of_breakage():
    balances = pd.DataFrame({"balance": [300, 700, 0]}, index=["A", "B", "C"])
    assert ref.points_liability(balances) == pytest.approx(10.0)
    assert ref.points_liability(balances, 0.02, breakage_rate=0.25) == pytest.approx(15.0)


def test_breakage_rate_by_hand_counts_only_its_window():
    ledger = edge_ledger()
    # 2025: redeemed 400 (B) + 400 (F), expired 100 (A); A's 2024 redemption is outside.
    assert ref.breakage_rate(ledger, "2025-01-01", "2026-01-01") == pytest.approx(100 / 900)
    assert ref.breakage_rate(ledger, "2024-01-01", "2025-01-01") == 0.0
    assert math.isnan(ref.breakage_rate(ledger, "2023-01-01", "2024-01-01"))


def test_tiers_by_hand_on_the_rolling_window():
    tiers = ref.member_tiers(edge_orders(), edge_members(), EDGE_AS_OF)
    assert tiers["tier"].to_dict() == {
        "P": "银卡",
        "Q": "金卡",
        "R": "钻石",
        "S": "普通",
        "T": "普通",
    }
    assert tiers.loc["P", "rolling_spend_cny"] == 600.0
    assert tiers.loc["R", "rolling_spend_cny"] == 4000.0


def test_tiers_of_everyone_on_the_shop_match_a_per_customer_loop():
    orders, members = load_orders(), load_members()
    tiers = ref.member_tiers(orders, members, "2025-07-01")
    paid = orders[orders["status"] == "paid"]
    for customer in tiers.index[::97]:
        mine = paid[
            (paid["customer_id"] == customer)
            & (paid["order_time"] >= pd.Timestamp("2024-07-01"))
            & (paid["order_time"] < pd.Timestamp("2025-07-01"))
        ]
        assert tiers.loc[customer, "rolling_spend_cny"] == pytest.approx(
            mine["net_amount_cny"].sum()
        )


def test_migration_matrix_by_hand():
    before = pd.DataFrame({"tier": ["普通", "银卡", "银卡", "钻石"]}, index=list("abcd"))
    after = pd.DataFrame({"tier": ["银卡", "银卡", "普通", "金卡", "普通"]}, index=list("abcde"))
    matrix = ref.tier_migration(before, after)
    assert list(matrix.index) == list(matrix.columns) == ["普通", "银卡", "金卡", "钻石"]
    assert matrix.loc["普通", "银卡"] == 1 and matrix.loc["银卡", "银卡"] == 1
    assert matrix.loc["银卡", "普通"] == 1 and matrix.loc["钻石", "金卡"] == 1
    assert matrix.to_numpy().sum() == 4  # e joined later, so it moved from nowhere


def test_before_after_by_hand_leaves_the_join_day_out():
    around = ref.join_before_after(edge_orders(), edge_members(), edge_customers(), AS_OF)
    assert list(around.index) == ["R", "U"]  # the others joined too soon after signing up
    assert around.loc["U"].to_dict() == {
        "orders_before": 1,
        "orders_after": 0,
        "spend_before_cny": 800.0,
        "spend_after_cny": 0.0,
    }
    assert around.loc["R"].to_dict() == {
        "orders_before": 1,
        "orders_after": 2,
        "spend_before_cny": 200.0,
        "spend_after_cny": 4400.0,
    }


def test_before_after_on_the_shop_only_keeps_fully_observed_windows():
    members, customers = load_members(), load_customers()
    around = ref.join_before_after(load_orders(), members, customers, AS_OF)
    joined = members.set_index("customer_id")["join_date"].reindex(around.index)
    signed = customers.set_index("customer_id")["signup_date"].reindex(around.index)
    assert (signed <= joined - pd.Timedelta(days=180)).all()
    assert (joined + pd.Timedelta(days=181) <= AS_OF).all()

"""The loyalty chapter's reference implementation, on cases computed by hand and against
independent implementations: ``lifetimes`` for the purchase summary and the two models'
formulas, a brute-force loop for cohort retention, and the published CDNOW parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lab.data import AS_OF, load_cdnow_orders, load_orders
from crm_lab.loyalty import (
    CDNOW_BGNBD,
    LIFECYCLE_STAGES,
    STAGE_ORDER,
    bgnbd_expected_purchases,
    gamma_gamma_expected_spend,
    service_ratings,
)
from grader.fixtures import second_shop
from grader.fixtures_loyalty import (
    CHURN_CUTOFF,
    CHURN_HORIZON_DAYS,
    LOYALTY_AS_OF,
    SUMMARY_END,
    clv_edge_summary,
    lift_edge_case,
    loyalty_edge_orders,
    loyalty_edge_profile,
)
from grader.reference import loyalty as ref

lifetimes_utils = pytest.importorskip("lifetimes.utils")


@pytest.fixture(scope="module")
def edge():
    return loyalty_edge_orders()


# ---- hand-computed cases ----------------------------------------------------------------


def test_repeat_rate_counts_paid_orders_before_as_of(edge):
    # 18 customers have a paid order before 2025-07-01 (L2 has none); L3, L5, L7, L14, K3 and
    # K4 have one (L14's and K3's refunds do not count; L4's order at as_of is not before it)
    assert ref.repeat_rate(edge, LOYALTY_AS_OF) == pytest.approx(12 / 18)


def test_inter_purchase_days_skip_refunds_and_give_zero_for_the_same_day(edge):
    gaps = ref.inter_purchase_days(edge, LOYALTY_AS_OF)["days_since_previous"]
    assert gaps["A03"] == 50  # 01-10 -> 03-01; the refund A02 on 03-01 is not "previous"
    assert gaps["A04"] == 0  # the second order that day
    assert gaps["A05"] == 121
    assert "A11" not in gaps.index  # at exactly as_of
    assert "A01" not in gaps.index  # a first order has no previous one


def test_lifecycle_stages_follow_the_stated_rules_at_their_boundaries(edge):
    stage = ref.lifecycle_stages(edge, LOYALTY_AS_OF)["stage"]
    assert stage["L6"] == "at_risk"  # exactly 180 days: not more than 180
    assert stage["L7"] == "lost"  # 181 days (23:00 counts as its date)
    assert stage["L8"] == "active"  # exactly 90 days: not at risk
    assert stage["L9"] == "new" and stage["L10"] == "active"  # first order 90 vs 91 days ago
    assert stage["L4"] == "won_back" and stage["L13"] == "active"  # gap 374 vs exactly 180
    assert stage["L11"] == "loyal" and stage["L12"] == "active"  # 4 paid vs 3 paid + a refund
    assert "L2" not in stage.index
    assert set(stage) <= set(LIFECYCLE_STAGES.index) == set(STAGE_ORDER)


def test_churn_labels_know_only_customers_before_the_cut_off(edge):
    churned = ref.churn_labels(edge, CHURN_CUTOFF, CHURN_HORIZON_DAYS)["churned"]
    assert "K4" not in churned.index  # first paid order at exactly the cut-off
    assert churned["K1"]  # came back at exactly the window's end: outside it
    assert not churned["K2"]  # a second before the end
    assert churned["K3"]  # only a refund in the window
    assert not churned["K5"]  # an order at exactly the cut-off is in the window
    assert churned.dtype == bool


def test_cohorts_start_at_the_first_paid_order_and_unobserved_months_are_nan(edge):
    shares = ref.cohort_retention(edge, LOYALTY_AS_OF)
    assert "2024-12" in shares.index  # L13's first paid order
    assert shares.loc["2025-02"].notna().sum() == 5  # Feb .. Jun observed
    assert list(shares.columns) == list(range(13))  # 2024-06 .. 2025-06
    assert (shares[0] == 1).all()


def test_loyalty_classes_on_the_threshold_and_without_ratings():
    loyalty = ref.loyalty_classes(loyalty_edge_profile())["loyalty"]
    assert loyalty.to_dict() == {
        "P1": "true", "P2": "inertia", "P3": "unknown", "P4": "latent", "P5": "none",
        "P6": "true", "P7": "unknown", "P8": "none", "P9": "latent",
    }  # fmt: skip


def test_lift_table_groups_by_the_stated_rule():
    y, score = lift_edge_case()
    table = ref.lift_table(y, score, groups=5)
    assert table["customers"].tolist() == [5, 5, 4, 5, 4]  # floor(5 (r - 1) / 23) + 1
    assert table["churners"].sum() == y.sum()
    assert table["cumulative_capture"].iloc[-1] == pytest.approx(1)
    assert (table["lift"] * table["customers"]).sum() / len(y) == pytest.approx(1)


def test_purchase_summary_by_hand(edge):
    row = ref.purchase_summary(edge, SUMMARY_END).loc["L1"]
    # purchase days 01-10, 03-01 (two orders: 50 CNY), 06-30 23:59:59 (45 CNY, on the end day)
    assert row.tolist() == [2, 171, 171, 47.5]


def test_clv_is_margin_times_purchases_times_spend():
    summary = clv_edge_summary()
    bg, gg = {"r": 0.3, "alpha": 20.0, "a": 0.8, "b": 2.5}, {"p": 6.25, "q": 3.74, "v": 15.44}
    out = ref.clv_table(summary, bg, gg, 180, 0.2)
    assert out["clv"].to_numpy() == pytest.approx(
        0.2 * out["expected_purchases"].to_numpy() * out["expected_spend"].to_numpy()
    )
    assert out.loc["V1", "expected_spend"] == pytest.approx(15.44 * 6.25 / 2.74)
    assert out.loc["V2", "expected_purchases"] > out.loc["V3", "expected_purchases"]  # recent


def test_service_ratings_average_rated_contacts_only():
    chats = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B"],
            "satisfaction": pd.array([5, None, 2], dtype="Int64"),
            "start_time": pd.to_datetime(["2025-01-01"] * 3),
        }
    )
    tickets = pd.DataFrame(
        {
            "customer_id": ["A"],
            "satisfaction": pd.array([3], dtype="Int64"),
            "created_time": pd.to_datetime(["2025-03-01"]),
        }
    )
    out = service_ratings(chats, tickets)
    assert out.loc["A"].tolist() == [2, 4.0] and out.loc["B"].tolist() == [1, 2.0]
    assert service_ratings(chats, tickets, as_of="2025-02-01").loc["A", "ratings"] == 1


# ---- peers ------------------------------------------------------------------------------


def _lifetimes_summary(orders, end, amount_col):
    paid = orders[orders["status"].astype(str) == "paid"]
    return lifetimes_utils.summary_data_from_transaction_data(
        paid, "customer_id", "order_time", monetary_value_col=amount_col,
        observation_period_end=end, freq="D",
    )  # fmt: skip


@pytest.mark.parametrize(
    "source, end, amount_col",
    [
        ("shop", AS_OF - pd.Timedelta(days=1), "net_amount_cny"),
        ("shop", pd.Timestamp("2025-06-30"), "gross_amount_cny"),
        ("second shop", pd.Timestamp("2025-03-31"), "net_amount_cny"),
        ("cdnow", pd.Timestamp("1997-09-30"), "net_amount_usd"),
        ("edge", SUMMARY_END, "net_amount_cny"),
    ],
)
def test_purchase_summary_matches_lifetimes(source, end, amount_col):
    orders = {
        "shop": load_orders,
        "second shop": lambda: second_shop()["orders"],
        "cdnow": load_cdnow_orders,
        "edge": loyalty_edge_orders,
    }[source]()
    ours = ref.purchase_summary(orders, end, amount_col).sort_index()
    theirs = _lifetimes_summary(orders, end, amount_col).sort_index()
    theirs.index = theirs.index.astype(str)
    assert list(ours.index) == list(theirs.index)
    for column in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-9, err_msg=column)


def _brute_force_retention(orders, as_of):
    paid = orders[(orders["status"].astype(str) == "paid") & (orders["order_time"] < as_of)]
    months = {}
    for customer, time in zip(paid["customer_id"], paid["order_time"], strict=True):
        months.setdefault(customer, set()).add(time.to_period("M"))
    last = (as_of - pd.Timedelta(days=1)).to_period("M")
    cohorts = {}
    for active in months.values():
        cohorts.setdefault(min(active), []).append(active)
    first = min(cohorts)
    table = {}
    for cohort, members in cohorts.items():
        row = []
        for k in range((last - first).n + 1):
            month = cohort + k
            row.append(np.nan if month > last else sum(month in m for m in members) / len(members))
        table[str(cohort)] = row
    return pd.DataFrame.from_dict(table, orient="index").sort_index()


@pytest.mark.parametrize(
    "source, as_of", [("shop", AS_OF), ("second", "2025-06-15"), ("edge", LOYALTY_AS_OF)]
)
def test_cohort_retention_matches_a_brute_force_loop(source, as_of):
    orders = {
        "shop": load_orders,
        "second": lambda: second_shop()["orders"],
        "edge": loyalty_edge_orders,
    }[source]()
    as_of = pd.Timestamp(as_of)
    ours = ref.cohort_retention(orders, as_of)
    loop = _brute_force_retention(orders, as_of)
    assert list(ours.index) == list(loop.index)
    np.testing.assert_allclose(ours.to_numpy(), loop.to_numpy(), equal_nan=True)


def test_bgnbd_on_the_cdnow_sample_gives_the_published_parameters():
    from lifetimes import BetaGeoFitter
    from lifetimes.datasets import load_cdnow_summary

    sample = load_cdnow_summary(index_col=[0])
    assert len(sample) == 2357
    fitted = BetaGeoFitter().fit(sample["frequency"], sample["recency"], sample["T"]).params_
    for name, published in CDNOW_BGNBD.items():
        assert fitted[name] == pytest.approx(published, abs=5e-3), name


def test_model_formulas_match_lifetimes():
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    summary = ref.purchase_summary(load_orders(), pd.Timestamp("2025-06-30"))
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series({"r": 0.39, "alpha": 47.1, "a": 1.17, "b": 4.45})
    for t in (30, 184, 365):
        theirs = bgf.conditional_expected_number_of_purchases_up_to_time(
            t, summary["frequency"], summary["recency"], summary["T"]
        )
        ours = bgnbd_expected_purchases(
            t, summary["frequency"], summary["recency"], summary["T"], bgf.params_
        )
        np.testing.assert_allclose(ours, theirs, rtol=1e-8)
    ggf = GammaGammaFitter()
    ggf.params_ = pd.Series({"p": 2.56, "q": 5.34, "v": 465.7})
    theirs = ggf.conditional_expected_average_profit(
        summary["frequency"], summary["monetary_value"]
    )
    ours = gamma_gamma_expected_spend(summary["frequency"], summary["monetary_value"], ggf.params_)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_model_formulas_name_a_missing_parameter():
    with pytest.raises(ValueError, match="alpha"):
        bgnbd_expected_purchases(10, 1, 1.0, 2.0, {"r": 1})

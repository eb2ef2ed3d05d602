"""Peer checks of chapter 01's reference: Gini and Lorenz against independent formulas on
known distributions, k-means against scikit-learn's own inertia and silhouette, and the
other rules on small cases computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from crm_lab.customers import lorenz_curve, service_costs
from grader.fixtures import orders_table
from grader.reference import customers as ref


def gini_mean_difference(x) -> float:
    """Gini as the mean absolute difference over twice the mean (an independent formula)."""
    x = np.asarray(x, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean()))


@pytest.mark.parametrize("n", [1, 2, 5, 100])
def test_equal_spend_has_a_gini_of_zero_and_a_straight_lorenz_curve(n):
    assert ref.gini(np.full(n, 42.0)) == pytest.approx(0.0, abs=1e-12)
    curve = lorenz_curve(np.full(n, 42.0))
    assert np.allclose(curve["revenue_share"], curve["customer_share"])


@pytest.mark.parametrize("n", [2, 3, 10, 1000])
def test_one_customer_taking_all_has_a_gini_of_n_minus_one_over_n(n):
    values = np.zeros(n)
    values[-1] = 500.0
    assert ref.gini(values) == pytest.approx((n - 1) / n)
    assert lorenz_curve(values)["revenue_share"].iloc[:-1].eq(0).all()


def test_gini_agrees_with_the_mean_difference_and_the_lorenz_area():
    rng = np.random.default_rng(1)
    for values in (rng.lognormal(5, 1, 300), rng.exponential(100, 57), rng.integers(1, 9, 40)):
        curve = lorenz_curve(values)
        area = np.trapezoid(curve["revenue_share"], curve["customer_share"])
        assert ref.gini(values) == pytest.approx(gini_mean_difference(values))
        assert ref.gini(values) == pytest.approx(1 - 2 * area)


def test_exponential_spend_has_a_gini_near_one_half():
    values = np.random.default_rng(2).exponential(100, 20_000)  # known value: 1/2
    assert ref.gini(values) == pytest.approx(0.5, abs=0.01)


def test_lorenz_curve_refuses_negative_or_empty_input():
    for bad in ([], [1.0, -1.0], [0.0, 0.0]):
        with pytest.raises(ValueError):
            lorenz_curve(bad)


def test_top_share_by_hand():
    revenue = pd.Series([50.0, 10.0, 30.0, 10.0, 0.0])
    assert ref.top_share(revenue, 0.2) == pytest.approx(0.5)  # ceil(1): 50 of 100
    assert ref.top_share(revenue, 0.3) == pytest.approx(0.8)  # ceil(1.5) = 2
    assert ref.top_share(revenue, 1.0) == pytest.approx(1.0)


def test_abc_the_customer_who_crosses_seventy_percent_is_a_and_ties_share_a_class():
    revenue = pd.Series([60.0, 20.0, 10.0, 5.0, 5.0], index=list("abcde"))
    abc = ref.abc_classes(revenue)
    assert abc["abc_class"].tolist() == ["A", "A", "B", "C", "C"]
    assert abc["share_before"].tolist() == pytest.approx([0.0, 0.6, 0.8, 0.9, 0.9])


def test_value_classes_by_rank_with_ties_in_the_better_class():
    revenue = pd.Series(np.arange(200, 0, -1, dtype=float))
    revenue.iloc[10] = revenue.iloc[9]  # a tie across the key-account line (rank 10)
    classes = ref.value_classes(revenue)["value_class"]
    counts = classes.value_counts()
    assert counts["VIP"] == 2 and counts["key_account"] == 9
    assert counts["ordinary"] == 89 and counts["small"] == 100


def test_customer_status_rules_by_hand():
    rows = [
        ("O1", "L", "2024-12-31 23:00:00", "paid", 10.0),  # 366 days before as_of: lapsed
        *[(f"O2{k}", "Y", f"2025-0{k + 1}-10 10:00:00", "paid", 10.0) for k in range(4)],
        ("O3", "R", "2025-06-01 10:00:00", "paid", 10.0),
        ("O4", "R", "2025-07-01 10:00:00", "paid", 10.0),
        ("O5", "N", "2025-12-31 23:59:59", "paid", 10.0),
        ("O6", "P", "2025-06-01 10:00:00", "refunded", 10.0),
        ("O7", "N", "2026-01-01 00:00:00", "paid", 10.0),  # at as_of: does not count
    ]
    customers = pd.DataFrame({"customer_id": ["L", "Y", "R", "N", "P", "Q"]})
    status = ref.customer_status(orders_table(rows), customers, pd.Timestamp("2026-01-01"))
    assert status["stage"].to_dict() == {
        "L": "lapsed", "Y": "loyal", "R": "repeat", "N": "new", "P": "potential", "Q": "potential"
    }  # fmt: skip
    assert status["paid_orders"].tolist() == [1, 4, 2, 1, 0, 0]


def test_profit_by_hand():
    orders = orders_table(
        [
            ("O1", "A", "2025-01-01 10:00:00", "paid", 200.0),
            ("O2", "A", "2025-02-01 10:00:00", "refunded", 100.0),
            ("O3", "B", "2025-03-01 10:00:00", "closed", 300.0),
            ("O4", "C", "2025-03-01 10:00:00", "paid", 50.0),
        ]
    )
    items = pd.DataFrame(
        {"order_id": ["O1", "O2", "O3", "O4"], "product_id": ["P1", "P2", "P1", "P2"],
         "quantity": [2, 1, 5, 1]}
    )  # fmt: skip
    costs = pd.DataFrame({"product_id": ["P1", "P2"], "unit_cost_cny": [40.0, 30.0]})
    service = service_costs(
        pd.DataFrame({"customer_id": ["A", "B"]}), pd.DataFrame({"customer_id": ["A"]})
    )
    profit = ref.customer_profit(orders, items, costs, service)
    assert profit.index.tolist() == ["A", "C"]  # B's only order never shipped
    a = profit.loc["A"]
    assert a["product_cost_cny"] == 80 and a["refund_cost_cny"] == 15
    assert a["shipping_cost_cny"] == 20 and a["service_cost_cny"] == 28
    assert a["profit_cny"] == pytest.approx(200 - 80 - 15 - 20 - 28)
    assert profit.loc["C", "profit_cny"] == pytest.approx(50 - 30 - 10)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0, 0], [5, 5, 0], [0, 6, 6], [7, 0, 3]])
    x = np.vstack([c + rng.normal(0, 1, (60, 3)) for c in centres])
    return StandardScaler().fit_transform(x)


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_inertia_matches_scikit_learns(blobs, k):
    model = KMeans(n_clusters=k, n_init=5, random_state=0).fit(blobs)
    assert ref.inertia(blobs, model.labels_) == pytest.approx(model.inertia_, rel=1e-6)


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_silhouette_matches_scikit_learns(blobs, k):
    labels = KMeans(n_clusters=k, n_init=5, random_state=0).fit_predict(blobs)
    assert ref.silhouette(blobs, labels) == pytest.approx(silhouette_score(blobs, labels))


def test_silhouette_peaks_at_the_true_number_of_clusters(blobs):
    scores = {k: ref.silhouette(blobs, KMeans(k, n_init=5, random_state=0).fit_predict(blobs))
              for k in range(2, 8)}  # fmt: skip
    assert max(scores, key=scores.get) == 4


def test_standardize_matches_scikit_learns_scaler():
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0, 9.0], "b": [0.0, 0.0, 1.0, 5.0], "c": list("wxyz")})
    z = ref.standardize(df, ["a", "b"])
    assert np.allclose(z.to_numpy(), StandardScaler().fit_transform(df[["a", "b"]]))


def test_cluster_profile_by_hand():
    features = pd.DataFrame({"x": [1.0, 3.0, 10.0, 20.0, 30.0]}, index=list("abcde"))
    profile = ref.cluster_profile(features, [0, 0, 1, 1, 1], ["x"])
    assert profile["customers"].tolist() == [2, 3]
    assert profile["customer_share"].tolist() == [0.4, 0.6]
    assert profile["x"].tolist() == [2.0, 20.0]


def test_portrait_tags_on_the_boundaries():
    features = pd.DataFrame(
        {
            "birth_year": pd.array([2000, 1999, 1995, 1994, 1980, 1979, None, 1990], "Int64"),
            "city_tier": [
                "tier1",
                "new_tier1",
                "tier2",
                "tier5",
                "tier1",
                "tier3",
                "tier2",
                "tier1",
            ],
            "revenue_cny": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0],
            "promo_share": [0.5, 0.49, 0.0, 1.0, 0.0, 0.2, 0.0, 0.0],
            "discount_share": [0.0, 0.0, 0.08, 0.0, 0.079, 0.0, 0.0, 0.0],
        }
    )
    tags = ref.portrait_tags(features)
    assert tags["age_band"].tolist() == [
        "post_00", "post_95", "post_95", "post_90", "post_80", "before_80", "unknown", "post_90"
    ]  # fmt: skip
    assert tags["big_city"].tolist() == [True, True, False, False, True, False, False, True]
    # median 45, 80th percentile 66: 70 and 80 are high, 40 and below low
    assert tags["spend_level"].tolist() == ["low"] * 4 + ["mid"] * 2 + ["high"] * 2
    assert tags["deal_seeker"].tolist() == [True, False, True, True, False, False, False, False]

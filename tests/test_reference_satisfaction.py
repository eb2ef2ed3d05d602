"""Chapter 03's reference answers against independent peers (pingouin's Cronbach's alpha,
statsmodels' OLS, a simulation of the NPS sampling error) and against small cases worked
out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_lab import satisfaction as rules
from crm_lab.data import load_surveys
from grader.fixtures_satisfaction import (
    EDGE_AS_OF,
    edge_ipa,
    edge_items,
    edge_orders,
    edge_shipments,
    edge_surveys,
)
from grader.reference import satisfaction as ref

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def surveys():
    return load_surveys(SHIPPED)


def test_cronbach_alpha_matches_pingouin_on_every_dimension(surveys):
    pingouin = pytest.importorskip("pingouin")  # GPL-3: a test-only peer
    done = ref.answered(surveys)
    for d in rules.DIMENSIONS:
        items = done[list(rules.PERCEPTION_COLUMNS[d])].astype(float)
        theirs = pingouin.cronbach_alpha(items, nan_policy="listwise")[0]
        assert ref.cronbach_alpha(items) == pytest.approx(theirs, abs=1e-9), d
    items = done[list(rules.ITEM_COLUMNS)].astype(float)
    assert ref.cronbach_alpha(items) == pytest.approx(
        pingouin.cronbach_alpha(items, nan_policy="listwise")[0], abs=1e-9)


def test_cronbach_alpha_drops_incomplete_rows_as_pingouin_listwise():
    pingouin = pytest.importorskip("pingouin")
    items = edge_items().astype(float)
    theirs = pingouin.cronbach_alpha(items, nan_policy="listwise")[0]
    assert ref.cronbach_alpha(items) == pytest.approx(theirs, abs=1e-12)
    assert ref.cronbach_alpha(items) != pytest.approx(
        pingouin.cronbach_alpha(items.fillna(0), nan_policy="listwise")[0])


def test_cronbach_alpha_by_hand():
    """Two items; variances 1 and 1, sums 2, 4, 6 with variance 4: alpha = 2 * (1 - 2/4)."""
    items = pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]})
    assert ref.cronbach_alpha(items) == pytest.approx(1.0)
    items = pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1]})  # sums constant: variance 0
    with np.errstate(divide="ignore", invalid="ignore"):
        assert not np.isfinite(ref.cronbach_alpha(items))


@pytest.mark.parametrize("table", ["shop", "edge"])
def test_key_driver_coefficients_match_statsmodels_ols(surveys, table):
    sm = pytest.importorskip("statsmodels.api")
    data = surveys if table == "shop" else edge_surveys()
    scores = ref.perception_scores(data)
    y = ref.answered(data)["overall_satisfaction"].astype(float).to_numpy()
    fit = sm.OLS(y, sm.add_constant(scores[list(rules.DIMENSIONS)].to_numpy())).fit()
    drivers = ref.key_drivers(data)
    np.testing.assert_allclose(drivers.coefficient.to_numpy(), fit.params[1:], atol=1e-9)
    for d in rules.DIMENSIONS:
        r = np.corrcoef(scores[d], y)[0, 1]
        assert drivers.loc[d, "correlation"] == pytest.approx(r, abs=1e-12)


def test_nps_by_hand():
    """10, 9 promoters; 8, 7 passives; 6, 0 detractors; a missing answer left out."""
    score = ref.nps(pd.Series([10, 9, 8, 7, 6, 0, None]))
    assert score["promoters"] == pytest.approx(2 / 6)
    assert score["passives"] == pytest.approx(2 / 6)
    assert score["detractors"] == pytest.approx(2 / 6)
    assert score["nps"] == pytest.approx(0.0, abs=1e-12)
    assert score["se"] == pytest.approx(100 * np.sqrt((4 / 6) / 6))
    assert score["n"] == 6


def test_the_nps_standard_error_matches_a_simulation():
    """Draw 20,000 samples of 300 answers from a shop with 50/30/20: the spread of the NPS
    estimates is the formula's standard error."""
    rng = np.random.default_rng(0)
    shares, n = np.array([0.5, 0.3, 0.2]), 300
    counts = rng.multinomial(n, shares, size=20_000)
    estimates = 100 * (counts[:, 0] - counts[:, 2]) / n
    answers = np.repeat([10, 8, 3], (shares * n).astype(int))
    assert ref.nps(answers)["se"] == pytest.approx(estimates.std(), rel=0.03)


def test_csat_top2_and_csi_by_hand():
    assert ref.csat_top2(pd.Series([5, 4, 3, 2, None])) == pytest.approx(0.5)
    surveys = edge_surveys().head(1).copy()
    for d in rules.DIMENSIONS:
        surveys[list(rules.PERCEPTION_COLUMNS[d])] = 5
    assert ref.csi(surveys) == pytest.approx(100.0)
    for d in rules.DIMENSIONS:
        surveys[list(rules.PERCEPTION_COLUMNS[d])] = 3
    surveys["perc_quality_1"], surveys["perc_quality_2"] = 5, 5
    # quality at 100, the rest at 50; weights 3 and 1 (not summing to 1) give 75 + 12.5.
    assert ref.csi(surveys, {"quality": 3, "value": 1}) == pytest.approx(87.5)
    assert ref.csi(surveys) == pytest.approx(100 * (0.3 + 0.7 * 0.5))


def test_gap_scores_and_straight_liners_on_the_rule_cases():
    surveys = edge_surveys()
    gaps = ref.gap_scores(surveys)
    done = surveys[surveys.answered]
    value = (done.perc_value_1.astype(float) + done.perc_value_2.astype(float)) / 2
    assert gaps.loc["value", "perception"] == pytest.approx(value.mean())
    assert gaps.loc["value", "gap"] == pytest.approx(value.mean() - done.exp_value.mean())
    assert list(gaps.index) == list(rules.DIMENSIONS)
    flags = ref.straight_liners(surveys)
    assert list(flags[flags].index) == ["S17"] and len(flags) == 20


def test_ipa_quadrants_cut_at_the_mean_with_ties_high():
    quadrants = ref.ipa_quadrants(edge_ipa())
    assert quadrants.to_dict() == {
        "a": "concentrate here",
        "b": "keep up the good work",
        "c": "possible overkill",
        "d": "possible overkill",
        "e": "possible overkill",
        "f": "low priority",
    }


def test_response_comparison_on_the_rule_cases():
    table = ref.response_comparison(edge_surveys(), edge_orders(), edge_shipments())
    assert list(table.index) == [False, True]
    assert table.loc[True, "invited"] == 20 and table.loc[False, "invited"] == 4
    assert table.loc[True, "late_share"] == pytest.approx(2 / 20)  # O02 on its promise day
    assert table.loc[False, "late_share"] == pytest.approx(2 / 4)
    assert table.loc[True, "refunded_share"] == pytest.approx(2 / 20)
    assert table.loc[False, "mean_order_cny"] == pytest.approx(np.mean([310, 320, 330, 340]))


def test_repurchase_by_satisfaction_on_the_rule_cases():
    """A (level 5) bought again on day 180: in; C (level 2) an hour later: in; B one minute
    past the window, D refunded, E closed, F before: out; T too recent: no row."""
    rates = ref.repurchase_by_satisfaction(edge_surveys(), edge_orders(), EDGE_AS_OF)
    assert rates.surveys.sum() == 19
    level = edge_surveys().set_index("customer_id").overall_satisfaction.dropna().astype(int)
    assert rates.loc[level["A"], "repurchase_rate"] == pytest.approx(1.0)
    back = {level["A"]: 1, level["C"]: 1}
    expected = {k: back.get(k, 0) / n for k, n in rates.surveys.items()}
    assert rates.repurchase_rate.to_dict() == pytest.approx(expected)


def test_nps_group_labels_the_cut_offs():
    assert rules.nps_group([0, 6, 7, 8, 9, 10]).tolist() == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"]
    with pytest.raises(ValueError, match="0-10"):
        rules.nps_group([11])

"""The satisfaction chapter's autograder tests are honest: every correct answer passes, in
any reasonable style, and each common mistake fails exactly the cells it should.

Graded in-process (see harness.py); the nbgrader round trip checks a real kernel agrees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from autograder_contract import ChapterAutograder

from crm_lab.satisfaction import (
    CSI_WEIGHTS,
    DIMENSIONS,
    EXPECTATION_COLUMNS,
    FOLLOW_UP_DAYS,
    ITEM_COLUMNS,
    LIKERT_COLUMNS,
    PERCEPTION_COLUMNS,
    nps_group,
)
from grader.reference import satisfaction as ref

REFERENCE = {
    "gap_scores": ref.gap_scores,
    "nps": ref.nps,
    "csat_top2": ref.csat_top2,
    "cronbach_alpha": ref.cronbach_alpha,
    "straight_liners": ref.straight_liners,
    "csi": ref.csi,
    "key_drivers": ref.key_drivers,
    "ipa_quadrants": ref.ipa_quadrants,
    "response_comparison": ref.response_comparison,
    "repurchase_by_satisfaction": ref.repurchase_by_satisfaction,
}
GAP_CELLS = {"test_gap_scores_shop", "test_gap_scores_rules"}
NPS_CELLS = {"test_nps_shop", "test_nps_rules"}
DRIVER_CELLS = {"test_key_drivers_shop", "test_key_drivers_rules"}


def _done(surveys):
    return surveys[surveys["answered"].astype(bool)]


def _scores(done, first_item_only=False):
    return pd.DataFrame({
        d: done[PERCEPTION_COLUMNS[d][0]].astype(float) if first_item_only
        else done[list(PERCEPTION_COLUMNS[d])].astype(float).mean(axis=1)
        for d in DIMENSIONS
    })


def _nps_from(answers, promoter_from=9, detractor_to=6, se=None):
    p = float((answers >= promoter_from).mean())
    d = float((answers <= detractor_to).mean())
    n = len(answers)
    error = 100 * np.sqrt((p + d - (p - d) ** 2) / n) if se is None else se(p, d, n)
    return {"promoters": p, "passives": 1 - p - d, "detractors": d, "nps": 100 * (p - d),
            "se": error}


def _drivers(done, coefficients, correlation=None):
    scores = _scores(done)
    overall = done["overall_satisfaction"].astype(float)
    corr = correlation(scores, overall) if correlation else scores.corrwith(overall)
    return pd.DataFrame(
        {"correlation": corr.to_numpy(), "coefficient": coefficients(scores, overall)},
        index=pd.Index(DIMENSIONS, name="dimension"),
    )


def _quadrants(table, importance_cut, performance_cut, ties_high=True):
    high = (lambda s, cut: s >= cut) if ties_high else (lambda s, cut: s > cut)
    hi_imp, hi_perf = high(table["importance"], importance_cut), high(table["performance"],
                                                                      performance_cut)
    names = [ref.QUADRANTS[(bool(i), bool(p))] for i, p in zip(hi_imp, hi_perf, strict=True)]
    return pd.Series(names, index=table.index)


def _repurchase(surveys, orders, as_of, days, *, statuses=("paid",), include_same=False,
                censor=True, window=None, end_inclusive=True):
    span = window if window is not None else pd.Timedelta(days=days)
    done = _done(surveys).merge(orders[["order_id", "order_time"]], on="order_id")
    if censor:
        done = done[done["order_time"] + span <= pd.Timestamp(as_of)]
    later_orders = orders.loc[orders["status"].astype(str).isin(statuses),
                              ["customer_id", "order_time", "order_id"]]
    pairs = done[["survey_id", "customer_id", "order_time", "order_id"]].merge(
        later_orders, on="customer_id", suffixes=("", "_next"))
    after = (pairs["order_time_next"] >= pairs["order_time"]) if include_same else (
        pairs["order_time_next"] > pairs["order_time"])
    before_end = (pairs["order_time_next"] <= pairs["order_time"] + span) if end_inclusive else (
        pairs["order_time_next"] < pairs["order_time"] + span)
    back = set(pairs.loc[after & before_end, "survey_id"])
    done = done.assign(repurchased=done["survey_id"].isin(back))
    return done.groupby("overall_satisfaction").agg(surveys=("survey_id", "size"),
                                                    repurchase_rate=("repurchased", "mean"))


# ---- other correct styles -------------------------------------------------------------


def gap_scores_loop_column(surveys):
    """A dimension column, rows shuffled, means of the two item means (equal: no gaps)."""
    done = _done(surveys)
    rows = []
    for d in DIMENSIONS:
        items = done[list(PERCEPTION_COLUMNS[d])].astype("float64")
        perception = (items.iloc[:, 0] + items.iloc[:, 1]).sum() / (2 * len(items))
        expectation = done[EXPECTATION_COLUMNS[d]].astype("float64").sum() / len(done)
        rows.append({"gap": perception - expectation, "dimension": d, "perception": perception,
                     "expectation": expectation})
    return pd.DataFrame(rows).iloc[::-1]


def gap_scores_melt(surveys):
    """Long format: melt the items, map each to its dimension, pivot."""
    done = _done(surveys)
    long = done.melt(id_vars="survey_id", value_vars=list(ITEM_COLUMNS), var_name="item",
                     value_name="score").dropna()
    long["kind"] = np.where(long["item"].str.startswith("exp_"), "expectation", "perception")
    long["dimension"] = long["item"].str.split("_").str[1]
    per_person = long.groupby(["dimension", "kind", "survey_id"])["score"].mean()
    table = per_person.groupby(["dimension", "kind"]).mean().unstack("kind")
    table["gap"] = table["perception"] - table["expectation"]
    return table.reindex(list(DIMENSIONS)).rename_axis("dimension").rename_axis(None, axis=1)


def nps_dict_from_groups(recommend):
    """nps_group and value_counts(normalize=True), returned as a dict."""
    shares = nps_group(pd.Series(recommend).dropna()).value_counts(normalize=True)
    p, d = shares.get("promoter", 0.0), shares.get("detractor", 0.0)
    n = int(pd.Series(recommend).notna().sum())
    return {"promoters": p, "passives": shares.get("passive", 0.0), "detractors": d,
            "nps": (p - d) * 100, "se": np.sqrt((p + d - (p - d) ** 2) / n) * 100}


def nps_variance_of_scores(recommend):
    """The NPS as the mean of +100 / 0 / -100 scores; se from their variance (ddof=0)."""
    answers = pd.Series(recommend, dtype="Float64").dropna().astype(float)
    points = np.select([answers >= 9, answers <= 6], [100.0, -100.0], 0.0)
    return pd.Series({"promoters": (points == 100).mean(), "passives": (points == 0).mean(),
                      "detractors": (points == -100).mean(), "nps": points.mean(),
                      "se": points.std(ddof=0) / np.sqrt(len(points))})


def csat_top2_isin(scores):
    scores = pd.Series(scores)
    return np.float64(scores.isin([4, 5]).sum() / scores.notna().sum())


def cronbach_alpha_covariance(items):
    """From the covariance matrix: trace over total sum, numpy."""
    data_ = items.dropna().to_numpy(dtype=float)
    cov = np.cov(data_, rowvar=False)
    k = cov.shape[0]
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def straight_liners_max_min(surveys):
    """max == min across the items, index set first, another name."""
    done = _done(surveys).set_index("survey_id")[list(ITEM_COLUMNS)]
    return (done.max(axis=1) == done.min(axis=1)).rename("same_everywhere")


def csi_vectorised(surveys, weights=CSI_WEIGHTS):
    w = pd.Series(weights, dtype=float)
    means = _scores(_done(surveys))[w.index].mean()
    return float(((means - 1) * 25 * w).sum() / w.sum())


def key_drivers_lstsq_column(surveys):
    """numpy least squares, dimension as a column, correlation by np.corrcoef."""
    done = _done(surveys)
    scores = _scores(done)
    y = done["overall_satisfaction"].astype(float).to_numpy()
    x = np.column_stack([scores.to_numpy(), np.ones(len(scores))])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    corr = [np.corrcoef(scores[d], y)[0, 1] for d in DIMENSIONS]
    return pd.DataFrame({"dimension": list(DIMENSIONS), "coefficient": beta[:-1],
                         "correlation": corr, "intercept": beta[-1]})


def ipa_quadrants_apply(table):
    """Row by row with apply, a dict lookup, a plain list back."""
    i_mean, p_mean = table["importance"].mean(), table["performance"].mean()
    lookup = {(True, True): "keep up the good work", (True, False): "concentrate here",
              (False, True): "possible overkill", (False, False): "low priority"}
    return table.apply(lambda r: lookup[(r["importance"] >= i_mean, r["performance"] >= p_mean)],
                       axis=1)


def response_comparison_apply(surveys, orders, shipments):
    """groupby().apply with a Series per group, and a rename with inplace=True: right;
    pandas 3 warns that inplace is deprecated (Pandas4Warning)."""
    table = surveys.merge(shipments, on=["order_id", "customer_id"], how="left").merge(
        orders[["order_id", "status", "net_amount_cny"]], on="order_id", how="left")
    table.rename(columns={"net_amount_cny": "amount"}, inplace=True)
    return table.groupby("answered").apply(lambda g: pd.Series({
        "invited": len(g),
        "late_share": (g["delivery_days"] > g["promised_days"]).mean(),
        "refunded_share": (g["status"] == "refunded").mean(),
        "mean_order_cny": g["amount"].mean(),
    }))


def response_comparison_maps(surveys, orders, shipments):
    """Lookups by map, answered as a column, shares in float64."""
    ships = shipments.set_index("order_id")
    info = orders.set_index("order_id")
    late = surveys["order_id"].map(ships["delivery_days"] - ships["promised_days"]) > 0
    refunded = surveys["order_id"].map(info["status"].astype(str)).eq("refunded")
    amount = surveys["order_id"].map(info["net_amount_cny"])
    frame = pd.DataFrame({"answered": surveys["answered"].to_numpy(), "late": late.to_numpy(),
                          "refunded": refunded.to_numpy(), "amount": amount.to_numpy()})
    out = frame.groupby("answered", as_index=False).agg(
        invited=("late", "size"), late_share=("late", "mean"),
        refunded_share=("refunded", "mean"), mean_order_cny=("amount", "mean"))
    return out


def repurchase_loop(surveys, orders, as_of, days=FOLLOW_UP_DAYS):
    """A loop over surveys with each customer's paid order times, level as a float column."""
    paid = orders[orders["status"] == "paid"]
    times = {c: g["order_time"].to_numpy() for c, g in paid.groupby("customer_id", observed=True)}
    when = orders.set_index("order_id")["order_time"]
    span = np.timedelta64(days, "D")
    rows = []
    for survey in _done(surveys).itertuples():
        t = when[survey.order_id].to_datetime64()
        if t + span > np.datetime64(pd.Timestamp(as_of)):
            continue
        mine = times.get(survey.customer_id, np.array([], dtype="datetime64[ns]"))
        rows.append({"overall_satisfaction": float(survey.overall_satisfaction),
                     "back": bool(((mine > t) & (mine <= t + span)).any())})
    table = pd.DataFrame(rows)
    return (table.groupby("overall_satisfaction")["back"].agg(["size", "mean"])
            .rename(columns={"size": "surveys", "mean": "repurchase_rate"}).reset_index())


CORRECT_STYLES = {
    "gaps in a loop, dimension as a column, rows reversed": dict(gap_scores=gap_scores_loop_column),
    "gaps from a long table": dict(gap_scores=gap_scores_melt),
    "NPS from nps_group, a dict": dict(nps=nps_dict_from_groups),
    "NPS as the mean of +100/0/-100 scores, se from their spread": dict(
        nps=nps_variance_of_scores),
    "CSAT with isin, a numpy float": dict(csat_top2=csat_top2_isin),
    "alpha from the covariance matrix": dict(cronbach_alpha=cronbach_alpha_covariance),
    "straight-liners by max == min": dict(straight_liners=straight_liners_max_min),
    "CSI vectorised with a weights Series": dict(csi=csi_vectorised),
    "drivers by numpy lstsq, dimension as a column, an extra column": dict(
        key_drivers=key_drivers_lstsq_column),
    "IPA row by row with apply": dict(ipa_quadrants=ipa_quadrants_apply),
    "non-response by groupby.apply, rename(inplace=True) (pandas warns)": dict(
        response_comparison=response_comparison_apply),
    "non-response with map, answered as a column": dict(
        response_comparison=response_comparison_maps),
    "repurchase in a loop, float levels as a column": dict(
        repurchase_by_satisfaction=repurchase_loop),
}


# ---- common mistakes ------------------------------------------------------------------


def gap_expectation_minus_perception(surveys):
    out = ref.gap_scores(surveys)
    return out.assign(gap=-out["gap"])


def gap_first_item_only(surveys):
    done = _done(surveys)
    scores = _scores(done, first_item_only=True)
    out = pd.DataFrame({"expectation": [done[EXPECTATION_COLUMNS[d]].astype(float).mean()
                                        for d in DIMENSIONS],
                        "perception": scores.mean().to_numpy()},
                       index=pd.Index(DIMENSIONS, name="dimension"))
    return out.assign(gap=out["perception"] - out["expectation"])


def gap_unanswered_as_zero(surveys):
    filled = surveys.copy()
    filled[list(ITEM_COLUMNS)] = filled[list(ITEM_COLUMNS)].fillna(0)
    return ref.gap_scores(filled.assign(answered=True))


def nps_promoters_from_8(recommend):
    return _nps_from(pd.Series(recommend, dtype=float).dropna(), promoter_from=8)


def nps_detractors_below_6(recommend):
    return _nps_from(pd.Series(recommend, dtype=float).dropna(), detractor_to=5)


def nps_missing_in_denominator(recommend):
    answers = pd.Series(recommend, dtype=float)
    p, d = float((answers >= 9).sum() / len(answers)), float((answers <= 6).sum() / len(answers))
    return {"promoters": p, "passives": 1 - p - d, "detractors": d, "nps": 100 * (p - d),
            "se": 100 * np.sqrt((p + d - (p - d) ** 2) / len(answers))}


def nps_se_of_promoters_only(recommend):
    return _nps_from(pd.Series(recommend, dtype=float).dropna(),
                     se=lambda p, d, n: 100 * np.sqrt(p * (1 - p) / n))


def nps_se_as_a_share(recommend):
    return _nps_from(pd.Series(recommend, dtype=float).dropna(),
                     se=lambda p, d, n: np.sqrt((p + d - (p - d) ** 2) / n))


def csat_top3(scores):
    return float((pd.Series(scores, dtype=float).dropna() >= 3).mean())


def csat_mean_over_5(scores):
    return float(pd.Series(scores, dtype=float).mean() / 5)


def csat_missing_in_denominator(scores):
    scores = pd.Series(scores, dtype=float)
    return float((scores >= 4).sum() / len(scores))


def alpha_numpy_and_pandas_variances(items):
    """np.var (ddof=0) for the items, pandas .var() (ddof=1) for the total."""
    complete = items.astype(float).dropna()
    k = complete.shape[1]
    item_var = sum(np.var(complete[c].to_numpy()) for c in complete.columns)
    return k / (k - 1) * (1 - item_var / complete.sum(axis=1).var())


def alpha_without_k_factor(items):
    complete = items.astype(float).dropna()
    return 1 - complete.var().sum() / complete.sum(axis=1).var()


def alpha_keeps_missing_rows(items):
    items = items.astype(float)
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var().sum() / items.sum(axis=1).var())


def alpha_standardised(items):
    """The standardised alpha from the mean inter-item correlation: another statistic."""
    complete = items.astype(float).dropna()
    k = complete.shape[1]
    corr = complete.corr().to_numpy()
    r = corr[np.triu_indices(k, 1)].mean()
    return k * r / (1 + (k - 1) * r)


def straight_liners_with_every_answer(surveys):
    done = _done(surveys).set_index("survey_id")
    return done[[*LIKERT_COLUMNS, "recommend"]].nunique(axis=1) == 1


def straight_liners_perceptions_only(surveys):
    done = _done(surveys).set_index("survey_id")
    items = [c for d in DIMENSIONS for c in PERCEPTION_COLUMNS[d]]
    return done[items].nunique(axis=1) == 1


def straight_liners_every_row(surveys):
    return surveys.set_index("survey_id")[list(ITEM_COLUMNS)].nunique(axis=1) == 1


def csi_not_rescaled(surveys, weights=CSI_WEIGHTS):
    means = _scores(_done(surveys)).mean()
    return float(sum(w * means[d] for d, w in weights.items()) / sum(weights.values()) * 20)


def csi_weights_not_normalised(surveys, weights=CSI_WEIGHTS):
    means = _scores(_done(surveys)).mean()
    return float(sum(w * (means[d] - 1) / 4 * 100 for d, w in weights.items()))


def csi_of_expectations(surveys, weights=CSI_WEIGHTS):
    done = _done(surveys)
    means = {d: done[EXPECTATION_COLUMNS[d]].astype(float).mean() for d in DIMENSIONS}
    return float(sum(w * (means[d] - 1) / 4 * 100 for d, w in weights.items())
                 / sum(weights.values()))


def drivers_one_regression_per_dimension(surveys):
    return _drivers(_done(surveys), lambda x, y: [np.polyfit(x[d], y, 1)[0] for d in DIMENSIONS])


def drivers_without_intercept(surveys):
    return _drivers(_done(surveys),
                    lambda x, y: np.linalg.lstsq(x.to_numpy(), y.to_numpy(), rcond=None)[0])


def drivers_standardised(surveys):
    def beta(x, y):
        z = (x - x.mean()) / x.std()
        zy = (y - y.mean()) / y.std()
        return np.linalg.lstsq(np.column_stack([np.ones(len(z)), z]), zy, rcond=None)[0][1:]
    return _drivers(_done(surveys), beta)


def drivers_spearman(surveys):
    def fit(x, y):
        return np.linalg.lstsq(np.column_stack([np.ones(len(x)), x]), y, rcond=None)[0][1:]
    return _drivers(_done(surveys), fit, correlation=lambda x, y: x.corrwith(y, method="spearman"))


def ipa_median_cut(table):
    return _quadrants(table, table["importance"].median(), table["performance"].median())


def ipa_scale_midpoint(table):
    return _quadrants(table, table["importance"].mean(), 3.0)


def ipa_axes_swapped(table):
    swapped = table.rename(columns={"importance": "performance", "performance": "importance"})
    return _quadrants(swapped, swapped["importance"].mean(), swapped["performance"].mean())


def ipa_ties_low(table):
    return _quadrants(table, table["importance"].mean(), table["performance"].mean(),
                      ties_high=False)


def response_late_on_the_promised_day(surveys, orders, shipments):
    ships = shipments.assign(delivery_days=shipments["delivery_days"] + 1)
    return ref.response_comparison(surveys, orders, ships)


def response_against_every_shipment(surveys, orders, shipments):
    """Respondents against every shipped order, not against the invited non-respondents."""
    respondents = _done(surveys)[["order_id", "answered"]]
    everyone = shipments[["order_id"]].assign(answered=False)
    return ref.response_comparison(pd.concat([everyone, respondents]), orders, shipments)


def repurchase_counts_the_order_itself(surveys, orders, as_of, days=FOLLOW_UP_DAYS):
    return _repurchase(surveys, orders, as_of, days, include_same=True)


def repurchase_without_a_full_window(surveys, orders, as_of, days=FOLLOW_UP_DAYS):
    return _repurchase(surveys, orders, as_of, days, censor=False)


def repurchase_any_status(surveys, orders, as_of, days=FOLLOW_UP_DAYS):
    return _repurchase(surveys, orders, as_of, days, statuses=("paid", "refunded", "closed"))


def repurchase_six_calendar_months(surveys, orders, as_of, days=FOLLOW_UP_DAYS):
    return _repurchase(surveys, orders, as_of, days, window=pd.DateOffset(months=days // 30))


def repurchase_window_open_at_the_end(surveys, orders, as_of, days=FOLLOW_UP_DAYS):
    return _repurchase(surveys, orders, as_of, days, end_inclusive=False)


MISTAKES = {
    "gap as expectation minus perception": (
        dict(gap_scores=gap_expectation_minus_perception), GAP_CELLS),
    "perception from the first item only": (dict(gap_scores=gap_first_item_only), GAP_CELLS),
    "unanswered surveys counted as zeros": (dict(gap_scores=gap_unanswered_as_zero), GAP_CELLS),
    "promoters from 8": (dict(nps=nps_promoters_from_8), NPS_CELLS),
    "detractors only up to 5": (dict(nps=nps_detractors_below_6), NPS_CELLS),
    "NPS counts missing answers in the denominator": (
        dict(nps=nps_missing_in_denominator), NPS_CELLS),
    "NPS standard error of the promoter share alone": (
        dict(nps=nps_se_of_promoters_only), NPS_CELLS),
    "NPS standard error as a share, not in points": (dict(nps=nps_se_as_a_share), NPS_CELLS),
    "CSAT counts 3s (top-3-box)": (dict(csat_top2=csat_top3), {"test_csat_top2"}),
    "CSAT as the mean score over 5": (dict(csat_top2=csat_mean_over_5), {"test_csat_top2"}),
    "CSAT counts missing answers": (
        dict(csat_top2=csat_missing_in_denominator), {"test_csat_top2"}),
    "alpha mixes np.var (ddof=0) with pandas var (ddof=1)": (
        dict(cronbach_alpha=alpha_numpy_and_pandas_variances), {"test_cronbach_alpha"}),
    "alpha without k / (k - 1)": (
        dict(cronbach_alpha=alpha_without_k_factor), {"test_cronbach_alpha"}),
    "alpha keeps incomplete rows": (
        dict(cronbach_alpha=alpha_keeps_missing_rows), {"test_cronbach_alpha"}),
    "standardised alpha (mean inter-item correlation)": (
        dict(cronbach_alpha=alpha_standardised), {"test_cronbach_alpha"}),
    "straight-liners across every answer, the 0-10 one too": (
        dict(straight_liners=straight_liners_with_every_answer), {"test_straight_liners"}),
    "straight-liners on the perception items only": (
        dict(straight_liners=straight_liners_perceptions_only), {"test_straight_liners"}),
    "straight-liners among every invited survey": (
        dict(straight_liners=straight_liners_every_row), {"test_straight_liners"}),
    "CSI on the 1-5 scale times 20": (dict(csi=csi_not_rescaled), {"test_csi"}),
    "CSI weights not divided by their sum": (dict(csi=csi_weights_not_normalised), {"test_csi"}),
    "CSI of expectations": (dict(csi=csi_of_expectations), {"test_csi"}),
    "drivers from one regression per dimension": (
        dict(key_drivers=drivers_one_regression_per_dimension), DRIVER_CELLS),
    "drivers without an intercept": (dict(key_drivers=drivers_without_intercept), DRIVER_CELLS),
    "drivers as standardised betas": (dict(key_drivers=drivers_standardised), DRIVER_CELLS),
    "drivers with Spearman correlations": (dict(key_drivers=drivers_spearman), DRIVER_CELLS),
    "IPA cut at the medians": (dict(ipa_quadrants=ipa_median_cut), {"test_ipa_quadrants"}),
    "IPA cut at the scale's midpoint 3": (
        dict(ipa_quadrants=ipa_scale_midpoint), {"test_ipa_quadrants"}),
    "IPA axes swapped": (dict(ipa_quadrants=ipa_axes_swapped), {"test_ipa_quadrants"}),
    "IPA puts ties on the mean low": (dict(ipa_quadrants=ipa_ties_low), {"test_ipa_quadrants"}),
    "late includes delivery on the promised day": (
        dict(response_comparison=response_late_on_the_promised_day),
        {"test_response_comparison"}),
    "respondents against every shipment": (
        dict(response_comparison=response_against_every_shipment), {"test_response_comparison"}),
    "repurchase counts the surveyed order": (
        dict(repurchase_by_satisfaction=repurchase_counts_the_order_itself),
        {"test_repurchase_by_satisfaction"}),
    "repurchase keeps orders without a full window": (
        dict(repurchase_by_satisfaction=repurchase_without_a_full_window),
        {"test_repurchase_by_satisfaction"}),
    "repurchase counts refunded and closed orders": (
        dict(repurchase_by_satisfaction=repurchase_any_status),
        {"test_repurchase_by_satisfaction"}),
    "repurchase window of six calendar months": (
        dict(repurchase_by_satisfaction=repurchase_six_calendar_months),
        {"test_repurchase_by_satisfaction"}),
    "repurchase window leaves out its last moment": (
        dict(repurchase_by_satisfaction=repurchase_window_open_at_the_end),
        {"test_repurchase_by_satisfaction"}),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "03_satisfaction"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "non-response by groupby.apply, rename(inplace=True) (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 12

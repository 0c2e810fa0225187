"""Lesson 03 logic without TensorFlow: the split, evaluation, theory and baselines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from course.credit import baselines, evaluate, theory
from course.credit.data import CATEGORICAL, FEATURES, NUMERIC, load_credit, split_data


def test_credit_frame_and_split_are_fixed_and_stratified():
    credit = load_credit()
    assert credit.shape == (1000, 21) and credit["default"].sum() == 300
    assert set(FEATURES) == set(NUMERIC) | set(CATEGORICAL) and len(FEATURES) == 20
    split = split_data()
    assert split.sizes() == {"train": 600, "validation": 200, "test": 200}
    for part in (split.train, split.validation, split.test):
        assert part["default"].mean() == pytest.approx(0.3)
    indices = [set(p.index) for p in (split.train, split.validation, split.test)]
    assert not (indices[0] & indices[1] or indices[0] & indices[2] or indices[1] & indices[2])
    assert list(split_data().test.index) == list(split.test.index)  # same split every time


Y = np.array([0, 0, 1, 1])
P = np.array([0.1, 0.4, 0.35, 0.8])


def test_expected_cost_and_best_threshold_by_hand():
    assert evaluate.expected_cost(Y, P, 0.5) == pytest.approx((5 * 1 + 0) / 4)  # one bad approved
    assert evaluate.expected_cost(Y, P, 0.3) == pytest.approx(1 / 4)  # one good rejected
    assert evaluate.expected_cost(Y, P, 0.0) == pytest.approx(2 / 4)
    threshold = evaluate.best_threshold(Y, P)
    assert evaluate.expected_cost(Y, P, threshold) == pytest.approx(0.25)
    costs = evaluate.cost_table(Y, P, threshold)
    assert costs.to_dict() == pytest.approx(
        {"model": 0.25, "approve everyone": 2.5, "reject everyone": 0.5}
    )


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([0, 1], [0.2], "2 labels but 1"),
        ([0, 1], [0.2, 1.5], r"\[0, 1\]"),
        ([0, 1], [np.nan, 0.2], "finite"),
    ],
)
def test_evaluation_refuses_bad_probabilities(y, p, message):
    with pytest.raises(ValueError, match=message):
        evaluate.expected_cost(y, p, 0.5)


def test_report_confusion_reliability_and_groups():
    report = evaluate.classification_report(Y, P, 0.3)
    assert report["roc_auc"] == pytest.approx(0.75) and report["recall"] == 1.0
    assert report["precision"] == pytest.approx(2 / 3)
    matrix = evaluate.confusion(Y, P, 0.3)
    assert (
        matrix.loc["good (truth)", "rejected"] == 1 and matrix.loc["bad (truth)", "approved"] == 0
    )
    rng = np.random.default_rng(0)
    p = rng.uniform(size=2000)
    y = (rng.uniform(size=2000) < p).astype(int)  # perfectly calibrated by construction
    table = evaluate.reliability(y, p, bins=5)
    assert len(table) == 5 and table["applicants"].sum() == 2000
    assert np.allclose(table["predicted"], table["observed"], atol=0.05)
    groups = pd.Series(pd.Categorical(["b", "a", "b", "a"], categories=["b", "a"]))
    rates = evaluate.group_rates(Y, P, 0.3, groups)
    assert list(rates.index) == ["b", "a"]
    assert rates.loc["a", "false_rejection_rate"] == 1.0 and rates.loc["b", "approval_rate"] == 0.5


def test_binary_cross_entropy_and_numeric_gradient():
    assert theory.binary_cross_entropy([1, 0], [0.9, 0.2]) == pytest.approx(
        -(math.log(0.9) + math.log(0.8)) / 2
    )
    assert theory.binary_cross_entropy([1], [0.0]) == pytest.approx(-math.log(1e-7))
    with pytest.raises(ValueError, match="shape"):
        theory.binary_cross_entropy([1, 0], [0.5])
    gradient = theory.numeric_gradient(lambda w: float(np.sum(w**3)), np.array([1.0, -2.0]))
    assert gradient == pytest.approx([3.0, 12.0], rel=1e-6)
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    # d/dw of mean BCE at w = 0 is x.T @ (sigmoid(0) - y) / n
    analytic = x.T @ (0.5 - np.array([1.0, 0.0])) / 2
    numeric = theory.numeric_gradient(lambda w: theory.logistic_loss(w, x, [1, 0]), np.zeros(2))
    assert numeric == pytest.approx(analytic, rel=1e-6)


def test_baselines_cross_validate_on_the_same_folds():
    data = pd.concat([split_data().train, split_data().validation])
    logistic = baselines.cross_validate(
        baselines.sklearn_fit_predict(baselines.logistic_regression), data
    )
    boosting = baselines.cross_validate(
        baselines.sklearn_fit_predict(baselines.gradient_boosting), data
    )
    assert len(logistic) == len(boosting) == 10
    assert round(logistic["roc_auc"].mean(), 4) == 0.7804  # bands one-hot
    table = baselines.summary({"logistic regression": logistic, "gradient boosting": boosting})
    assert list(table.columns) == ["auc_mean", "auc_sd", "cost_mean", "cost_sd", "fit_seconds"]
    assert table["auc_mean"].is_monotonic_decreasing
    assert baselines.CV_THRESHOLD == pytest.approx(1 / 6)
    gaps = baselines.paired_differences(
        {"logistic regression": logistic, "gradient boosting": boosting}, "logistic regression"
    )
    assert round(gaps.loc["gradient boosting", "mean_difference"], 4) == round(
        logistic["roc_auc"].mean() - boosting["roc_auc"].mean(), 4
    )
    assert gaps.loc["gradient boosting", "low"] < 0 < gaps.loc["gradient boosting", "high"]


def test_bayes_threshold_follows_from_the_cost_matrix():
    assert evaluate.BAYES_THRESHOLD == pytest.approx(1 / 6)
    # At p = 1/6 rejecting and approving cost the same on average: (1 - p) * 1 == p * 5.
    p = evaluate.BAYES_THRESHOLD
    assert (1 - p) * 1 == pytest.approx(p * 5)


def test_threshold_costs_band_and_calibration_gap_by_hand():
    table = evaluate.threshold_costs(Y, P, {"low": 0.3, "high": 0.5})
    assert table.loc["low"].to_dict() == pytest.approx(
        {"threshold": 0.3, "cost_per_applicant": 0.25, "rejected_share": 0.75, "accuracy": 0.75}
    )
    assert table.loc["high"].to_dict() == pytest.approx(
        {"threshold": 0.5, "cost_per_applicant": 1.25, "rejected_share": 0.25, "accuracy": 0.75}
    )
    between = evaluate.band(Y, P, 0.3, 0.5)  # p = 0.4 (good) and 0.35 (bad); 0.5 excluded
    assert between["applicants"] == 2 and between["default_rate"] == pytest.approx(0.5)
    assert evaluate.band(Y, P, 0.5, 0.6)["applicants"] == 0
    assert math.isnan(evaluate.band(Y, P, 0.5, 0.6)["default_rate"])
    reliability = pd.DataFrame(
        {"predicted": [0.1, 0.4, 0.6], "observed": [0.12, 0.65, 0.5], "applicants": [10, 10, 10]}
    )
    gap = evaluate.largest_calibration_gap(reliability)
    assert gap["predicted"] == 0.4 and gap["gap"] == pytest.approx(0.25)  # not the 0.1 below it
    reliability.loc[2, "observed"] = 0.2  # now the third bin is off by -0.4: sign kept
    assert evaluate.largest_calibration_gap(reliability)["gap"] == pytest.approx(-0.4)


def test_paired_differences_by_hand():
    first = pd.Series([0.80, 0.70, 0.90, 0.60])
    second = pd.Series([0.70, 0.70, 0.80, 0.70])
    result = baselines.paired(first, second)
    differences = np.array([0.1, 0.0, 0.1, -0.1])
    assert result["mean_difference"] == pytest.approx(differences.mean())
    assert result["sd_difference"] == pytest.approx(differences.std(ddof=1))
    assert (result["folds_higher"], result["folds"]) == (2, 4)
    # Nadeau-Bengio: the half-width uses (1/J + test/train) * sd**2, wider than the naive
    # sd/sqrt(J).
    from scipy import stats

    half = stats.t.ppf(0.975, 3) * math.sqrt(1 / 4 + 1 / 4) * differences.std(ddof=1)
    assert result["high"] - result["mean_difference"] == pytest.approx(half)
    assert result["low"] < 0 < result["high"]
    clear = baselines.paired(first + 0.5, second)  # always higher by a lot: zero is outside
    assert clear["low"] > 0 and clear["folds_higher"] == 4
    with pytest.raises(ValueError, match="same two or more folds"):
        baselines.paired(first, second.iloc[:3])
    with pytest.raises(ValueError, match="same two or more folds"):
        baselines.paired(first, second.set_axis([5, 6, 7, 8]))


def test_cross_validate_records_a_tuned_threshold_when_the_method_returns_one():
    data = pd.concat([split_data().train, split_data().validation])
    fit = baselines.sklearn_fit_predict(baselines.logistic_regression)

    def tuned(train, test):
        return fit(train, test), 0.3

    plain, with_threshold = (
        baselines.cross_validate(fit, data),
        baselines.cross_validate(tuned, data),
    )
    assert "tuned_threshold" not in plain.columns
    assert (with_threshold["tuned_threshold"] == 0.3).all()
    assert with_threshold["roc_auc"].equals(plain["roc_auc"])  # same folds, same model
    assert not with_threshold["cost_tuned"].equals(with_threshold["cost"])
    results = {"a": plain, "b": with_threshold}
    table = baselines.paired_differences(results, "a", "roc_auc")
    assert list(table.index) == ["b"] and table.loc["b", "mean_difference"] == 0
    assert table["folds"].dtype.kind == "i"
    with pytest.raises(KeyError, match="no results"):
        baselines.paired_differences(results, "c")


def test_a_paired_verdict_reads_the_interval_the_right_way_round():
    from course.credit.baselines import verdict

    saving = pd.Series({"low": -0.06, "high": -0.01})  # a cost that fell in every draw
    assert verdict(saving, lower_is_better=True) == "a measurable gain"
    assert verdict(saving) == "a measurable loss"  # the same numbers as an AUC: it fell
    assert (
        verdict(pd.Series({"low": 0.01, "high": 0.05}), lower_is_better=True) == "a measurable loss"
    )
    assert verdict(pd.Series({"low": -0.05, "high": 0.05})) == "no measurable difference"


def test_tuning_a_miscalibrated_models_threshold_is_a_measurable_gain():
    """A real adversary for lesson 03's tuning verdict: logistic regression whose probabilities
    are a quarter of what they should be, so 1/6 approves far too many; tuning its threshold on a
    held-out quarter must show as a gain, not as 'no measurable gain'."""
    from sklearn.model_selection import train_test_split

    from course.credit import baselines, evaluate

    def shrunk(train, test):
        fit, held = train_test_split(
            train, test_size=0.25, stratify=train["default"], random_state=0
        )
        model = baselines.logistic_regression().fit(fit[FEATURES], fit["default"])
        tuned = evaluate.best_threshold(
            held["default"], model.predict_proba(held[FEATURES])[:, 1] / 4
        )
        return model.predict_proba(test[FEATURES])[:, 1] / 4, tuned

    data = pd.concat([split_data().train, split_data().validation])
    folds = baselines.cross_validate(shrunk, data)
    row = baselines.paired(folds["cost_tuned"], folds["cost"])
    assert baselines.verdict(row, lower_is_better=True) == "a measurable gain"


def test_costs_at_the_population_rate_reweight_the_rows():
    from course.credit import evaluate

    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])  # 30 % bad, as the sample
    p = np.array([0.9, 0.8, 0.1, 0.7, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05])
    at = evaluate.population_cost_table(y, p, 1 / 6, 0.3, 0.05, resamples=200)
    assert at.loc["approve everyone", "cost per applicant"] == pytest.approx(0.05 * 5)
    assert at.loc["reject everyone", "cost per applicant"] == pytest.approx(0.95)
    moved = at.attrs["threshold"]
    assert moved == pytest.approx(evaluate.prior_shift_threshold(1 / 6, 0.3, 0.05)) and moved > 0.6
    # at the moved threshold the model rejects only the 0.9 and 0.8 and the good 0.7
    expected = 0.05 * 5 * (1 / 3) + 0.95 * (1 / 7)
    assert at.loc["model", "cost per applicant"] == pytest.approx(expected)
    assert at.loc["approve everyone", "low"] <= at.loc["approve everyone", "model minus it"]

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
    assert costs.to_dict() == pytest.approx({"model": 0.25, "approve everyone": 2.5,
                                             "reject everyone": 0.5})  # fmt: skip


@pytest.mark.parametrize(("y", "p", "message"), [
    ([0, 1], [0.2], "2 labels but 1"), ([0, 1], [0.2, 1.5], r"\[0, 1\]"), ([0, 1], [np.nan, 0.2], "finite"),
])  # fmt: skip
def test_evaluation_refuses_bad_probabilities(y, p, message):
    with pytest.raises(ValueError, match=message):
        evaluate.expected_cost(y, p, 0.5)


def test_report_confusion_reliability_and_groups():
    report = evaluate.classification_report(Y, P, 0.3)
    assert report["roc_auc"] == pytest.approx(0.75) and report["recall"] == 1.0
    assert report["precision"] == pytest.approx(2 / 3)
    matrix = evaluate.confusion(Y, P, 0.3)
    assert matrix.loc["good (truth)", "rejected"] == 1 and matrix.loc["bad (truth)", "approved"] == 0
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
        -(math.log(0.9) + math.log(0.8)) / 2)  # fmt: skip
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
    logistic = baselines.cross_validate(baselines.sklearn_fit_predict(baselines.logistic_regression), data)
    boosting = baselines.cross_validate(baselines.sklearn_fit_predict(baselines.gradient_boosting), data)
    assert len(logistic) == len(boosting) == 10
    assert round(logistic["roc_auc"].mean(), 4) == 0.7855
    table = baselines.summary({"logistic regression": logistic, "gradient boosting": boosting})
    assert list(table.columns) == ["auc_mean", "auc_sd", "cost_mean", "cost_sd", "fit_seconds"]
    assert table["auc_mean"].is_monotonic_decreasing
    assert baselines.CV_THRESHOLD == pytest.approx(1 / 6)

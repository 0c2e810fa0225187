"""Lesson 03's two scikit-learn baselines on the Taiwan clients, fed the same raw columns.

Cross-validation, its folds and the paired comparison are lesson 03's own
(:func:`course.credit.baselines.cross_validate`, ``paired``, ``summary``): the same
5-fold x 2 repetitions, seed 0, on train + validation, with cost at the threshold 1/6.
"""

from __future__ import annotations

from course.credit import baselines as lesson03
from course.scale.data import CATEGORICAL, FEATURES, NUMERIC


def logistic_regression():
    """One-hot codes, standardised numbers, L2-regularised logistic regression (lesson 03's)."""
    return lesson03.logistic_regression(NUMERIC, CATEGORICAL)


def gradient_boosting():
    """Histogram gradient boosting with native categorical splits (lesson 03's settings)."""
    return lesson03.gradient_boosting(NUMERIC, CATEGORICAL)


FACTORIES = {"logistic regression": logistic_regression, "gradient boosting": gradient_boosting}


def fit_predict(factory):
    """``(train, test) -> P(default) for test`` for one of the factories above."""
    return lesson03.sklearn_fit_predict(factory, FEATURES)

"""Lesson 03's two scikit-learn baselines on the Taiwan clients, each fed the columns the way a
practitioner would: logistic regression gets every code one-hot (the demographics and the six
repayment statuses, :data:`~course.scale.data.CODED`) and the amounts as their signed logarithm,
standardised (:data:`~course.scale.data.AMOUNTS`); gradient boosting gets the codes and the
amounts as numbers (a tree can split off any code, and a logarithm changes no split) and the
demographics as native categories. One more variant, the status codes as plain numbers, shows
what the naive encoding costs a linear model.

Cross-validation, its folds and the paired comparison are lesson 03's own
(:func:`course.credit.baselines.cross_validate`, ``paired``, ``summary``): the same
5-fold x 2 repetitions, seed 0, on train + validation, with cost at the threshold 1/6.
"""

from __future__ import annotations

from course.credit import baselines as lesson03
from course.scale.data import AMOUNTS, CATEGORICAL, CODED, FEATURES, NUMERIC, STATUS


def logistic_regression():
    """Every code one-hot, amounts logged and standardised, L2-regularised logistic regression
    (lesson 03's)."""
    return lesson03.logistic_regression(NUMERIC, list(CODED), logged=AMOUNTS)


def logistic_regression_status_as_numbers():
    """The naive encoding: the repayment-status codes standardised as if they were quantities
    (everything else as :func:`logistic_regression` has it)."""
    return lesson03.logistic_regression(NUMERIC + STATUS, CATEGORICAL, logged=AMOUNTS)


def gradient_boosting():
    """Histogram gradient boosting (lesson 03's settings): demographics as native categories,
    the status codes as numbers a split can cut anywhere."""
    return lesson03.gradient_boosting(NUMERIC + STATUS, CATEGORICAL)


FACTORIES = {
    "logistic regression": logistic_regression,
    "gradient boosting": gradient_boosting,
    "logistic regression, status as numbers": logistic_regression_status_as_numbers,
}
#: The one deliberately naive model, shown beside the others to measure what its encoding costs:
#: never a baseline a comparison's verdict rests on.
COUNTEREXAMPLES = frozenset({"logistic regression, status as numbers"})


def fit_predict(factory):
    """``(train, test) -> P(default) for test`` for one of the factories above."""
    return lesson03.sklearn_fit_predict(factory, FEATURES)

"""Lesson 03's two scikit-learn baselines on the Taiwan clients, fed the same raw columns.

Cross-validation, its folds and the paired comparison are lesson 03's own
(:func:`course.credit.baselines.cross_validate`, ``paired``, ``summary``): the same
5-fold x 2 repetitions, seed 0, on train + validation, with cost at the threshold 1/6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from course.scale.data import CATEGORICAL, FEATURES, NUMERIC, SEED, TARGET


def logistic_regression():
    """One-hot codes, standardised numbers, L2-regularised logistic regression (lesson 03's)."""
    encode = make_column_transformer((StandardScaler(), NUMERIC),
                                     (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL))  # fmt: skip
    return make_pipeline(encode, LogisticRegression(max_iter=2000))


def gradient_boosting():
    """Histogram gradient boosting with native categorical splits (lesson 03's settings)."""
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), CATEGORICAL),
        ("passthrough", NUMERIC))  # fmt: skip
    model = HistGradientBoostingClassifier(categorical_features=list(range(len(CATEGORICAL))),
                                           learning_rate=0.05, max_iter=200, max_leaf_nodes=8,
                                           l2_regularization=1.0, random_state=SEED)  # fmt: skip
    return make_pipeline(encode, model)


FACTORIES = {"logistic regression": logistic_regression, "gradient boosting": gradient_boosting}


def fit_predict(factory):
    """``(train, test) -> P(default) for test`` for one of the factories above."""

    def run(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
        model = factory().fit(train[FEATURES], train[TARGET])
        return model.predict_proba(test[FEATURES])[:, 1]

    run.__name__ = factory.__name__
    return run

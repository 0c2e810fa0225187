"""scikit-learn baselines and the repeated stratified cross-validation every model goes through.

The test split never enters cross-validation: folds are drawn from train + validation only.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from course.credit.data import CATEGORICAL, FEATURES, NUMERIC, SEED, TARGET
from course.credit.evaluate import expected_cost

#: The Bayes-optimal threshold for calibrated probabilities under the 5:1 cost matrix:
#: reject when P(default) * 5 > (1 - P(default)) * 1, i.e. P(default) > 1/6.
CV_THRESHOLD = 1 / 6

FitPredict = Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]


def logistic_regression():
    """One-hot categories, standardised numbers, L2-regularised logistic regression."""
    encode = make_column_transformer((StandardScaler(), NUMERIC),
                                     (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL))  # fmt: skip
    return make_pipeline(encode, LogisticRegression(max_iter=2000))


def gradient_boosting():
    """Histogram gradient boosting with native categorical splits (ordinal-encoded categories)."""
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), CATEGORICAL),
        ("passthrough", NUMERIC))  # fmt: skip
    model = HistGradientBoostingClassifier(categorical_features=list(range(len(CATEGORICAL))),
                                           learning_rate=0.05, max_iter=200, max_leaf_nodes=8,
                                           l2_regularization=1.0, random_state=SEED)  # fmt: skip
    return make_pipeline(encode, model)


def sklearn_fit_predict(factory) -> FitPredict:
    def fit_predict(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
        model = factory().fit(train[FEATURES], train[TARGET])
        return model.predict_proba(test[FEATURES])[:, 1]

    return fit_predict


def cross_validate(fit_predict: FitPredict, data: pd.DataFrame, n_splits: int = 5,
                   n_repeats: int = 2, seed: int = SEED) -> pd.DataFrame:  # fmt: skip
    """ROC AUC and expected cost (at :data:`CV_THRESHOLD`) per fold, plus fit seconds."""
    folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    rows = []
    for number, (fit_rows, test_rows) in enumerate(folds.split(data, data[TARGET])):
        train, test = data.iloc[fit_rows], data.iloc[test_rows]
        start = time.perf_counter()
        proba = fit_predict(train, test)
        rows.append({"fold": number, "roc_auc": roc_auc_score(test[TARGET], proba),
                     "cost": expected_cost(test[TARGET], proba, CV_THRESHOLD),
                     "seconds": time.perf_counter() - start})  # fmt: skip
    return pd.DataFrame(rows).set_index("fold")


def summary(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean and standard deviation of AUC and cost per model, best mean AUC first."""
    rows = {name: {"auc_mean": r["roc_auc"].mean(), "auc_sd": r["roc_auc"].std(),
                   "cost_mean": r["cost"].mean(), "cost_sd": r["cost"].std(),
                   "fit_seconds": r["seconds"].mean()}
            for name, r in results.items()}  # fmt: skip
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.sort_values("auc_mean", ascending=False, kind="stable")

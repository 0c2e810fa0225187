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
from course.credit.evaluate import BAYES_THRESHOLD, expected_cost
from course.credit.features import BANDED

#: The threshold every model is scored at in cross-validation: the Bayes-optimal one for
#: calibrated probabilities under the 5:1 cost matrix (reject when P(default) >= 1/6).
CV_THRESHOLD = BAYES_THRESHOLD

#: Train on one frame, return P(default) for the other; or ``(probabilities, threshold)`` when the
#: method also picks its own threshold on rows held out of its training data.
FitPredict = Callable[[pd.DataFrame, pd.DataFrame], "np.ndarray | tuple[np.ndarray, float]"]


#: What the linear baseline gets as numbers: the true quantities (months, Deutsche Mark, years).
LINEAR_NUMERIC = [c for c in NUMERIC if c not in BANDED]
#: What it gets one-hot: the categories and the band codes.
LINEAR_CODED = CATEGORICAL + BANDED


def _signed_log(x):
    """``sign(x) * log(1 + |x|)``: a logarithm for amounts that may be zero or negative."""
    return np.sign(x) * np.log1p(np.abs(x))


def logistic_regression(
    numeric: list[str] = LINEAR_NUMERIC,
    categorical: list[str] = LINEAR_CODED,
    logged: list[str] | tuple[str, ...] = (),
):
    """One-hot categories, standardised numbers, L2-regularised logistic regression (on these
    applicants' columns, or on another dataset's ``numeric`` and ``categorical`` ones).

    Every code goes one-hot, the band codes included (``installment_commitment``,
    ``residence_since``, ``existing_credits``, ``num_dependents``): their bands have unequal
    widths and only 2-4 levels, so one weight per band costs a few parameters and does not force
    a straight line through codes that are not a scale. Pass coded columns in ``categorical``.
    The ``numeric`` columns also named in ``logged`` (skewed amounts) enter as their signed
    logarithm, ``sign(x) * log(1 + |x|)``, then standardised.
    """
    from sklearn.preprocessing import FunctionTransformer

    plain = [c for c in numeric if c not in logged]
    skewed = [c for c in numeric if c in logged]
    steps = [(StandardScaler(), plain), (OneHotEncoder(handle_unknown="ignore"), categorical)]
    if skewed:
        steps.insert(
            1,
            (
                make_pipeline(
                    FunctionTransformer(_signed_log, feature_names_out="one-to-one"),
                    StandardScaler(),
                ),
                skewed,
            ),
        )
    return make_pipeline(make_column_transformer(*steps), LogisticRegression(max_iter=2000))


def gradient_boosting(numeric: list[str] = NUMERIC, categorical: list[str] = CATEGORICAL):
    """Histogram gradient boosting with native categorical splits (ordinal-encoded categories).

    The band codes stay numbers here: a tree splits them into ranges of bands, which suits
    ordered bands of any width."""
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), categorical),
        ("passthrough", numeric),
    )
    model = HistGradientBoostingClassifier(
        categorical_features=list(range(len(categorical))),
        learning_rate=0.05,
        max_iter=200,
        max_leaf_nodes=8,
        l2_regularization=1.0,
        random_state=SEED,
    )
    return make_pipeline(encode, model)


def sklearn_fit_predict(factory, features: list[str] = FEATURES) -> FitPredict:
    """``(train, test) -> P(default) for test`` for a model made by ``factory()``, fed
    ``features``."""

    def fit_predict(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
        model = factory().fit(train[features], train[TARGET])
        return model.predict_proba(test[features])[:, 1]

    fit_predict.__name__ = getattr(factory, "__name__", "fit_predict")
    return fit_predict


def cross_validate(
    fit_predict: FitPredict,
    data: pd.DataFrame,
    n_splits: int = 5,
    n_repeats: int = 2,
    seed: int = SEED,
) -> pd.DataFrame:
    """ROC AUC and expected cost (at :data:`CV_THRESHOLD`) per fold, plus fit seconds.

    Every model sees the same folds (same ``seed``), so results can be compared fold by fold
    (:func:`paired_differences`). When ``fit_predict`` returns ``(probabilities, threshold)``,
    two more columns record that tuned threshold and the fold's cost at it.
    """
    folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    rows = []
    for number, (fit_rows, test_rows) in enumerate(folds.split(data, data[TARGET])):
        train, test = data.iloc[fit_rows], data.iloc[test_rows]
        start = time.perf_counter()
        answer = fit_predict(train, test)
        seconds = time.perf_counter() - start
        proba, tuned = answer if isinstance(answer, tuple) else (answer, None)
        row = {
            "fold": number,
            "roc_auc": roc_auc_score(test[TARGET], proba),
            "cost": expected_cost(test[TARGET], proba, CV_THRESHOLD),
        }
        if tuned is not None:
            row |= {
                "tuned_threshold": float(tuned),
                "cost_tuned": expected_cost(test[TARGET], proba, tuned),
            }
        rows.append(row | {"seconds": seconds})
    return pd.DataFrame(rows).set_index("fold")


def paired(first: pd.Series, second: pd.Series, test_fraction: float = 1 / 4) -> pd.Series:
    """Compare two scores measured on the same folds: the mean and standard deviation of the
    per-fold differences ``first - second``, how many folds ``first`` is higher in, and a 95 %
    interval for the mean difference.

    Folds of repeated cross-validation share most of their training rows, so their differences
    are not independent: the interval uses Nadeau and Bengio's (2003) corrected variance,
    ``(1/J + test_fraction) * sd**2`` for J folds (``test_fraction`` = test rows / training rows,
    1/4 for 5 folds), with a t quantile on J - 1 degrees of freedom. Zero inside the interval
    means the folds cannot tell the two apart.
    """
    from scipy import stats

    if len(first) != len(second) or len(first) < 2 or not first.index.equals(second.index):
        raise ValueError("need the same two or more folds for both scores")
    difference = first.to_numpy(dtype=float) - second.to_numpy(dtype=float)
    folds = len(difference)
    mean, sd = float(difference.mean()), float(difference.std(ddof=1))
    half = float(stats.t.ppf(0.975, folds - 1)) * np.sqrt(1 / folds + test_fraction) * sd
    return pd.Series(
        {
            "mean_difference": mean,
            "sd_difference": sd,
            "folds_higher": int(np.sum(difference > 0)),
            "folds": folds,
            "low": mean - half,
            "high": mean + half,
        }
    )


def verdict(row: pd.Series, lower_is_better: bool = False) -> str:
    """What a :func:`paired` interval says about ``first`` against ``second``: "a measurable
    gain" when the whole interval lies on the better side of zero, "a measurable loss" when it
    lies on the worse side, else "no measurable difference". ``lower_is_better`` for costs."""
    better_low, better_high = (
        (-row["high"], -row["low"]) if lower_is_better else (row["low"], row["high"])
    )
    if better_low > 0:
        return "a measurable gain"
    if better_high < 0:
        return "a measurable loss"
    return "no measurable difference"


def paired_differences(
    results: dict[str, pd.DataFrame],
    reference: str,
    metric: str = "roc_auc",
    test_fraction: float = 1 / 4,
) -> pd.DataFrame:
    """:func:`paired` for ``reference`` minus every other model, on one ``metric`` column of
    :func:`cross_validate`'s results ("roc_auc": positive favours ``reference``; "cost":
    negative favours it). One row per other model, indexed by its name."""
    if reference not in results:
        raise KeyError(f"no results for {reference!r}")
    rows = {
        name: paired(results[reference][metric], other[metric], test_fraction).to_dict()
        for name, other in results.items()
        if name != reference
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = f"{reference} minus"
    return table.astype({"folds_higher": int, "folds": int})


def summary(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean and standard deviation of AUC and cost per model, best mean AUC first."""
    rows = {
        name: {
            "auc_mean": r["roc_auc"].mean(),
            "auc_sd": r["roc_auc"].std(),
            "cost_mean": r["cost"].mean(),
            "cost_sd": r["cost"].std(),
            "fit_seconds": r["seconds"].mean(),
        }
        for name, r in results.items()
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.sort_values("auc_mean", ascending=False, kind="stable")

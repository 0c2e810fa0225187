"""Evaluate a credit-risk model: discrimination, calibration, the cost-optimal threshold under the
documented 5:1 cost matrix, and error rates by group. No TensorFlow here."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics

from course.credit.data import COST_APPROVE_BAD, COST_REJECT_GOOD

#: The Bayes-optimal threshold for calibrated probabilities under the cost matrix: rejecting
#: costs (1 - p) * 1 in expectation, approving costs p * 5, so reject when p >= 1 / (1 + 5) = 1/6.
BAYES_THRESHOLD = COST_REJECT_GOOD / (COST_REJECT_GOOD + COST_APPROVE_BAD)


def _check(y_true, proba) -> tuple[np.ndarray, np.ndarray]:
    y, p = np.asarray(y_true), np.asarray(proba, dtype=float).ravel()
    if y.shape[0] != p.shape[0]:
        raise ValueError(f"{y.shape[0]} labels but {p.shape[0]} probabilities")
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise ValueError("probabilities must be finite numbers in [0, 1]")
    return y, p


def expected_cost(y_true, proba, threshold: float) -> float:
    """Average cost per applicant when rejecting everyone with P(default) >= ``threshold``."""
    y, p = _check(y_true, proba)
    reject = p >= threshold
    approved_bad = np.sum(~reject & (y == 1))
    rejected_good = np.sum(reject & (y == 0))
    return float((COST_APPROVE_BAD * approved_bad + COST_REJECT_GOOD * rejected_good) / len(y))


def best_threshold(y_true, proba) -> float:
    """The threshold that minimises expected cost on the given (validation) data.

    Candidates are the midpoints between sorted distinct probabilities, plus 0 and just above 1,
    so every distinct decision rule is tried once. Ties go to the lowest threshold.
    """
    y, p = _check(y_true, proba)
    distinct = np.unique(p)
    candidates = np.concatenate([[0.0], (distinct[:-1] + distinct[1:]) / 2, [1.0 + 1e-9]])
    costs = [expected_cost(y, p, t) for t in candidates]
    return float(candidates[int(np.argmin(costs))])


def cost_table(y_true, proba, threshold: float) -> pd.Series:
    """Cost per applicant of the model at ``threshold`` against approve-all and reject-all."""
    y, p = _check(y_true, proba)
    return pd.Series(
        {
            "model": expected_cost(y, p, threshold),
            "approve everyone": expected_cost(y, p, np.inf),
            "reject everyone": expected_cost(y, p, -np.inf),
        },
        name="cost per applicant",
    )


def classification_report(y_true, proba, threshold: float) -> pd.Series:
    """ROC AUC, PR AUC, Brier score, and accuracy/precision/recall/F1 at ``threshold``.

    The positive class is 'default' (bad): recall is the share of bad applicants caught.
    """
    y, p = _check(y_true, proba)
    predicted = (p >= threshold).astype(int)
    return pd.Series(
        {
            "roc_auc": metrics.roc_auc_score(y, p),
            "pr_auc": metrics.average_precision_score(y, p),
            "brier": metrics.brier_score_loss(y, p),
            "accuracy": metrics.accuracy_score(y, predicted),
            "precision": metrics.precision_score(y, predicted, zero_division=0),
            "recall": metrics.recall_score(y, predicted, zero_division=0),
            "f1": metrics.f1_score(y, predicted, zero_division=0),
        }
    )


def confusion(y_true, proba, threshold: float) -> pd.DataFrame:
    """Confusion matrix with readable labels (rows: truth, columns: decision)."""
    y, p = _check(y_true, proba)
    matrix = metrics.confusion_matrix(y, (p >= threshold).astype(int), labels=[0, 1])
    return pd.DataFrame(
        matrix, index=["good (truth)", "bad (truth)"], columns=["approved", "rejected"]
    )


def reliability(y_true, proba, bins: int = 5) -> pd.DataFrame:
    """Calibration table: mean predicted probability vs observed default rate per quantile bin."""
    y, p = _check(y_true, proba)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": which, "predicted": p, "observed": y})
    table = frame.groupby("bin").agg(
        predicted=("predicted", "mean"),
        observed=("observed", "mean"),
        applicants=("observed", "size"),
    )
    return table.reset_index(drop=True)


def largest_calibration_gap(table: pd.DataFrame) -> pd.Series:
    """The row of a :func:`reliability` table whose observed rate is farthest from its mean
    predicted probability, with ``gap`` = observed - predicted (positive: risk underestimated)."""
    gaps = table["observed"] - table["predicted"]
    row = table.loc[gaps.abs().idxmax()].copy()
    row["gap"] = gaps.loc[gaps.abs().idxmax()]
    return row


def threshold_costs(y_true, proba, thresholds: dict[str, float]) -> pd.DataFrame:
    """Compare decision rules on one split: per named threshold, its value, the cost per
    applicant, the share of applicants rejected and the accuracy of the decisions."""
    y, p = _check(y_true, proba)
    rows = {
        name: {
            "threshold": float(t),
            "cost_per_applicant": expected_cost(y, p, t),
            "rejected_share": float(np.mean(p >= t)),
            "accuracy": float(np.mean((p >= t) == (y == 1))),
        }
        for name, t in thresholds.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def band(y_true, proba, low: float, high: float) -> pd.Series:
    """The applicants scored in ``[low, high)``: how many, and the share of them who defaulted.

    Between two thresholds this is the group the two rules decide differently about: rejecting
    them pays (under the 5:1 costs) only if more than :data:`BAYES_THRESHOLD` of them default.
    """
    y, p = _check(y_true, proba)
    inside = (p >= low) & (p < high)
    return pd.Series(
        {
            "applicants": int(inside.sum()),
            "default_rate": float(y[inside].mean()) if inside.any() else np.nan,
        }
    )


def group_rates(y_true, proba, threshold: float, group) -> pd.DataFrame:
    """Per group: applicants, approval rate, default rate, and the two error rates.

    False rejection rate: good applicants rejected / good applicants (the cost borne by applicants).
    Missed default rate: bad applicants approved / bad applicants (the cost borne by the lender).
    """
    y, p = _check(y_true, proba)
    reject = p >= threshold
    group = pd.Series(group).reset_index(drop=True)  # keeps a categorical's order
    data = pd.DataFrame({"group": group, "y": y, "reject": reject})
    rows = {}
    for name, part in data.groupby("group", observed=True):
        good, bad = part[part["y"] == 0], part[part["y"] == 1]
        rows[name] = {
            "applicants": len(part),
            "approval_rate": 1 - part["reject"].mean(),
            "default_rate": part["y"].mean(),
            "false_rejection_rate": good["reject"].mean() if len(good) else np.nan,
            "missed_default_rate": (~bad["reject"]).mean() if len(bad) else np.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    # (what a dash means when the course shows the table: course.tables)
    table.attrs["missing"] = "no good (or no bad) applicant in the group: no such rate"
    return table


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a proportion: sensible for small groups and for rates near 0
    or 1 (where the usual p ± 1.96·se leaves [0, 1]). ``(nan, nan)`` for an empty group."""
    from scipy import stats

    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return (float("nan"), float("nan"))
    z = float(stats.norm.ppf(0.5 + level / 2))
    rate = successes / n
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2))
    return (max(0.0, float(centre - half)), min(1.0, float(centre + half)))


def group_intervals(y_true, proba, threshold: float, group, level: float = 0.95) -> pd.DataFrame:
    """Per group: applicants, the approval rate and the false rejection rate (good applicants
    rejected), each with its Wilson interval as text ("low-high"): how much a small group's rates
    can say."""
    y, p = _check(y_true, proba)
    data = pd.DataFrame(
        {"group": pd.Series(group).reset_index(drop=True), "y": y, "reject": p >= threshold}
    )
    rows = {}
    for name, part in data.groupby("group", observed=True):
        good = part[part["y"] == 0]
        approved, rejected_good = int((~part["reject"]).sum()), int(good["reject"].sum())
        a_low, a_high = wilson_interval(approved, len(part), level)
        f_low, f_high = wilson_interval(rejected_good, len(good), level)
        rows[name] = {
            "applicants": len(part),
            "approval_rate": approved / len(part),
            "approval_interval": f"{a_low:.2f}-{a_high:.2f}",
            "false_rejection_rate": rejected_good / len(good) if len(good) else np.nan,
            "false_rejection_interval": f"{f_low:.2f}-{f_high:.2f}",
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def prior_shift(proba, sample_rate: float, population_rate: float):
    """Probabilities calibrated on a sample with default rate ``sample_rate``, re-expressed for a
    population whose rate is ``population_rate`` (Bayes' rule on the odds; it assumes only the
    base rate differs, the applicants of each class looking alike in sample and population)."""
    for rate in (sample_rate, population_rate):
        if not 0 < rate < 1:
            raise ValueError(f"a default rate must lie strictly between 0 and 1, got {rate}")
    p = np.asarray(proba, dtype=float)
    factor = (population_rate / (1 - population_rate)) / (sample_rate / (1 - sample_rate))
    odds = p / (1 - p) * factor
    return odds / (1 + odds)


def prior_shift_threshold(threshold: float, sample_rate: float, population_rate: float) -> float:
    """The threshold on the *sample's* probabilities that means ``threshold`` on probabilities
    calibrated to the population (:func:`prior_shift` run backwards)."""
    return float(prior_shift(threshold, population_rate, sample_rate))


def population_cost_table(
    y_true,
    proba,
    threshold: float,
    sample_rate: float,
    population_rate: float,
    resamples: int = 2_000,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`cost_table` at a population's default rate instead of the sample's.

    Each bad row is weighted by ``population_rate / share of bad rows`` and each good row by the
    same for the good ones, so the rows stand for a population with that rate; the model decides
    at ``threshold`` moved by :func:`prior_shift_threshold` (its probabilities are calibrated to
    ``sample_rate``). Columns: the cost per applicant, and the model's cost minus each policy's
    with a paired bootstrap 95 % interval (``resamples`` draws of the rows, seeded).
    """
    y, p = _check(y_true, proba)
    share = y.mean()
    weights = np.where(y == 1, population_rate / share, (1 - population_rate) / (1 - share))
    moved = prior_shift_threshold(threshold, sample_rate, population_rate)
    costs = {
        "model": np.where(y == 1, COST_APPROVE_BAD * (p < moved), COST_REJECT_GOOD * (p >= moved)),
        "approve everyone": np.where(y == 1, COST_APPROVE_BAD, 0.0),
        "reject everyone": np.where(y == 1, 0.0, COST_REJECT_GOOD),
    }
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(y), size=(resamples, len(y)))
    mean = {name: (c * weights).sum() / weights.sum() for name, c in costs.items()}
    boot = {
        name: (c[draws] * weights[draws]).sum(axis=1) / weights[draws].sum(axis=1)
        for name, c in costs.items()
    }
    rows = {
        name: {
            "cost per applicant": mean[name],
            "model minus it": mean["model"] - mean[name],
            "low": np.percentile(boot["model"] - boot[name], 2.5),
            "high": np.percentile(boot["model"] - boot[name], 97.5),
        }
        for name in costs
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.loc["model", ["model minus it", "low", "high"]] = np.nan
    table.attrs["threshold"] = moved
    return table

"""Lesson 02 core: the seeds' commercialization formulas, implemented with their guards, and the
building blocks of scoring (normalisation, weights, additive and multiplicative aggregation,
an exact rank correlation).

Every function checks its inputs and raises :class:`ScoringInputError` (a ``ValueError``) with a
message that says what is wrong and what is expected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


class ScoringInputError(ValueError):
    """An input outside what a formula is defined for (NaN, negative weight, index above 1 ...)."""


def check_index(name: str, value: float) -> float:
    """Return ``value`` if it is a finite number in [0, 1], else raise with a clear message."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ScoringInputError(f"{name} must be a number in [0, 1], got {type(value).__name__}")
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise ScoringInputError(f"{name} must be an index in [0, 1], got {value!r}")
    return float(value)


def check_weights(weights: Sequence[float] | Mapping[str, float], tol: float = 1e-9) -> np.ndarray:
    """Weights as an array after checking they are finite, non-negative and sum to 1."""
    values = np.asarray(list(weights.values()) if isinstance(weights, Mapping) else weights, float)
    if values.ndim != 1 or len(values) == 0:
        raise ScoringInputError("weights must be a non-empty list of numbers")
    if not np.isfinite(values).all():
        raise ScoringInputError("weights must be finite numbers (no NaN or infinity)")
    if (values < 0).any():
        raise ScoringInputError(f"weights must not be negative, got {values.round(4).tolist()}")
    if abs(values.sum() - 1) > tol:
        raise ScoringInputError(
            f"weights must sum to 1, they sum to {values.sum():.4g}: divide each by their total"
        )
    return values


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Scale non-negative raw weights (e.g. slider positions) so they sum to 1."""
    total = sum(weights.values())
    if total <= 0 or any(w < 0 for w in weights.values()):
        raise ScoringInputError("at least one weight must be positive and none negative")
    return {name: w / total for name, w in weights.items()}


# --- The seeds' formulas ----------------------------------------------------------------------


def seed_ratio_factor(x0: float, gain: float, loss: float) -> float:
    """A factor as the first seed writes it: (X0 + X_gain) / (X_gain + X_loss). Kept literal on
    purpose, to study where it breaks: it divides by zero when gain + loss = 0, is unbounded as
    gain + loss shrinks, and adds X0 to a gain that may be in other units."""
    return (x0 + gain) / (gain + loss)


def bounded_index(gain: float, loss: float, prior: float = 0.5, strength: float = 1.0) -> float:
    """A replacement for the seed's ratio: the smoothed share of gains, always in [0, 1].

    (gain + prior * strength) / (gain + loss + strength): ``strength`` pseudo-observations at
    the ``prior`` are added to the evidence. The defaults add one pseudo-observation split
    half a gain and half a loss, the add-1/2 rule (the Krichevsky-Trofimov estimator, the mean
    of a Jeffreys Beta(1/2, 1/2) prior updated by the counts). Laplace's add-one rule, a whole
    gain and a whole loss, is ``strength=2``: (gain + 1) / (gain + loss + 2).

    With no evidence it equals ``prior``; as evidence grows it tends to gain / (gain + loss).
    ``gain`` and ``loss`` must be counts in the same unit (e.g. won and lost deals), so the
    result has no unit.
    """
    for name, value in (("gain", gain), ("loss", loss)):
        if not math.isfinite(value) or value < 0:
            raise ScoringInputError(f"{name} must be a non-negative count, got {value!r}")
    check_index("prior", prior)
    if not strength > 0:
        raise ScoringInputError("strength must be positive")
    return (gain + prior * strength) / (gain + loss + strength)


def success_score(service: float, custom: float, brand: float, k: float = 1.0) -> float:
    """The first seed's R = S * C * B / k, with S, C, B indices in [0, 1] and k > 0.

    Multiplicative: a zero in any factor makes R zero, however strong the others.
    """
    if not (isinstance(k, (int, float)) and math.isfinite(k) and k > 0):
        raise ScoringInputError(f"k must be a positive number, got {k!r}")
    return (check_index("S", service) * check_index("C", custom) * check_index("B", brand)) / k


def brand_effect(activity: float, k: float = 1.0) -> float:
    """The second seed's B = k * ln(A). Defined only for A > 0, and negative for A < 1: ln needs
    a positive, unit-free activity (e.g. stars gained per quarter, not 'stars' vs 'forks')."""
    if not math.isfinite(activity) or activity <= 0:
        raise ScoringInputError(
            f"ln(A) needs A > 0, got A = {activity!r}; use ln(1 + A) for counts that can be zero"
        )
    return k * math.log(activity)


def strategy_effect(
    brand: float,
    technology: float,
    commercial: float,
    weights: Sequence[float] = (1 / 3, 1 / 3, 1 / 3),
) -> float:
    """The second seed's f = alpha*B + beta*C + gamma*D, on *normalised* terms in [0, 1].

    The seed adds k*ln(A), m*N and n*U directly, which mixes units (log-stars, people, users);
    normalising each term first makes the weights mean 'how much this term matters'.
    """
    alpha, beta, gamma = check_weights(weights)
    return (
        alpha * check_index("B", brand)
        + beta * check_index("C", technology)
        + gamma * check_index("D", commercial)
    )


def co_creation_output(
    technology: float, resources: float, market: float, a: float = 0.5, b: float = 0.5
) -> float:
    """The third seed's P = g(T, R) * h(T, M), with Cobb-Douglas forms
    g = T^a * R^(1-a) and h = T^b * M^(1-b) on indices in [0, 1]. Technology appears in both:
    without it, neither shared resources nor a market produce anything.

    Multiplied out, P = T^(a+b) * R^(1-a) * M^(1-b) (:func:`co_creation_exponents`): with the
    default a = b = 0.5 it is T * sqrt(R * M), linear in T, with diminishing returns in R and M.
    """
    t, r, m = (check_index(n, v) for n, v in (("T", technology), ("R", resources), ("M", market)))
    a, b = check_index("a", a), check_index("b", b)
    return (t**a * r ** (1 - a)) * (t**b * m ** (1 - b))


def co_creation_exponents(a: float = 0.5, b: float = 0.5) -> dict[str, float]:
    """The exponent of each input once :func:`co_creation_output` is multiplied out:
    P = T^(a+b) * R^(1-a) * M^(1-b). T appears in g and in h, so its exponents add."""
    a, b = check_index("a", a), check_index("b", b)
    return {"T": a + b, "R": 1 - a, "M": 1 - b}


def returns_kind(exponent: float) -> str:
    """What an input's exponent in a product of powers means for its returns: below 1 each
    further unit adds less ('diminishing'), 1 is proportional ('constant'), above 1 'increasing'."""
    if not math.isfinite(exponent) or exponent < 0:
        raise ScoringInputError(f"an exponent must be a non-negative number, got {exponent!r}")
    if math.isclose(exponent, 1.0, abs_tol=1e-12):
        return "constant"
    return "diminishing" if exponent < 1 else "increasing"


def market_demand(
    performance: float, customer_demand: float, competition: float, service: float, marketing: float
) -> float:
    """The fifth seed's D = P * Dc * (1 - C) * S * Pm, each factor an index in [0, 1]."""
    values = [
        check_index(n, v)
        for n, v in (
            ("P", performance),
            ("Dc", customer_demand),
            ("C", competition),
            ("S", service),
            ("Pm", marketing),
        )
    ]
    p, dc, c, s, pm = values
    return p * dc * (1 - c) * s * pm


def auc_skill(auc: float) -> float:
    """Turn a ROC AUC into skill above chance: 2 * AUC - 1 (0 for a coin flip, 1 for perfect).

    Using raw AUC as the performance factor P gives a useless model (AUC 0.5) half the demand.
    """
    return max(0.0, 2 * check_index("AUC", auc) - 1)


# --- Normalisation and aggregation ------------------------------------------------------------


def _as_array(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or len(array) == 0 or not np.isfinite(array).all():
        raise ScoringInputError("values must be a non-empty list of finite numbers")
    return array


def minmax(values) -> np.ndarray:
    """Rescale to [0, 1] (lowest 0, highest 1). All-equal values carry no information: 0.5 each."""
    array = _as_array(values)
    span = array.max() - array.min()
    return np.full_like(array, 0.5) if span == 0 else (array - array.min()) / span


def log_minmax(values) -> np.ndarray:
    """min-max of ln(1 + x): for counts spanning orders of magnitude (stars, users)."""
    array = _as_array(values)
    if (array < 0).any():
        raise ScoringInputError("log normalisation needs non-negative counts")
    return minmax(np.log1p(array))


def rank_normalise(values) -> np.ndarray:
    """Ranks rescaled to [0, 1] (ties share their average rank): robust to outliers."""
    from scipy.stats import rankdata

    array = _as_array(values)
    return np.full_like(array, 0.5) if len(array) == 1 else (rankdata(array) - 1) / (len(array) - 1)


def _check_scores(scores) -> np.ndarray:
    matrix = np.asarray(scores, dtype=float)
    if (
        matrix.ndim != 2
        or not np.isfinite(matrix).all()
        or (matrix < 0).any()
        or (matrix > 1).any()
    ):
        raise ScoringInputError(
            "scores must be a 2-D table of indices in [0, 1] (options in rows, criteria in columns)"
        )
    return matrix


def weighted_sum(scores, weights) -> np.ndarray:
    """Additive (compensatory) aggregation: a strength can make up for a weakness."""
    matrix, w = _check_scores(scores), check_weights(weights)
    if matrix.shape[1] != len(w):
        raise ScoringInputError(f"{matrix.shape[1]} criteria but {len(w)} weights")
    return matrix @ w


def weighted_product(scores, weights) -> np.ndarray:
    """Multiplicative (non-compensatory) aggregation, the weighted geometric mean: a zero on any
    weighted criterion gives zero, and weak spots cost more than in a weighted sum."""
    matrix, w = _check_scores(scores), check_weights(weights)
    if matrix.shape[1] != len(w):
        raise ScoringInputError(f"{matrix.shape[1]} criteria but {len(w)} weights")
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf; 0 * -inf is masked
        return np.exp(np.where(w > 0, w * np.log(matrix), 0.0).sum(axis=1))


# --- Rank correlation ---------------------------------------------------------------------


def rank_correlation(x, y) -> np.ndarray:
    """Spearman's rho along the last axis, computed exactly from integer ranks.

    Ranks (ties averaged) are doubled into integers, every sum is an exact integer, and only the
    final square root and division round: the result is the same bit for bit on every CPU and
    summation order (a float ``corrcoef`` moved printed bootstrap bounds between machines).
    A row whose ranks are all tied has no correlation: NaN.
    """
    from scipy.stats import rankdata

    rx = np.rint(2 * rankdata(x, axis=-1)).astype(np.int64)
    ry = np.rint(2 * rankdata(y, axis=-1)).astype(np.int64)
    n = rx.shape[-1]
    sx, sy = rx.sum(axis=-1), ry.sum(axis=-1)
    cov = n * (rx * ry).sum(axis=-1) - sx * sy
    var_x = (n * (rx * rx).sum(axis=-1) - sx * sx).astype(float)
    var_y = (n * (ry * ry).sum(axis=-1) - sy * sy).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / np.sqrt(var_x * var_y)

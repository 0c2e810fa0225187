"""The learning theory of lesson 03 in NumPy: empirical risk with binary cross-entropy, and a
numerical gradient to check automatic differentiation against. No TensorFlow here."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] before taking logs


def binary_cross_entropy(y_true, y_pred) -> float:
    """Mean of -[y log p + (1 - y) log(1 - p)] over the examples: the empirical risk
    L = (1/N) sum l(p_i, y_i). Probabilities are clipped like Keras does, so p = 0 or 1 gives a
    large but finite loss instead of infinity."""
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(y_pred, dtype=float), EPSILON, 1 - EPSILON)
    if y.shape != p.shape:
        raise ValueError(f"y_true has shape {y.shape} but y_pred has shape {p.shape}")
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def numeric_gradient(f: Callable[[np.ndarray], float], w, eps: float = 1e-5) -> np.ndarray:
    """Central differences: (f(w + eps e_i) - f(w - eps e_i)) / (2 eps) for each coordinate i."""
    w = np.asarray(w, dtype=float)
    gradient = np.zeros_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step.flat[i] = eps
        gradient.flat[i] = (f(w + step) - f(w - step)) / (2 * eps)
    return gradient


def logistic_loss(weights, x, y) -> float:
    """BCE of a logistic model sigmoid(x @ weights): the function whose gradient we check."""
    return binary_cross_entropy(y, 1 / (1 + np.exp(-(np.asarray(x) @ np.asarray(weights)))))

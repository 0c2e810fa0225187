"""The Taiwan network run with NumPy only: the same arithmetic as the Keras model, from its
weights, as lesson 04's artifact does for lesson 03's model. No TensorFlow here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course.scale.data import AMOUNTS, CODED, FEATURES, NUMERIC, signed_log

_NUMERIC_INDEX = [FEATURES.index(c) for c in NUMERIC]
_AMOUNTS = np.array([c in AMOUNTS for c in NUMERIC])
_CODED_INDEX = [FEATURES.index(c) for c in CODED]
_CODES = [np.arange(min(codes), max(codes) + 1) for codes in CODED.values()]


@dataclass
class NumpyNet:
    """Encoder statistics and the two dense layers' weights of :mod:`course.scale.network`."""

    mean: np.ndarray
    std: np.ndarray
    hidden_kernel: np.ndarray
    hidden_bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray
    log_amounts: bool = False

    @classmethod
    def from_weights(
        cls, weights: dict[str, list[np.ndarray]], log_amounts: bool = False
    ) -> NumpyNet:
        """From ``{"encode": [mean, std], "hidden": [W, b], "default_probability": [W, b]}``."""
        (mean, std), (wh, bh), (wo, bo) = (
            weights[k] for k in ("encode", "hidden", "default_probability")
        )
        arrays = (np.asarray(a, dtype=np.float64) for a in (mean, std, wh, bh, wo, bo))
        return cls(*arrays, log_amounts=log_amounts)

    @classmethod
    def from_keras(cls, model) -> NumpyNet:
        names = ("encode", "hidden", "default_probability")
        return cls.from_weights(
            {n: model.get_layer(n).get_weights() for n in names},
            log_amounts=model.get_layer("encode").log_amounts,
        )

    def encode(self, records: np.ndarray) -> np.ndarray:
        """Raw record matrix (columns in ``FEATURES`` order) -> the encoded feature matrix."""
        x = np.asarray(records, dtype=np.float64)
        numbers = x[:, _NUMERIC_INDEX]
        if self.log_amounts:
            numbers = np.where(_AMOUNTS, signed_log(numbers), numbers)
        parts = [(numbers - self.mean) / self.std]
        # (a code out of range: all zeros)
        for index, codes in zip(_CODED_INDEX, _CODES, strict=True):
            parts.append((x[:, [index]].astype(np.intp) == codes).astype(np.float64))
        return np.hstack(parts)

    def predict_proba(self, records: np.ndarray) -> np.ndarray:
        features = self.encode(records)
        hidden = np.maximum(features @ self.hidden_kernel + self.hidden_bias, 0.0)
        logits = np.hstack([features, hidden]) @ self.output_kernel + self.output_bias
        return 0.5 * (1.0 + np.tanh(0.5 * logits.ravel()))  # the logistic function, no overflow

"""The trained credit model as plain data (JSON), run with NumPy only: no TensorFlow at inference.

The web service (lesson 04) loads this artifact: it starts in well under a second and uses tens of
megabytes instead of TensorFlow's ~700 MB. A parity test proves its probabilities equal the Keras
model's within 1e-6 on the whole test split.

The file holds no code (no pickle): vocabularies, normalisation statistics, layer weights and
metadata, so loading it can never execute anything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from course.credit.data import CATEGORICAL, NUMERIC
from course.errors import CourseError

FORMAT = "course-credit-numpy/1"
_EPSILON = 1e-7  # keras.backend.epsilon(): the floor Normalization puts under the std deviation
REBUILD = "course model build"


class ArtifactError(CourseError):
    """The model artifact is missing or unusable; the message names the file and the fix."""


class RecordError(ValueError):
    """An applicant record the model cannot score (missing field, unknown category, NaN ...)."""


@dataclass
class NumpyCreditModel:
    mean: np.ndarray
    std: np.ndarray
    vocabularies: dict[str, list[str]]
    hidden_kernel: np.ndarray
    hidden_bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray
    metadata: dict[str, Any]

    # --- building and storing -------------------------------------------------------------

    @classmethod
    def from_keras(cls, model, metadata: dict[str, Any] | None = None) -> NumpyCreditModel:
        """Read the weights out of the composed Keras model of :mod:`course.credit.model`."""
        pre, core = model.get_layer("preprocess"), model.get_layer("core")
        norm = pre.get_layer("normalize")
        mean = np.asarray(norm.mean, dtype=np.float64).ravel()
        variance = np.asarray(norm.variance, dtype=np.float64).ravel()
        vocabularies = {c: list(pre.get_layer(f"lookup_{c}").get_vocabulary()) for c in CATEGORICAL}
        hidden_kernel, hidden_bias = core.get_layer("hidden").get_weights()
        output_kernel, output_bias = core.get_layer("default_probability").get_weights()
        return cls(mean, np.maximum(np.sqrt(variance), _EPSILON), vocabularies,
                   hidden_kernel.astype(np.float64), hidden_bias.astype(np.float64),
                   output_kernel.astype(np.float64), output_bias.astype(np.float64),
                   dict(metadata or {}))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "numeric": NUMERIC, "categorical": CATEGORICAL,
                "mean": self.mean.tolist(), "std": self.std.tolist(),
                "vocabularies": self.vocabularies,
                "hidden_kernel": self.hidden_kernel.tolist(), "hidden_bias": self.hidden_bias.tolist(),
                "output_kernel": self.output_kernel.tolist(), "output_bias": self.output_bias.tolist(),
                "metadata": self.metadata}  # fmt: skip

    def save(self, path: Path) -> Path:
        """Write the artifact atomically (a temporary file moved into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict()), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> NumpyCreditModel:
        """Load and validate an artifact; any problem is an :class:`ArtifactError` with the fix."""
        path = Path(path)
        fix = f"Rebuild it with `{REBUILD}` (about 10 seconds)."
        if not path.exists():
            raise ArtifactError(f"No model artifact at {path}. {fix}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
            if data["numeric"] != NUMERIC or data["categorical"] != CATEGORICAL:
                raise ValueError("its feature list differs from this version of the course")
            model = cls(np.asarray(data["mean"], float), np.asarray(data["std"], float),
                        {k: list(map(str, v)) for k, v in data["vocabularies"].items()},
                        np.asarray(data["hidden_kernel"], float), np.asarray(data["hidden_bias"], float),
                        np.asarray(data["output_kernel"], float), np.asarray(data["output_bias"], float),
                        dict(data.get("metadata", {})))  # fmt: skip
            model._check_shapes()
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
            raise ArtifactError(f"The model artifact {path} is corrupt or incompatible ({error}). "
                                f"{fix}") from None  # fmt: skip
        return model

    def _check_shapes(self) -> None:
        n_features = len(NUMERIC) + sum(len(v) for v in self.vocabularies.values())
        if set(self.vocabularies) != set(CATEGORICAL):
            raise ValueError("vocabularies do not match the categorical features")
        if self.mean.shape != (len(NUMERIC),) or self.std.shape != (len(NUMERIC),):
            raise ValueError("normalisation statistics have the wrong shape")
        if self.hidden_kernel.shape[0] != n_features or self.hidden_bias.shape != self.hidden_kernel.shape[1:]:
            raise ValueError("hidden layer weights have the wrong shape")
        if self.output_kernel.shape != (n_features + self.hidden_kernel.shape[1], 1):
            raise ValueError("output layer weights have the wrong shape")
        arrays = [self.mean, self.std, self.hidden_kernel, self.hidden_bias, self.output_kernel,
                  self.output_bias]  # fmt: skip
        if not all(np.isfinite(a).all() for a in arrays) or (self.std <= 0).any():
            raise ValueError("weights contain NaN, infinity or a non-positive std deviation")

    # --- inference --------------------------------------------------------------------------

    def categories(self, column: str) -> list[str]:
        """The values of a categorical field the model knows (without the out-of-vocabulary slot)."""
        return self.vocabularies[column][1:]

    def features(self, records: pd.DataFrame | list[dict]) -> np.ndarray:
        """Raw records -> the feature matrix, refusing anything the model cannot score."""
        frame = pd.DataFrame(records) if not isinstance(records, pd.DataFrame) else records
        if len(frame) == 0:
            raise RecordError("no records to score")
        missing = [c for c in NUMERIC + CATEGORICAL if c not in frame.columns]
        if missing:
            raise RecordError(f"missing field(s): {', '.join(missing)}")
        numbers = np.empty((len(frame), len(NUMERIC)))
        for j, column in enumerate(NUMERIC):
            values = frame[column].to_numpy()
            if values.dtype == object or values.dtype.kind not in "iuf" or values.dtype == bool:
                bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, float, np.number))]
                if bad or values.dtype == bool:
                    raise RecordError(f"{column} must be a number, got {bad[0] if bad else values[0]!r}")
            numbers[:, j] = values.astype(float)
            if not np.isfinite(numbers[:, j]).all():
                raise RecordError(f"{column} must be a finite number (no NaN or infinity)")
        blocks = [(numbers - self.mean) / self.std]
        for column in CATEGORICAL:
            vocabulary = self.vocabularies[column]
            index = {v: i for i, v in enumerate(vocabulary)}
            positions = []
            for value in frame[column].tolist():
                if not isinstance(value, str) or value not in index or index[value] == 0:
                    raise RecordError(f"{column}: unknown category {value!r}; expected one of "
                                      f"{self.categories(column)}")  # fmt: skip
                positions.append(index[value])
            block = np.zeros((len(frame), len(vocabulary)))
            block[np.arange(len(frame)), positions] = 1.0
            blocks.append(block)
        return np.hstack(blocks)

    def predict_proba(self, records: pd.DataFrame | list[dict]) -> np.ndarray:
        """P(default) for each record."""
        x = self.features(records)
        hidden = np.maximum(x @ self.hidden_kernel + self.hidden_bias, 0.0)
        logits = np.hstack([x, hidden]) @ self.output_kernel + self.output_bias
        return 1.0 / (1.0 + np.exp(-logits.ravel()))

    @property
    def threshold(self) -> float:
        value = self.metadata.get("threshold")
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ArtifactError("the artifact has no decision threshold in its metadata")
        return float(value)

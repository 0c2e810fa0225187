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

from course.credit.features import CATEGORICAL, NUMERIC
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

    def features(self, records) -> np.ndarray:
        """Raw records (a list of dicts or a DataFrame) -> the feature matrix, refusing anything
        the model cannot score. NumPy only (no pandas); the per-value diagnosis runs only when
        something is wrong, so valid batches stay fast."""
        if hasattr(records, "to_dict"):  # a pandas DataFrame
            records = records.to_dict("records")
        if not records:
            raise RecordError("no records to score")
        try:
            raw = [[r[c] for c in NUMERIC] for r in records]
        except (KeyError, TypeError):
            raise RecordError(self._missing(records)) from None
        numbers = self._numbers(raw)
        features = np.zeros((len(records), self._width))
        features[:, : len(NUMERIC)] = (numbers - self.mean) / self.std
        lookups = [(self._offset[c], self._index[c], c) for c in CATEGORICAL]
        try:  # one column index per (record, categorical field); position 0 = unknown value
            columns = np.array([[offset + index.get(r[c], 0) for offset, index, c in lookups]
                                for r in records], dtype=np.intp)  # fmt: skip
        except KeyError:
            raise RecordError(self._missing(records)) from None
        except TypeError:  # an unhashable value such as a list
            columns = np.tile(self._offsets, (len(records), 1))
        unknown = columns == self._offsets
        if unknown.any():
            row, j = map(int, np.argwhere(unknown)[0])
            column = CATEGORICAL[j]
            raise RecordError(f"{column}: unknown category {records[row][column]!r}; expected one "
                              f"of {self.categories(column)}")  # fmt: skip
        features[np.arange(len(records))[:, None], columns] = 1.0
        return features

    @staticmethod
    def _missing(records) -> str:
        if not all(isinstance(r, dict) for r in records):
            return "each record must be an object with the applicant's fields"
        wanted = NUMERIC + CATEGORICAL
        missing = sorted({c for r in records for c in wanted if c not in r}, key=wanted.index)
        return f"missing field(s): {', '.join(missing)}"

    @staticmethod
    def _numbers(raw: list[list]) -> np.ndarray:
        flat = [v for row in raw for v in row]
        if not all(type(v) in (int, float) or isinstance(v, np.number) and not isinstance(v, np.bool_)
                   for v in flat):  # fmt: skip
            for row in raw:
                for column, value in zip(NUMERIC, row):
                    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
                        raise RecordError(f"{column} must be a number, got {value!r}")
        numbers = np.array(raw, dtype=float)
        if not np.isfinite(numbers).all():
            column = NUMERIC[int(np.argwhere(~np.isfinite(numbers))[0][1])]
            raise RecordError(f"{column} must be a finite number (no NaN or infinity)")
        return numbers

    def __post_init__(self) -> None:
        self._index = {c: {v: i for i, v in enumerate(vocab)} for c, vocab in self.vocabularies.items()}
        self._offset, width = {}, len(NUMERIC)  # where each one-hot block starts
        for column in CATEGORICAL:
            self._offset[column] = width
            width += len(self.vocabularies.get(column, []))
        self._width = width
        self._offsets = np.array([self._offset[c] for c in CATEGORICAL], dtype=np.intp)
        n_hidden = self.hidden_kernel.shape[1] if self.hidden_kernel.ndim == 2 else 0
        self._out_features = self.output_kernel[: len(self.output_kernel) - n_hidden]
        self._out_hidden = self.output_kernel[len(self.output_kernel) - n_hidden :]

    def predict_proba(self, records) -> np.ndarray:
        """P(default) for each record."""
        x = self.features(records)
        hidden = np.maximum(x @ self.hidden_kernel + self.hidden_bias, 0.0)
        # [x, hidden] @ W == x @ W[:F] + hidden @ W[F:], without copying x into a wider array
        logits = x @ self._out_features + hidden @ self._out_hidden + self.output_bias
        return 1.0 / (1.0 + np.exp(-logits.ravel()))

    @property
    def threshold(self) -> float:
        value = self.metadata.get("threshold")
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ArtifactError("the artifact has no decision threshold in its metadata")
        return float(value)

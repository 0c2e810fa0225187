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
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from course.credit.features import CATEGORICAL, FEATURES, NUMERIC
from course.credit.signature import OUTPUT
from course.errors import CourseError

FORMAT = "course-credit-numpy/1"
_EPSILON = 1e-7  # keras.backend.epsilon(): the floor Normalization puts under the std deviation
REBUILD = "course model build"
_FEATURE_SET = frozenset(FEATURES)


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
        output_kernel, output_bias = core.get_layer(OUTPUT).get_weights()
        return cls(
            mean,
            np.maximum(np.sqrt(variance), _EPSILON),
            vocabularies,
            hidden_kernel.astype(np.float64),
            hidden_bias.astype(np.float64),
            output_kernel.astype(np.float64),
            output_bias.astype(np.float64),
            dict(metadata or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "numeric": NUMERIC,
            "categorical": CATEGORICAL,
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "vocabularies": self.vocabularies,
            "hidden_kernel": self.hidden_kernel.tolist(),
            "hidden_bias": self.hidden_bias.tolist(),
            "output_kernel": self.output_kernel.tolist(),
            "output_bias": self.output_bias.tolist(),
            "metadata": self.metadata,
        }

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
            model = cls(
                np.asarray(data["mean"], float),
                np.asarray(data["std"], float),
                {k: list(map(str, v)) for k, v in data["vocabularies"].items()},
                np.asarray(data["hidden_kernel"], float),
                np.asarray(data["hidden_bias"], float),
                np.asarray(data["output_kernel"], float),
                np.asarray(data["output_bias"], float),
                dict(data.get("metadata", {})),
            )
            model._check_shapes()
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            IndexError,
            UnicodeDecodeError,
        ) as error:
            raise ArtifactError(
                f"The model artifact {path} is corrupt or incompatible ({error}). {fix}"
            ) from None
        return model

    def _check_shapes(self) -> None:
        n_features = len(NUMERIC) + sum(len(v) for v in self.vocabularies.values())
        if set(self.vocabularies) != set(CATEGORICAL):
            raise ValueError("vocabularies do not match the categorical features")
        if self.mean.shape != (len(NUMERIC),) or self.std.shape != (len(NUMERIC),):
            raise ValueError("normalisation statistics have the wrong shape")
        if (
            self.hidden_kernel.shape[0] != n_features
            or self.hidden_bias.shape != self.hidden_kernel.shape[1:]
        ):
            raise ValueError("hidden layer weights have the wrong shape")
        if self.output_kernel.shape != (n_features + self.hidden_kernel.shape[1], 1):
            raise ValueError("output layer weights have the wrong shape")
        arrays = [
            self.mean,
            self.std,
            self.hidden_kernel,
            self.hidden_bias,
            self.output_kernel,
            self.output_bias,
        ]
        if not all(np.isfinite(a).all() for a in arrays) or (self.std <= 0).any():
            raise ValueError("weights contain NaN, infinity or a non-positive std deviation")

    # --- inference --------------------------------------------------------------------------

    def categories(self, column: str) -> list[str]:
        """The values of a categorical field the model knows (without the out-of-vocabulary
        slot)."""
        return self.vocabularies[column][1:]

    def predict_proba(self, records) -> np.ndarray:
        """P(default) for each record (a list of dicts or a DataFrame). Anything the model
        cannot score is a :class:`RecordError` naming the field."""
        return self._predict(self._columns(records))

    def predict_rows(self, rows: Sequence[Sequence]) -> np.ndarray:
        """P(default) for rows of values in ``FEATURES`` order, as the service decodes them.

        One applicant (``POST /v1/score``) takes a plain-Python path: the same arithmetic with a
        third of the NumPy calls, whose fixed cost dominates at this size. A parity test holds
        the two paths together."""
        if len(rows) == 1:
            probability = self._predict_one(rows[0])
            if probability is not None:
                return np.array([probability])
        if rows and set(map(len, rows)) != {len(FEATURES)}:
            raise RecordError(
                f"each row needs the {len(FEATURES)} fields in this order: {', '.join(FEATURES)}"
            )
        return self._predict(
            dict(zip(FEATURES, zip(*rows, strict=True), strict=True))
            if rows
            else {c: () for c in FEATURES}
        )

    def _predict(self, columns: Mapping[str, Sequence]) -> np.ndarray:
        first = self.features(columns) @ self._first_layer
        hidden = np.maximum(first[:, :-1], 0.0)
        logits = first[:, -1] + hidden @ self._from_hidden
        return 0.5 * (1.0 + np.tanh(0.5 * logits))  # the logistic function, without overflow

    def _predict_one(self, row: Sequence) -> float | None:
        """:meth:`_predict` for one row; None when a value needs the full checks and diagnosis."""
        if len(row) != len(FEATURES):
            return None
        x = list(row[: len(NUMERIC)])
        if not (set(map(type, x)) <= {int, float} and all(map(math.isfinite, x))):
            return None
        x += self._zeros
        try:
            for index, value in zip(self._hot.values(), row[len(NUMERIC) :], strict=True):
                x[index[value]] = 1.0
        except (KeyError, TypeError):
            return None
        *hidden, logit = (np.fromiter(x, float, len(x)) @ self._first_layer).tolist()
        logit += sum(h * w for h, w in zip(hidden, self._from_hidden_list, strict=True) if h > 0.0)
        return 0.5 * (1.0 + math.tanh(0.5 * logit))

    def features(self, columns: Mapping[str, Sequence]) -> np.ndarray:
        """The input matrix of the first layer: the 7 numeric fields as they are (normalisation
        is folded into the weights), then one one-hot block per categorical field. Refuses
        anything the model cannot score; whole columns are checked at C speed and the
        per-value diagnosis runs only when something is wrong."""
        if not columns.keys() >= _FEATURE_SET:
            missing = [c for c in FEATURES if c not in columns]
            raise RecordError(f"missing field(s): {', '.join(missing)}")
        n = len(columns[NUMERIC[0]])
        if n == 0:
            raise RecordError("no records to score")
        if len({len(columns[c]) for c in FEATURES}) > 1:
            raise RecordError("every field needs one value per record")
        x = np.zeros((n, len(self._first_layer)))
        x[:, : len(NUMERIC)] = self._numbers(columns, n)
        try:  # the one-hot position of each categorical value, column after column
            hot = np.fromiter(
                chain.from_iterable(
                    map(index.__getitem__, columns[column]) for column, index in self._hot.items()
                ),
                dtype=np.intp,
                count=n * len(CATEGORICAL),
            )
        except (KeyError, TypeError):  # an unknown or unhashable value
            raise RecordError(self._unknown(columns)) from None
        x[np.arange(n), hot.reshape(len(CATEGORICAL), n)] = 1.0
        return x

    def _unknown(self, columns: Mapping[str, Sequence]) -> str:
        for column, index in self._hot.items():
            for value in columns[column]:
                try:
                    index[value]
                except (KeyError, TypeError):
                    return (
                        f"{column}: unknown category {value!r}; expected one of "
                        f"{self.categories(column)}"
                    )
        return "unknown category"

    def _columns(self, records) -> dict[str, Sequence]:
        if hasattr(records, "to_dict"):  # a pandas DataFrame
            try:
                return {c: records[c].tolist() for c in FEATURES}
            except KeyError:
                raise RecordError(self._missing(records.to_dict("records"))) from None
        try:
            return {c: [r[c] for r in records] for c in FEATURES}
        except (KeyError, TypeError):
            raise RecordError(self._missing(records)) from None

    @staticmethod
    def _missing(records) -> str:
        if not all(isinstance(r, dict) for r in records):
            return "each record must be an object with the applicant's fields"
        missing = sorted({c for r in records for c in FEATURES if c not in r}, key=FEATURES.index)
        return f"missing field(s): {', '.join(missing)}"

    @staticmethod
    def _numbers(columns: Mapping[str, Sequence], n: int) -> np.ndarray:
        """The numeric fields as an (n, 7) float array; bools, strings and NaN are refused."""
        values = list(chain.from_iterable(columns[column] for column in NUMERIC))
        if not set(map(type, values)) <= {int, float}:
            for j, value in enumerate(values):
                if isinstance(value, (bool, np.bool_)) or not isinstance(
                    value, (int, float, np.number)
                ):
                    raise RecordError(f"{NUMERIC[j // n]} must be a number, got {value!r}")
        numbers = np.array(values, dtype=float)
        if not np.isfinite(numbers).all():
            column = NUMERIC[int(np.argmin(np.isfinite(numbers))) // n]
            raise RecordError(f"{column} must be a finite number (no NaN or infinity)")
        return numbers.reshape(len(NUMERIC), n).T

    def __post_init__(self) -> None:
        n_numeric, n_hidden = len(NUMERIC), self.hidden_bias.shape[0]
        # The first layer's kernel, with the output layer's weights on the features as one more
        # column so that one multiplication gives both. Its rows: the 7 numeric fields, then
        # one block per categorical field (each block starts with the unknown-value slot).
        output_on_features = self.output_kernel[: len(self.output_kernel) - n_hidden]
        first = np.hstack([self.hidden_kernel, output_on_features])
        numeric = first[:n_numeric].copy()
        # Normalisation folded in: ((x - mean) / std) @ W == x @ (W / std) - (mean / std) @ W.
        first[:n_numeric] = numeric / self.std[:, None]
        bias = np.append(self.hidden_bias, self.output_bias) - (self.mean / self.std) @ numeric
        # Every applicant has exactly one 1 in the first categorical block, so that constant
        # (and the biases) can be added to that block's rows once, here.
        first_block = len(self.vocabularies.get(CATEGORICAL[0], []))
        first[n_numeric : n_numeric + first_block] += bias
        self._first_layer = first
        self._from_hidden = self.output_kernel[len(self.output_kernel) - n_hidden :].ravel()
        self._from_hidden_list = self._from_hidden.tolist()
        self._zeros = [0.0] * (len(first) - n_numeric)  # the one-hot part of a single row
        # known value -> its column in features(). Interned keys: the service's decoder hands
        # over the very same (interned) string objects, and a lookup that matches by identity
        # skips comparing characters (a third faster on a batch).
        self._hot: dict[str, dict[str, int]] = {}
        start = n_numeric
        for column in CATEGORICAL:  # in the order of the one-hot blocks
            vocabulary = self.vocabularies.get(column, [])
            self._hot[column] = {
                sys.intern(str(value)): start + i for i, value in enumerate(vocabulary) if i > 0
            }
            start += len(vocabulary)

    @property
    def threshold(self) -> float:
        value = self.metadata.get("threshold")
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ArtifactError("the artifact has no decision threshold in its metadata")
        return float(value)

"""A smaller model: TensorFlow Lite conversion (float32, float16, dynamic-range int8), its file
size, latency and accuracy cost, and magnitude pruning with Keras alone. Imports TensorFlow.

TensorFlow's converter writes the files; :mod:`course.scale.lite` runs them (LiteRT where it is
installed). Conversion chatter (captured tensors, C++ notes) is kept out of the lesson's output,
warnings are not (:func:`course.scale.lite.native_output_silenced`).

float16 and the encoder's constants: a model that standardises its inputs inside itself carries
each column's mean and standard deviation in its file, and float16's largest number is 65,504.
The course's networks take the logarithm of the amounts first, so every constant fits. Lesson
03's recipe on raw amounts (``NetConfig(log_amounts=False)``) does not: the credit limit's mean
(about 168,000) is stored as 65,504, shifting every client's standardised credit limit by most of
a standard deviation (:func:`beyond_float16` lists the constants out of range; the standard
deviations out of range do no harm, since the file stores their reciprocals).
``convert(..., standardise_outside=True)`` moves such a model's standardisation out of the file
into NumPy: the file then holds only the weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import tensorflow as tf

from course.credit.evaluate import BAYES_THRESHOLD
from course.scale.data import FEATURES, NUMERIC
from course.scale.lite import (  # noqa: F401  (the lesson reaches the runtime through here)
    RUNTIME,
    RUNTIMES,
    LiteFile,
    LiteModel,
    describe_runtime,
    int8_tensors,
    native_output_silenced,
    predict_all,
)

#: The three conversions: name -> what the converter is asked for.
VARIANTS = {
    "TF Lite float32": "the same weights in TF Lite's flat format",
    "TF Lite float16": "weights and constants stored as 16-bit floats, computed in float32",
    "TF Lite int8 (dynamic range)": "big weight tensors stored as 8-bit integers, with one scale "
    "per output unit (per channel), computed in float32",
}
#: TF Lite's converter leaves weight tensors with fewer elements than this unquantized (int8).
QUANTIZE_MIN_WEIGHTS = 1024
#: The largest finite float16 number.
FLOAT16_MAX = float(np.finfo(np.float16).max)
#: Sparsities of the pruning sweep (share of each dense kernel's weights set to zero).
SPARSITIES = [0.0, 0.25, 0.5, 0.75, 0.9, 0.95]


def encoder_constants(model) -> pd.DataFrame:
    """The model's standardisation constants: one row per :data:`~course.scale.data.NUMERIC`
    column, its ``mean`` and ``std`` (the ``encode`` layer's two weights, in that order)."""
    weights = model.get_layer("encode").get_weights()
    if len(weights) != 2 or any(np.shape(w) != (len(NUMERIC),) for w in weights):
        raise ValueError(
            f"the model's 'encode' layer should hold a mean and a standard deviation "
            f"per numeric column ({len(NUMERIC)} each), got shapes "
            f"{[np.shape(w) for w in weights]}"
        )
    mean, std = (np.asarray(w, dtype=np.float64) for w in weights)
    return pd.DataFrame({"mean": mean, "std": std}, index=pd.Index(NUMERIC, name="column"))


def beyond_float16(model) -> pd.DataFrame:
    """The encoder constants float16 cannot hold (absolute value above :data:`FLOAT16_MAX`):
    one row each, with its ``column``, ``constant`` (``"mean"`` or ``"std"``) and ``value``."""
    long = encoder_constants(model).stack().rename("value").reset_index()
    long.columns = ["column", "constant", "value"]
    return long[long["value"].abs() > FLOAT16_MAX].reset_index(drop=True)


def convert(model, variant: str, standardise_outside: bool = False) -> LiteFile:
    """The TF Lite file of ``model`` for one of :data:`VARIANTS`.

    With ``standardise_outside``, the file takes records whose numeric columns are already
    standardised (its encoder's mean and std are set to 0 and 1) and the returned
    :class:`~course.scale.lite.LiteFile` applies the model's own mean and std before it: the
    file's predictions are then the model's, with no statistic stored in the file's precision.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {list(VARIANTS)}")
    outside = {}
    if standardise_outside and model.get_layer("encode").log_amounts:
        raise ValueError(
            "this model takes the logarithm of the amounts inside itself, so its "
            "constants already fit float16: there is no standardisation to move out"
        )
    if standardise_outside:
        from course.scale.network import clone

        constants = encoder_constants(model)
        outside = {
            "columns": [FEATURES.index(c) for c in NUMERIC],
            "mean": constants["mean"].to_numpy(np.float32),
            "std": constants["std"].to_numpy(np.float32),
        }
        model = clone(model)
        model.get_layer("encode").set_weights(
            [np.zeros(len(NUMERIC), np.float32), np.ones(len(NUMERIC), np.float32)]
        )
    with native_output_silenced():  # (the exporter lists every captured tensor; C++ pass notes)
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        if variant != "TF Lite float32":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if variant == "TF Lite float16":
            converter.target_spec.supported_types = [tf.float16]
        content = converter.convert()
    return LiteFile(content, variant, **outside)


def probability_shift(
    reference: np.ndarray, other: np.ndarray, threshold: float = BAYES_THRESHOLD
) -> dict[str, float]:
    """How far ``other``'s probabilities moved from ``reference``'s, per client: the share moved
    by more than 0.01, the share of decisions at ``threshold`` (lesson 03's 1/6) that flipped,
    and the largest change."""
    p, q = (np.asarray(a, dtype=np.float64).ravel() for a in (reference, other))
    if p.shape != q.shape or not len(p):
        raise ValueError(
            f"need two equally long, non-empty sets of probabilities, got {len(p)} and {len(q)}"
        )
    change = np.abs(q - p)
    return {
        "moved > 0.01": float((change > 0.01).mean()),
        "decisions flipped": float(((p >= threshold) != (q >= threshold)).mean()),
        "largest change": float(change.max()),
    }


def median_seconds(call: Callable[[], object], repeats: int = 50, warmup: int = 3) -> float:
    """The median wall time of ``call()`` over ``repeats`` runs, after ``warmup`` untimed runs
    (lesson 04's :func:`course.service.latency.median_ms`, in seconds)."""
    from course.service.latency import median_ms

    return median_ms(call, repeats, warmup) / 1000


def prune(model, sparsity: float, layers: tuple[str, ...] = ("hidden", "default_probability")):
    """A copy of ``model`` with the smallest-magnitude ``sparsity`` share of each listed layer's
    kernel set to exactly zero (biases and the encoder untouched): one-shot magnitude pruning."""
    from course.scale.network import clone

    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparsity must be in [0, 1), got {sparsity}")
    pruned = clone(model)
    for name in layers:
        layer = pruned.get_layer(name)
        kernel, *rest = layer.get_weights()
        cut = int(round(sparsity * kernel.size))
        if cut:
            order = np.argsort(np.abs(kernel), axis=None, kind="stable")
            flat = kernel.ravel().copy()
            flat[order[:cut]] = 0.0
            kernel = flat.reshape(kernel.shape)
        layer.set_weights([kernel, *rest])
    return pruned


def zero_share(model, layers: tuple[str, ...] = ("hidden", "default_probability")) -> float:
    """The share of the listed kernels' weights that are exactly zero."""
    kernels = [model.get_layer(n).get_weights()[0] for n in layers]
    return float(sum((k == 0).sum() for k in kernels) / sum(k.size for k in kernels))

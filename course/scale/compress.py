"""A smaller model: TensorFlow Lite conversion (float32, float16, dynamic-range int8), its file
size, latency and accuracy cost, and magnitude pruning with Keras alone. Imports TensorFlow.

TensorFlow Lite ships inside ``tensorflow-cpu``. Its converter prints the tensors it captures and
its interpreter warns that it moves to the separate ``ai-edge-litert`` package: both are kept out
of the lesson's output (:func:`_quietly`).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import tensorflow as tf

#: The three conversions: name -> what the converter is asked for.
VARIANTS = {
    "TF Lite float32": "the same weights in TF Lite's flat format",
    "TF Lite float16": "weights stored as 16-bit floats, computed in float32",
    "TF Lite int8 (dynamic range)": "weights stored as 8-bit integers with a scale per tensor",
}
#: TF Lite's converter leaves weight tensors with fewer elements than this unquantized.
QUANTIZE_MIN_WEIGHTS = 1024
#: Sparsities of the pruning sweep (share of each dense kernel's weights set to zero).
SPARSITIES = [0.0, 0.25, 0.5, 0.75, 0.9, 0.95]


@contextlib.contextmanager
def _quietly():
    """Silence Python's and the C++ converter's output (file descriptors 1 and 2 included)."""
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):  # fmt: skip
            warnings.simplefilter("ignore")
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def convert(model, variant: str) -> bytes:
    """The TF Lite flatbuffer of ``model`` for one of :data:`VARIANTS`."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {list(VARIANTS)}")
    with _quietly():
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        if variant != "TF Lite float32":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if variant == "TF Lite float16":
            converter.target_spec.supported_types = [tf.float16]
        return converter.convert()


@dataclass
class LiteModel:
    """A TF Lite model ready to score batches of one fixed size."""

    content: bytes
    rows: int

    def __post_init__(self) -> None:
        with _quietly():  # (allocating prints a notice about the CPU delegate it creates)
            self._interpreter = tf.lite.Interpreter(model_content=self.content)
            self._input = self._interpreter.get_input_details()[0]["index"]
            self._output = self._interpreter.get_output_details()[0]["index"]
            self._interpreter.resize_tensor_input(self._input, [self.rows, self._width()])
            self._interpreter.allocate_tensors()

    def _width(self) -> int:
        return int(self._interpreter.get_input_details()[0]["shape"][-1])

    def predict_proba(self, records: np.ndarray) -> np.ndarray:
        records = np.asarray(records, dtype=np.float32)
        if len(records) != self.rows:
            raise ValueError(f"this interpreter scores {self.rows} rows at a time, got {len(records)}")
        self._interpreter.set_tensor(self._input, records)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).ravel().copy()


def predict_all(content: bytes, records: np.ndarray, batch: int = 1_000) -> np.ndarray:
    """P(default) for every row, through a TF Lite interpreter, ``batch`` rows at a time."""
    records = np.asarray(records, dtype=np.float32)
    full, rest = divmod(len(records), batch)
    parts = []
    if full:
        lite = LiteModel(content, batch)
        parts += [lite.predict_proba(records[i * batch:(i + 1) * batch]) for i in range(full)]
    if rest:
        parts.append(LiteModel(content, rest).predict_proba(records[full * batch:]))
    return np.concatenate(parts)


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

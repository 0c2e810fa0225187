"""Running a TensorFlow Lite file: LiteRT's interpreter where it is installed, TensorFlow's own
``tf.lite.Interpreter`` only where it is not. No TensorFlow import on the LiteRT path.

LiteRT (the ``ai-edge-litert`` package, pinned in ``requirements.lock`` for every platform it
publishes wheels for: Linux x86_64 and aarch64, macOS on Apple silicon, Windows x86_64, the same
platforms as TensorFlow 2.21) is the runtime TensorFlow now points to: ``tf.lite.Interpreter``
warns that it is deprecated in its favour. :data:`RUNTIME` names the one in use.

The files themselves still come from TensorFlow's converter (:mod:`course.scale.compress`).
A :class:`LiteFile` is one such file plus the standardisation to apply to the records before
they enter it, when the conversion moved that step outside the file.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: The two runtimes, by the name the lesson prints.
LITERT, TENSORFLOW = "LiteRT", "TensorFlow Lite"


def _litert_installed() -> bool:
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return False
    return True


#: The runtimes installed here, preferred first (TensorFlow's is there wherever TensorFlow is).
RUNTIMES = [LITERT, TENSORFLOW] if _litert_installed() else [TENSORFLOW]
#: The runtime :class:`LiteModel` uses unless told otherwise.
RUNTIME = RUNTIMES[0]


def describe_runtime(runtime: str = RUNTIME) -> str:
    """``"LiteRT 2.3.0 (ai-edge-litert)"`` or ``"TensorFlow Lite (tensorflow 2.21.0)"``."""
    from importlib.metadata import PackageNotFoundError, version

    package = {LITERT: ["ai-edge-litert"], TENSORFLOW: ["tensorflow-cpu", "tensorflow"]}[runtime]
    for name in package:
        try:
            return (
                f"{runtime} {version(name)} ({name})"
                if runtime == LITERT
                else f"{runtime} ({name} {version(name)})"
            )
        except PackageNotFoundError:
            continue
    return runtime


@contextlib.contextmanager
def native_output_silenced() -> Iterator[None]:
    """Keep native (C++) log lines and Python prints out of the lesson's output, never warnings.

    Silenced, and why: TensorFlow's converter prints the tensors it captures (Keras' exporter,
    Python ``print``) and MLIR pass notes (C++, file descriptor 2), and an interpreter announces
    the CPU delegate it creates ("Created TensorFlow Lite XNNPACK delegate", C++): progress
    chatter, not diagnostics, and its C++ part reaches a notebook's output under JupyterLab but not
    under pytest, so a compared cell could not hold it. Python warnings raised meanwhile are
    recorded and shown once the output is back: every filter stays as the caller set it.
    """
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        with (
            warnings.catch_warnings(record=True) as caught,
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)
    for w in caught:  # (only on success: an exception keeps its own message)
        warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)


def interpreter(content: bytes, runtime: str = RUNTIME):
    """An interpreter of the ``.tflite`` bytes ``content`` on ``runtime`` (of :data:`RUNTIMES`)."""
    if runtime not in RUNTIMES:
        raise ValueError(f"runtime {runtime!r} is not installed here; installed: {RUNTIMES}")
    if runtime == LITERT:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter(model_content=content)
    import tensorflow as tf

    with warnings.catch_warnings():
        # Its deprecation notice recommends LiteRT: we reach this line only where LiteRT is not
        # installed (or a test compares the two), and the lesson prints which runtime runs.
        warnings.filterwarnings(
            "ignore",
            category=UserWarning,
            message=r"\s*Warning: tf\.lite\.Interpreter is deprecated",
        )
        return tf.lite.Interpreter(model_content=content)


@dataclass(eq=False)
class LiteFile:
    """A TF Lite file (``content``, its ``variant``) and, when the conversion moved the
    standardisation outside it, the ``mean`` and ``std`` to apply to the record ``columns``
    first (:meth:`prepare`). ``len()`` is the file's size in bytes."""

    content: bytes
    variant: str = ""
    columns: list[int] = field(default_factory=list)
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.content)

    @property
    def standardised_outside(self) -> bool:
        return self.mean is not None

    def prepare(self, records: np.ndarray) -> np.ndarray:
        """The float32 matrix the file takes: ``records`` with the standardisation applied when
        it happens outside the file (in float32, the same operations as the Keras encoder)."""
        x = np.array(records, dtype=np.float32, ndmin=2)
        if self.mean is not None:
            x[:, self.columns] = (
                x[:, self.columns] - self.mean.astype(np.float32)
            ) / self.std.astype(np.float32)
        return x


def as_lite_file(lite: LiteFile | bytes) -> LiteFile:
    if isinstance(lite, LiteFile):
        return lite
    if isinstance(lite, (bytes, bytearray)):
        return LiteFile(bytes(lite))
    raise TypeError(
        f"expected a LiteFile or the bytes of a .tflite file, got {type(lite).__name__}"
    )


class LiteModel:
    """A TF Lite file ready to score batches of one fixed size ``rows`` on ``runtime``."""

    def __init__(self, lite: LiteFile | bytes, rows: int, runtime: str = RUNTIME):
        if rows < 1:
            raise ValueError(f"rows must be at least 1, got {rows}")
        self.file, self.rows, self.runtime = as_lite_file(lite), int(rows), runtime
        with native_output_silenced():  # (allocating announces the CPU delegate it creates)
            self._interpreter = interpreter(self.file.content, runtime)
            details = self._interpreter.get_input_details()[0]
            self._input = details["index"]
            self._output = self._interpreter.get_output_details()[0]["index"]
            self.width = int(details["shape"][-1])
            self._interpreter.resize_tensor_input(self._input, [self.rows, self.width])
            self._interpreter.allocate_tensors()

    def predict_proba(self, records: np.ndarray) -> np.ndarray:
        """P(default) for exactly :attr:`rows` raw records (any outside step applied first)."""
        x = self.file.prepare(records)
        if x.shape != (self.rows, self.width):
            raise ValueError(
                f"this interpreter scores {self.rows} rows at a time of {self.width} "
                f"columns, got {x.shape[0]} rows of {x.shape[1]}"
            )
        self._interpreter.set_tensor(self._input, x)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).ravel().copy()


def predict_all(
    lite: LiteFile | bytes, records: np.ndarray, batch: int = 1_000, runtime: str = RUNTIME
) -> np.ndarray:
    """P(default) for every row of ``records``, ``batch`` rows at a time."""
    records = np.asarray(records, dtype=np.float32)
    full, rest = divmod(len(records), batch)
    parts = []
    if full:
        model = LiteModel(lite, batch, runtime)
        parts += [model.predict_proba(records[i * batch : (i + 1) * batch]) for i in range(full)]
    if rest:
        parts.append(LiteModel(lite, rest, runtime).predict_proba(records[full * batch :]))
    return np.concatenate(parts)


def int8_tensors(lite: LiteFile | bytes) -> pd.DataFrame:
    """The file's 8-bit weight tensors: shape, number of weights, number of quantization scales
    and the axis they run along (dynamic-range int8 keeps one scale per output unit: per
    channel)."""
    with native_output_silenced():
        details = interpreter(as_lite_file(lite).content).get_tensor_details()
    rows = [
        {
            "tensor": t["name"],
            "shape": tuple(int(n) for n in t["shape"]),
            "weights": int(np.prod(t["shape"])),
            "scales": len(t["quantization_parameters"]["scales"]),
            "scale axis": int(t["quantization_parameters"]["quantized_dimension"]),
        }
        for t in details
        if t["dtype"] == np.int8
    ]
    columns = ["tensor", "shape", "weights", "scales", "scale axis"]
    return pd.DataFrame(rows, columns=columns).set_index("tensor")

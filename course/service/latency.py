"""Single-row latency of the ways to run the same model (lesson 04): Keras ``model.predict``,
the SavedModel signature TF Serving would call, and the NumPy artifact the service uses."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def median_ms(call: Callable[[], object], repeats: int, warmup: int = 3) -> float:
    """Median wall time of ``call()`` in milliseconds, after ``warmup`` unmeasured calls."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def compare(calls: dict[str, tuple[Callable[[], object], int]]) -> dict[str, float]:
    """``{name: (call, repeats)}`` -> ``{name: median ms}``, slowest first."""
    timings = {name: median_ms(call, repeats) for name, (call, repeats) in calls.items()}
    return dict(sorted(timings.items(), key=lambda item: -item[1]))

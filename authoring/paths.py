"""Run the notebooks under other numerical code paths: stored outputs must not depend on them.

A stored output that nbval compares is only right if it prints the same on every learner's machine:
Intel or AMD, with or without AVX-512, ARM, one thread or several. One machine cannot be all of
those, but it can take other code paths: NumPy's CPU dispatch lowered to its baseline (as on an
older or another vendor's CPU) and other thread counts (another summation order in BLAS, OpenMP
and TensorFlow). ``python -m authoring test-paths`` runs nbval over both notebook folders once
per path.

| path             | what changes                                                          |
|------------------|-----------------------------------------------------------------------|
| ``numpy-baseline`` | ``NPY_DISABLE_CPU_FEATURES`` = every dispatch target this CPU has     |
| ``threads-2``      | ``COURSE_THREADS=2``: BLAS, OpenMP and TensorFlow use two threads     |
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

from course.config import REPO_ROOT, THREADS_ENV

NUMPY_DISABLE_ENV = "NPY_DISABLE_CPU_FEATURES"

_FOUND_FEATURES = """
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
print(" ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f)))
"""


def numpy_dispatch_features() -> list[str]:
    """The CPU features NumPy dispatches to on this machine beyond its compiled baseline.

    Asked of a fresh interpreter without ``NPY_DISABLE_CPU_FEATURES``, so the answer is the CPU's,
    whatever this process runs with. Disabling all of them drops NumPy to its baseline kernels
    (for x86-64 wheels: SSE4.2-era code instead of AVX2/AVX-512).
    """
    env = {k: v for k, v in os.environ.items() if k != NUMPY_DISABLE_ENV}
    done = subprocess.run(
        [sys.executable, "-c", _FOUND_FEATURES], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@dataclass(frozen=True)
class CodePath:
    """One way of running the notebooks: a name and the environment variables that select it."""

    name: str
    env: dict[str, str]
    workers: int  # pytest-xdist workers: 1 where the notebooks' own threads fill both CPUs

    def describe(self) -> str:
        return " ".join(f"{k}={v!r}" for k, v in self.env.items()) or "(no change)"


def code_paths() -> list[CodePath]:
    """The code paths ``python -m authoring test-paths`` runs, computed for this machine."""
    features = numpy_dispatch_features()
    paths = [CodePath("threads-2", {THREADS_ENV: "2"}, workers=1)]
    if features:  # a CPU with nothing beyond the baseline has no other NumPy path to take
        paths.insert(0, CodePath("numpy-baseline", {NUMPY_DISABLE_ENV: " ".join(features)}, 2))
    return paths


@dataclass(frozen=True)
class PathResult:
    path: CodePath
    exit_code: int
    seconds: float


FOLDERS = ("notebooks", "solutions")


def run_path(
    path: CodePath, extra: list[str] | None = None, folders: tuple[str, ...] = FOLDERS
) -> PathResult:
    """nbval over ``folders`` (both notebook folders by default) with ``path``'s environment."""
    env = {**os.environ, **path.env}
    command = [
        sys.executable,
        "-m",
        "pytest",
        *folders,
        "-q",
        "-p",
        "no:cacheprovider",
        *(
            ["-n", str(path.workers), "--dist", "loadfile"]
            if path.workers > 1
            else ["-p", "no:xdist"]
        ),
        *(extra or []),
    ]
    print(f"[test-paths] {path.name}: {path.describe()}", flush=True)
    start = time.perf_counter()
    code = subprocess.call(command, cwd=REPO_ROOT, env=env)
    return PathResult(path, code, time.perf_counter() - start)


def run_all(
    names: list[str] | None = None,
    extra: list[str] | None = None,
    folders: tuple[str, ...] = FOLDERS,
) -> int:
    """Run every code path (or those named) over ``folders``, print a summary; exit status 1 if
    any failed."""
    import importlib.util

    if importlib.util.find_spec("nbval") is None or importlib.util.find_spec("pytest") is None:
        print(
            "The test tools are not in this environment (the learners' environment leaves them "
            "out). `python kit.py test-paths` installs them first.",
            file=sys.stderr,
        )
        return 2
    available = {p.name: p for p in code_paths()}
    unknown = [n for n in names or [] if n not in available]
    if unknown:
        print(
            f"No code path called {', '.join(unknown)}; choose from {', '.join(available)}.",
            file=sys.stderr,
        )
        return 2
    results = [run_path(available[n], extra, folders) for n in names or available]
    print("\ncode path        result   seconds")
    for r in results:
        verdict = "passed" if r.exit_code == 0 else f"FAILED ({r.exit_code})"
        print(f"{r.path.name:<16} {verdict:<8} {r.seconds:>7.0f}")
    return 0 if all(r.exit_code == 0 for r in results) else 1

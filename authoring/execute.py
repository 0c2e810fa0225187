"""Run a notebook in a fresh kernel of *this* Python environment, optionally measuring it.

The build (which saves outputs) and the budget report (which measures time and memory) both run
notebooks through :func:`execute_notebook`, so what is measured is exactly what is built.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.config import runtime_env

KERNEL_NAME = "python3"

#: Appended to a copy of the notebook when measuring; prints the kernel's own peak RSS. On Linux
#: it reads VmHWM: getrusage's ru_maxrss survives execve, so a kernel would inherit the peak of
#: the (possibly large) process that started it.
_MEASURE_CELL = """
import json as _j, re as _re, resource as _r, sys as _s
try:
    _status = open("/proc/self/status").read()
    _peak = int(_re.search(r"VmHWM:\\s+(\\d+) kB", _status).group(1)) * 1024
except (OSError, AttributeError):
    _peak = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss * (1 if _s.platform == "darwin" else 1024)
print(_j.dumps({"peak_rss": _peak, "tf": "tensorflow" in _s.modules or "keras" in _s.modules}))
"""


@dataclass(frozen=True)
class Run:
    """What one execution measured: wall seconds, the kernel's peak RSS in bytes, TF imported."""

    seconds: float
    peak_rss: int | None
    uses_tensorflow: bool | None


@contextmanager
def _kernel_environment(progress_dir: Path):
    """A ``python3`` kernelspec for ``sys.executable`` (ahead of any user-level one) and the env
    variables every executed notebook gets: throw-away progress and artifacts folders and
    (:func:`course.config.runtime_env`)."""
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
        updates = {
            **runtime_env(),
            "JUPYTER_PATH": os.pathsep.join(filter(None, [tmp, os.environ.get("JUPYTER_PATH")])),
            "COURSE_PROGRESS_DIR": str(progress_dir),
            "COURSE_ARTIFACTS_DIR": str(progress_dir / "artifacts"),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        saved = {key: os.environ.get(key) for key in updates}
        os.environ.update(updates)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def execute_notebook(
    nb: nbformat.NotebookNode, workdir: Path, *, measure: bool = False, timeout: int = 600
) -> Run:
    """Execute ``nb`` in place in a fresh kernel started in ``workdir``.

    With ``measure=True`` a final cell reports the kernel's peak RSS and whether TensorFlow was
    imported; that cell is removed again before returning.
    """
    from nbclient import NotebookClient

    if measure:
        nb.cells.append(nbformat.v4.new_code_cell(_MEASURE_CELL))
    with (
        tempfile.TemporaryDirectory(prefix="course-progress-") as progress,
        _kernel_environment(Path(progress)),
    ):
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=KERNEL_NAME,
            record_timing=False,
            resources={"metadata": {"path": str(workdir)}},
        )
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)  # widget model ids change every run: keep them out of git
    if not measure:
        return Run(seconds, None, None)
    report = json.loads(nb.cells.pop().outputs[0]["text"])
    return Run(seconds, int(report["peak_rss"]), bool(report["tf"]))

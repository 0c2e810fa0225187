"""The budget report: execute every notebook in a fresh kernel and compare time and memory with
the course budgets (at most 60 s; kernel peak RSS at most 1.0 GB with TensorFlow, 400 MB without).

A benchmark that prints figures, not a test: machines differ, so it reports and flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from authoring.build import NOTEBOOKS_DIR, SOLUTIONS_DIR
from authoring.execute import execute_notebook

MAX_SECONDS = 60.0
MAX_RSS_TF = 1000 * 1024**2
MAX_RSS_NO_TF = 400 * 1024**2


@dataclass(frozen=True)
class Measurement:
    notebook: str
    seconds: float
    peak_rss: int
    uses_tensorflow: bool

    @property
    def rss_budget(self) -> int:
        return MAX_RSS_TF if self.uses_tensorflow else MAX_RSS_NO_TF

    @property
    def within_budget(self) -> bool:
        return self.seconds <= MAX_SECONDS and self.peak_rss <= self.rss_budget


def measure(paths: list[Path]) -> list[Measurement]:
    """Execute each notebook (a copy: nothing is written) and measure it."""
    results = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        run = execute_notebook(nb, path.parent, measure=True)
        results.append(
            Measurement(
                f"{path.parent.name}/{path.name}", run.seconds, run.peak_rss, run.uses_tensorflow
            )
        )
    return results


def table(results: list[Measurement]) -> str:
    """The report as a fixed-width text table."""
    header = (
        f"{'notebook':<42} {'seconds':>8} {'budget':>7} {'peak RSS MB':>12} {'budget':>7} "
        f"{'TF':>4}  verdict"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.notebook:<42} {r.seconds:>8.1f} {MAX_SECONDS:>7.0f} "
            f"{r.peak_rss / 1024**2:>12.0f} {r.rss_budget / 1024**2:>7.0f} "
            f"{'yes' if r.uses_tensorflow else 'no':>4}  "
            f"{'ok' if r.within_budget else 'OVER BUDGET'}"
        )
    return "\n".join(lines)


def default_paths() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(SOLUTIONS_DIR.glob("*.ipynb"))

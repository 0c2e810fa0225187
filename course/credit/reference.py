"""The reference model, rebuilt deterministically, and its artifacts (``course model build``).

Lessons 04 and 05 need a trained model even when lesson 03 was never run: they call
:func:`ensure_artifacts`, which builds it in a separate process (so their own kernel never
imports TensorFlow) when the artifact is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from course import config

LIMITS = [
    "1,000 applicants from one country and decade: not representative of any lender today.",
    "Attributes include age, sex and marital status (combined in personal_status) and "
    "foreign_worker: using them can be unlawful discrimination; see lesson 03's group rates.",
    "Probabilities are calibrated only as far as the reliability table shows; small test split "
    "(200 applicants), so every metric has a wide interval.",
]


def artifacts_folder() -> Path:
    return config.artifacts_dir()


def numpy_artifact_path(folder: Path | None = None) -> Path:
    return (folder or artifacts_folder()) / "credit_risk_numpy.json"


def build_metadata(result, split) -> dict[str, Any]:
    """Threshold from the validation split, metrics on the test split, data provenance."""
    from course.credit import evaluate
    from course.credit.model import predict_proba
    from course.data import get_dataset

    val_p = predict_proba(result.model, split.validation)
    threshold = evaluate.best_threshold(split.validation["default"], val_p)
    test_p = predict_proba(result.model, split.test)
    report = evaluate.classification_report(split.test["default"], test_p, threshold)
    costs = evaluate.cost_table(split.test["default"], test_p, threshold)
    dataset = get_dataset("german_credit")
    return {
        "threshold": threshold,
        "metrics": {**{k: round(float(v), 4) for k, v in report.items()},
                    "cost_per_applicant": round(float(costs["model"]), 4)},
        "best_epoch": result.best_epoch,
        "data": {"citation": dataset.citation, "licence": dataset.licence, "sha256": dataset.sha256,
                 "split": split.sizes()},
        "limits": LIMITS,
    }  # fmt: skip


def build(folder: Path | None = None) -> dict[str, Path]:
    """Train the reference model and export every artifact (imports TensorFlow)."""
    from course.credit.data import split_data
    from course.credit.export import export_all
    from course.credit.model import train_reference_model

    split = split_data()
    result = train_reference_model(split)
    return export_all(result.model, build_metadata(result, split), folder or artifacts_folder())


def ensure_artifacts(folder: Path | None = None, timeout: int = 300) -> Path:
    """Return the NumPy artifact's path, building the reference model first if it is missing.

    The build runs in a child process, so the caller never imports TensorFlow.
    """
    path = numpy_artifact_path(folder)
    if not path.exists():
        command = [sys.executable, "-m", "course", "model", "build"]
        if folder is not None:
            command += ["--folder", str(folder)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or not path.exists():
            from course.credit.numpy_model import ArtifactError

            raise ArtifactError(f"Building the reference model failed:\n{done.stderr[-2000:]}")
    return path

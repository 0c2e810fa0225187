"""The reference model, rebuilt deterministically, and its artifacts (``course model build``).

Lessons 04 and 05 need a trained model even when lesson 03 was never run: they call
:func:`ensure_artifacts`, which builds it in a separate process (so their own kernel never
imports TensorFlow) when the artifact is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from course import config
from course.credit.signature import MODEL_NAME


def limits(sample_rate: float) -> list[str]:
    """The model card's limits, with the sampling figures computed from the data's bad-credit
    rate ``sample_rate`` (a sampling choice, not a population rate), not typed."""
    from course.credit.coding import CORRECTION_CITATION, POPULATION_BAD_RATE
    from course.credit.evaluate import BAYES_THRESHOLD, prior_shift_threshold

    sample = sample_rate
    shifted = prior_shift_threshold(BAYES_THRESHOLD, sample, POPULATION_BAD_RATE)
    return [
        "1,000 credits from one country and decade: not representative of any lender today.",
        f"A stratified sample, not a population: {sample:.0%} bad credits, bad ones oversampled "
        f"(the sources report a real rate of about {POPULATION_BAD_RATE:.0%}), and only credits "
        "that were granted (no rejected applicants: reject-inference bias). The probabilities are "
        f"calibrated to the {sample:.0%} sample, not to a population: where bad credits are "
        f"{POPULATION_BAD_RATE:.0%}, the cost-optimal rule 1/6 corresponds to rejecting when this "
        f"model's probability is at least {shifted:.2f} (a prior-shift correction, lesson 03).",
        f"Codes decoded with the corrected table ({CORRECTION_CITATION}).",
        "Attributes include age, marital status with sex (personal_status: one code mixes female "
        "non-single and male single, so sex cannot be recovered and no audit by sex is possible) "
        "and foreign_worker (few applicants): using them can be unlawful discrimination; "
        "see lesson 03's group audit.",
        "Probabilities are calibrated only as far as the reliability table shows; small test split "
        "(200 applicants), so every metric has a wide interval.",
    ]


def artifacts_folder() -> Path:
    return config.artifacts_dir()


def numpy_artifact_path(folder: Path | None = None) -> Path:
    return (folder or artifacts_folder()) / f"{MODEL_NAME}_numpy.json"


#: The lock two builders of one artifacts folder share (:func:`ensure_artifacts`).
BUILD_LOCK = ".model-build.lock"


#: How the shipped threshold is chosen, for the model card (lesson 03 shows the evidence).
THRESHOLD_RULE = (
    "the Bayes-optimal threshold 1/6 for calibrated probabilities under the dataset's cost matrix "
    "(approving a bad applicant costs 5, rejecting a good one costs 1). A threshold tuned on the "
    "200 validation rows was not shipped: those rows also chose the epoch, and in 10 "
    "cross-validation folds tuning did not lower the cost while the tuned value swung widely"
)


def build_metadata(result, split) -> dict[str, Any]:
    """The shipped threshold (1/6, see :data:`THRESHOLD_RULE`), metrics on the test split at that
    threshold, the validation-tuned threshold for the record, and data provenance."""
    from course.credit import evaluate
    from course.credit.model import predict_proba
    from course.data import get_dataset

    val_p = predict_proba(result.model, split.validation)
    tuned = evaluate.best_threshold(split.validation["default"], val_p)
    threshold = evaluate.BAYES_THRESHOLD
    test_p = predict_proba(result.model, split.test)
    report = evaluate.classification_report(split.test["default"], test_p, threshold)
    costs = evaluate.cost_table(split.test["default"], test_p, threshold)
    dataset = get_dataset("german_credit")
    return {
        "threshold": threshold,
        "threshold_rule": THRESHOLD_RULE,
        "validation_tuned_threshold": round(tuned, 4),
        "metrics": {
            **{k: round(float(v), 4) for k, v in report.items()},
            "cost_per_applicant": round(float(costs["model"]), 4),
        },
        "metrics_split": "test",
        "validation_auc": round(
            float(
                evaluate.classification_report(split.validation["default"], val_p, threshold)[
                    "roc_auc"
                ]
            ),
            4,
        ),
        "best_epoch": result.best_epoch,
        "data": {
            "citation": dataset.citation,
            "licence": dataset.licence,
            "sha256": dataset.sha256,
            "split": split.sizes(),
        },
        "limits": limits(float(split.train["default"].mean())),
    }


def held_out_auc(folder: Path | None = None) -> float:
    """The reference model's ROC AUC on the held-out test split, read from its artifact.

    Of the three AUCs lesson 03 prints (validation: it chose the epoch, optimistic; the
    cross-validation mean: other models trained the same way; test: this model on rows never
    tuned on), this is the one every later lesson uses. Builds the artifact if it is missing
    (in a child process: the caller never imports TensorFlow).
    """
    import json

    metadata = json.loads(ensure_artifacts(folder).read_text(encoding="utf-8"))["metadata"]
    return float(metadata["metrics"]["roc_auc"])


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

    The build runs in a child process, so the caller never imports TensorFlow, and once
    however many callers ask at the same time (lessons 04 and 05 open together).
    """
    from course.build_once import build_once
    from course.credit.numpy_model import ArtifactError

    path = numpy_artifact_path(folder)
    command = [sys.executable, "-m", "course", "model", "build"]
    if folder is not None:
        command += ["--folder", str(folder)]
    build_once(
        [path],
        path.parent / BUILD_LOCK,
        command,
        timeout=timeout,
        error="Building the reference model failed",
        error_type=ArtifactError,
    )
    return path

"""Export the trained model: a ``.keras`` file, a SavedModel in TensorFlow Serving's
``credit_risk/<version>/`` layout whose signature takes the raw applicant fields, the NumPy
artifact for the light web service, and a model card (JSON and Markdown). Imports TensorFlow.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import tensorflow as tf

from course.credit.data import CATEGORICAL, NUMERIC
from course.credit.numpy_model import NumpyCreditModel
from course.credit.signature import MODEL_NAME, OUTPUT, SIGNATURE


def serving_signature() -> dict[str, tf.TensorSpec]:
    """One 1-D tensor per raw field: TF Serving's row format sends one value per instance."""
    spec = {c: tf.TensorSpec([None], tf.float32, name=c) for c in NUMERIC}
    return spec | {c: tf.TensorSpec([None], tf.string, name=c) for c in CATEGORICAL}


def export_saved_model(model, folder: Path, version: int = 1) -> Path:
    """Write ``folder/credit_risk/<version>/`` with a ``serving_default`` signature."""
    import keras

    target = Path(folder) / MODEL_NAME / str(version)
    if target.exists():
        shutil.rmtree(target)
    archive = keras.export.ExportArchive()
    archive.track(model)

    def serve(inputs):
        columns = {name: tf.expand_dims(value, -1) for name, value in inputs.items()}
        return {OUTPUT: tf.squeeze(model(columns, training=False), -1)}

    archive.add_endpoint(SIGNATURE, serve, input_signature=[serving_signature()])
    archive.write_out(str(target), verbose=False)
    return target


def model_card(metadata: dict[str, Any]) -> str:
    """The model card as Markdown, from the same metadata the JSON card holds."""
    m = metadata["metrics"]
    lines = [
        f"# Model card: {MODEL_NAME} v{metadata['version']}",
        "",
        "## What it does",
        "Estimates the probability that a credit applicant will not repay as agreed (default), "
        "from the 20 attributes of the German credit data. The decision rule rejects applicants "
        f"whose probability is at least **{metadata['threshold']:.3f}**: "
        f"{metadata.get('threshold_rule', 'see lesson 03')}.",
        "",
        "## Data",
        f"{metadata['data']['citation']} ({metadata['data']['licence']}). 1,000 applicants from "
        "1970s Germany, decoded with Groemping's (2019) corrected code table (the Statlog "
        "documentation's labels are wrong for several attributes; see Limits); split 60/20/20 "
        "(train/validation/test), stratified, seed 0.",
        "",
        "## Test-split performance",
        f"On the {metadata['data']['split']['test']} held-out test applicants, decisions at the "
        "threshold above. This ROC AUC is the one later lessons use "
        "(`course.credit.reference.held_out_auc()`); the validation AUC chose the epoch and is "
        "optimistic.",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {k} | {v:.4f} |" for k, v in m.items()],
        "",
        "## Intended use",
        "Teaching: a worked example of building, evaluating and serving a risk model. It may "
        "illustrate a decision-support tool whose output a trained person reviews.",
        "",
        "## Must not be used for",
        "Real lending decisions; decisions about any real person; any use without a fresh, "
        "representative and lawfully processed dataset, a fairness review and human oversight.",
        "",
        "## Limits",
        *[f"- {limit}" for limit in metadata["limits"]],
    ]
    return "\n".join(lines) + "\n"


def export_all(model, metadata: dict[str, Any], folder: Path, version: int = 1) -> dict[str, Path]:
    """Write every artifact into ``folder``; returns their paths by kind."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = {**metadata, "version": version, "name": MODEL_NAME}
    paths = {
        "keras": folder / f"{MODEL_NAME}.keras",
        "numpy": folder / f"{MODEL_NAME}_numpy.json",
        "card_json": folder / "model_card.json",
        "card_md": folder / "model_card.md",
    }
    model.save(paths["keras"])
    paths["saved_model"] = export_saved_model(model, folder, version)
    NumpyCreditModel.from_keras(model, metadata).save(paths["numpy"])
    paths["card_json"].write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    paths["card_md"].write_text(model_card(metadata), encoding="utf-8")
    return paths

"""The TensorFlow model and its artifacts: determinism, parity of the NumPy artifact, the
SavedModel signature on raw records, the .keras round trip, and clear errors for bad input.

All TensorFlow tests live in this one file so that only one test worker imports TensorFlow.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from course.credit.data import CATEGORICAL, NUMERIC, split_data
from course.credit.numpy_model import ArtifactError, NumpyCreditModel, RecordError
from course.credit.signature import MODEL_NAME, OUTPUT, SIGNATURE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The reference artifacts, built the way lessons 04-05 get them (a child process)."""
    from course.credit.reference import ensure_artifacts

    folder = tmp_path_factory.mktemp("artifacts")
    path = ensure_artifacts(folder)
    return folder, path


@pytest.fixture(scope="module")
def keras_model(built):
    import keras

    return keras.saving.load_model(built[0] / "credit_risk.keras")


def test_training_is_deterministic_and_beats_chance():
    from course.credit.model import predict_proba, train_reference_model

    split = split_data()
    first, second = train_reference_model(split), train_reference_model(split)
    p1, p2 = predict_proba(first.model, split.test), predict_proba(second.model, split.test)
    assert np.array_equal(p1, p2)
    assert first.best_epoch == second.best_epoch and len(first.history) == len(second.history)
    assert round(float(first.history["val_auc"].max()), 4) == 0.8088
    assert p1.shape == (200,) and ((p1 > 0) & (p1 < 1)).all()


def test_all_artifacts_exist_and_the_card_is_complete(built):
    folder, numpy_path = built
    for name in (
        "credit_risk.keras",
        "credit_risk_numpy.json",
        "model_card.json",
        "model_card.md",
        "credit_risk/1/saved_model.pb",
    ):
        assert (folder / name).exists(), name
    card = json.loads((folder / "model_card.json").read_text())
    assert card["metrics"]["roc_auc"] == 0.7679 and card["metrics_split"] == "test"
    # The shipped threshold is the cost matrix's 1/6, not the one tuned on the validation rows.
    assert card["threshold"] == pytest.approx(1 / 6)
    assert card["validation_tuned_threshold"] == pytest.approx(0.0908, abs=1e-4)
    assert card["metrics"]["cost_per_applicant"] == 0.535 and card["validation_auc"] > 0.8
    assert card["data"]["split"] == {"train": 600, "validation": 200, "test": 200}
    text = (folder / "model_card.md").read_text()
    assert "## Must not be used for" in text and "## Limits" in text and "0.7679" in text
    assert "**0.167**" in text and "Bayes-optimal threshold 1/6" in text and "held_out_auc" in text


def test_held_out_auc_is_the_test_auc_of_the_served_artifact(built):
    from course.credit.reference import held_out_auc

    folder, numpy_path = built
    assert held_out_auc(folder) == 0.7679
    data = json.loads(numpy_path.read_text())
    data["metadata"]["metrics"]["roc_auc"] = 0.5  # read from the artifact, not a constant
    other = folder.parent / "other"
    other.mkdir(exist_ok=True)
    (other / numpy_path.name).write_text(json.dumps(data))
    assert held_out_auc(other) == 0.5


def test_fit_predict_can_tune_its_threshold_on_its_early_stopping_rows():
    from course.credit import evaluate
    from course.credit.model import fit_predict, fit_predict_tuned

    split = split_data()
    proba, threshold = fit_predict_tuned(split.train, split.test)
    assert proba.shape == (200,) and 0 <= threshold <= 1
    assert np.array_equal(proba, fit_predict(split.train, split.test))  # same model either way
    from sklearn.model_selection import train_test_split

    _, stop = train_test_split(
        split.train, test_size=0.25, stratify=split.train["default"], random_state=0
    )  # the rows fit_predict held out
    stop_p = fit_predict(split.train, stop)
    assert threshold == evaluate.best_threshold(stop["default"], stop_p)


def test_numpy_artifact_matches_keras_on_the_whole_test_split(built, keras_model):
    from course.credit.model import predict_proba

    test = split_data().test
    light = NumpyCreditModel.load(built[1])
    assert np.abs(light.predict_proba(test) - predict_proba(keras_model, test)).max() <= 1e-6
    records = test.head(2)[NUMERIC + CATEGORICAL].to_dict("records")
    assert light.predict_proba(records) == pytest.approx(light.predict_proba(test.head(2)))
    assert 0 < light.threshold < 0.5


def test_saved_model_signature_takes_raw_records(built, keras_model):
    import tensorflow as tf

    from course.credit.model import predict_proba

    served = tf.saved_model.load(str(built[0] / MODEL_NAME / "1")).signatures[SIGNATURE]
    rows = split_data().test.head(5)
    fields = {c: tf.constant(rows[c].to_numpy("float32")) for c in NUMERIC}
    fields |= {c: tf.constant(rows[c].to_numpy(str)) for c in CATEGORICAL}
    out = served(**fields)[OUTPUT].numpy()
    assert out.shape == (5,)
    assert out == pytest.approx(predict_proba(keras_model, rows), abs=1e-6)


def _record():
    return split_data().test.iloc[0][NUMERIC + CATEGORICAL].to_dict()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.pop("age"), "missing field"),
        (lambda r: r.update(purpose="spaceship"), "purpose: unknown category 'spaceship'"),
        (lambda r: r.update(purpose="[UNK]"), "unknown category"),
        (lambda r: r.update(credit_amount="1000"), "credit_amount must be a number"),
        (lambda r: r.update(age=float("nan")), "age must be a finite number"),
        (lambda r: r.update(duration=True), "duration must be a number"),
    ],
)
def test_bad_records_get_clear_errors(built, change, message):
    light = NumpyCreditModel.load(built[1])
    record = _record()
    change(record)
    with pytest.raises(RecordError, match=message):
        light.predict_proba([record])
    with pytest.raises(RecordError, match="no records"):
        light.predict_proba([])


def test_missing_or_corrupt_artifacts_name_the_file_and_the_fix(built, tmp_path):
    with pytest.raises(ArtifactError, match="course model build"):
        NumpyCreditModel.load(tmp_path / "nothing.json")
    data = json.loads(built[1].read_text())
    cases = {
        "truncated.json": built[1].read_text()[:500],
        "format.json": json.dumps({**data, "format": "pickle"}),
        "shape.json": json.dumps({**data, "hidden_bias": data["hidden_bias"][:-1]}),
        "nan.json": json.dumps({**data, "std": [float("nan")] * len(data["std"])}),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ArtifactError) as info:
            NumpyCreditModel.load(path)
        assert str(path) in str(info.value) and "course model build" in str(info.value)


def test_savedmodel_backend_serves_the_same_scores(built):
    from course.service.server import load_scorer

    numpy_backend = load_scorer("numpy", built[0])
    saved = load_scorer("savedmodel", built[0])
    rows = split_data().test.head(20)[NUMERIC + CATEGORICAL].to_dict("records")
    assert saved.predict_proba(rows) == pytest.approx(numpy_backend.predict_proba(rows), abs=1e-6)
    assert saved.threshold == pytest.approx(numpy_backend.threshold)


def test_the_tf_serving_route_sends_what_the_saved_models_signature_takes(built):
    """What a cluster's TF Serving would be sent (the service's own TF-Serving route body) fits
    the SavedModel's ``serving_default`` exactly, and its answer is the service's to 1e-5."""
    import tensorflow as tf
    from fastapi.testclient import TestClient

    from course.service import tf_serving
    from course.service.app import create_app
    from course.service.server import load_scorer
    from course.service.storage import Storage

    folder = built[0]
    loaded = tf.saved_model.load(str(folder / tf_serving.MODEL_NAME / "1"))
    signature = loaded.signatures[tf_serving.SIGNATURE]
    inputs = signature.structured_input_signature[1]  # {name: TensorSpec}; no positional args
    assert signature.structured_input_signature[0] == ()
    found = {name: (spec.dtype.name, tuple(spec.shape.as_list())) for name, spec in inputs.items()}
    assert found == tf_serving.expected_signature()
    outputs = {
        name: (spec.dtype.name, tuple(spec.shape.as_list()))
        for name, spec in signature.structured_outputs.items()
    }
    assert outputs == {tf_serving.OUTPUT: ("float32", (None,))}  # one output: "predictions": [p]

    test = split_data().test.head(7)
    body = tf_serving.request_body(test.to_dict("records"))  # the label and index left out
    assert [set(instance) for instance in body["instances"]] == [set(inputs)] * 7
    store = Storage(folder / "usage.sqlite")
    try:
        client = TestClient(
            create_app(load_scorer("numpy", folder), store), base_url="http://localhost"
        )
        answer = client.post(tf_serving.predict_path(), json=body)
    finally:
        store.close()
    assert answer.status_code == 200 and list(answer.json()) == ["predictions"]
    served = answer.json()["predictions"]

    # As TF Serving does: each input's column of the JSON instances, as a tensor of its dtype.
    tensors = {
        name: tf.constant(values, dtype=inputs[name].dtype)
        for name, values in tf_serving.columns(body).items()
    }
    probabilities = signature(**tensors)[tf_serving.OUTPUT].numpy()
    assert probabilities.shape == (7,)
    assert np.abs(probabilities - np.array(served)).max() <= 1e-5

"""The model under TensorFlow Serving, for a cluster: its command, its signature, its requests.

``course model build`` exports a SavedModel in TF Serving's layout
(``artifacts/credit_risk/1/``) whose ``serving_default`` signature takes the raw applicant
fields, one 1-D tensor each, and answers ``default_probability``. The service's route
``POST /v1/models/credit_risk:predict`` takes TF Serving's REST row format
(``{"instances": [applicant, ...]}``) and answers as TF Serving does for a one-output
signature (``{"predictions": [p, ...]}``): a client that sends that request and reads that
answer works with either server. That is all of TF Serving's REST API the service implements:
its columnar form (``{"inputs": ...}``), ``signature_name``, ``/versions/N`` paths, the model
status and metadata routes, and its error answers (``{"error": "..."}`` with 400) are not (the
service refuses the first two with 422 and answers the routes it lacks with 404;
``tests/test_service_contract.py`` checks each).

Nothing here imports TensorFlow; ``tests/test_credit_tf.py`` loads the SavedModel and checks
:func:`expected_signature` and :func:`request_body` against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from course.credit.features import CATEGORICAL, FEATURES, NUMERIC
from course.credit.signature import MODEL_NAME

# (re-exported: a TF Serving client finds every name it needs here)
from course.credit.signature import OUTPUT as OUTPUT
from course.credit.signature import SIGNATURE as SIGNATURE

REST_PORT = 8501
#: TF Serving's release for the TensorFlow that exports the model (tensorflow-cpu 2.21.0 in
#: requirements.lock): a server older than the exporter may not know every op it wrote.
IMAGE = "tensorflow/serving:2.21.0"


def predict_path(model: str = MODEL_NAME) -> str:
    """The REST path of a model's predictions, on TF Serving and on the course service alike."""
    return f"/v1/models/{model}:predict"


def expected_signature() -> dict[str, tuple[str, tuple[int | None, ...]]]:
    """The inputs the service's requests need: each field's dtype name and shape.

    Returns
    -------
    dict
        ``{field: (dtype, shape)}``: ``float32`` for the numeric fields and ``string`` for the
        categories, each of shape ``(None,)``: one value per applicant in the batch.
    """
    spec = {name: ("float32", (None,)) for name in NUMERIC}
    return spec | {name: ("string", (None,)) for name in CATEGORICAL}


def _plain(value: Any) -> Any:
    """A JSON value from a NumPy or pandas scalar (``np.int64(12)`` -> ``12``)."""
    return value.item() if hasattr(value, "item") else value


def request_body(applicants: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """TF Serving's REST row-format body for applicants: ``{"instances": [...]}``.

    Each instance holds exactly the signature's inputs, in ``FEATURES`` order: TF Serving
    refuses an instance with a field its signature does not have, so other keys (an id, the
    label) are left out here.

    Parameters
    ----------
    applicants
        Mappings with at least every field of ``FEATURES`` (dicts, or rows of a DataFrame's
        ``to_dict("records")``).

    Returns
    -------
    dict
        The body for ``POST /v1/models/credit_risk:predict`` on either server.

    Raises
    ------
    ValueError
        When an applicant lacks a field, or there are none.
    """
    if not applicants:
        raise ValueError("no applicants: TF Serving needs at least one instance")
    instances = []
    for number, applicant in enumerate(applicants):
        missing = [name for name in FEATURES if name not in applicant]
        if missing:
            raise ValueError(f"applicant {number} lacks {', '.join(missing)}")
        instances.append({name: _plain(applicant[name]) for name in FEATURES})
    return {"instances": instances}


def columns(body: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, list[Any]]:
    """The signature's inputs as TF Serving builds them from a row-format body: one list per
    input, holding that field of every instance in order (the batch dimension)."""
    instances = body["instances"]
    return {name: [instance[name] for instance in instances] for name in FEATURES}


def docker_command(model_base: Path | str, port: int = REST_PORT) -> list[str]:
    """``docker run`` for TF Serving's image, serving the exported model over REST.

    Parameters
    ----------
    model_base
        The folder that holds the numbered versions (``artifacts/credit_risk``, which holds
        ``1/saved_model.pb``); an absolute path, as Docker's bind mounts need.
    port
        The host port for the REST API (the container listens on 8501).
    """
    return [
        "docker",
        "run",
        "--rm",
        "-p",
        f"{port}:{REST_PORT}",
        "--mount",
        f"type=bind,source={model_base},target=/models/{MODEL_NAME},readonly",
        "-e",
        f"MODEL_NAME={MODEL_NAME}",
        IMAGE,
    ]


def model_server_command(model_base: Path | str, port: int = REST_PORT) -> list[str]:
    """The same server without Docker (``tensorflow_model_server`` installed on the host)."""
    return [
        "tensorflow_model_server",
        f"--rest_api_port={port}",
        f"--model_name={MODEL_NAME}",
        f"--model_base_path={model_base}",
    ]

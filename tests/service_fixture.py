"""A synthetic NumPy artifact (real vocabularies, random weights) so the service tests run in
well under a second each without TensorFlow. The real model's parity is tested elsewhere."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from course.credit.features import CATEGORIES, NUMERIC
from course.credit.numpy_model import NumpyCreditModel
from course.credit.reference import numpy_artifact_path
from course.credit.signature import MODEL_NAME
from course.service.app import create_app
from course.service.storage import Storage

APPLICANT = {
    "duration": 12,
    "credit_amount": 2500.0,
    "installment_commitment": 2,
    "residence_since": 2,
    "age": 35,
    "existing_credits": 1,
    "num_dependents": 1,
    "checking_status": "no checking account",
    "credit_history": "no credits or all paid duly",
    "purpose": "radio/tv",
    "savings_status": "no savings or unknown",
    "employment": "1-4 years",
    "personal_status": "male married/widowed",
    "other_parties": "none",
    "property_magnitude": "savings agreement/life insurance",
    "other_payment_plans": "none",
    "housing": "rent",
    "job": "skilled employee or official",
    "own_telephone": "none",
    "foreign_worker": "no",
}


def synthetic_model(seed: int = 0) -> NumpyCreditModel:
    rng = np.random.default_rng(seed)
    vocabularies = {c: ["[UNK]", *values] for c, values in CATEGORIES.items()}
    n = len(NUMERIC) + sum(len(v) for v in vocabularies.values())
    return NumpyCreditModel(
        mean=np.full(len(NUMERIC), 10.0),
        std=np.full(len(NUMERIC), 5.0),
        vocabularies=vocabularies,
        hidden_kernel=rng.normal(0, 0.3, (n, 4)),
        hidden_bias=np.zeros(4),
        output_kernel=rng.normal(0, 0.3, (n + 4, 1)),
        output_bias=np.zeros(1),
        metadata={
            "name": MODEL_NAME,
            "version": 1,
            "threshold": 0.5,
            "metrics": {"roc_auc": 0.5},
            "limits": ["synthetic test model"],
        },
    )


def write_artifact(folder) -> None:
    synthetic_model().save(numpy_artifact_path(folder))


@pytest.fixture
def storage(tmp_path):
    """A fresh usage log for one test (closed afterwards)."""
    store = Storage(tmp_path / "usage.sqlite")
    yield store
    store.close()


@pytest.fixture
def client(storage):
    """An in-process client of the synthetic model's service, addressed to localhost."""
    return TestClient(create_app(synthetic_model(), storage), base_url="http://localhost")

"""Models that must fail lesson 05's value criterion, built the way real ones are.

- :func:`shuffled_label_models`: the course's own recipe (:func:`course.credit.model.train_model`:
  the same network, settings, early stopping on validation AUC, exported to the same NumPy
  artifact with the same shipped threshold 1/6) trained on the German data with its labels
  shuffled, one seed per model. They score applicants near the base rate, as real useless models
  do, not uniformly at random. Trained in a child process (about 2 s a model plus 5 s to import
  TensorFlow), so the test process never imports TensorFlow.
- :class:`ConstantModel`: a model that rejects everyone (P(default) = 1) or approves everyone
  (P(default) = 0).

``python -m tests.adversaries FOLDER SEED...`` trains and exports them (what the child runs).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

#: The seeds of the shuffled-label models the tests use.
SEEDS = (1, 2, 3, 4, 5)


class ConstantModel:
    """Every applicant gets the same P(default): 1.0 rejects everyone, 0.0 approves everyone."""

    threshold = 1 / 6

    def __init__(self, probability: float):
        self.probability = probability

    def predict_proba(self, records) -> np.ndarray:
        return np.full(len(records), self.probability)


def artifact(folder: Path, seed: int) -> Path:
    return Path(folder) / f"shuffled_{seed}.json"


def shuffled_label_models(folder: Path, seeds=SEEDS, timeout: int = 600) -> list:
    """The shuffled-label models for ``seeds``, trained in a child process into ``folder`` (kept
    there: a second call loads them)."""
    from course.credit.numpy_model import NumpyCreditModel

    missing = [s for s in seeds if not artifact(folder, s).exists()]
    if missing:
        done = subprocess.run(
            [sys.executable, "-m", "tests.adversaries", str(folder), *map(str, missing)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=Path(__file__).resolve().parents[1],
        )
        if done.returncode != 0:
            raise RuntimeError(f"training the shuffled-label models failed:\n{done.stderr[-3000:]}")
    return [NumpyCreditModel.load(artifact(folder, s)) for s in seeds]


def _train(folder: Path, seeds: list[int]) -> None:
    from course.credit.data import TARGET, split_data
    from course.credit.evaluate import BAYES_THRESHOLD
    from course.credit.model import ModelConfig, train_model
    from course.credit.numpy_model import NumpyCreditModel

    split = split_data()
    for seed in seeds:
        rng = np.random.default_rng(seed)
        train, validation = split.train.copy(), split.validation.copy()
        train[TARGET] = rng.permutation(train[TARGET].to_numpy())
        validation[TARGET] = rng.permutation(validation[TARGET].to_numpy())
        result = train_model(train, validation, ModelConfig(seed=seed))
        metadata = {"threshold": BAYES_THRESHOLD, "labels": f"shuffled, seed {seed}"}
        NumpyCreditModel.from_keras(result.model, metadata).save(artifact(folder, seed))


if __name__ == "__main__":
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _train(Path(sys.argv[1]), [int(s) for s in sys.argv[2:]])

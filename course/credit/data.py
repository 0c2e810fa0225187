"""The German credit data as model inputs, and the one stratified split every lesson reuses."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# (the lessons take the columns from here, with the data: NUMERIC is for them)
from course.credit.features import CATEGORICAL, FEATURES, NUMERIC  # noqa: F401
from course.data.loaders import load_german_credit

TARGET = "default"  # 1 = the applicant turned out 'bad' (did not repay as agreed)

#: The dataset's documented cost matrix: approving a bad applicant costs 5, rejecting a good one 1.
COST_APPROVE_BAD = 5.0
COST_REJECT_GOOD = 1.0
SEED = 0


def load_credit() -> pd.DataFrame:
    """German credit with the 20 attributes and ``default`` (1 = bad, 0 = good)."""
    raw = load_german_credit()
    frame = raw[FEATURES].copy()
    for column in CATEGORICAL:
        frame[column] = frame[column].astype(str)
    frame[TARGET] = (raw["class"] == "bad").astype("int64")
    return frame


@dataclass(frozen=True)
class Split:
    """Train (60 %), validation (20 %) and test (20 %) frames, stratified on ``default``."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame

    def sizes(self) -> dict[str, int]:
        return {
            "train": len(self.train),
            "validation": len(self.validation),
            "test": len(self.test),
        }


def split_data(frame: pd.DataFrame | None = None, seed: int = SEED) -> Split:
    """The course's fixed split. The test part is for the final report only: never tune on it."""
    from sklearn.model_selection import train_test_split

    frame = load_credit() if frame is None else frame
    rest, test = train_test_split(frame, test_size=0.2, stratify=frame[TARGET], random_state=seed)
    train, validation = train_test_split(
        rest, test_size=0.25, stratify=rest[TARGET], random_state=seed
    )
    return Split(train, validation, test)

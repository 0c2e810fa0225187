"""The German credit data decoded with Groemping's (2019) corrected code table, the baselines'
encodings, and the prior-shift correction for the stratified sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.credit import baselines, coding, evaluate
from course.credit.data import load_credit
from course.credit.features import BANDED, CATEGORIES, INTEGER_FIELDS, NUMERIC, NUMERIC_RANGES
from course.data.loaders import load_german_credit

#: The data file's labels before the correction, in the order the form listed them (alphabetical).
FILE_LABELS = {column: sorted(table) for column, table in coding.CODE_TABLE.items()}


@pytest.fixture(scope="module")
def credit() -> pd.DataFrame:
    return load_german_credit()


def _codes(frame: pd.DataFrame, column: str) -> pd.Series:
    back = {new: code for _, (code, new) in coding.CODE_TABLE[column].items()}
    return frame[column].map(back).astype(str)


def test_counts_match_the_corrected_table(credit):
    foreign = credit["foreign_worker"].value_counts()
    assert (foreign["no"], foreign["yes"]) == (963, 37)  # reversed: A201 (963) is NOT foreign
    status = _codes(credit, "personal_status").value_counts()
    assert "A95" not in status.index and status["A94"] == 92
    assert (credit["personal_status"] == "female single").sum() == 92
    assert credit["num_dependents"].value_counts().to_dict() == {1: 845, 2: 155}
    assert (credit["checking_status"] == "no checking account").sum() == 274  # A11
    assert (credit["purpose"] == "other").sum() == 234  # A40, shifted by one
    assert credit["class"].value_counts().to_dict() == {"good": 700, "bad": 300}


def test_every_label_is_mapped_and_none_is_lost(credit):
    assert not credit.isna().any().any()
    for column, values in CATEGORIES.items():
        assert list(credit[column].cat.categories) == values
        assert set(credit[column].unique()) <= set(values)


def test_categories_keep_the_position_of_the_level_they_rename():
    """Renamed in place: the model's inputs keep their order, so its numbers do not move."""
    for column, old in FILE_LABELS.items():
        assert CATEGORIES[column] == [coding.corrected_labels(column)[label] for label in old]


def test_bands_are_documented_and_the_service_accepts_exactly_the_codes(credit):
    assert set(coding.BANDS) == set(BANDED) == set(INTEGER_FIELDS)
    for column, bands in coding.BANDS.items():
        assert set(credit[column].unique()) == set(bands)
        assert NUMERIC_RANGES[column] == (min(bands), max(bands))


def test_sex_is_unknown_for_the_mixed_code(credit):
    assert set(coding.SEX_OF_STATUS) == set(CATEGORIES["personal_status"])
    unknown = credit["personal_status"].map(coding.SEX_OF_STATUS).isna().sum()
    assert unknown == (_codes(credit, "personal_status") == "A92").sum() == 310


def test_loader_refuses_a_label_the_table_does_not_know(monkeypatch):
    from course.data import loaders
    from course.errors import DataError

    original = loaders._read_csv

    def with_unknown(name, **kwargs):
        frame = original(name, **kwargs)
        frame.loc[0, "housing"] = "castle"
        return frame

    monkeypatch.setattr(loaders, "_read_csv", with_unknown)
    with pytest.raises(DataError, match="housing.*castle"):
        loaders.load_german_credit()


def _encoded_as(pipeline) -> dict[str, set[str]]:
    """Which columns the fitted ColumnTransformer sends to which encoder (by class name)."""
    encode = pipeline.steps[0][1]
    found: dict[str, set[str]] = {}
    for _, transformer, columns in encode.transformers_:
        if transformer == "drop" or not len(columns):
            continue
        kind = "passthrough" if transformer == "passthrough" else type(transformer).__name__
        found.setdefault(kind, set()).update(columns)
    return found


def test_a_linear_baseline_gets_every_code_one_hot():
    data = load_credit()
    fitted = baselines.logistic_regression().fit(data[NUMERIC + list(CATEGORIES)], data["default"])
    encoded = _encoded_as(fitted)
    coded = set(CATEGORIES) | set(BANDED)
    assert coded <= encoded["OneHotEncoder"]
    numbers = set().union(*(cols for kind, cols in encoded.items() if kind != "OneHotEncoder"))
    assert not numbers & coded, f"codes given to a linear model as numbers: {numbers & coded}"
    # and the check can fail: the old encoding passed the band codes as numbers
    old = baselines.logistic_regression(NUMERIC, list(CATEGORIES)).fit(
        data[NUMERIC + list(CATEGORIES)], data["default"]
    )
    assert set(BANDED) <= _encoded_as(old)["StandardScaler"]


def test_prior_shift_by_hand():
    # odds 1/5 at a 5 % base rate -> times (0.3/0.7)/(0.05/0.95) on the sample's scale
    odds = 0.2 * (0.3 / 0.7) / (0.05 / 0.95)
    assert evaluate.prior_shift_threshold(1 / 6, 0.3, 0.05) == pytest.approx(odds / (1 + odds))
    assert evaluate.prior_shift(0.3, 0.3, 0.3) == pytest.approx(0.3)  # same base rate: unchanged
    there = evaluate.prior_shift(np.array([0.1, 0.5, 0.9]), 0.3, 0.05)
    assert np.all(there < [0.1, 0.5, 0.9])  # a rarer default: lower probabilities
    assert evaluate.prior_shift(there, 0.05, 0.3) == pytest.approx([0.1, 0.5, 0.9])
    with pytest.raises(ValueError, match="strictly between"):
        evaluate.prior_shift(0.5, 0.3, 0.0)


def test_wilson_interval_and_group_intervals():
    low, high = evaluate.wilson_interval(7, 8)
    assert (round(low, 3), round(high, 3)) == (0.529, 0.978)  # Wilson (1927), z = 1.96
    assert evaluate.wilson_interval(0, 5)[0] == 0.0 and evaluate.wilson_interval(5, 5)[1] == 1.0
    with pytest.raises(ValueError):
        evaluate.wilson_interval(3, 2)
    y, p = np.array([0, 0, 1, 0]), np.array([0.1, 0.9, 0.9, 0.1])
    table = evaluate.group_intervals(y, p, 0.5, ["a", "a", "b", "b"])
    assert table.loc["a", "approval_rate"] == 0.5 and table.loc["a", "false_rejection_rate"] == 0.5
    assert table.loc["b", "approval_rate"] == 0.5 and table.loc["b", "false_rejection_rate"] == 0.0

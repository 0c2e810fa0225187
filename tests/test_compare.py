"""The comparison behind value checks: right answers match, wrong ones get a specific sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.exercises.compare import describe, difference

YEARS = pd.Series([3, 5, 8], index=pd.Index([2022, 2023, 2024], name="year"))


@pytest.mark.parametrize("answer", [0.25, np.float64(0.25), 0.25 + 1e-12, np.array(0.25)])
def test_numbers_match_within_tolerance(answer):
    assert difference(answer, 0.25) is None


@pytest.mark.parametrize(
    ("answer", "expected", "phrase"),
    [
        (25.0, 0.25, "percentage where a fraction"),
        (0.0025, 0.25, "fraction where a percentage"),
        (250_000.0, 250.0, "factor of 1,000"),
        (-0.25, 0.25, "the wrong sign"),
        (0.3, 0.25, "too high"),
        (0.2, 0.25, "too low"),
        (float("nan"), 0.25, "NaN"),
        (float("inf"), 0.25, "infinite"),
        ("0.25", 0.25, "Expected a number, got a string"),
        (True, 1, "Expected a whole number, got a boolean"),
        (None, 3, "forget to `return`"),
    ],
)
def test_wrong_numbers_are_explained(answer, expected, phrase):
    assert phrase in difference(answer, expected)


def test_series_comparison_ignores_dtype_but_not_labels_or_values():
    assert difference(YEARS.astype("Int64"), YEARS) is None
    nullable_index = YEARS.copy()
    nullable_index.index = nullable_index.index.astype("Int64")
    assert difference(nullable_index, YEARS) is None
    assert "indexed by year (2022 to 2024, 3 rows), got a list" in difference([3, 5, 8], YEARS)
    assert "3 rows" in difference(YEARS.iloc[:2], YEARS)
    assert "different order" in difference(YEARS.iloc[::-1], YEARS)
    assert "missing 1 expected label" in difference(YEARS.rename({2022: 2021}), YEARS)
    message = difference(YEARS.replace(8, 9), YEARS)
    assert "1 of 3 values differ" in message and "2024" in message
    assert "8" not in message.replace("2024", "")  # the expected value is not revealed
    assert "select the column" in difference(YEARS.to_frame("n"), YEARS)
    assert "All your values look like a percentage" in difference(YEARS * 100, YEARS)
    assert "at 2022 (yours: 4)" in difference(YEARS.replace(3, 4), YEARS)


def test_dataframes_lists_dicts_strings_and_bools():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    assert difference(frame.copy(), frame) is None
    assert "missing the column(s) ['b']" in difference(frame[["a"]], frame)
    assert "Column 'b'" in difference(frame.assign(b=["x", "z"]), frame)
    assert difference([1, 2.0], [1, 2]) is None
    assert "Item 1" in difference([1, 3], [1, 2])
    assert "2 items" in difference([1, 2], [1, 2, 3])
    assert difference({"a": 1}, {"a": 1.0}) is None
    assert "For key 'a'" in difference({"a": 2}, {"a": 1})
    assert difference("  Open Weights ", "open weights") is None
    assert "not the one expected" in difference("API", "open weights")
    assert difference(np.True_, True) is None and "truth value" in difference(False, True)


def test_describe():
    assert describe([1, 2, 3]) == "a list of 3 items"
    assert describe(np.zeros((2, 3))) == "a NumPy array of shape (2, 3)"
    assert describe(pd.DataFrame({"x": [1]})).startswith("a pandas DataFrame with 1 rows")
    assert describe(len) == "a function"

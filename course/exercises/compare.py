"""Compare a learner's answer with the expected value and explain the difference in plain words.

:func:`difference` returns ``None`` when the answer matches, otherwise one friendly sentence that
says *what* differs (type, shape, index, which entries) without giving the expected value away.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _index_phrase(index: pd.Index) -> str:
    name = index.name or "position"
    if len(index) and pd.api.types.is_numeric_dtype(index) and not isinstance(index, pd.RangeIndex):
        return f"indexed by {name} ({index.min()} to {index.max()}, {len(index)} rows)"
    return f"indexed by {name} ({len(index)} rows)"


def describe(value) -> str:
    """A short description of what ``value`` is, for messages ("a list of 3 items", ...)."""
    if isinstance(value, pd.DataFrame):
        cols = ", ".join(map(str, value.columns[:6])) + (", ..." if value.shape[1] > 6 else "")
        return f"a pandas DataFrame with {value.shape[0]} rows and columns [{cols}]"
    if isinstance(value, pd.Series):
        return f"a pandas Series {_index_phrase(value.index)}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    if isinstance(value, (bool, np.bool_)):
        return "a boolean (True/False)"
    if isinstance(value, numbers.Integral):
        return "a whole number"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "None (did you forget to `return` or assign the result?)"
    if isinstance(value, Mapping):
        return f"a {type(value).__name__} with {len(value)} keys"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if callable(value):
        return "a function"
    return f"a {type(value).__name__}"


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


_SCALES = [
    (100, "a percentage where a fraction is expected"),
    (0.01, "a fraction where a percentage is expected"),
    (1e3, "off by a factor of 1,000: check the units"),
    (1e-3, "off by a factor of 1,000: check the units"),
    (1e6, "off by a factor of a million: check the units"),
    (1e-6, "off by a factor of a million: check the units"),
    (1e9, "off by a factor of a billion: check the units"),
    (1e-9, "off by a factor of a billion: check the units"),
    (-1, "the wrong sign"),
]


def _scale_hint(ratio: float) -> str | None:
    """Name a tell-tale ratio between answer and expected (x100 = a percentage, ...)."""
    for factor, words in _SCALES:
        if math.isclose(ratio, factor, rel_tol=0.02 if factor != -1 else 1e-6):
            return words
    return None


def _label(value) -> str:
    """A label as a learner would write it: 2015, not np.int64(2015)."""
    return str(value) if isinstance(value, numbers.Number) else _short(value)


def _number_difference(answer, expected, rtol: float, atol: float) -> str | None:
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if not _is_number(answer):
        return f"Expected {describe(expected)}, got {describe(answer)}."
    answer, expected = float(answer), float(expected)
    if math.isnan(answer):
        return "Your answer is NaN (not a number): check for missing values or a division by zero."
    if math.isinf(answer):
        if answer == expected:
            return None
        return "Your answer is infinite: look for log(0) or a division by zero."
    if math.isclose(answer, expected, rel_tol=rtol, abs_tol=atol):
        return None
    if expected != 0 and answer != 0:
        hint = _scale_hint(answer / expected)
        if hint:
            return f"Your answer {_shown(answer, expected)} looks like {hint}."
    direction = "too high" if answer > expected else "too low"
    return f"Your answer {_shown(answer, expected)} is {direction}."


def _shown(answer: float, expected: float) -> str:
    """The answer with 4 significant digits, or as many more as it takes to look different from
    the expected value (6000.5 is not shown as 6000 when 6000 is right)."""
    for digits in (4, 6, 8, 12, 17):
        text = f"{answer:.{digits}g}"
        if text != f"{expected:.{digits}g}":
            return text
    return repr(answer)


def _series_difference(answer, expected: pd.Series, rtol: float, atol: float) -> str | None:
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        return (
            f"Expected {describe(expected)}, got a DataFrame with one column: select the "
            f"column (df['{answer.columns[0]}']) to get a Series."
        )
    if not isinstance(answer, pd.Series):
        return f"Expected {describe(expected)}, got {describe(answer)}."
    if len(answer) != len(expected):
        return f"Your Series has {len(answer)} rows; expected {describe(expected)}."
    missing = expected.index.difference(answer.index)
    if len(missing):
        return (
            f"Your Series' index is missing {len(missing)} expected label(s), e.g. "
            f"{_short(missing[0])}; expected {describe(expected)}."
        )
    if list(answer.index) != list(expected.index):
        return "Your Series has the right labels but in a different order: sort its index."
    return _values_difference(answer.to_numpy(), expected.to_numpy(), expected.index, rtol, atol)


def _values_difference(answer, expected, labels, rtol: float, atol: float) -> str | None:
    numeric = pd.api.types.is_numeric_dtype(
        np.asarray(expected).dtype
    ) and not pd.api.types.is_bool_dtype(np.asarray(expected).dtype)
    if numeric:
        try:
            got = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            return "Your values are not numbers: check the column you used."
        want = np.asarray(expected, dtype=float)
        same = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    else:
        same = np.array([a == b for a, b in zip(answer, expected, strict=True)], dtype=bool)
    if same.all():
        return None
    if numeric and (~same).all():
        usable = (want != 0) & (got != 0) & np.isfinite(got) & np.isfinite(want)
        ratios = got[usable] / want[usable]
        if len(ratios) and np.allclose(ratios, ratios[0], rtol=0.02):
            hint = _scale_hint(float(ratios[0]))
            if hint:
                return f"All your values look like {hint}."
    first = int(np.flatnonzero(~same)[0])
    return (
        f"{int((~same).sum())} of {len(same)} values differ, the first at "
        f"{_label(labels[first])} (yours: {_label(np.asarray(answer, dtype=object)[first])})."
    )


def _frame_difference(answer, expected: pd.DataFrame, rtol: float, atol: float) -> str | None:
    if not isinstance(answer, pd.DataFrame):
        return f"Expected {describe(expected)}, got {describe(answer)}."
    missing = [c for c in expected.columns if c not in answer.columns]
    if missing:
        return f"Your DataFrame is missing the column(s) {missing}."
    if len(answer) != len(expected):
        return f"Your DataFrame has {len(answer)} rows; expected {len(expected)}."
    for column in expected.columns:
        problem = _series_difference(answer[column], expected[column], rtol, atol)
        if problem:
            return f"Column {column!r}: {problem}"
    return None


def _sequence_difference(answer, expected, rtol: float, atol: float) -> str | None:
    if isinstance(answer, (str, bytes)) or not isinstance(
        answer, (Sequence, np.ndarray, pd.Series)
    ):
        return f"Expected {describe(expected)}, got {describe(answer)}."
    answer = list(answer)
    if len(answer) != len(expected):
        return f"Your answer has {len(answer)} items; expected {len(expected)}."
    for position, (got, want) in enumerate(zip(answer, expected, strict=True)):
        problem = difference(got, want, rtol=rtol, atol=atol)
        if problem:
            return f"Item {position}: {problem}"
    return None


def difference(
    answer, expected, *, rtol: float = 1e-6, atol: float = 1e-9, case_sensitive: bool = False
) -> str | None:
    """Return ``None`` if ``answer`` matches ``expected``, else a sentence saying what differs.

    Numbers match within ``rtol``/``atol``; Series and DataFrames by labels and values (dtype
    differences such as ``int64`` vs ``Int64`` do not matter); strings ignoring surrounding spaces
    (and case unless ``case_sensitive``).
    """
    if isinstance(expected, pd.DataFrame):
        return _frame_difference(answer, expected, rtol, atol)
    if isinstance(expected, pd.Series):
        return _series_difference(answer, expected, rtol, atol)
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(answer, (bool, np.bool_)):
            return f"Expected {describe(expected)}, got {describe(answer)}."
        return None if bool(answer) == bool(expected) else "That is not the right truth value."
    if _is_number(expected):
        return _number_difference(answer, expected, rtol, atol)
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return f"Expected {describe(expected)}, got {describe(answer)}."
        a, e = answer.strip(), expected.strip()
        if not case_sensitive:
            a, e = a.casefold(), e.casefold()
        return None if a == e else f"Your answer {_short(answer)} is not the one expected."
    if isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            return f"Expected {describe(expected)}, got {describe(answer)}."
        if set(answer) != set(expected):
            return f"Your keys {sorted(map(str, answer))} are not the expected ones."
        for key in expected:
            problem = difference(answer[key], expected[key], rtol=rtol, atol=atol)
            if problem:
                return f"For key {key!r}: {problem}"
        return None
    if isinstance(expected, (list, tuple, np.ndarray)):
        return _sequence_difference(answer, list(expected), rtol, atol)
    return None if answer == expected else "Your answer is not the one expected."

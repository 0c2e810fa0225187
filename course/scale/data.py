"""The Taiwan credit-card clients (Yeh, 2009) as model inputs: tidy names, cleaned codes, the one
fixed split, and the "new lender" segment used for fine-tuning. No TensorFlow here.

Columns (30,000 clients, one row each; amounts in New Taiwan dollars, months April-September 2005):

- ``credit_limit``: the amount of credit given to the client and their family (``LIMIT_BAL``).
- ``sex``: 1 male, 2 female. ``education``: 1 graduate school, 2 university, 3 high school,
  4 other. ``marriage``: 1 married, 2 single, 3 other. ``age``: years.
- ``status_sep`` ... ``status_apr`` (``PAY_0``, ``PAY_2`` ... ``PAY_6``): the repayment status in
  that month, a code from -2 to 8. UCI documents -1 (paid duly) and 1-9 (payment delay of that many
  months; 9 meaning nine or more), but not -2 or 0, which hold most rows, and no 9 occurs. The
  usual reading (-2: no balance to pay, 0: the minimum paid, the rest revolving) comes from later
  users of the data, not from its authors: the course treats every status as a code with a name,
  not as a quantity (:data:`CODED`).
- ``bill_sep`` ... ``bill_apr`` (``BILL_AMT1`` ... ``BILL_AMT6``): the statement balance.
- ``paid_sep`` ... ``paid_apr`` (``PAY_AMT1`` ... ``PAY_AMT6``): the amount paid in that month.
- ``default``: 1 if the client defaulted on the payment due the next month (October 2005).

Cleaning, stated: the data's documentation defines ``EDUCATION`` 1-4 and ``MARRIAGE`` 1-3 only, yet
345 clients have ``EDUCATION`` 0, 5 or 6 and 54 have ``MARRIAGE`` 0. Their meaning is unknown, so
they join the documented "other" code (4 and 3) rather than being guessed at or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.data.loaders import load_taiwan_credit

TARGET = "default"
SEED = 0
MONTHS = ["sep", "aug", "jul", "jun", "may", "apr"]  # newest first, as the source orders them
#: Categorical columns and the label of each code (after cleaning).
CODES: dict[str, dict[int, str]] = {
    "sex": {1: "male", 2: "female"},
    "education": {1: "graduate school", 2: "university", 3: "high school", 4: "other"},
    "marriage": {1: "married", 2: "single", 3: "other"},
}
#: The repayment-status columns, and the codes they hold (-2 to 8; see the module docstring).
STATUS = [f"status_{m}" for m in MONTHS]
STATUS_VALUES = list(range(-2, 9))
#: Undocumented source codes and the documented code they are merged into.
UNDOCUMENTED = {"education": ({0, 5, 6}, 4), "marriage": ({0}, 3)}
#: The demographic code columns (labelled in :data:`CODES`).
CATEGORICAL = list(CODES)
#: Every column that holds codes, not quantities, and the codes it may hold. A code is a name:
#: status 0 (revolving) is not "between" -1 (paid in full) and 1 (a month late) in any sense a
#: linear model could use, so the network and logistic regression get these one-hot (a column
#: per code) and never as numbers. Trees may take them as numbers: a split can isolate any code.
CODED: dict[str, list[int]] = {
    **{c: sorted(CODES[c]) for c in CATEGORICAL},
    **{c: STATUS_VALUES for c in STATUS},
}
#: The quantities (amounts in NT$, age in years): standardised for the network and the linear model.
NUMERIC = ["credit_limit", "age"] + [f"bill_{m}" for m in MONTHS] + [f"paid_{m}" for m in MONTHS]
#: The money amounts (NT$): heavily skewed, some negative (a bill in credit). The network and the
#: linear model take their signed logarithm (:func:`signed_log`) before standardising, as a
#: practitioner would: on the raw scale a few huge bills dominate a linear term.
AMOUNTS = [c for c in NUMERIC if c != "age"]
#: The model's input columns, in the order of its one input matrix (the source's order).
FEATURES = ["credit_limit", *CATEGORICAL, "age", *STATUS, *NUMERIC[2:]]
_SOURCE_NAMES = {
    "LIMIT_BAL": "credit_limit",
    "SEX": "sex",
    "EDUCATION": "education",
    "MARRIAGE": "marriage",
    "AGE": "age",
    **{f"PAY_{n}": f"status_{m}" for n, m in zip([0, 2, 3, 4, 5, 6], MONTHS, strict=True)},
    **{f"BILL_AMT{i}": f"bill_{m}" for i, m in enumerate(MONTHS, 1)},
    **{f"PAY_AMT{i}": f"paid_{m}" for i, m in enumerate(MONTHS, 1)},
}

#: The new lender of the fine-tuning experiment: the clients with a high-school education (about
#: 4,900). A segment the data defines, big enough for 1,000 training rows and a test set of
#: about 2,000, with the highest default rate of the three large education groups: a lender
#: whose clientele differs from the one the pre-trained model learned from.
NEW_LENDER = ("education", 3)


def signed_log(x):
    """``sign(x) * log(1 + |x|)``: a logarithm for amounts that may be zero or negative (NumPy
    arrays and pandas frames alike; the network computes the same inside itself)."""
    return np.sign(x) * np.log1p(np.abs(x))


def undocumented_counts(raw: pd.DataFrame | None = None) -> dict[str, int]:
    """How many source rows carry an undocumented code, per column (before cleaning)."""
    raw = load_taiwan_credit() if raw is None else raw
    return {
        column: int(raw[column.upper()].isin(codes).sum())
        for column, (codes, _) in UNDOCUMENTED.items()
    }


def load_taiwan() -> pd.DataFrame:
    """The 30,000 clients with tidy column names (see the module docstring) and cleaned codes."""
    raw = load_taiwan_credit()
    frame = raw.rename(columns=_SOURCE_NAMES)[FEATURES + [TARGET]].reset_index(drop=True)
    for column, (codes, into) in UNDOCUMENTED.items():
        frame.loc[frame[column].isin(codes), column] = into
    return frame.astype("int64")


def describe_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Clients and default rate per code of each categorical column, with its label."""
    rows = [
        {
            "column": c,
            "code": int(k),
            "meaning": CODES[c][int(k)],
            "clients": len(part),
            "default_rate": part[TARGET].mean(),
        }
        for c in CATEGORICAL
        for k, part in frame.groupby(c)
    ]
    return pd.DataFrame(rows).set_index(["column", "code"])


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

    @property
    def development(self) -> pd.DataFrame:
        """Train + validation: the rows cross-validation and the learning curve draw from."""
        return pd.concat([self.train, self.validation])


def split_taiwan(frame: pd.DataFrame | None = None, seed: int = SEED) -> Split:
    """Lesson 03's fixed split (60/20/20, stratified, seed 0) on the Taiwan clients."""
    from sklearn.model_selection import train_test_split

    frame = load_taiwan() if frame is None else frame
    rest, test = train_test_split(frame, test_size=0.2, stratify=frame[TARGET], random_state=seed)
    train, validation = train_test_split(
        rest, test_size=0.25, stratify=rest[TARGET], random_state=seed
    )
    return Split(train, validation, test)


@dataclass(frozen=True)
class LenderSplit:
    """The transfer experiment's data: every other segment to pre-train on (with its own
    validation rows for early stopping), the new lender's pool of training rows, and its test
    rows."""

    pretrain: pd.DataFrame
    pretrain_validation: pd.DataFrame
    pool: pd.DataFrame
    test: pd.DataFrame


def lender_split(
    frame: pd.DataFrame | None = None, test_size: float = 0.4, seed: int = SEED
) -> LenderSplit:
    """Hold out :data:`NEW_LENDER`: 40 % of its clients are its test rows, the rest its pool."""
    from sklearn.model_selection import train_test_split

    frame = load_taiwan() if frame is None else frame
    column, code = NEW_LENDER
    mine, others = frame[frame[column] == code], frame[frame[column] != code]
    pool, test = train_test_split(
        mine, test_size=test_size, stratify=mine[TARGET], random_state=seed
    )
    fit, stop = train_test_split(others, test_size=0.2, stratify=others[TARGET], random_state=seed)
    return LenderSplit(fit, stop, pool, test)


def own_rows(pool: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` of the new lender's clients, drawn (stratified) from its pool with ``seed``."""
    from sklearn.model_selection import train_test_split

    if not 0 < n <= len(pool):
        raise ValueError(f"n must be between 1 and {len(pool)}, got {n}")
    if n == len(pool):
        return pool
    rows, _ = train_test_split(pool, train_size=n, stratify=pool[TARGET], random_state=seed)
    return rows


def subsample(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """:func:`own_rows` for any frame: a stratified sample of ``n`` rows (all of them if
    n = len)."""
    return own_rows(frame, n, seed)


def as_matrix(frame: pd.DataFrame) -> np.ndarray:
    """The model's one input: the :data:`FEATURES` columns of raw records, as float32."""
    return frame[FEATURES].to_numpy(dtype="float32")

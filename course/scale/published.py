"""The published record on the Taiwan credit-card clients, and how to compare with it.

The data's own paper, Yeh and Lien (2009), scores six methods by error rate and by an "area
ratio" read off the lift (cumulative gains) chart: the area between the model's curve and the
no-model diagonal, over the same area for a perfect model. That is the accuracy ratio of credit
scoring (the Gini coefficient of the CAP curve), and for a score without ties it equals
``2 * AUC - 1``. So an area ratio converts to a ROC AUC as ``(1 + area ratio) / 2``
(:func:`auc_from_area_ratio`); :func:`gains_area_ratio` computes the area ratio from scores, and
the tests check the identity on data rather than taking it on trust.

What is here, and how sure it is (each record carries a ``status``):

- The paper's design (30,000 clients of a Taiwanese bank, 23 explanatory variables, six methods,
  results on a training and a validation set) is from its abstract and the data's UCI/OpenML page.
- Three error rates (logistic regression 0.18, classification tree 0.17, neural network 0.17)
  were read in a third-party write-up that quotes the paper, not in the paper itself.
- The paper's area ratios (its Table 1) could not be read from a source available when this
  module was written, so they are ``None`` here rather than typed from memory: fill them in from
  the paper, with ``status`` saying so, before a lesson shows AUCs converted from them.

No TensorFlow, matplotlib or pandas at import time: pandas is imported inside the functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

CITATION = (
    "I.-C. Yeh and C.-h. Lien, The comparisons of data mining techniques for the "
    "predictive accuracy of probability of default of credit card clients, Expert Systems "
    "with Applications 36(2), 2009, 2473-2480."
)
PROTOCOL = (
    "Yeh and Lien 2009: the 30,000 clients, 23 explanatory variables as coded in the "
    "source, one split into a training and a validation set; error rate and the lift-chart "
    "area ratio on each; no cross-validation."
)
#: The course's protocol (lesson 06), the default for the rows :func:`taiwan_table` adds.
COURSE_PROTOCOL = (
    "this course: 24,000 clients (train + validation of the fixed 60/20/20 split), "
    "5-fold cross-validation repeated twice (seed 0), ROC AUC on the held-out "
    "folds; repayment-status codes one-hot for the linear model and the "
    "network."
)
#: The protocol differences, in one sentence for a lesson.
DIFFERENCES = (
    "Yeh and Lien report one validation split and an area ratio (= 2 x AUC - 1), the "
    "course the mean ROC AUC over 10 cross-validation folds of 24,000 clients, so "
    "compare AUCs after converting, and read a gap of about 0.01 as noise."
)

SOURCE_QUOTED = "error rates as a later write-up quotes them, not checked against the paper itself"
#: (Maintainers: read the area ratios from the paper's Table 1 and fill them in, with a status
#: saying so, before a lesson shows AUCs converted from them.)
SOURCE_MISSING = "the paper's area ratios (its ranking measure) could not be read for the course"


def auc_from_area_ratio(area_ratio: float) -> float:
    """ROC AUC from an area ratio (accuracy ratio, Gini): ``(1 + area_ratio) / 2``.

    Parameters
    ----------
    area_ratio : float
        Between -1 and 1 (1: perfect ranking, 0: no better than chance).

    Returns
    -------
    float
        The AUC, between 0 and 1.
    """
    if not -1.0 <= area_ratio <= 1.0:
        raise ValueError(f"an area ratio lies in [-1, 1], not {area_ratio}")
    return (1.0 + area_ratio) / 2.0


def area_ratio_from_auc(auc: float) -> float:
    """Area ratio (accuracy ratio, Gini) from a ROC AUC: ``2 * auc - 1``."""
    if not 0.0 <= auc <= 1.0:
        raise ValueError(f"an AUC lies in [0, 1], not {auc}")
    return 2.0 * auc - 1.0


def gains_area_ratio(y_true: Sequence[int], score: Sequence[float]) -> float:
    """Yeh and Lien's area ratio, from the cumulative gains (lift) chart.

    Clients are sorted by ``score`` (riskiest first); the curve is the share of all defaulters
    found against the share of clients examined. The ratio is the area between that curve and
    the diagonal over the area between the perfect model's curve and the diagonal (trapezoids).

    Parameters
    ----------
    y_true : sequence of int
        1 for a defaulter, 0 otherwise; both must occur.
    score : sequence of float
        Higher means riskier. Ties are broken by order, so compare with ``2 * AUC - 1`` on
        scores without ties.

    Returns
    -------
    float
        The area ratio, between -1 and 1.
    """
    import numpy as np

    y = np.asarray(y_true, dtype=float)
    if y.ndim != 1 or len(y) != len(score) or not 0 < y.sum() < len(y):
        raise ValueError("need one label per score, with both classes present")
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    x = np.arange(len(y) + 1) / len(y)
    found = np.concatenate([[0.0], np.cumsum(y[order])]) / y.sum()
    perfect = np.minimum(np.arange(len(y) + 1) / y.sum(), 1.0)
    model_area = np.trapezoid(found - x, x)
    return float(model_area / np.trapezoid(perfect - x, x))


@dataclass(frozen=True)
class PublishedFigure:
    """One model's published figures on the Taiwan data.

    Attributes
    ----------
    model : str
        The method, as the source names it.
    source : str
        Short citation (the full one is :data:`CITATION`).
    error_rate : float or None
        Share of clients misclassified, as published.
    area_ratio : float or None
        The lift-chart area ratio on the validation set; ``None`` when not read from the source.
    status : str
        How the figures were checked (see the module docstring).
    """

    model: str
    source: str
    error_rate: float | None
    area_ratio: float | None
    status: str

    @property
    def auc(self) -> float | None:
        """The ROC AUC the area ratio converts to, if there is one."""
        return None if self.area_ratio is None else auc_from_area_ratio(self.area_ratio)


_YEH = "Yeh and Lien 2009"
#: What could be checked of the paper's results (see the module docstring).
YEH_LIEN_2009: tuple[PublishedFigure, ...] = (
    PublishedFigure("logistic regression", _YEH, 0.18, None, f"{SOURCE_QUOTED}; {SOURCE_MISSING}"),
    PublishedFigure("classification tree", _YEH, 0.17, None, f"{SOURCE_QUOTED}; {SOURCE_MISSING}"),
    PublishedFigure("neural network", _YEH, 0.17, None, f"{SOURCE_QUOTED}; {SOURCE_MISSING}"),
)

#: The paper's other methods, not given here: nothing about them could be read.
NOT_INCLUDED = "k-nearest neighbours, discriminant analysis, naive Bayes (Yeh and Lien 2009)"


def taiwan_table(
    course_figures: dict[str, float] | None = None, course_protocol: str = COURSE_PROTOCOL
) -> pd.DataFrame:
    """The published figures on the Taiwan data, with the course's ROC AUCs beside them.

    Parameters
    ----------
    course_figures : dict of str to float, optional
        The course's models and their ROC AUC, e.g. ``{"gradient boosting": 0.783}``. Each
        becomes a row marked "this course", with its area ratio (``2 * AUC - 1``) alongside.
    course_protocol : str
        How the course's figures were measured (default: lesson 06's protocol).

    Returns
    -------
    pandas.DataFrame
        One row per model, sorted by ``ROC AUC`` (highest first, unknown last), with the columns
        ``model``, ``ROC AUC``, ``area ratio``, ``error rate``, ``source``, ``protocol`` and
        ``status``. Published AUCs appear only where an area ratio was read.

    Raises
    ------
    ValueError
        If a course AUC is not a finite number in [0, 1].
    """
    import pandas as pd

    rows = [
        {
            "model": f.model,
            "ROC AUC": f.auc,
            "area ratio": f.area_ratio,
            "error rate": f.error_rate,
            "source": f.source,
            "protocol": PROTOCOL,
            "status": f.status,
        }
        for f in YEH_LIEN_2009
    ]
    for name, auc in (course_figures or {}).items():
        auc = float(auc)
        if not math.isfinite(auc):
            raise ValueError(f"the ROC AUC of {name!r} must be finite, not {auc}")
        rows.append(
            {
                "model": name,
                "ROC AUC": auc,
                "area ratio": area_ratio_from_auc(auc),
                "error rate": None,
                "source": "this course",
                "protocol": course_protocol,
                "status": "measured by the course",
            }
        )
    table = pd.DataFrame(rows)
    for column in ("ROC AUC", "area ratio", "error rate"):
        table[column] = table[column].astype(float)
    return table.sort_values(
        "ROC AUC", ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)

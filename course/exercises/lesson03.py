"""Exercises of lesson 03 (a TensorFlow credit-risk classifier). The checks use NumPy only."""

from __future__ import annotations

import math

import numpy as np

from course.credit.evaluate import best_threshold, expected_cost
from course.exercises.core import Case, FunctionExercise, Idea, ReflectionExercise

_Y = np.array([0, 0, 1, 0, 1, 1, 0, 0, 1, 0])
_P = np.array([0.05, 0.10, 0.15, 0.20, 0.30, 0.45, 0.50, 0.60, 0.80, 0.90])


def _min_cost(y, p) -> float:
    return expected_cost(y, p, best_threshold(y, p))


q1 = FunctionExercise(
    "03.q1",
    [
        Case(([1, 0], [0.9, 0.2]), expected=-(math.log(0.9) + math.log(0.8)) / 2),
        Case(([0, 0, 1], [0.5, 0.5, 0.5]), expected=math.log(2)),
        Case(([1], [0.0]), expected=-math.log(1e-7)),
        Case(([0, 1], [1.0, 1.0]), expected=-math.log(1e-7) / 2),
    ],
    rtol=1e-6,
    hints=[
        "Look at the formula above: one loss per example, then the mean over the N examples "
        "(not the sum). log is the natural logarithm, and y is 0 or 1. Clip at both ends, "
        "exactly 1e-7 and 1 − 1e-7, or ŷ = 0 and ŷ = 1 give log(0).",
        "Work on whole arrays: `np.asarray` turns the inputs into arrays, `np.clip` bounds the "
        "probabilities at both ends, `np.log` takes the logs of every example at once and "
        "`np.mean` averages the losses. Return a float, unrounded.",
        "A smaller case by hand: y = [1, 0] and ŷ = [0.8, 0.4] give −log 0.8 ≈ 0.223 and "
        "−log(1 − 0.4) ≈ 0.511, so the mean is about 0.367.",
    ],
)


def _square_sum(w):
    return float(np.sum(np.asarray(w) ** 2))


def _sin_product(w):
    return float(np.sin(w[0]) * w[1])


q2 = FunctionExercise(
    "03.q2",
    [
        Case((_square_sum, np.array([1.0, 2.0, 3.0])), expected=[2.0, 4.0, 6.0]),
        Case((_sin_product, np.array([0.5, 2.0])), expected=[2 * math.cos(0.5), math.sin(0.5)]),
        # a large eps: the central difference is still exact on a quadratic, a one-sided one is not
        Case((_square_sum, np.array([1.0, -2.0])), kwargs={"eps": 0.1}, expected=[2.0, -4.0]),
    ],
    rtol=1e-5,
    atol=1e-7,
    hints=[
        "Look at the formula: for coordinate i, move only w[i], once up and once down by eps, "
        "and see how much f changes. Use the `eps` you are given, and leave w itself unchanged: "
        "work on copies.",
        "A loop over the coordinates, with `np.zeros` for the result and the array method "
        "`copy` for the two nudged points. The two points are 2 · eps apart: divide the change "
        "in f by that distance (a one-sided difference, up only, is not accurate enough).",
        "A smaller case by hand, f(w) = w[0]² at w = [3] with eps = 0.5: f(3.5) = 12.25 and "
        "f(2.5) = 6.25, so (12.25 − 6.25) / (2 × 0.5) = 6, the exact derivative 2 × 3.",
    ],
)

q3 = FunctionExercise(
    "03.q3",
    [
        Case((_Y, _P, 0.5), expected=expected_cost(_Y, _P, 0.5)),
        Case((_Y, _P, 0.0), expected=0.6),
        Case((_Y, _P, 1.01), expected=2.0),
        Case(([1, 0], [0.3, 0.3], 0.3), expected=0.5),
        Case(([1, 0, 0], [0.9, 0.8, 0.1], 0.5), expected=1 / 3),
    ],
    hints=[
        "Look at the two mistakes that cost money: a bad applicant (y = 1) approved costs 5, a "
        "good one (y = 0) rejected costs 1; right decisions cost 0. An applicant exactly at the "
        "threshold is rejected (p ≥ threshold).",
        "With NumPy arrays, one comparison gives every applicant's decision as True/False; `&` "
        "(and) and `~` (not) combine it with the labels, and `np.sum` counts the True values. "
        "Weight the two counts by their costs and divide by the number of applicants, unrounded.",
        "A smaller case by hand: y = [1, 0, 0, 0], p = [0.1, 0.5, 0.2, 0.3], threshold 0.5: the "
        "first is approved and bad (5), the second is rejected and good (1), the others are "
        "approved and good (0): 6 / 4 = 1.5.",
    ],
)

q4 = FunctionExercise(
    "03.q4",
    [
        Case(
            (_Y, _P),
            expected=_min_cost(_Y, _P),
            measure=lambda t: expected_cost(_Y, _P, t),
            measure_name="cost per applicant",
        ),
        Case(
            (_Y[::-1], _P),
            expected=_min_cost(_Y[::-1], _P),
            measure=lambda t: expected_cost(_Y[::-1], _P, t),
            measure_name="cost per applicant",
        ),
    ],
    hints=[
        "Look at which thresholds are worth trying: between two neighbouring probabilities every "
        "threshold makes the same decisions, so 0 (reject everyone), each distinct probability "
        "and a value above 1 (approve everyone) cover every possible set of decisions.",
        "`np.unique` gives the distinct probabilities; compute your `cost_per_applicant` from "
        "exercise 3 at each candidate, and `np.argmin` gives the position of the smallest cost. "
        "Return the candidate at that position: the threshold, not its cost.",
        "A smaller case by hand: y = [0, 1], p = [0.2, 0.7]. A threshold of 0 or 0.2 rejects "
        "both (cost 1 / 2), 0.7 rejects only the bad one (cost 0), 1.01 approves both "
        "(cost 5 / 2): the answer is 0.7.",
    ],
)

q5 = ReflectionExercise(
    "03.q5",
    rubric=[
        Idea(
            "a disparity between groups, with its numbers",
            (
                "under 25",
                "young",
                "older",
                "age",
                "false rejection",
                "rejected",
                "approved less",
                "approval rate",
                "disparit",
                "worse off",
            ),
        ),
        Idea(
            "the groups are small, so the rates are uncertain",
            (
                "small",
                "few",
                "uncertain",
                "interval",
                "sample",
                "noisy",
                "handful",
                "confidence",
                "significan",
                "only 8",
                "only 37",
                "dozen",
            ),
        ),
        Idea(
            "sex cannot be audited: personal_status mixes women and men",
            (
                "sex",
                "women",
                "woman",
                "female",
                "gender",
                "personal_status",
                "personal status",
                "marital",
            ),
        ),
        Idea(
            "an input to drop, or audit for proxies (foreign_worker, personal_status)",
            ("drop", "remov", "exclud", "audit", "prox", "foreign", "protected"),
        ),
        Idea(
            "never to decide about real people: 1,000 credits from 1970s Germany",
            (
                "never",
                "real people",
                "real applicants",
                "real customers",
                "real decisions",
                "real lending",
                "german",
                "1970",
                "1,000",
                "1000",
                "teaching",
                "must not",
                "outdated",
                "old data",
                "human",
                "on its own",
                "alone",
            ),
        ),
    ],
    hints=[
        "Look at the group table: whose good applicants are rejected more often, and how many "
        "applicants is each rate based on? Then the model card: what was it trained on?",
        "Name one disparity with its numbers and its sample size, one input to remove or audit "
        "(and what dropping it cannot fix), and one use the model must never have.",
    ],
)

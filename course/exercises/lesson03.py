"""Exercises of lesson 03 (a TensorFlow credit-risk classifier). The checks use NumPy only."""

from __future__ import annotations

import math

import numpy as np

from course.credit.evaluate import best_threshold, expected_cost
from course.exercises.core import Case, FunctionExercise, ReflectionExercise

_Y = np.array([0, 0, 1, 0, 1, 1, 0, 0, 1, 0])
_P = np.array([0.05, 0.10, 0.15, 0.20, 0.30, 0.45, 0.50, 0.60, 0.80, 0.90])


def _min_cost(y, p) -> float:
    return expected_cost(y, p, best_threshold(y, p))


q1 = FunctionExercise(
    "03.q1",
    [Case(([1, 0], [0.9, 0.2]), expected=-(math.log(0.9) + math.log(0.8)) / 2),
     Case(([0, 0, 1], [0.5, 0.5, 0.5]), expected=math.log(2)),
     Case(([1], [0.0]), expected=-math.log(1e-7)),
     Case(([0, 1], [1.0, 1.0]), expected=-math.log(1e-7) / 2)],  # fmt: skip
    rtol=1e-6,
    hints=[
        "Average -[y log p + (1 - y) log(1 - p)] over the examples. Before taking logs, clip p to "
        "[1e-7, 1 - 1e-7] as Keras does, or p = 0 gives log(0) = -infinity.",
        "First line: `p = np.clip(np.asarray(y_pred, dtype=float), 1e-7, 1 - 1e-7)`. Then write "
        "the loss of every example at once with NumPy arrays (`y * np.log(p)` is the first "
        "term) and return its mean as a float.",
    ],
    solution=(
        "def binary_cross_entropy(y_true, y_pred):\n"
        "    y = np.asarray(y_true, dtype=float)\n"
        "    p = np.clip(np.asarray(y_pred, dtype=float), 1e-7, 1 - 1e-7)\n"
        "    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))"
    ),
)


def _square_sum(w):
    return float(np.sum(np.asarray(w) ** 2))


def _sin_product(w):
    return float(np.sin(w[0]) * w[1])


q2 = FunctionExercise(
    "03.q2",
    [Case((_square_sum, np.array([1.0, 2.0, 3.0])), expected=[2.0, 4.0, 6.0]),
     Case((_sin_product, np.array([0.5, 2.0])), expected=[2 * math.cos(0.5), math.sin(0.5)])],  # fmt: skip
    rtol=1e-5,
    atol=1e-7,
    hints=[
        "For each coordinate i, nudge w[i] up and down by a small eps (1e-5) and divide the "
        "change in f by 2 * eps. Copy w before changing it.",
        "Start with `g = np.zeros(len(w))` and a loop over the coordinates. In the loop, make "
        "two copies of w (`w.copy()`), move coordinate i of one up by eps and of the other down, "
        "and store the formula's value in `g[i]`.",
    ],
    solution=(
        "def numeric_gradient(f, w, eps=1e-5):\n"
        "    w = np.asarray(w, dtype=float)\n"
        "    g = np.zeros(len(w))\n"
        "    for i in range(len(w)):\n"
        "        up, down = w.copy(), w.copy()\n"
        "        up[i] += eps\n"
        "        down[i] -= eps\n"
        "        g[i] = (f(up) - f(down)) / (2 * eps)\n"
        "    return g"
    ),
)

q3 = FunctionExercise(
    "03.q3",
    [Case((_Y, _P, 0.5), expected=expected_cost(_Y, _P, 0.5)),
     Case((_Y, _P, 0.0), expected=0.6), Case((_Y, _P, 1.01), expected=2.0),
     Case(([1, 0], [0.3, 0.3], 0.3), expected=0.5)],  # fmt: skip
    hints=[
        "Reject an applicant when p >= threshold. Each approved bad applicant (y = 1, not "
        "rejected) costs 5, each rejected good applicant (y = 0, rejected) costs 1. Divide the "
        "total by the number of applicants.",
        "First line after converting to arrays: `reject = p >= threshold`. The approved bad "
        "applicants are then `~reject & (y == 1)`; count them with `np.sum`, count the rejected "
        "good ones the same way, and weight the two counts by their costs.",
    ],
    solution=(
        "def cost_per_applicant(y, p, threshold):\n"
        "    y, p = np.asarray(y), np.asarray(p)\n"
        "    reject = p >= threshold\n"
        "    cost = 5 * np.sum(~reject & (y == 1)) + 1 * np.sum(reject & (y == 0))\n"
        "    return cost / len(y)"
    ),
)

q4 = FunctionExercise(
    "03.q4",
    [Case((_Y, _P), expected=_min_cost(_Y, _P), measure=lambda t: expected_cost(_Y, _P, t),
          measure_name="cost per applicant"),
     Case((_Y[::-1], _P), expected=_min_cost(_Y[::-1], _P),
          measure=lambda t: expected_cost(_Y[::-1], _P, t), measure_name="cost per applicant")],  # fmt: skip
    hints=[
        "Try every candidate threshold (each distinct probability, plus 0 and a value above 1), "
        "compute the cost per applicant at each, and return the threshold with the lowest cost.",
        "Start with `candidates = [0.0, *np.unique(p), 1.01]` and compute the cost of each with "
        "your `cost_per_applicant` from exercise 3. What remains is to return the candidate at "
        "the position of the smallest cost.",
    ],
    solution=(
        "def choose_threshold(y, p):\n"
        "    candidates = [0.0, *np.unique(p), 1.01]\n"
        "    costs = [cost_per_applicant(y, p, t) for t in candidates]\n"
        "    return candidates[int(np.argmin(costs))]"
    ),
)

q5 = ReflectionExercise(
    "03.q5",
    hints=[
        "Look at the group table: whose good applicants are rejected more often? Which inputs "
        "should a lender not use at all, and who must check the model before it is used?",
        "A good answer names a disparity with its numbers (and sample size), one input to remove "
        "or audit, and one thing the model must never be used for.",
    ],
    solution=(
        "Young applicants' good loans are rejected more often than older applicants', and the "
        "groups are small, so the rates are uncertain. The data cannot say whether women are "
        "treated worse: one personal_status code mixes women and men, so sex is unknown for many "
        "applicants; a lender would have to collect it, for monitoring only, to audit it. "
        "foreign_worker is a protected trait in many places and has very few applicants: drop it, "
        "and check that other inputs are not proxies. The model must never decide about real "
        "people on its own: it was trained on 1,000 credits from 1970s Germany."
    ),
)

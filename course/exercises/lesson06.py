"""Exercises of lesson 06 (optional extension: more data, fine-tuning, a smaller model).

The checks use small made-up tables (no TensorFlow): the lesson's own figures come from the
cache that ``course extension build`` builds, and the learner's functions are checked on
cases whose answers are known."""

from __future__ import annotations

import pandas as pd

from course.exercises.core import Case, FunctionExercise

_SIZES = [1000, 3000, 10000, 24000]

q1 = FunctionExercise(
    "06.q1",
    [
        Case((_SIZES, [0.70, 0.73, 0.745, 0.75], [0.71, 0.715, 0.716, 0.717], 0.01), expected=3000),
        Case(
            (_SIZES, [0.70, 0.73, 0.745, 0.75], [0.71, 0.715, 0.716, 0.717], 0.02), expected=10000
        ),
        Case((_SIZES, [0.70, 0.71, 0.72, 0.73], [0.71, 0.72, 0.73, 0.74], 0.0), expected=None),
        Case(([500, 1000], [0.8, 0.8], [0.7, 0.7], 0.05), expected=500),
        Case(([500, 1000], [0.7, 0.75], [0.7, 0.7], 0.0), expected=1000),
        # a lead exactly equal to a margin that is not zero (both exact in binary): not "more than"
        Case(([500, 1000], [0.75, 0.8125], [0.71875, 0.71875], 0.03125), expected=1000),
    ],
    hints=[
        "Walk through the sizes from the smallest, with the two AUCs at each size. At which "
        "size is the network's lead over logistic regression (its AUC minus logistic "
        "regression's) more than `margin`? Only the first such size counts.",
        "`zip` walks the three lists in step, and a `return` inside the loop stops at the first "
        "size that qualifies. 'More than' is a strict comparison: a lead exactly equal to "
        "`margin` does not count. A function that gets to the end of its loop must still "
        "return `None`.",
        "A smaller case by hand: sizes [100, 200, 400], network AUCs [0.60, 0.63, 0.68], logistic "
        "regression [0.61, 0.62, 0.64] and a margin of 0.02: the leads are -0.01, 0.01 and 0.04, "
        "so the answer is 400. With a margin of 0.05 no size qualifies: None.",
    ],
)

q2 = FunctionExercise(
    "06.q2",
    [
        Case(
            ([250, 500, 1000], [0.74, 0.74, 0.75], [0.70, 0.73, 0.745], [0.02, 0.015, 0.01]),
            expected=[250],
        ),
        Case(
            ([250, 500, 1000], [0.74, 0.75, 0.76], [0.70, 0.72, 0.745], [0.01, 0.01, 0.01]),
            expected=[250, 500, 1000],
        ),
        Case(([250, 500], [0.70, 0.71], [0.71, 0.72], [0.01, 0.01]), expected=[]),
        Case(([250], [0.72], [0.70], [0.03]), expected=[]),
        # a gain exactly equal to the spread (exact in binary) does not pay: "more than" is strict
        Case(([250, 500], [0.75, 0.78125], [0.71875, 0.71875], [0.03125, 0.03125]), expected=[500]),
        # from scratch far ahead is no reason to fine-tune: the gain, not its size, is compared
        Case(([250, 500], [0.70, 0.74], [0.75, 0.70], [0.01, 0.01]), expected=[500]),
    ],
    hints=[
        "At each size, the gain of fine-tuning is its mean AUC minus the from-scratch mean AUC. "
        "It pays only where that gain is more than the spread at that size, not merely "
        "positive: a smaller gain is within the noise.",
        "Walk the four lists in step with `zip` and keep the sizes that pass, in their order: a "
        "loop that appends to a list, or a list comprehension with an `if`. 'More than' is "
        "strict: a gain exactly equal to the spread does not pay. An empty list is a fine "
        "answer when it never pays.",
        "A smaller case by hand: sizes [100, 200], fine-tuned [0.70, 0.74], from scratch "
        "[0.66, 0.69] and spreads [0.05, 0.03]: the gains are 0.04 and 0.05, so only 200 pays "
        "and the answer is [200].",
    ],
)

_CHOICES = pd.DataFrame(
    {
        "auc": [0.751, 0.751, 0.750, 0.74],
        "latency_ms": [1.0, 0.01, 0.01, 0.005],
        "size_kb": [40.0, 8.0, 4.0, 2.0],
    },
    index=["Keras", "float32", "int8", "pruned"],
)
#: A tie on AUC between a faster, bigger file and a slower, smaller one: the smaller file wins.
_TIED = pd.DataFrame(
    {"auc": [0.76, 0.76, 0.70], "latency_ms": [0.02, 0.5, 0.01], "size_kb": [30.0, 6.0, 1.0]},
    index=["fast", "small", "tiny"],
)

q3 = FunctionExercise(
    "06.q3",
    [
        Case((_CHOICES, 0.1, 10.0), expected="float32"),
        Case((_CHOICES, 0.1, 5.0), expected="int8"),
        Case((_CHOICES, 2.0, 100.0), expected="float32"),
        Case((_CHOICES, 0.001, 100.0), expected=None),
        Case((_CHOICES, 0.006, 3.0), expected="pruned"),
        # exactly at both limits fits ("at most"): int8's latency and size equal them
        Case((_CHOICES, 0.01, 4.0), expected="int8"),
        Case((_TIED, 1.0, 50.0), expected="small"),
    ],
    hints=[
        "First keep the candidates that fit: a latency of at most `max_latency_ms` and a file of "
        "at most `max_size_kb` (a value equal to its limit fits). Among those, the highest AUC "
        "wins; on equal AUC, the smaller file. If none fits, there is nothing to ship: `None`.",
        "A boolean mask per limit, combined with `&` (each comparison in parentheses), selects "
        "the rows that fit. To rank them, `DataFrame.sort_values` takes a list of columns and a "
        "list of directions. Return a label of the table's index, not a row number.",
        "A smaller case by hand: A (AUC 0.80, 5 ms, 50 kB), B (0.80, 2 ms, 20 kB) and C (0.70, "
        "1 ms, 5 kB) under limits of 2 ms and 20 kB: A is too slow, B fits exactly at both "
        "limits and C fits, and B has the higher AUC: 'B'. Under 1 ms and 5 kB only C fits; "
        "under 0.5 ms none does: None.",
    ],
)

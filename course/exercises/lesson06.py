"""Exercises of lesson 06 (optional extension: more data, fine-tuning, a smaller model).

The checks use small made-up tables (no TensorFlow): the lesson's own figures come from the
cache that ``python -m course.scale.grids`` builds, and the learner's functions are checked on
cases whose answers are known."""

from __future__ import annotations

import pandas as pd

from course.exercises.core import Case, FunctionExercise

_SIZES = [1000, 3000, 10000, 24000]

q1 = FunctionExercise(
    "06.q1",
    [Case((_SIZES, [0.70, 0.73, 0.745, 0.75], [0.71, 0.715, 0.716, 0.717], 0.01), expected=3000),
     Case((_SIZES, [0.70, 0.73, 0.745, 0.75], [0.71, 0.715, 0.716, 0.717], 0.02), expected=10000),
     Case((_SIZES, [0.70, 0.71, 0.72, 0.73], [0.71, 0.72, 0.73, 0.74], 0.0), expected=None),
     Case(([500, 1000], [0.8, 0.8], [0.7, 0.7], 0.05), expected=500),
     Case(([500, 1000], [0.7, 0.75], [0.7, 0.7], 0.0), expected=1000)],  # fmt: skip
    hints=[
        "Walk through the sizes from the smallest, in step with the two lists of AUCs. At each "
        "size, is the network's AUC higher than logistic regression's by more than the margin "
        "(strictly more)? Return the first size where it is, and None if there is none.",
        "Write the loop as `for n, net, logit in zip(sizes, network_auc, logistic_auc):` and "
        "compare `net - logit` with `margin` inside it. Keep the `return None` after the loop, "
        "for the case where the network is never far enough ahead.",
    ],
    solution=(
        "def first_size_ahead(sizes, network_auc, logistic_auc, margin):\n"
        "    for n, net, logit in zip(sizes, network_auc, logistic_auc):\n"
        "        if net - logit > margin:\n"
        "            return n\n"
        "    return None"
    ),
)

q2 = FunctionExercise(
    "06.q2",
    [Case(([250, 500, 1000], [0.74, 0.74, 0.75], [0.70, 0.73, 0.745], [0.02, 0.015, 0.01]),
          expected=[250]),
     Case(([250, 500, 1000], [0.74, 0.75, 0.76], [0.70, 0.72, 0.745], [0.01, 0.01, 0.01]),
          expected=[250, 500, 1000]),
     Case(([250, 500], [0.70, 0.71], [0.71, 0.72], [0.01, 0.01]), expected=[]),
     Case(([250], [0.72], [0.70], [0.03]), expected=[])],  # fmt: skip
    hints=[
        "At each size, the gain of fine-tuning is its mean AUC minus the from-scratch mean AUC. "
        "It pays only where that gain is larger than the spread (the standard deviation across "
        "seeds), not merely positive: a smaller gain is within the noise.",
        "Build the answer as a list comprehension over "
        "`zip(sizes, fine_tuned, scratch, spread)`, keeping `n` where "
        "`tuned - own > sd`. An empty list is a fine answer when it never pays.",
    ],
    solution=(
        "def sizes_where_tuning_pays(sizes, fine_tuned, scratch, spread):\n"
        "    return [n for n, tuned, own, sd in zip(sizes, fine_tuned, scratch, spread)\n"
        "            if tuned - own > sd]"
    ),
)

_CHOICES = pd.DataFrame({"auc": [0.751, 0.751, 0.750, 0.74], "latency_ms": [1.0, 0.01, 0.01, 0.005],
                         "size_kb": [40.0, 8.0, 4.0, 2.0]},
                        index=["Keras", "float32", "int8", "pruned"])  # fmt: skip

q3 = FunctionExercise(
    "06.q3",
    [Case((_CHOICES, 0.1, 10.0), expected="float32"),
     Case((_CHOICES, 0.1, 5.0), expected="int8"),
     Case((_CHOICES, 2.0, 100.0), expected="float32"),
     Case((_CHOICES, 0.001, 100.0), expected=None),
     Case((_CHOICES, 0.006, 3.0), expected="pruned")],  # fmt: skip
    hints=[
        "Keep only the rows whose latency and file size are both within the budget (at most the "
        "limit). Among those, ship the one with the highest AUC; on equal AUC, the smaller file. "
        "If no row fits, there is nothing to ship: return None.",
        "`fits = table[(table['latency_ms'] <= max_latency_ms) & (table['size_kb'] <= max_size_kb)]` "
        "selects the candidates. Sort them with `sort_values(['auc', 'size_kb'], "
        "ascending=[False, True])` and return the index label of the first row.",
    ],
    solution=(
        "def choose_model(table, max_latency_ms, max_size_kb):\n"
        "    fits = table[(table['latency_ms'] <= max_latency_ms)\n"
        "                 & (table['size_kb'] <= max_size_kb)]\n"
        "    if fits.empty:\n"
        "        return None\n"
        "    ranked = fits.sort_values(['auc', 'size_kb'], ascending=[False, True], kind='stable')\n"
        "    return ranked.index[0]"
    ),
)

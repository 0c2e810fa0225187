"""Exercises of lesson 02 (the commercialization scoring model)."""

from __future__ import annotations

from course.assumptions import DEMAND_SCENARIO  # exercise 3's scenario (all indices in [0, 1])
from course.exercises.core import Case, FunctionExercise, ReflectionExercise, ValueExercise


def _saas_multiplicative() -> float:
    from course import scorecard

    return float(scorecard.rank_paths(method="multiplicative")["SaaS"])


def _demand() -> float:
    from course.scoring import auc_skill, market_demand

    s = DEMAND_SCENARIO
    return market_demand(auc_skill(s["auc"]), s["customer_demand"], s["competition"],
                         s["service"], s["marketing"])


q1 = FunctionExercise(
    "02.q1",
    [Case((3, 1), expected=0.75), Case((0, 4), expected=0.0), Case((5, 0), expected=1.0),
     Case((0, 0), expected=0.5), Case((-1, 2), raises=ValueError)],  # fmt: skip
    hints=[
        "Use the share of gains among all outcomes, gain / (gain + loss): it is always between 0 "
        "and 1. Decide what to return when there is no evidence at all (both zero), and refuse "
        "negative counts.",
        "Write the two guards first, in this order: `if gain < 0 or loss < 0:` raise a "
        "`ValueError`; then `if gain + loss == 0:` return the no-evidence value. Only after "
        "both is it safe to divide.",
    ],
    solution=(
        "def bounded_share(gain, loss):\n"
        "    if gain < 0 or loss < 0:\n"
        "        raise ValueError('gain and loss are counts and cannot be negative')\n"
        "    if gain + loss == 0:\n"
        "        return 0.5  # no evidence either way\n"
        "    return gain / (gain + loss)"
    ),
)

q2 = FunctionExercise(
    "02.q2",
    [Case(([2.0, 4.0, 6.0],), expected=[0.0, 0.5, 1.0]),
     Case(([10.0, 0.0, 5.0, 10.0],), expected=[1.0, 0.0, 0.5, 1.0]),
     Case(([7.0, 7.0],), expected=[0.5, 0.5])],  # fmt: skip
    hints=[
        "Subtract the smallest value, then divide by the range (largest minus smallest). "
        "If all values are equal the range is zero: return 0.5 for each (no information).",
        "Start with `values = np.asarray(values, dtype=float)` and `span = values.max() - "
        "values.min()`. Handle `span == 0` before you divide by it (`np.full` makes an array of "
        "one repeated value).",
    ],
    solution=(
        "def minmax(values):\n"
        "    values = np.asarray(values, dtype=float)\n"
        "    span = values.max() - values.min()\n"
        "    if span == 0:\n"
        "        return np.full(len(values), 0.5)\n"
        "    return (values - values.min()) / span"
    ),
)

q4 = ValueExercise(
    "02.q4",
    _saas_multiplicative,
    rtol=1e-4,
    hints=[
        "Rescale SaaS's scores from 1-5 to 0-1 with (score - 1) / 4, raise each to the power of "
        "its weight, and multiply the results (a weighted geometric mean).",
        "`saas_unit = (card.loc['SaaS'] - 1) / 4` gives the six rescaled scores, indexed by "
        "criterion. Put the weights in a `pd.Series(scorecard.DEFAULT_WEIGHTS)` too: pandas then "
        "pairs each score with its own weight by name.",
    ],
    solution=(
        "saas_unit = (card.loc['SaaS'] - 1) / 4\n"
        "criterion_weights = pd.Series(scorecard.DEFAULT_WEIGHTS)\n"
        "saas_multiplicative = float(np.prod(saas_unit ** criterion_weights))"
    ),
)

q3 = ValueExercise(
    "02.q3",
    _demand,
    rtol=1e-6,
    hints=[
        "Turn the AUC into skill above chance first (2 * AUC - 1), then multiply it by customer "
        "demand, (1 - competition), service and marketing.",
        "`skill = 2 * scenario['auc'] - 1` is P. Multiply it by the four other factors, read "
        "from `scenario` the same way; competition enters as `1 - scenario['competition']`.",
    ],
    solution=(
        "scenario = DEMAND_SCENARIO\n"
        "skill = 2 * scenario['auc'] - 1\n"
        "demand = (skill * scenario['customer_demand'] * (1 - scenario['competition'])\n"
        "          * scenario['service'] * scenario['marketing'])"
    ),
)

q5 = ReflectionExercise(
    "02.q5",
    hints=[
        "Look at the validation: which term of f predicted later growth, on a period the weights "
        "were not fitted on? What does that suggest for alpha, beta and gamma?",
        "A good answer picks weights, cites the measured correlations (with their intervals), and "
        "names one reason not to trust them fully (proxies, survivorship, only two periods).",
    ],
    solution=(
        "On this data, activity (stars gained) is the term that predicts later growth: fitted "
        "on 2025 the grid chose alpha = 1, and on the unseen 2026 period that reached Spearman "
        "0.78 against 0.51 for equal weights. I would weight activity most (say 0.6) but keep some "
        "weight on forks and stars: they are proxies for contributors and users, every weighting "
        "did better in 2026 than in 2025 (the period matters as much as the weights), the data "
        "covers only repositories that stayed listed, and 'growth' is attention, not revenue."
    ),
)


"""Exercises of lesson 02 (the commercialization scoring model)."""

from __future__ import annotations

from course.exercises.core import Case, FunctionExercise, ReflectionExercise, ValueExercise

#: The demand scenario of exercise 4 (all indices in [0, 1]); AUC 0.78 is a placeholder until
#: lesson 03 measures the real model.
DEMAND_SCENARIO = {"auc": 0.78, "customer_demand": 0.6, "competition": 0.7, "service": 0.8,
                   "marketing": 0.5}  # fmt: skip


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
        "`if gain < 0 or loss < 0: raise ValueError(...)`, then `if gain + loss == 0: return 0.5` "
        "(no evidence either way), else `return gain / (gain + loss)`.",
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
        "`values = np.asarray(values, dtype=float)`; `span = values.max() - values.min()`; "
        "`return np.full(len(values), 0.5) if span == 0 else (values - values.min()) / span`.",
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
        "`unit = (card.loc['SaaS'] - 1) / 4`, `w = pd.Series(DEFAULT_WEIGHTS)`, then "
        "`float(np.prod(unit ** w))`.",
    ],
    solution=(
        "unit = (card.loc['SaaS'] - 1) / 4\n"
        "w = pd.Series(scorecard.DEFAULT_WEIGHTS)\n"
        "saas_multiplicative = float(np.prod(unit ** w))"
    ),
)

q3 = ValueExercise(
    "02.q3",
    _demand,
    rtol=1e-6,
    hints=[
        "Turn the AUC into skill above chance first (2 * AUC - 1), then multiply it by customer "
        "demand, (1 - competition), service and marketing.",
        "`skill = 2 * 0.78 - 1`; `demand = skill * 0.6 * (1 - 0.7) * 0.8 * 0.5`.",
    ],
    solution=(
        "s = DEMAND_SCENARIO\n"
        "skill = 2 * s['auc'] - 1\n"
        "demand = skill * s['customer_demand'] * (1 - s['competition']) * s['service'] * s['marketing']"
    ),
)

q5 = ReflectionExercise(
    "02.q5",
    min_words=25,
    hints=[
        "Look at the validation: which term of f predicted later growth, on a period the weights "
        "were not fitted on? What does that suggest for alpha, beta and gamma?",
        "A good answer picks weights, cites the measured correlations (with their intervals), and "
        "names one reason not to trust them fully (proxies, survivorship, one 18-month window).",
    ],
    solution=(
        "On this data, activity (stars gained) is the only term that predicts later growth well: "
        "fitted on 2025 it gave alpha = 1, and on the unseen 2026 period that reached Spearman "
        "0.78 against 0.51 for equal weights. I would weight activity most (say 0.6) but keep some "
        "weight on forks and stars, because they are proxies for contributors and users, the data "
        "covers only survivors of an 18-month window, and 'growth' is not revenue."
    ),
)


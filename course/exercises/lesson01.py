"""Exercises of lesson 01 (market analysis), on the Epoch AI models and GitHub ranking data."""

from __future__ import annotations

import math

from course.exercises.core import Case, FunctionExercise, ReflectionExercise, ValueExercise


def _open_share():
    from course import market
    from course.data import load_epoch_models

    return market.open_weights_share(load_epoch_models(), 2015, 2025)


def _llm_top10_share():
    from course import market
    from course.data import load_github_ranking

    return float(market.top10_share(load_github_ranking(["2026-08-22"]), "2026-08-22")["LLM"])


q1 = ValueExercise(
    "01.q1",
    _open_share,
    hints=[
        "Leave out the models whose accessibility is 'Unknown', keep 2015 to 2025, then take the "
        "mean of the True/False column `open_weights` per year.",
        "Start with `known = models[(models['accessibility'] != 'Unknown') & "
        "models['year'].between(2015, 2025)]`. Then group `known` by its year and average the "
        "`open_weights` column in each group (the mean of True/False is the share of True).",
    ],
    solution=(
        "known = models[(models['accessibility'] != 'Unknown') & models['year'].between(2015, 2025)]\n"
        "open_share = known.groupby('year')['open_weights'].mean()"
    ),
)

q2 = FunctionExercise(
    "01.q2",
    [Case((math.log10(2),), expected=12.0), Case((math.log10(4),), expected=6.0),
     Case((0.5,), expected=12 * math.log10(2) / 0.5),
     Case((0.0,), raises=ValueError), Case((-0.2,), raises=ValueError)],  # fmt: skip
    hints=[
        "If log10(cost) rises by `slope` each year, the cost doubles when log10 has risen by "
        "log10(2). How many years does that take? Then convert to months. A slope of zero or less "
        "means costs are not rising: raise a ValueError.",
        "Begin with the guard: `if slope <= 0: raise ValueError('costs are not rising')`. Then "
        "solve `slope * years == math.log10(2)` for `years`, and turn years into months.",
    ],
    solution=(
        "def doubling_time_months(slope):\n"
        "    if slope <= 0:\n"
        "        raise ValueError('costs are not rising: no doubling time')\n"
        "    return 12 * math.log10(2) / slope"
    ),
)

q3 = FunctionExercise(
    "01.q3",
    [Case((100.0, 200.0, 1), expected=1.0), Case((1.0, 8.0, 3), expected=1.0),
     Case((50.0, 50.0, 10), expected=0.0), Case((6.0, 130.3, 11), expected=(130.3 / 6) ** (1 / 11) - 1),
     Case((0.0, 10.0, 5), raises=ValueError), Case((10.0, 20.0, 0), raises=ValueError)],  # fmt: skip
    hints=[
        "CAGR is the constant yearly rate r with start * (1 + r) ** years == end. Solve for r. "
        "A start of zero (or less) or a non-positive number of years has no CAGR: raise ValueError.",
        "Divide both sides of `start * (1 + r) ** years == end` by `start`, then take the "
        "`years`-th root of both sides (`x ** (1 / years)`); what is left to isolate r?",
    ],
    solution=(
        "def cagr(start, end, years):\n"
        "    if start <= 0 or years <= 0:\n"
        "        raise ValueError('CAGR needs a positive start value and a positive number of years')\n"
        "    return (end / start) ** (1 / years) - 1"
    ),
)

q4 = ValueExercise(
    "01.q4",
    _llm_top10_share,
    rtol=1e-3,
    hints=[
        "Keep the rows of the 'LLM' topic on the latest snapshot. Divide the stars of its 10 "
        "most-starred repositories by the stars of all 100.",
        "Start with `stars = latest.loc[latest['topic'] == 'LLM', 'stars']`; "
        "`stars.nlargest(10)` keeps the 10 largest values. The share is a fraction between 0 "
        "and 1: a part divided by the whole.",
    ],
    solution=(
        "stars = latest.loc[latest['topic'] == 'LLM', 'stars']\n"
        "llm_top10_share = stars.nlargest(10).sum() / stars.sum()"
    ),
)

q5 = ReflectionExercise(
    "01.q5",
    hints=[
        "Look at the assumptions table: which number did we guess with the least evidence?",
        "Name the assumption, say what would change if it were half or double, and describe a "
        "cheap test (ten phone calls to lenders, a pricing page with sign-ups, a public register).",
    ],
    solution=(
        "A strong answer picks one assumption (often the price per decision or the obtainable "
        "share), notes that SOM is a product so halving any factor halves it, and proposes a "
        "cheap check within a week: interview ten target lenders about what they pay for scores "
        "today, count lenders in a public regulator register, or measure sign-ups on a landing "
        "page with a price on it."
    ),
)

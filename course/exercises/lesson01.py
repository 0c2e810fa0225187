"""Exercises of lesson 01 (market analysis), on the Epoch AI models and GitHub ranking data."""

from __future__ import annotations

import math

from course.exercises.core import Case, FunctionExercise, Idea, ReflectionExercise, ValueExercise

#: How close a share must be: the questions' "three decimals are enough", i.e. within half a
#: thousandth (plus float noise, so that a tie rounded either way, 0.3125 to 0.312, passes).
THREE_DECIMALS = 0.0005 + 1e-12


def _open_share():
    from course.data import load_epoch_models
    from course.market import analysis as market

    return market.open_weights_share(load_epoch_models(), 2015, 2025)


def _llm_top10_share():
    from course.data import load_github_ranking
    from course.market import analysis as market

    return float(market.top10_share(load_github_ranking(["2026-08-22"]), "2026-08-22")["LLM"])


q1 = ValueExercise(
    "01.q1",
    _open_share,
    rtol=0.0,
    atol=THREE_DECIMALS,
    hints=[
        "Look at two columns: `accessibility` (the models marked 'Unknown' are left out of both "
        "the count and the total) and `open_weights` (True/False per model), for the years 2015 "
        "to 2025, both included.",
        "Keep the rows with two conditions joined by `&` (each in brackets), then `groupby` the "
        "year and take the `mean` of `open_weights`: the mean of True/False values is the share "
        "of True, already a fraction.",
        "A smaller case by hand: a year with 5 models, 1 of them 'Unknown' and 2 with open "
        "weights, has a share of 2 / 4 = 0.5, not 2 / 5.",
    ],
)

q2 = FunctionExercise(
    "01.q2",
    [
        Case((math.log10(2),), expected=12.0),
        Case((math.log10(4),), expected=6.0),
        Case((0.5,), expected=12 * math.log10(2) / 0.5),
        Case((0.0,), raises=ValueError),
        Case((-0.2,), raises=ValueError),
    ],
    hints=[
        "Look at what `slope` measures: each year, log10 of the cost rises by `slope`, and the "
        "cost has doubled once log10 has risen by log10(2). The answer is in months. A slope of "
        "zero or less (zero included) has no doubling time: raise a ValueError.",
        "Put the guard first. Then use time = distance ÷ speed: the distance is the rise in "
        "log10 that doubles the cost (`math.log10` computes it), the speed is the rise per year. "
        "That gives years; 12 months make a year. Do not round.",
        "A smaller case by hand: if log10 rises by 0.25 a year, growing tenfold (a rise of 1) "
        "takes 1 / 0.25 = 4 years, which is 48 months.",
    ],
)

q3 = FunctionExercise(
    "01.q3",
    [
        Case((100.0, 200.0, 1), expected=1.0),
        Case((1.0, 8.0, 3), expected=1.0),
        Case((50.0, 50.0, 10), expected=0.0),
        Case((6.0, 130.3, 11), expected=(130.3 / 6) ** (1 / 11) - 1),
        Case((0.0, 10.0, 5), raises=ValueError),
        Case((-10.0, 20.0, 2), raises=ValueError),
        Case((10.0, 20.0, 0), raises=ValueError),
        Case((10.0, 20.0, -1), raises=ValueError),
    ],
    hints=[
        "Look at the definition: the CAGR is the constant yearly rate r with "
        "start × (1 + r) ** years = end, a fraction per year (0.05 for 5 % a year, not 5). A "
        "start of zero or less, or a number of years of zero or less, has no CAGR: raise a "
        "ValueError for those first.",
        "Solve for r in two moves: divide both sides by start, then take the years-th root of "
        "both sides (raising to the power 1 / years undoes ** years). What is left to isolate "
        "r? Do not round.",
        "A smaller case by hand: 100 growing to 121 in 2 years: 121 / 100 = 1.21, its square "
        "root is 1.1, so r = 0.1 (10 % a year).",
    ],
)

q4 = ValueExercise(
    "01.q4",
    _llm_top10_share,
    rtol=0.0,
    atol=THREE_DECIMALS,
    hints=[
        "Look at `latest`: keep the rows whose `topic` is 'LLM' (its 100 most-starred "
        "repositories), and their `stars`.",
        "A share is part ÷ whole: the part is the sum of the 10 largest star counts (the Series "
        "method `nlargest` keeps the largest values), the whole is the sum of all the topic's "
        "stars. Keep it a fraction between 0 and 1.",
        "A smaller case by hand: stars [50, 30, 10, 10] with a top 2 give "
        "(50 + 30) / (50 + 30 + 10 + 10) = 0.8.",
    ],
)

q5 = ReflectionExercise(
    "01.q5",
    rubric=[
        Idea(
            "one assumption from the table, named",
            (
                "price",
                "decision",
                "lender",
                "bank",
                "credit union",
                "serviceable",
                "reachable",
                "obtainable",
                "share",
                "adoption",
                "number of",
                "how many",
            ),
        ),
        Idea(
            "why it is the weakest: the least evidence behind it",
            (
                "evidence",
                "guess",
                "unsure",
                "uncertain",
                "no data",
                "made up",
                "invented",
                "not measured",
                "no source",
                "unknown",
                "little data",
            ),
        ),
        Idea(
            "SOM is a product of factors: half the assumption halves it, double doubles it",
            (
                "half",
                "halv",
                "double",
                "twice",
                "product",
                "multipl",
                "proportion",
                "linear",
                "scale",
            ),
        ),
        Idea(
            "a cheap check within a week (calls, a survey, a register, a landing page)",
            (
                "interview",
                "call",
                "ask",
                "survey",
                "talk",
                "phone",
                "email",
                "landing",
                "sign-up",
                "signup",
                "sign up",
                "register",
                "regulator",
                "pilot",
                "quote",
                "experiment",
                "questionnaire",
                "competitor",
            ),
        ),
    ],
    hints=[
        "Look at the assumptions table above: which number has the least evidence behind its "
        "`why`, and what does SOM become if it is half or double?",
        "SOM is a product of factors: say what half or double that number does to it. Then name "
        "a check you could run within a week and what it would measure (ten calls to lenders, a "
        "pricing page with sign-ups, a public register).",
    ],
)

"""Exercises of lesson 02 (the commercialization scoring model)."""

from __future__ import annotations

from course.assumptions import DEMAND_SCENARIO  # exercise 3's scenario (all indices in [0, 1])
from course.exercises.core import Case, FunctionExercise, Idea, ReflectionExercise, ValueExercise

#: How close an answer must be: the questions' "three (four) decimals are enough", i.e. within
#: half a thousandth (ten-thousandth), plus float noise so that a tie rounded either way passes.
THREE_DECIMALS, FOUR_DECIMALS = 0.0005 + 1e-12, 0.00005 + 1e-12


def _saas_multiplicative() -> float:
    from course.strategy import scorecard

    return float(scorecard.rank_paths(method="multiplicative")["SaaS"])


def _demand() -> float:
    from course.strategy.scoring import auc_skill, market_demand

    s = DEMAND_SCENARIO
    return market_demand(
        auc_skill(s["auc"]), s["customer_demand"], s["competition"], s["service"], s["marketing"]
    )


q1 = FunctionExercise(
    "02.q1",
    [
        Case((3, 1), expected=0.75),
        Case((0, 4), expected=0.0),
        Case((5, 0), expected=1.0),
        Case((1, 2), expected=1 / 3),
        Case((0, 0), expected=0.5),
        Case((-1, 2), raises=ValueError),
        Case((2, -1), raises=ValueError),
    ],
    hints=[
        "Look at the three failures the lesson just named: the share must stay between 0 and 1, "
        "be defined when there is no evidence (both counts zero), and refuse negative counts "
        "(zero is a valid count).",
        "Write the guards before the division, in this order: a negative gain or loss raises a "
        "ValueError; then the no-evidence case returns its value; only then divide the gains by "
        "all outcomes. Do not round.",
        "A smaller case by hand: 2 gains and 6 losses give 2 / (2 + 6) = 0.25.",
    ],
)

q2 = FunctionExercise(
    "02.q2",
    [
        Case(([2.0, 4.0, 6.0],), expected=[0.0, 0.5, 1.0]),
        Case(([10.0, 0.0, 5.0, 10.0],), expected=[1.0, 0.0, 0.5, 1.0]),
        Case(([0.0, 1.0, 3.0, 6.0],), expected=[0.0, 1 / 6, 0.5, 1.0]),
        Case(([7.0, 7.0],), expected=[0.5, 0.5]),
    ],
    hints=[
        "Look at where each value sits between the smallest and the largest: the smallest "
        "becomes 0, the largest 1, one halfway between 0.5. When all values are equal there is "
        "no range: return 0.5 for each.",
        "Convert to a NumPy array of floats (`np.asarray`) so that arithmetic works on every "
        "value at once; subtract the minimum, then divide by the range (maximum minus minimum). "
        "Check for a range of zero before dividing (`np.full` makes an array of one repeated "
        "value). Do not round.",
        "A smaller case by hand: [10, 20, 40] has minimum 10 and range 30, so it becomes "
        "[0 / 30, 10 / 30, 30 / 30], about [0, 0.333, 1].",
    ],
)

q4 = ValueExercise(
    "02.q4",
    _saas_multiplicative,
    rtol=0.0,
    atol=THREE_DECIMALS,
    hints=[
        "Look at SaaS's row of `card` (six scores from 1 to 5, one per criterion) and at "
        "`scorecard.DEFAULT_WEIGHTS` (one weight per criterion).",
        "Rescale the whole row at once, so that a score of 1 becomes 0 and 5 becomes 1. Make the "
        "weights a pandas Series too: `**` between two Series pairs each score with its own "
        "weight by criterion name, and `np.prod` multiplies the results (a weighted geometric "
        "mean). Three decimals are enough.",
        "A smaller case by hand: two criteria with rescaled scores 0.25 and 1 and weights 0.5 "
        "and 0.5 give 0.25 ** 0.5 × 1 ** 0.5 = 0.5.",
    ],
)

q3 = ValueExercise(
    "02.q3",
    _demand,
    rtol=0.0,
    atol=FOUR_DECIMALS,
    hints=[
        "Look at the scenario table: five inputs, each an index between 0 and 1. Two of them "
        "enter D changed: the AUC becomes skill above chance, and competition enters as one "
        "minus competition.",
        "Skill above chance is what the cell above printed for a few AUCs (`scoring.auc_skill` "
        "computes it). Read each input from `scenario` by its key and multiply the five factors. "
        "Four decimals are enough.",
        "A smaller case by hand, with other numbers: AUC 0.6 gives skill 0.2; with demand 0.5, "
        "competition 0.5, service 1 and marketing 1, D = 0.2 × 0.5 × (1 − 0.5) × 1 × 1 = 0.05.",
    ],
)

q5 = ReflectionExercise(
    "02.q5",
    rubric=[
        Idea(
            "activity (stars gained) is the term that predicted later growth",
            ("activ", "stars gained", "gained", "alpha", "α", "momentum", "recent growth"),
        ),
        Idea(
            "the validation numbers: rank correlations with their intervals",
            (
                "rho",
                "ρ",
                "spearman",
                "correlat",
                "0.78",
                "0.62",
                "0.51",
                "0.29",
                "interval",
                "bootstrap",
                "confidence",
            ),
        ),
        Idea(
            "fitted on one period, tested on a later one it never saw",
            (
                "period",
                "unseen",
                "later period",
                "out of sample",
                "out-of-sample",
                "held out",
                "held-out",
                "test",
                "overfit",
                "over-fit",
                "fitted on",
                "second",
            ),
        ),
        Idea(
            "forks and stars are only proxies for contributors and users",
            ("prox", "stand in", "stand-in", "contributor", "users", "indirect"),
        ),
        Idea(
            "what the data leaves out: only survivors, and attention is not revenue",
            (
                "surviv",
                "revenue",
                "attention",
                "money",
                "listed",
                "dropped",
                "drop out",
                "drop-out",
                "sales",
                "income",
            ),
        ),
    ],
    hints=[
        "Look at the validation tables: which term of f predicted later growth on the period the "
        "weights were not fitted on, with what rank correlation and interval? What does that "
        "suggest for α, β and γ?",
        "Pick weights and cite those numbers; then say what the numbers cannot show. Think of "
        "what forks and stars stand for, which repositories are in the data at all, and how the "
        "two periods differed.",
    ],
)

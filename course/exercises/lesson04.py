"""Exercises of lesson 04 (serving the model): the cost of predictions and API pricing.

Prices and plans come from the course's one set of assumptions (:mod:`course.assumptions`),
through :class:`course.business.pricing.Plans`; the test values of exercise 1 are only test
values."""

from __future__ import annotations

from course.assumptions import SECONDS_PER_MONTH
from course.business.pricing import Plans
from course.exercises.core import Case, FunctionExercise, ValueExercise

_PLANS = Plans()

q1 = FunctionExercise(
    "04.q1",
    [
        Case((40.0, 1000.0, 0.25), expected=40 / (1000 * 0.25 * SECONDS_PER_MONTH) * 1000),
        Case((2592.0, 1.0, 1.0), expected=1.0),
        Case((0.0, 10.0, 0.5), expected=0.0),
        Case((100.0, 0.0, 0.5), raises=ValueError),
        Case((100.0, -5.0, 0.5), raises=ValueError),
        Case((100.0, 50.0, 0.0), raises=ValueError),
        Case((100.0, 50.0, 1.5), raises=ValueError),
        Case((-1.0, 50.0, 0.5), raises=ValueError),
    ],
    hints=[
        "Count the predictions the server makes in one 30-day month: how many seconds does such "
        "a month have, and for what share of them is the server busy? The monthly price spread "
        "over those predictions is the cost of one; the question asks for 1,000 of them.",
        "Check the inputs before any arithmetic and raise `ValueError` on an impossible one: "
        "Python's chained comparison (`low < x <= high`) tests a half-open range such as (0, 1] "
        "in one expression. Then keep the units straight: US$ a month divided by predictions a "
        "month is US$ per prediction. Do not round.",
        "A smaller case by hand: a US$ 60 server that sustains 2 requests per second and is busy "
        "a quarter of the time serves 2 x 0.25 x 2,592,000 = 1,296,000 predictions a month, so "
        "1,000 of them cost 60 / 1,296,000 x 1,000, about US$ 0.046.",
    ],
)

q2 = ValueExercise(
    "04.q2",
    _PLANS.break_even_rows(),
    hints=[
        "Write both monthly bills for a number of applicants: per call, the bill grows with every "
        "applicant; on the subscription it stays at the fee as long as the applicants stay within "
        "the included ones. The break-even volume is where the two bills are equal.",
        "Set the two bills equal and solve for the number of applicants, with the prices of "
        "`Plans()` (its fields are printed above). Then check that the result lies within "
        "`included_rows`, where the fee alone is the subscription's bill. Answer in applicants, "
        "not in US$.",
        "A smaller case by hand: at US$ 2 per call against a US$ 90 subscription that includes "
        "100 applicants, 45 applicants cost US$ 90 either way; fewer are cheaper per call, more "
        "on the subscription.",
    ],
)

q3 = FunctionExercise(
    "04.q3",
    [
        Case((0,), expected=_PLANS.subscription_fee),
        Case((_PLANS.included_rows // 2,), expected=_PLANS.subscription_fee),
        Case((_PLANS.included_rows,), expected=_PLANS.subscription_fee),
        Case(
            (_PLANS.included_rows + 1,), expected=_PLANS.subscription_fee + _PLANS.overage_per_row
        ),
        Case(
            (3 * _PLANS.included_rows,),
            expected=_PLANS.subscription_fee + 2 * _PLANS.included_rows * _PLANS.overage_per_row,
        ),
    ],
    hints=[
        "Split the bill in two: the fee, always paid in full (even for 0 applicants), and the "
        "overage, paid only for the applicants beyond `Plans().included_rows`. The applicant "
        "exactly at the included number is still included.",
        "The number of applicants beyond the included ones must never be negative: Python's "
        "built-in `max`, with 0 as one of its arguments, keeps a count from going below zero.",
        "A smaller case by hand: a US$ 100 fee that includes 50 applicants, then US$ 1 for each "
        "one beyond: 30 applicants cost US$ 100, 50 cost US$ 100, 51 cost US$ 101 and 80 cost "
        "US$ 130.",
    ],
)

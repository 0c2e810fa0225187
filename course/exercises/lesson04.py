"""Exercises of lesson 04 (serving the model): the cost of predictions and API pricing.

Prices and plans come from the course's one set of assumptions (:mod:`course.assumptions`),
through :class:`course.pricing.Plans`; the test values of exercise 1 are only test values."""

from __future__ import annotations

from course.assumptions import SECONDS_PER_MONTH
from course.exercises.core import Case, FunctionExercise, ValueExercise
from course.pricing import Plans

_PLANS = Plans()

q1 = FunctionExercise(
    "04.q1",
    [Case((40.0, 1000.0, 0.25), expected=40 / (1000 * 0.25 * SECONDS_PER_MONTH) * 1000),
     Case((2592.0, 1.0, 1.0), expected=1.0), Case((0.0, 10.0, 0.5), expected=0.0),
     Case((100.0, 0.0, 0.5), raises=ValueError), Case((100.0, -5.0, 0.5), raises=ValueError),
     Case((100.0, 50.0, 0.0), raises=ValueError), Case((100.0, 50.0, 1.5), raises=ValueError),
     Case((-1.0, 50.0, 0.5), raises=ValueError)],  # fmt: skip
    hints=[
        "How many predictions does the server make in a month? Requests per second, times the "
        "share of the time it is busy, times the seconds in a 30-day month. The price divided by "
        "that is the cost of one prediction; a thousand of them cost a thousand times more.",
        "Start with the guards: `if requests_per_second <= 0 or not 0 < utilisation <= 1 or "
        "monthly_price < 0: raise ValueError(...)`. Then count "
        "`served = requests_per_second * utilisation * 30 * 24 * 3600` predictions a month.",
    ],
    solution=(
        "def cost_per_thousand(monthly_price, requests_per_second, utilisation):\n"
        "    if requests_per_second <= 0 or not 0 < utilisation <= 1 or monthly_price < 0:\n"
        "        raise ValueError('need a positive throughput, a utilisation in (0, 1] and a '\n"
        "                         'price of zero or more')\n"
        "    served = requests_per_second * utilisation * 30 * 24 * 3600\n"
        "    return monthly_price / served * 1000"
    ),
)

q2 = ValueExercise(
    "04.q2",
    _PLANS.break_even_rows(),
    hints=[
        "Write both monthly bills for `rows` applicants: per call it is rows times the price per "
        "applicant; on the subscription it is the fee alone, as long as `rows` stays within the "
        "included applicants. Where are they equal?",
        "Solve `rows * plans.price_per_row == plans.subscription_fee` for `rows` (then check the "
        "result is within `plans.included_rows`, so the fee alone is the whole bill).",
    ],
    solution="plans = Plans()\nbreak_even = plans.subscription_fee / plans.price_per_row",
)

q3 = FunctionExercise(
    "04.q3",
    [Case((0,), expected=_PLANS.subscription_fee),
     Case((_PLANS.included_rows // 2,), expected=_PLANS.subscription_fee),
     Case((_PLANS.included_rows,), expected=_PLANS.subscription_fee),
     Case((_PLANS.included_rows + 1,), expected=_PLANS.subscription_fee + _PLANS.overage_per_row),
     Case((3 * _PLANS.included_rows,),
          expected=_PLANS.subscription_fee + 2 * _PLANS.included_rows * _PLANS.overage_per_row)],  # fmt: skip
    hints=[
        "The fee covers the included applicants; each one beyond costs the overage price. Below "
        "the included number the customer still pays the whole fee.",
        "The applicants beyond the included ones are `max(0, rows - plans.included_rows)` "
        "(never negative); multiply them by the overage price and add the fee.",
    ],
    solution=(
        "def subscription_bill(rows):\n"
        "    plans = Plans()\n"
        "    return plans.subscription_fee + max(0, rows - plans.included_rows) * plans.overage_per_row"
    ),
)

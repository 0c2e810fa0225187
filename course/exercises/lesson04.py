"""Exercises of lesson 04 (serving the model): the cost of predictions and API pricing."""

from __future__ import annotations

from course.exercises.core import Case, FunctionExercise, ValueExercise
from course.pricing import Plans

q1 = FunctionExercise(
    "04.q1",
    [Case((40.0, 1000.0, 0.25), expected=40 / (1000 * 0.25 * 2_592_000) * 1000),
     Case((2592.0, 1.0, 1.0), expected=1.0),
     Case((100.0, 0.0, 0.5), raises=ValueError), Case((100.0, 50.0, 0.0), raises=ValueError),
     Case((100.0, 50.0, 1.5), raises=ValueError)],  # fmt: skip
    hints=[
        "How many predictions does the server make in a month? Requests per second times the "
        "share of time it is busy times the seconds in a 30-day month (2,592,000). Divide the "
        "monthly price by that, then multiply by 1,000. Refuse a throughput of zero or less and "
        "a utilisation outside (0, 1] with ValueError.",
        "`served = requests_per_second * utilisation * 30 * 24 * 3600`; "
        "`return monthly_price / served * 1000`.",
    ],
    solution=(
        "def cost_per_thousand(monthly_price, requests_per_second, utilisation):\n"
        "    if requests_per_second <= 0 or not 0 < utilisation <= 1:\n"
        "        raise ValueError('need a positive throughput and a utilisation in (0, 1]')\n"
        "    served = requests_per_second * utilisation * 30 * 24 * 3600\n"
        "    return monthly_price / served * 1000"
    ),
)

q2 = ValueExercise(
    "04.q2",
    Plans().break_even_rows(),
    hints=[
        "Below how many applicants a month is paying per call cheaper than the subscription fee "
        "alone? Set rows x price per row equal to the fee.",
        "`Plans().subscription_fee / Plans().price_per_row`.",
    ],
    solution="plans = Plans()\nbreak_even = plans.subscription_fee / plans.price_per_row",
)

q3 = FunctionExercise(
    "04.q3",
    [Case((5_000,), expected=300.0), Case((10_000,), expected=300.0),
     Case((25_000,), expected=300.0 + 15_000 * 0.02), Case((0,), expected=300.0)],  # fmt: skip
    hints=[
        "The fee covers the first 10,000 applicants; each one beyond costs the overage price. "
        "Below 10,000 the customer still pays the whole fee.",
        "`return 300.0 + max(0, rows - 10_000) * 0.02` (or use the fields of `Plans()`).",
    ],
    solution=(
        "def subscription_bill(rows):\n"
        "    plans = Plans()\n"
        "    return plans.subscription_fee + max(0, rows - plans.included_rows) * plans.overage_per_row"
    ),
)

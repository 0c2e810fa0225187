"""Exercises of lesson 05 (the business case): value in money, break-even, the flip price.

Expected answers are computed when first checked, from the same functions the lesson uses, so
they follow the model and the assumptions (importing this module loads no data)."""

from __future__ import annotations

import math

from course.exercises.core import Case, FunctionExercise, ReflectionExercise, ValueExercise


def _current_policy_value() -> float:
    from course import business, decision
    from course.credit.data import split_data

    test = split_data().test
    approve = decision.current_policy(test)
    return float(business.decision_values(test["default"] == 1, approve,
                                          test["credit_amount"]).mean() * 1000)  # fmt: skip


def _flip_price() -> float:
    from course import decision

    return decision.build_case().flip_price


q1 = ValueExercise(
    "05.q1",
    _current_policy_value,
    rtol=1e-9,
    hints=[
        "`business.decision_values(bad, approve, amounts)` gives the euros each application "
        "creates under a policy's approve mask; the current policy's mask is "
        "`masks[decision.CURRENT_POLICY]`. Average them, then scale to 1,000 applications.",
        "Start with `values = business.decision_values(bad, masks[decision.CURRENT_POLICY], "
        "amounts)`: what is the mean value of one application, and of a thousand?",
    ],
    solution=("values = business.decision_values(bad, masks[decision.CURRENT_POLICY], amounts)\n"
              "current_value = values.mean() * 1000"),
)

q2 = FunctionExercise(
    "05.q2",
    [Case((35_000.0, 0.5, 0.0, 400.0), expected=175.0),
     Case((10_000.0, 1.0, 0.5, 100.0), expected=200.0),
     Case((0.0, 1.0, 0.1, 100.0), expected=0.0),
     Case((10_000.0, 0.5, 0.5, 100.0), expected=math.inf),
     Case((10_000.0, 0.4, 0.5, 100.0), expected=math.inf)],  # fmt: skip
    hints=[
        "Each customer pays the price on each of its decisions, and each decision costs the "
        "serving cost: what is left per customer and month pays the fixed costs. How many "
        "customers does it take to pay all of them? When a customer leaves nothing, no number "
        "of customers is enough: return math.inf.",
        "One customer contributes `(price - serving_cost) * decisions_per_month` a month; "
        "compare it with zero before you divide the fixed costs by it.",
    ],
    solution=(
        "def break_even_customers(fixed_costs, price, serving_cost, decisions_per_month):\n"
        "    contribution = (price - serving_cost) * decisions_per_month\n"
        "    if contribution <= 0:\n"
        "        return math.inf  # no number of customers pays the fixed costs\n"
        "    return fixed_costs / contribution"
    ),
)

q3 = ValueExercise(
    "05.q3",
    _flip_price,
    rtol=1e-6,
    hints=[
        "At the flip price, the customers the demand formula gives exactly break even: their "
        "contributions equal the fixed costs. Write that equation with the price unknown.",
        "`fixed = customers * decisions_per_month * (price - serving_cost)`: solve it for "
        "`price`, using the fields of `case.economics` and `case.customers`.",
    ],
    solution=("e = case.economics\n"
              "flip_price = e.serving_cost_per_decision + e.fixed_costs_monthly / (\n"
              "    case.customers * e.decisions_per_customer_month)"),
)

q4 = ReflectionExercise(
    "05.q4",
    hints=["Go or no-go, and why, in a few sentences: which of the three criteria decides it, "
           "and which assumption do you trust least?",
           "Look at the verdict's 'flips at' price and at the value per application of section "
           "3: what evidence (a price test, a pilot with one lender, a larger test set) would "
           "move the deciding number?"],
    solution=("One good answer: no-go as priced. The model is clearly worth money to a lender, "
              "but at this price the demand does not pay the team. I trust the price least: it "
              "was set below a bureau score, not from the value the model creates. Before "
              "deciding I would run a price test with three lenders at value-based prices."),
)

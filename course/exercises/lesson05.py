"""Exercises of lesson 05 (the business case): value in money, break-even in steady state, the
flip price.

Expected answers are computed when first checked, from the same functions the lesson uses, so
they follow the model and the assumptions (importing this module loads no data). Each question
says how precise an answer must be, and the checker accepts exactly that: q1 to the euro, q2
unrounded, q3 to the cent."""

from __future__ import annotations

import math

from course.exercises.core import Case, FunctionExercise, ReflectionExercise, ValueExercise

#: How close an answer must be: the question's own words ("to the euro", "to the cent").
EURO, CENT = 0.5, 0.005


def _current_policy_value() -> float:
    from course import business, decision
    from course.credit.data import split_data

    test = split_data().test
    approve = decision.current_policy(test)
    return float(business.decision_values(test["default"] == 1, approve,
                                          test["credit_amount"]).mean() * 1000)  # fmt: skip


def _flip_price() -> float:
    from course import decision

    # the flip price depends on neither the Monte Carlo nor the bootstrap: keep both tiny
    return decision.build_case(draws=10, resamples=10).flip_price


q1 = ValueExercise(
    "05.q1",
    _current_policy_value,
    rtol=0.0,
    atol=EURO,
    hints=[
        "`business.decision_values(bad, approve, amounts)` gives one number per test applicant: "
        "the euros that application creates under a policy's approve mask (0 for a rejected "
        "one). The current policy's mask is `masks[decision.CURRENT_POLICY]`. Any answer within "
        "half a euro is accepted, so rounding to the euro or the cent is fine.",
        "Look at a few of them first: `business.decision_values(bad, masks[decision."
        "CURRENT_POLICY], amounts)[:5]`. Which one number describes a typical application of "
        "the 200, and how do you turn a value per application into one per 1,000?",
    ],
    solution=("values = business.decision_values(bad, masks[decision.CURRENT_POLICY], amounts)\n"
              "current_value = values.mean() * 1000"),
)

q2 = FunctionExercise(
    "05.q2",
    [Case((35_000.0, 0.5, 0.0, 400.0, 0.0, 0.0), expected=175.0),
     Case((35_000.0, 0.5, 0.0, 5_000 / 12, 0.02, 3_000.0), expected=35_000 / (5_000 / 24 - 60)),
     Case((10_000.0, 1.0, 0.3, 100.0, 0.05, 200.0), expected=10_000 / 60),
     Case((0.0, 1.0, 0.1, 100.0, 0.02, 3_000.0), expected=0.0),
     Case((10_000.0, 1.0, 0.4, 100.0, 0.02, 3_000.0), expected=math.inf),
     Case((10_000.0, 1.0, 0.0, 100.0, 0.05, 3_000.0), expected=math.inf)],  # fmt: skip
    rtol=1e-9,
    hints=[
        "Each customer pays the price on each of its decisions, and each decision costs the "
        "serving cost: that is its monthly contribution. In steady state, `churn` of the "
        "customers leave every month and are won again at `acquisition_cost` each, so that "
        "share of the acquisition cost is a monthly cost per customer too. What is left pays "
        "the fixed costs. Do not round: return the exact number (it is compared with an "
        "expected, fractional number of customers). When a customer leaves nothing or less, "
        "no number of customers is enough: return math.inf.",
        "Start from what one customer leaves a month: "
        "`(price - serving_cost) * decisions_per_month`. What does replacing leavers cost per "
        "customer and month, and how many customers' remainders add up to the fixed costs?",
    ],
    solution=(
        "def break_even_customers(fixed_costs, price, serving_cost, decisions_per_month, churn,\n"
        "                         acquisition_cost):\n"
        "    contribution = (price - serving_cost) * decisions_per_month\n"
        "    steady = contribution - churn * acquisition_cost  # replacing the leavers\n"
        "    if steady <= 0:\n"
        "        return math.inf  # no number of customers pays the fixed costs\n"
        "    return fixed_costs / steady"
    ),
)

q3 = ValueExercise(
    "05.q3",
    _flip_price,
    rtol=0.0,
    atol=CENT,
    hints=[
        "At the flip price, the paying lenders (`case.customers`) exactly break even in steady "
        "state: their monthly contributions, minus what replacing the ones who leave costs, "
        "equal the fixed costs. Write that equation with the price as the unknown. Any answer "
        "within half a cent (US$ 0.005) is accepted.",
        "Per customer and month the equation reads `fixed / customers = decisions * (price - "
        "serving) - churn * acquisition`, with the fields of `case.economics`. Which terms "
        "move to the left before you divide by `decisions`?",
    ],
    solution=("e = case.economics\n"
              "flip_price = e.serving_cost_per_decision + (\n"
              "    e.fixed_costs_monthly / case.customers + e.monthly_churn * e.acquisition_cost\n"
              ") / e.decisions_per_customer_month"),
)

q4 = ReflectionExercise(
    "05.q4",
    hints=["Go or no-go, and why, in a few sentences: which of the three criteria decides it, "
           "and which input do you trust least?",
           "Read the verdict's 'flips at' prices and the value lines at the population's bad "
           "rate: can a price fix a criterion about the model's value? What evidence (a "
           "lender's own applications, a price test, a pilot) would move the deciding number?"],
    solution=("One good answer, for the reference model's case above: no-go. The value criterion "
              "decides it before any price does: at the population's bad rate the model does "
              "not beat approving everyone, so a higher price would only fix the market and "
              "payback criteria of a product with nothing yet to sell. I trust the 5 % "
              "population rate and the 200 test applicants least. Before any sales spend I "
              "would score a lender's own recent applications (thousands, at its real bad "
              "rate) and measure the model's edge over that lender's current rule."),
)

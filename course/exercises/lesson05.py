"""Exercises of lesson 05 (the business case): value in money, break-even in steady state, the
flip price.

Expected answers are computed when first checked, from the same functions the lesson uses, so
they follow the model and the assumptions (importing this module loads no data). Each question
says how precise an answer must be, and the checker accepts exactly that: q1 to the euro, q2
unrounded, q3 to the cent."""

from __future__ import annotations

import math

from course.exercises.core import Case, FunctionExercise, Idea, ReflectionExercise, ValueExercise

#: How close an answer must be: the question's own words ("to the euro", "to the cent").
EURO, CENT = 0.5, 0.005


def _current_policy_value() -> float:
    from course.business import economics, lending
    from course.credit.data import split_data

    test = split_data().test
    approve = lending.current_policy(test)
    return float(
        economics.decision_values(test["default"] == 1, approve, test["credit_amount"]).mean()
        * 1000
    )


def _flip_price() -> float:
    from course.business import decision

    # the flip price depends on neither the Monte Carlo nor the bootstrap: keep both tiny
    return decision.build_case(draws=10, resamples=10).flip_price


q1 = ValueExercise(
    "05.q1",
    _current_policy_value,
    rtol=0.0,
    atol=EURO,
    hints=[
        "`economics.decision_values` gives one number per test applicant: the euros that "
        "application creates under an approve mask (0 for a rejected one). The current policy's "
        "mask is one of the `masks`, under the name `lending.CURRENT_POLICY`. Look at a few of "
        "its values before you combine them. Any answer within half a euro is accepted, so "
        "rounding to the euro or to the cent is fine.",
        "One number describes a typical application: the mean (`.mean()` on the values). A "
        "value per application becomes one per 1,000 applications by scaling it, not by adding "
        "up the test applicants.",
        "A smaller case by hand: three applications worth EUR 120, EUR -300 and EUR 0 create "
        "EUR -60 each on average, so EUR -60,000 per 1,000 applications.",
    ],
)

q2 = FunctionExercise(
    "05.q2",
    [
        Case((35_000.0, 0.5, 0.0, 400.0, 0.0, 0.0), expected=175.0),
        Case((35_000.0, 0.5, 0.0, 5_000 / 12, 0.02, 3_000.0), expected=35_000 / (5_000 / 24 - 60)),
        Case((10_000.0, 1.0, 0.3, 100.0, 0.05, 200.0), expected=10_000 / 60),
        Case((0.0, 1.0, 0.1, 100.0, 0.02, 3_000.0), expected=0.0),
        Case((10_000.0, 1.0, 0.4, 100.0, 0.02, 3_000.0), expected=math.inf),
        Case((10_000.0, 1.0, 0.0, 100.0, 0.05, 3_000.0), expected=math.inf),
    ],
    rtol=1e-9,
    hints=[
        "Follow one customer through one month: what it pays on its decisions, what serving "
        "them costs, and its share of replacing the customers who leave (`churn` of them leave "
        "every month, each won again at `acquisition_cost`). What is left pays a share of the "
        "fixed costs. Do not round: the checker compares with fractional numbers of customers.",
        "Break-even is where the number of customers times what one customer leaves a month "
        "equals the fixed costs: solve that for the customers. Guard the division first: when "
        "one customer leaves exactly nothing or less, return `math.inf` without dividing.",
        "A smaller case by hand: a price of US$ 2 and a serving cost of US$ 0.50 on 100 "
        "decisions leave US$ 150 a month; at 5 % churn and US$ 1,000 per customer won, replacing "
        "leavers costs US$ 50 per customer and month. US$ 100 remains, so fixed costs of "
        "US$ 25,050 a month take 250.5 customers.",
    ],
)

q3 = ValueExercise(
    "05.q3",
    _flip_price,
    rtol=0.0,
    atol=CENT,
    hints=[
        "At the flip price the paying lenders (`case.customers`) exactly break even in steady "
        "state: per customer and month, its contribution minus its share of replacing leavers "
        "equals its share of the fixed costs. The figures are the fields of `case.economics`. "
        "Answer in US$ per decision; any answer within half a cent is accepted.",
        "It is exercise 2's break-even turned around: there the number of customers was the "
        "unknown, here the price is. Write the equation for one customer and one month, move "
        "every term without the price to one side, then divide by the decisions a customer "
        "makes a month.",
        "A smaller case by hand: fixed costs of US$ 10,000 a month over 50 customers are "
        "US$ 200 per customer; 2 % churn at US$ 500 per customer won adds US$ 10. Over 100 "
        "decisions a month that is US$ 2.10 per decision, plus a serving cost of US$ 0.01: "
        "US$ 2.11.",
    ],
)

q4 = ReflectionExercise(
    "05.q4",
    hints=[
        "Answer the three parts in turn, in a few sentences: go or no-go by the rule of "
        "section 1 (which of the three criteria decides it?), the input you trust least, and "
        "the evidence that would change your mind.",
        "Read the verdict's 'flips at' prices and the value lines at the population's bad "
        "rate: can a price fix a criterion about the model's value? What evidence (a "
        "lender's own applications, a price test, a pilot) would move the deciding number?",
        "Then ask how sure the case is: the 95 % interval of the model's edge over each "
        "baseline, the share of Monte Carlo draws in which each criterion holds, and the "
        "inputs the tornado shows moving the edge most.",
    ],
    # The ideas the lesson itself shows (its verdict, value lines and uncertainty): the
    # feedback lists which of them an answer names, and never calls a decision wrong.
    rubric=[
        Idea(
            "the value criterion decides: the model against the best policy a lender has "
            "without us (approving everyone)",
            (
                "value",
                "baseline",
                "approv",
                "beat",
                "edge",
                "lend to everyone",
                "lending to everyone",
                "without us",
                "without the model",
            ),
        ),
        Idea(
            "the bad rate that counts is the population's few per cent, not the sample's",
            (
                "bad rate",
                "population",
                "sample's",
                "sample’s",
                "sampling",
                "default rate",
                "prior",
                "reweight",
                "few per cent",
                "5 %",
                "5%",
                "5 per",
            ),
        ),
        Idea(
            "a price can flip the market and payback criteria, not the value one",
            ("price", "pricing", "flip", "charg", "payback"),
        ),
        Idea(
            "how sure it is: the intervals, the few hundred test applicants, the Monte Carlo",
            (
                "interval",
                "bootstrap",
                "Monte Carlo",
                "uncertain",
                "few hundred",
                "200",
                "test applicants",
                "small sample",
                "noise",
                "draws",
                "confiden",
                "range",
            ),
        ),
        Idea(
            "the evidence that would change it: a lender's own applications, a better-ranking "
            "model, a pilot",
            (
                "pilot",
                "own data",
                "own applica",
                "own applicants",
                "own recent",
                "own client",
                "own customer",
                "lender's own",
                "lender’s own",
                "better model",
                "rank",
                "gradient boosting",
                "experiment",
                "trial",
                "price test",
                "interview",
            ),
        ),
    ],
)

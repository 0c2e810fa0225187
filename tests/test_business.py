"""The business case's logic (course.business): money per decision, unit economics, uncertainty."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from course import business
from course.assumptions import value

NAMES = ["price_per_decision", "decisions_per_lender", "fixed_costs_monthly", "acquisition_cost",
         "monthly_churn"]  # fmt: skip


def test_a_decision_in_money_uses_the_applicants_own_amount_in_euros():
    amounts = np.array([1955.83, 1955.83, 1955.83, 1955.83])  # 1,000 euros each
    values = business.decision_values([0, 1, 0, 1], [True, True, False, False], amounts,
                                      loss_given_default=0.45, good_loan_margin=0.09)  # fmt: skip
    assert values == pytest.approx([90.0, -450.0, 0.0, 0.0])
    # the defaults are the stated assumptions, whose ratio is the data's 5:1 cost matrix
    assert value("loss_given_default") / value("good_loan_margin") == pytest.approx(5)


@pytest.mark.parametrize("bad, approve, amounts, money", [
    ([0, 1], [True], [100.0, 100.0], {}),
    ([0], [True], [-5.0], {}),
    ([0], [True], [5.0], {"loss_given_default": 1.5}),
])  # fmt: skip
def test_impossible_inputs_are_refused(bad, approve, amounts, money):
    with pytest.raises(ValueError):
        business.decision_values(bad, approve, amounts, **money)


def test_policies_compare_on_the_same_applicants_and_the_gain_has_an_interval():
    rng = np.random.default_rng(1)
    bad = rng.random(400) < 0.3
    amounts = rng.uniform(500, 10_000, 400)
    informed = np.where(bad, rng.random(400) < 0.2, rng.random(400) < 0.9)  # rejects most bad
    everyone = np.ones(400, dtype=bool)
    values = business.policy_values(bad, amounts, {"model": informed, "everyone": everyone})
    assert values["model"] > values["everyone"]
    gain = business.bootstrap_gain(bad, amounts, informed, everyone, seed=3)
    assert gain.mean == pytest.approx(values["model"] - values["everyone"])
    assert gain.low < gain.mean < gain.high and gain.certain
    assert business.bootstrap_gain(bad, amounts, informed, everyone, seed=3) == gain  # seeded
    coin, other = rng.random(400) < 0.6, rng.random(400) < 0.6  # both ignore the applicant
    assert not business.bootstrap_gain(bad, amounts, coin, other, seed=3).certain


def test_unit_economics_from_the_stated_assumptions():
    economics = business.UnitEconomics.from_assumptions(serving_cost_per_decision=0.01)
    assert economics.revenue_per_customer == pytest.approx(
        value("price_per_decision") * value("decisions_per_lender") / 12)
    assert economics.gross_margin == pytest.approx(1 - 0.01 / value("price_per_decision"))
    assert economics.break_even_customers == pytest.approx(
        value("fixed_costs_monthly") / economics.contribution_per_customer)
    assert economics.payback_months == pytest.approx(
        value("acquisition_cost") / economics.contribution_per_customer)
    dearer = business.with_price(economics, 2 * economics.price_per_decision)
    assert dearer.break_even_customers < economics.break_even_customers / 2  # a higher price
    free = replace(economics, price_per_decision=0.01)  # price at cost: never breaks even
    assert math.isinf(free.break_even_customers) and math.isinf(free.payback_months)


def test_first_year_profit_counts_churn_acquisition_and_fixed_costs():
    economics = replace(business.UnitEconomics.from_assumptions(serving_cost_per_decision=0.0),
                        monthly_churn=0.0)
    c = economics.contribution_per_customer
    assert economics.first_year_profit(10) == pytest.approx(
        120 * c - 10 * economics.acquisition_cost - 12 * economics.fixed_costs_monthly)
    churning = replace(economics, monthly_churn=0.1)
    assert churning.first_year_profit(10) < economics.first_year_profit(10)


def test_scenarios_tornado_and_monte_carlo_move_the_way_the_inputs_do():
    profit = business.profit_model(customers=100, serving_cost_per_decision=0.002)
    result = business.scenarios(profit, NAMES)
    assert result["bear"] < result["base"] < result["bull"]
    bars = business.tornado(profit, NAMES)
    swings = [high - low for _, low, high in bars]
    assert swings == sorted(swings, reverse=True) and all(s > 0 for s in swings)
    p = business.probability_of_profit(profit, NAMES, draws=2000, seed=1)
    assert p == business.probability_of_profit(profit, NAMES, draws=2000, seed=1)  # seeded
    richer = business.profit_model(customers=1000, serving_cost_per_decision=0.002)
    assert 0 <= p < business.probability_of_profit(richer, NAMES, draws=2000, seed=1) <= 1

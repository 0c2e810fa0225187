"""The business case's logic (course.business.economics): money per decision at any bad rate,
customers from the market, unit economics and the monthly plan; property tests over the planning
ranges."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.assumptions import PLAUSIBLE, value
from course.business import company
from course.business import economics as business


def test_a_decision_in_money_uses_the_applicants_own_amount_in_euros():
    amounts = np.array([1955.83, 1955.83, 1955.83, 1955.83])  # 1,000 euros each
    values = business.decision_values(
        [0, 1, 0, 1],
        [True, True, False, False],
        amounts,
        loss_given_default=0.45,
        good_loan_margin=0.09,
    )
    assert values == pytest.approx([90.0, -450.0, 0.0, 0.0])
    # the defaults are the stated assumptions, whose ratio is the data's 5:1 cost matrix
    assert value("loss_given_default") / value("good_loan_margin") == pytest.approx(5)


@pytest.mark.parametrize(
    "bad, approve, amounts, money",
    [
        ([0, 1], [True], [100.0, 100.0], {}),
        ([0], [True], [-5.0], {}),
        ([0], [True], [5.0], {"loss_given_default": 1.5}),
    ],
)
def test_impossible_inputs_are_refused(bad, approve, amounts, money):
    with pytest.raises(ValueError):
        business.decision_values(bad, approve, amounts, **money)


def test_class_weights_turn_the_sample_into_a_population():
    bad = np.array([True] * 3 + [False] * 7)
    weights = business.class_weights(bad, 0.05)
    assert weights.mean() == pytest.approx(1) and (weights * bad).mean() == pytest.approx(0.05)
    assert (business.class_weights(bad) == 1).all()
    for rate in (0, 1, -0.1):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            business.class_weights(bad, rate)


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
    # at another bad rate, the gain is the reweighted difference
    at = business.bootstrap_gain(bad, amounts, informed, everyone, seed=3, rate=0.05)
    values_at = business.policy_values(bad, amounts, {"m": informed, "e": everyone}, rate=0.05)
    assert at.mean == pytest.approx(values_at["m"] - values_at["e"]) and at.rate == 0.05


def test_the_bootstrap_keeps_each_class_size():
    bad = np.array([True] * 30 + [False] * 70)
    rows_bad, rows_good = business.stratified_draws(bad, 50, seed=0)
    assert rows_bad.shape == (50, 30) and bad[rows_bad].all()
    assert rows_good.shape == (50, 70) and not bad[rows_good].any()


def test_customers_from_the_market_scale_with_the_demand_index_relative_to_the_plan():
    plan = {"customer_demand": 0.6, "competition": 0.7, "service": 0.8, "marketing": 0.5}
    assert business.demand_ratio(0.56, plan, 0.56, plan) == pytest.approx(1)
    assert business.demand_ratio(0.0, plan, 0.56, plan) == 0  # a coin flip wins nobody
    assert business.demand_ratio(0.28, plan, 0.56, plan) == pytest.approx(0.5)
    som = business.mature_customers(14_000, 0.4, 0.5, 0.02)
    assert som == pytest.approx(56)  # lesson 01's SOM in lenders
    assert business.mature_customers(14_000, 0.4, 0.5, 0.5, ratio=10) == pytest.approx(
        2800
    )  # capped


def test_unit_economics_from_the_stated_assumptions():
    economics = company.UnitEconomics.from_assumptions(serving_cost_per_decision=0.01)
    assert economics.revenue_per_customer == pytest.approx(
        value("price_per_decision") * value("decisions_per_lender") / 12
    )
    assert economics.gross_margin == pytest.approx(1 - 0.01 / value("price_per_decision"))
    steady = economics.contribution_per_customer - value("monthly_churn") * value(
        "acquisition_cost"
    )
    assert economics.break_even_customers == pytest.approx(value("fixed_costs_monthly") / steady)
    assert economics.payback_months == pytest.approx(
        value("acquisition_cost") / economics.contribution_per_customer
    )
    assert economics.ltv_to_cac == pytest.approx(
        economics.contribution_per_customer / value("monthly_churn") / value("acquisition_cost")
    )
    dearer = company.with_price(economics, 2 * economics.price_per_decision)
    assert dearer.break_even_customers < economics.break_even_customers / 2  # a higher price
    free = replace(economics, price_per_decision=0.01)  # price at cost: never breaks even
    assert math.isinf(free.break_even_customers) and math.isinf(free.payback_months)


def test_break_even_replaces_the_customers_who_leave():
    e = company.UnitEconomics(1.0, 100.0, 0.0, 10_000.0, 3_000.0, 0.02)
    assert e.break_even_customers == pytest.approx(10_000 / (100 - 60))
    assert e.steady_state_profit(e.break_even_customers) == pytest.approx(0, abs=1e-6)
    price = e.break_even_price(100)
    assert replace(e, price_per_decision=price).break_even_customers == pytest.approx(100)
    assert replace(e, price_per_decision=e.payback_price(12)).payback_months == pytest.approx(12)


@pytest.mark.parametrize(
    "field, bad",
    [
        ("price_per_decision", 0.0),
        ("price_per_decision", -1.0),
        ("monthly_churn", 1.0),
        ("fixed_costs_monthly", -5.0),
        ("decisions_per_customer_month", float("nan")),
    ],
)
def test_unit_economics_refuse_impossible_inputs_in_one_line(field, bad):
    e = company.UnitEconomics(1.0, 100.0, 0.0, 10_000.0, 3_000.0, 0.02)
    with pytest.raises(ValueError, match=f"{field} must be") as error:
        replace(e, **{field: bad})
    assert "\n" not in str(error.value)


def test_the_plan_has_monthly_cohorts_churn_and_replacement():
    e = company.UnitEconomics(1.0, 100.0, 0.0, 1_000.0, 500.0, 0.05)
    plan = company.Plan(e, mature_customers=24, ramp_months=12)
    table = plan.table()
    assert len(table) == company.PLAN_MONTHS and table.index[0] == 1
    assert table["active"].iloc[11] == pytest.approx(24) and table["active"].iloc[
        -1
    ] == pytest.approx(24)
    assert table["active"].iloc[0] == pytest.approx(2)
    # each month wins the growth plus the leavers, and pays the acquisition cost when it wins
    assert table["won"].iloc[1] == pytest.approx(2 + 2 * 0.05)
    assert table["won"].iloc[-1] == pytest.approx(24 * 0.05)  # steady state: replacement only
    assert table["acquisition_usd"].iloc[1] == pytest.approx(table["won"].iloc[1] * 500)
    # the cohorts add up to the active customers
    cohorts = company.cohort_matrix(table["won"].to_numpy(), 0.05)
    assert cohorts.sum(axis=0) == pytest.approx(table["active"].to_numpy())
    assert plan.first_year_profit == pytest.approx(table["profit_usd"].iloc[:12].sum())
    assert plan.steady_state_profit == pytest.approx(12 * table["profit_usd"].iloc[-1])
    assert plan.funding_need == pytest.approx(-table["cumulative_usd"].min())
    month = plan.first_profitable_month
    assert (table["profit_usd"].loc[month:] > 0).all() and table["profit_usd"].loc[month - 1] <= 0


def test_fewer_customers_shrink_a_first_year_loss_when_a_customer_is_a_first_year_loss():
    e = company.UnitEconomics(0.5, 5000 / 12, 0.0, 35_000.0, 3_000.0, 0.02)
    assert 12 * e.contribution_per_customer < e.acquisition_cost
    few, many = (company.Plan(e, n, 36) for n in (20, 60))
    assert few.first_year_profit > many.first_year_profit  # the lesson explains why (finding 7)
    assert few.steady_state_profit < many.steady_state_profit


# --- properties over the planning ranges ---------------------------------------------------


def _range(name):
    low, high, _ = PLAUSIBLE[name]
    return st.floats(low, high)


economics = st.builds(
    company.UnitEconomics,
    price_per_decision=st.floats(1e-4, 1e3),
    decisions_per_customer_month=_range("decisions_per_lender").map(lambda d: d / 12),
    serving_cost_per_decision=st.floats(0, 0.01),
    fixed_costs_monthly=_range("fixed_costs_monthly"),
    acquisition_cost=_range("acquisition_cost"),
    monthly_churn=_range("monthly_churn"),
)


@settings(max_examples=200)
@given(
    e=economics,
    factor=st.floats(1.01, 10),
    customers=st.floats(0, 5_000),
    ramp=_range("ramp_months"),
)
def test_break_even_and_payback_are_monotone_in_price_and_cost(e, factor, customers, ramp):
    dearer = replace(e, price_per_decision=e.price_per_decision * factor)
    assert dearer.break_even_customers <= e.break_even_customers
    assert dearer.payback_months <= e.payback_months
    for field in (
        "fixed_costs_monthly",
        "acquisition_cost",
        "monthly_churn",
        "serving_cost_per_decision",
    ):
        costlier = replace(
            e,
            **{
                field: min(
                    getattr(e, field) * factor + 1e-3,
                    0.99 if field == "monthly_churn" else math.inf,
                )
            },
        )
        assert costlier.break_even_customers >= e.break_even_customers, field
        assert costlier.payback_months >= e.payback_months, field
    plan = company.Plan(e, customers, ramp)  # never raises over the ranges
    assert math.isfinite(plan.first_year_profit) and plan.funding_need >= 0
    assert company.Plan(dearer, customers, ramp).steady_state_profit >= plan.steady_state_profit

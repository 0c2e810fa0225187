"""Lesson 05's figures from a set of inputs: the model's value and its edge over each baseline,
the paying lenders, break-even, payback and profit, and whether each criterion of the rule holds.

:func:`outcomes` computes them for one set of inputs or for many at once (one Monte Carlo draw
each), so the base case, the tornado, the scenarios and the simulation all run the same code.
:func:`unit_economics` and :func:`demand_index` are the two steps it shares with
:func:`course.business.decision.build_case`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from course.assumptions import MONTHS_PER_YEAR
from course.business import company, economics
from course.business.case_inputs import DEMAND_INDICES
from course.business.lending import LenderValue

#: The columns computed draw by draw (not vectorised: a plan is a small loop of its own).
_COMPANY_COLUMNS = ("customers", "break_even", "payback", "first_year", "steady_state")


def demand_index(skill: float, x: Mapping[str, float]) -> float:
    """Lesson 02's demand index D for a model of ``skill`` and the indices in ``x``."""
    from course.strategy.scoring import market_demand

    return market_demand(skill, *(x[n] for n in DEMAND_INDICES))


def serving_cost_per_decision(x: Mapping[str, float]) -> float:
    """US$ a decision adds: lesson 04's cost per 1,000 predictions on a fully busy server (its
    marginal cost). The server's monthly price is a fixed cost, inside ``fixed_costs_monthly``
    (whose reason counts hosting), so it is not charged twice."""
    from course.business.pricing import cost_per_thousand

    fully_busy = 1.0
    return (
        cost_per_thousand(x["server_monthly_usd"], x["sustained_requests_per_second"], fully_busy)
        / 1000
    )


def unit_economics(x: Mapping[str, float]) -> company.UnitEconomics:
    """One customer's month from the inputs ``x``."""
    return company.UnitEconomics(
        price_per_decision=x["price_per_decision"],
        decisions_per_customer_month=x["decisions_per_lender"] / MONTHS_PER_YEAR,
        serving_cost_per_decision=serving_cost_per_decision(x),
        fixed_costs_monthly=x["fixed_costs_monthly"],
        acquisition_cost=x["acquisition_cost"],
        monthly_churn=x["monthly_churn"],
    )


def outcomes(
    x: Mapping[str, Any],
    lender: LenderValue,
    plan: Mapping[str, float],
    rows: tuple[np.ndarray, np.ndarray] | None = None,
    max_payback_months: float = 12.0,
) -> dict[str, np.ndarray]:
    """Every figure the decision rests on, for one set of inputs ``x`` (numbers) or many (arrays
    of equal length: one Monte Carlo draw each). ``plan`` holds the plan's reference inputs;
    ``rows`` are stratified bootstrap rows (one resample per draw) or None for all applicants.

    Returns arrays: the model's value and its gain over each baseline (EUR per 1,000
    applications at the draw's population bad rate), the paying lenders at maturity, break-even
    customers, payback (months), first-year and steady-state profit (US$), and whether each
    criterion holds in that draw."""
    x = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in x.items()}
    draws = max(len(v) for v in x.values())
    x = {k: np.broadcast_to(v, (draws,)) for k, v in x.items()}
    out = _lender_outcomes(x, lender, draws, rows)
    out |= _company_outcomes(x, plan, draws)
    out["market_ok"] = out["customers"] >= out["break_even"]
    out["payback_ok"] = out["payback"] <= max_payback_months
    out["go"] = out["value_ok"] & out["market_ok"] & out["payback_ok"]
    return out


def _lender_outcomes(
    x: Mapping[str, np.ndarray],
    lender: LenderValue,
    draws: int,
    rows: tuple[np.ndarray, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """The model's value, its gain over each baseline and its edge over the best, per draw:
    vectorised over the draws, as the value is linear in the loss and the margin."""
    rate, lgd, margin = x["population_bad_rate"], x["loss_given_default"], x["good_loan_margin"]
    euros = lender.amounts / economics.DM_PER_EURO
    if rows is None:
        rows_bad = np.broadcast_to(np.flatnonzero(lender.bad), (draws, int(lender.bad.sum())))
        rows_good = np.broadcast_to(np.flatnonzero(~lender.bad), (draws, int((~lender.bad).sum())))
    else:
        rows_bad, rows_good = rows
    thresholds = np.array([lender.threshold_at(float(r)) for r in rate])

    def value_of(approve_bad: np.ndarray, approve_good: np.ndarray) -> np.ndarray:
        lent_bad = (approve_bad * euros[rows_bad]).mean(axis=1)
        lent_good = (approve_good * euros[rows_good]).mean(axis=1)
        return 1000 * (rate * -lgd * lent_bad + (1 - rate) * margin * lent_good)

    p = lender.probabilities
    out = {
        "value_model": value_of(
            p[rows_bad] < thresholds[:, None], p[rows_good] < thresholds[:, None]
        )
    }
    for name, mask in lender.baselines.items():
        out[f"gain over {name}"] = out["value_model"] - value_of(mask[rows_bad], mask[rows_good])
    gains = np.stack([out[f"gain over {name}"] for name in lender.baselines])
    out["edge"] = gains.min(axis=0)  # the model minus the best baseline
    out["value_ok"] = out["edge"] > 0
    return out


def _company_outcomes(
    x: Mapping[str, np.ndarray], plan: Mapping[str, float], draws: int
) -> dict[str, np.ndarray]:
    """The paying lenders, unit economics and the monthly plan, draw by draw."""
    from course.strategy.scoring import auc_skill

    columns = {n: np.empty(draws) for n in _COMPANY_COLUMNS}
    plan_demand = demand_index(auc_skill(plan["auc"]), plan)
    for d in range(draws):
        v = {k: float(a[d]) for k, a in x.items()}
        ratio = demand_index(auc_skill(min(1.0, max(0.0, v["test_auc"]))), v) / plan_demand
        customers = economics.mature_customers(
            v["lenders"], v["serviceable_share"], v["reachable_share"], v["obtainable_share"], ratio
        )
        unit = unit_economics(v)
        monthly = company.Plan(unit, customers, v["ramp_months"])
        columns["customers"][d] = customers
        columns["break_even"][d] = unit.break_even_customers
        columns["payback"][d] = unit.payback_months
        columns["first_year"][d] = monthly.first_year_profit
        columns["steady_state"][d] = monthly.steady_state_profit
    return columns

"""Lesson 05's stated inputs: every number the business case reads, each with its value, unit,
source, kind and (when uncertain) its planning range with the reason.

:func:`stated_inputs` is the only place the case reads the course's assumptions
(:mod:`course.assumptions`) and the population's bad rate (:mod:`course.credit.coding`); the
model's measured AUC is added by :func:`course.business.decision.build_case`. The lists
:data:`VALUE_INPUTS`, :data:`CUSTOMER_INPUTS` and :data:`COMPANY_INPUTS` make up
:data:`UNCERTAIN`: the one set the scenarios, the tornado and the Monte Carlo vary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from course import assumptions

#: The population's bad rate has its one stated value in :data:`course.credit.coding.
#: POPULATION_BAD_RATE` (the sources' real rate, about 5 %); its planning range is here.
POPULATION_RATE_RANGE = (0.03, 0.10, "a prime lender's few per cent to a riskier lender's tenth")
POPULATION_RATE_SOURCE = (
    "03 course.credit.coding: the sources' real rate (UCI, South German Credit)"
)

#: The inputs the scenarios, the tornado and the Monte Carlo vary: one set for all three.
VALUE_INPUTS = ["population_bad_rate", "loss_given_default", "good_loan_margin"]
CUSTOMER_INPUTS = [
    "test_auc",
    "lenders",
    "serviceable_share",
    "reachable_share",
    "obtainable_share",
    "customer_demand",
    "competition",
    "service",
    "marketing",
    "ramp_months",
]
COMPANY_INPUTS = [
    "price_per_decision",
    "decisions_per_lender",
    "fixed_costs_monthly",
    "acquisition_cost",
    "monthly_churn",
    "server_monthly_usd",
    "sustained_requests_per_second",
]
UNCERTAIN = VALUE_INPUTS + CUSTOMER_INPUTS + COMPANY_INPUTS
#: Read as stated and never varied: the plan the demand index is compared with (lesson 02's
#: scenario, whose AUC was a placeholder before lesson 03 measured one).
PLAN_INPUTS = ["auc"]
#: Lesson 02's demand indices, in the order :func:`course.strategy.scoring.market_demand` takes.
DEMAND_INDICES = ["customer_demand", "competition", "service", "marketing"]

#: The lesson that states each group of :mod:`course.assumptions` (a source names its lesson).
_LESSON_OF_GROUP = {
    "market": "01",
    "plans": "04",
    "serving": "04",
    "demand": "02",
    "business": "05",
}


@dataclass(frozen=True)
class Input:
    """One input of the case: its value, unit, source, kind (measured, assumed or chosen) and,
    when uncertain, its planning range with the reason."""

    name: str
    value: float
    unit: str
    source: str
    kind: str
    low: float | None = None
    high: float | None = None
    why: str = ""


def values_of(inputs: Mapping[str, Input]) -> dict[str, float]:
    """The inputs as plain numbers, by name."""
    return {name: i.value for name, i in inputs.items()}


def stated_inputs(plans=None, assume: Mapping[str, float] | None = None) -> dict[str, Input]:
    """Every stated input :func:`course.business.decision.build_case` uses, each with its source:
    the only place that reads the course's assumptions. ``plans`` (lesson 04's
    :class:`course.business.pricing.Plans`) sets the price per decision; ``assume`` sets any input
    by name (checked: a one-line error names the valid range). Every uncertain input gets a
    planning range around the value it ends up with."""
    assume = dict(assume or {})
    names = [n for n in UNCERTAIN if n != "test_auc"] + PLAN_INPUTS
    unknown = sorted(set(assume) - set(names))
    if unknown:
        raise KeyError(f"no input {unknown}; the inputs are: {', '.join(names)}")
    table: dict[str, Input] = {}
    for name in names:
        number, unit, source = _stated(name, plans, assume)
        if name in PLAN_INPUTS:
            table[name] = Input(
                name, number, unit, source + " (the plan's reference, not varied)", "assumed"
            )
            continue
        if name == "population_bad_rate":
            low, high = _population_range(number)
            why = POPULATION_RATE_RANGE[2]
        else:
            low, high = assumptions.planning_range(name, number)
            why = assumptions.PLAUSIBLE[name][2]
        table[name] = Input(name, number, unit, source, "assumed", low, high, why)
    return table


def _stated(name: str, plans, assume: Mapping[str, float]) -> tuple[float, str, str]:
    """One input's value, unit and source: as assumed by the course, priced by ``plans`` or set
    in ``assume`` (checked against its valid range)."""
    from course.credit.coding import POPULATION_BAD_RATE

    if name == "population_bad_rate":
        number, unit = POPULATION_BAD_RATE, "share of credits that go bad"
        source = POPULATION_RATE_SOURCE
    else:
        a = assumptions.ASSUMPTIONS[name]
        number, unit = a.value, a.unit
        source = f"{_LESSON_OF_GROUP[a.group]} course.assumptions"
        if name == "price_per_decision" and plans is not None:
            number = plans.price_per_row
            source = "04 course.business.pricing.Plans, passed to build_case"
    if name in assume:
        number, source = assume[name], "set by you (build_case(assume=...))"
        if name == "population_bad_rate":
            if not 0 < float(number) < 1:
                raise ValueError(
                    f"population_bad_rate must be a fraction in (0, 1), got {number!r}"
                )
        else:
            assumptions.check_value(name, number)
    elif name == "price_per_decision":
        assumptions.check_value(name, number)  # a Plans price of 0 or less stops here
    return float(number), unit, source


def _population_range(centre: float) -> tuple[float, float]:
    """The population bad rate's planning range, scaled with its value when it is moved."""
    from course.credit.coding import POPULATION_BAD_RATE

    low, high, _ = POPULATION_RATE_RANGE
    if centre != POPULATION_BAD_RATE:
        low, high = low * centre / POPULATION_BAD_RATE, high * centre / POPULATION_BAD_RATE
    return (max(1e-6, min(low, centre)), min(1 - 1e-6, max(high, centre)))

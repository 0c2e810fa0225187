"""Lesson 05's decision: a go/no-go rule stated before the numbers (:class:`Rule`), the whole
business case computed from a model and the stated inputs (:func:`build_case`), and the rule
applied to it in numbers and in words (:class:`Case`).

:func:`build_case` computes everything from a model and the stated inputs
(:func:`course.business.case_inputs.stated_inputs`, the only place that reads an assumption):
swap the model, the plans or any assumption and every figure, range and sentence of the verdict
follows. Nothing in it is copied from an earlier notebook's output. The case is shown and shared
by :mod:`course.business.report` and :mod:`course.business.figures`.

The value criterion cannot be passed by lending less: the model is compared with every simple
policy a lender could adopt without us (:data:`course.business.lending.BASELINES`, reject
everyone included), at the population's bad rate rather than the sample's (the German data
oversamples bad credits).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course.assumptions import MONTHS_PER_YEAR
from course.business import company, economics, uncertainty
from course.business.case_inputs import (
    DEMAND_INDICES,
    PLAN_INPUTS,
    UNCERTAIN,
    Input,
    stated_inputs,
    values_of,
)
from course.business.lending import BASELINES, MODEL, RATES, LenderValue, lender_value
from course.business.outcomes import demand_index, outcomes, unit_economics
from course.business.uncertainty import TornadoRow


@dataclass(frozen=True)
class Rule:
    """The go/no-go rule, stated before any number is computed."""

    max_payback_months: float = 12.0
    level: float = 0.95

    def describe(self) -> list[str]:
        names = ", ".join(BASELINES)
        return [
            f"1. Value: at the population's bad rate, the model creates more value for a "
            f"lender than every simple policy it could adopt without us ({names}), with the "
            f"whole {self.level:.0%} interval of each difference above zero. Lending less than "
            "a loss-making rule is not skill: rejecting everyone is one of the policies.",
            "2. Market: the lenders paying once the ramp is over reach the number that breaks "
            "even in steady state (leavers replaced at the full acquisition cost).",
            f"3. Payback: a customer's contribution repays what it cost to win them within "
            f"{self.max_payback_months:.0f} months.",
        ]


# --- the case ---------------------------------------------------------------------------------


@dataclass
class Case:
    """Every number of the business case, and the verdict under :class:`Rule`."""

    inputs: dict[str, Input]
    lender: LenderValue
    values: dict[str, dict[str, float]]  # "sample"/"population" -> policy -> EUR per 1,000
    gains: dict[str, dict[str, economics.Gain]]  # "sample"/"population" -> baseline -> gain
    demand: float  # our demand index D (lesson 02's formula, the measured skill)
    demand_plan: float  # the plan's D: the reference D is compared with
    customers: float  # paying lenders once the ramp is over
    plan: company.Plan
    tornado: list[TornadoRow]
    scenarios: dict[str, dict[str, float]]
    simulation: dict[str, float]
    value_rates: list[float]  # population bad rates (1 % to 30 %) at which criterion 1 holds
    rule: Rule = field(default_factory=Rule)

    # -- the headline figures --

    @property
    def auc(self) -> float:
        return self.inputs["test_auc"].value

    @property
    def threshold(self) -> float:
        return self.lender.threshold

    @property
    def population_rate(self) -> float:
        return self.inputs["population_bad_rate"].value

    @property
    def population_threshold(self) -> float:
        return self.lender.threshold_at(self.population_rate)

    @property
    def economics(self) -> company.UnitEconomics:
        return self.plan.economics

    @property
    def approved(self) -> dict[str, float]:
        """The share of the test applicants the model approves, at each rate's threshold."""
        population = self.lender.masks(self.population_rate)[MODEL]
        return {
            "sample": float(self.lender.masks(None)[MODEL].mean()),
            "population": float(population.mean()),
        }

    def best_baseline(self, rate: str = "population") -> str:
        return max(BASELINES, key=lambda name: self.values[rate][name])

    @property
    def som_lenders(self) -> float:
        x = {k: i.value for k, i in self.inputs.items()}
        return economics.mature_customers(
            x["lenders"], x["serviceable_share"], x["reachable_share"], x["obtainable_share"]
        )

    @property
    def flip_price(self) -> float:
        """The price per decision (US$) at which the mature customers break even in steady state."""
        return self.economics.break_even_price(self.customers)

    @property
    def payback_price(self) -> float:
        """The price per decision (US$) at which a customer pays back within the rule's months."""
        return self.economics.payback_price(self.rule.max_payback_months)

    @property
    def checks(self) -> dict[str, bool]:
        e = self.economics
        return {
            "value": all(g.certain for g in self.gains["population"].values()),
            "market": self.customers >= e.break_even_customers,
            "payback": e.payback_months <= self.rule.max_payback_months,
        }

    @property
    def go(self) -> bool:
        return all(self.checks.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, met in self.checks.items() if not met]

    def applicants_needed(self) -> float:
        """Test applicants that would put the interval of the gain over the best baseline above
        zero if the mean gain stayed as it is (inf when the mean gain is not above zero): the
        interval narrows with the square root of the number of applicants."""
        g = self.gains["population"][self.best_baseline()]
        if g.mean <= 0:
            return math.inf
        return len(self.lender.bad) * ((g.mean - g.low) / g.mean) ** 2

    # -- the words --

    def value_lines(self, rate: str = "population") -> list[str]:
        """What the model is worth against each baseline at ``rate`` ("sample" or
        "population"), in sentences that follow the numbers."""
        gains, values = self.gains[rate], self.values[rate]
        where = (
            f"at the sample's bad rate ({self.lender.sample_rate:.0%})"
            if rate == "sample"
            else f"at the population's bad rate ({self.population_rate:.0%})"
        )
        best = self.best_baseline(rate)
        lines = [
            f"{where.capitalize()}, the model creates EUR {values[MODEL]:,.0f} per 1,000 "
            f"applications; the best baseline, {best}, EUR {values[best]:,.0f}."
        ]
        for name, g in gains.items():
            verdict = (
                "beats it"
                if g.certain
                else ("does not beat it" if g.high <= 0 else "cannot be told apart from it")
            )
            lines.append(f"  vs {name}: {g.text()}: the model {verdict}.")
        if rate == "population":
            fee = 1000 * self.economics.price_per_decision
            lines.append(
                f"  At our price a lender pays US$ {fee:,.0f} per 1,000 applications "
                "out of the model's edge: criterion 1 asks for an edge at all, a lender "
                "for one larger than that."
            )
        return lines

    def verdict(self) -> list[str]:
        """The decision, which criteria failed, and for each criterion the evidence and what
        would flip it."""
        e, c = self.economics, self.checks
        failed = self.failed
        head = "GO" if self.go else f"NO-GO ({', '.join(failed)} not met)"
        lines = [f"Decision: {head}"]
        best = self.best_baseline()
        g = self.gains["population"][best]
        unclear = [n for n, gain in self.gains["population"].items() if not gain.certain]
        text = (
            f"- value {'met' if c['value'] else 'NOT met'}: at the population's bad rate "
            f"({self.population_rate:.0%}), the model's gain over the best baseline ({best}) "
            f"is {g.text()} per 1,000 applications"
        )
        if c["value"]:
            text += "; every interval is above zero."
        else:
            text += (
                f"; the interval does not clear zero against {_and(unclear)}. " + self._value_flip()
            )
        lines.append(text)
        lines.append(
            f"- market {'met' if c['market'] else 'NOT met'}: {self.customers:,.0f} "
            f"paying lenders once the ramp is over, {e.break_even_customers:,.0f} needed "
            f"to break even in steady state; it flips at a price of US$ "
            f"{self.flip_price:,.2f} per decision."
        )
        lines.append(
            f"- payback {'met' if c['payback'] else 'NOT met'}: {e.payback_months:,.1f} "
            f"months to earn back an acquisition cost of US$ {e.acquisition_cost:,.0f}; "
            f"it flips at a price of US$ {self.payback_price:,.2f} per decision."
        )
        return lines

    def _value_flip(self) -> str:
        needed = self.applicants_needed()
        if math.isinf(needed):
            data = (
                "The mean gain is not above zero, so more test applicants would not flip it; a "
                "model that ranks applicants better would."
            )
        else:
            data = (
                f"At the same mean gain, about {needed:,.0f} test applicants (not "
                f"{len(self.lender.bad)}) would put the interval above zero."
            )
        if self.value_rates:
            rates = (
                f" It holds at population bad rates of {min(self.value_rates):.0%} to "
                f"{max(self.value_rates):.0%}."
            )
        else:
            rates = " It holds at no population bad rate from 1 % to 30 %."
        return data + rates

    def first_year_note(self) -> str:
        """Why the first-year profit is not the test of this business, from the numbers."""
        e = self.economics
        year = e.contribution_per_customer * MONTHS_PER_YEAR
        if year < e.acquisition_cost:
            return (
                f"Each customer costs US$ {e.acquisition_cost:,.0f} when won and contributes "
                f"at most US$ {year:,.0f} in its first 12 months: every customer won in year "
                "one is a first-year loss, so fewer customers (a worse model, a slower ramp) "
                "make the first-year loss smaller. Judge the business on its steady state "
                "instead."
            )
        return (
            f"Each customer contributes up to US$ {year:,.0f} in its first 12 months, more "
            f"than the US$ {e.acquisition_cost:,.0f} it cost to win: more customers improve "
            "the first year too."
        )

    def figures(self) -> dict[str, float]:
        """Every computed number of the case, flat (for tests and comparisons)."""
        e = self.economics
        flat = {
            f"value {rate} {name}": v for rate in RATES for name, v in self.values[rate].items()
        }
        for rate in RATES:
            for name, g in self.gains[rate].items():
                flat |= {f"gain {rate} {name} {k}": getattr(g, k) for k in ("mean", "low", "high")}
        flat |= {
            "demand": self.demand,
            "demand_plan": self.demand_plan,
            "customers": self.customers,
            "som_lenders": self.som_lenders,
            "break_even": e.break_even_customers,
            "payback": e.payback_months,
            "serving": e.serving_cost_per_decision,
            "ltv": e.lifetime_value,
            "first_year": self.plan.first_year_profit,
            "steady_state": self.plan.steady_state_profit,
            "funding_need": self.plan.funding_need,
            "flip_price": self.flip_price,
            "population_threshold": self.population_threshold,
            "value_rates": float(len(self.value_rates)),
        }
        for row in self.tornado:
            flat |= {
                f"tornado {row.name} {k}": getattr(row, k)
                for k in (
                    "low",
                    "high",
                    "profit_at_low",
                    "profit_at_high",
                    "edge_at_low",
                    "edge_at_high",
                    "first_year_at_low",
                    "first_year_at_high",
                )
            }
        for scenario, figures in self.scenarios.items():
            flat |= {f"scenario {scenario} {k}": v for k, v in figures.items()}
        flat |= {f"simulation {k}": v for k, v in self.simulation.items()}
        return flat


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def build_case(
    model=None,
    plans=None,
    rule: Rule | None = None,
    seed: int = 0,
    assume: Mapping[str, float] | None = None,
    draws: int = 5000,
    resamples: int = 2000,
    lender: LenderValue | None = None,
) -> Case:
    """The whole case from ``model`` (default: the reference model's NumPy artifact, built first
    if missing; anything with ``predict_proba(records)`` and ``threshold``), ``plans`` (its price
    per decision is used everywhere) and ``assume`` (any stated input by name). ``lender``, a
    :func:`course.business.lending.lender_value` already computed, skips scoring the test
    applicants again."""
    from course.strategy.scoring import auc_skill

    rule = rule or Rule()
    if model is None and lender is None:
        from course.credit.numpy_model import NumpyCreditModel
        from course.credit.reference import ensure_artifacts

        model = NumpyCreditModel.load(ensure_artifacts())
    inputs = stated_inputs(plans, assume)
    lender = lender or lender_value(model)
    x = values_of(inputs)
    money = {name: x[name] for name in ("loss_given_default", "good_loan_margin")}
    rates = {"sample": None, "population": x["population_bad_rate"]}
    values = {k: lender.values(r, **money) for k, r in rates.items()}
    gains = {
        k: lender.gains(r, level=rule.level, resamples=resamples, seed=seed, **money)
        for k, r in rates.items()
    }

    inputs["test_auc"] = _measured_auc(lender, rule.level, resamples, seed)
    x["test_auc"] = inputs["test_auc"].value
    inputs = {name: inputs[name] for name in UNCERTAIN + PLAN_INPUTS}  # the table's order
    plan = {n: x[n] for n in DEMAND_INDICES} | {"auc": x["auc"]}

    demand_plan = demand_index(auc_skill(x["auc"]), plan)
    demand = demand_index(auc_skill(x["test_auc"]), x)
    customers = economics.mature_customers(
        x["lenders"],
        x["serviceable_share"],
        x["reachable_share"],
        x["obtainable_share"],
        demand / demand_plan,
    )
    business_plan = company.Plan(unit_economics(x), customers, x["ramp_months"])

    def at(changes: Mapping[str, Any], resampled=None) -> dict[str, np.ndarray]:
        return outcomes(x | dict(changes), lender, plan, resampled, rule.max_payback_months)

    tornado = uncertainty.tornado(inputs, at)
    return Case(
        inputs=inputs,
        lender=lender,
        values=values,
        gains=gains,
        demand=demand,
        demand_plan=demand_plan,
        customers=customers,
        plan=business_plan,
        tornado=tornado,
        scenarios=uncertainty.scenarios(tornado, at),
        simulation=uncertainty.simulate(inputs, lender, at, draws, seed + 1),
        value_rates=uncertainty.value_rates(lender, money, rule.level, resamples, seed),
        rule=rule,
    )


def _measured_auc(lender: LenderValue, level: float, resamples: int, seed: int) -> Input:
    """The model's ROC AUC on the test applicants, with its stratified bootstrap interval (the
    same resamples as the gains')."""
    from sklearn.metrics import roc_auc_score

    rows = economics.stratified_draws(lender.bad, resamples, seed)
    auc = float(roc_auc_score(lender.bad, lender.probabilities))
    tail = (1 - level) / 2
    auc_low, auc_high = np.quantile(lender.auc_draws(*rows), [tail, 1 - tail])
    return Input(
        "test_auc",
        auc,
        "ROC AUC",
        "03 the model on the held-out test split",
        "measured",
        float(min(auc_low, auc)),
        float(max(auc_high, auc)),
        f"its {level:.0%} bootstrap interval over the test applicants",
    )

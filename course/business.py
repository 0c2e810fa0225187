"""Lesson 05, the business case: what the model is worth to a lender in money, whether the
company would make money selling it, and how sure we can be.

Every input is an argument (a learner or a test can swap the model, the prices or any
assumption) with the course's stated assumptions (:mod:`course.assumptions`) as defaults; nothing
here is a number copied from an earlier lesson's output.

- Value for a customer: :func:`decision_values` turns approve/reject decisions into money per
  application with each applicant's own credit amount; :func:`policy_values` compares policies on
  the same applicants; :func:`bootstrap_gain` gives the uncertainty of the difference.
- Unit economics: :class:`UnitEconomics` (margin, break-even customers, payback, first-year profit).
- Uncertainty: :func:`scenarios`, :func:`tornado`, :func:`probability_of_profit`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from course.assumptions import MONTHS_PER_YEAR, PLAUSIBLE, value

#: Deutsche Mark per euro: the conversion rate fixed when the euro was introduced (1999). The
#: German credit data's amounts are in Deutsche Mark.
DM_PER_EURO = 1.95583


# --- value for a customer ---------------------------------------------------------------------


def decision_values(bad, approve, amount_dm, *, loss_given_default: float | None = None,
                    good_loan_margin: float | None = None) -> np.ndarray:  # fmt: skip
    """Money per application, in euros, of approving (``approve`` True) or rejecting each one.

    An approved good loan earns ``good_loan_margin`` x its amount; an approved bad loan loses
    ``loss_given_default`` x its amount; a rejected application earns and loses nothing (the
    missed margin is the cost of rejecting a good one). ``bad`` is 1 for applicants who defaulted.
    """
    lgd = value("loss_given_default") if loss_given_default is None else loss_given_default
    margin = value("good_loan_margin") if good_loan_margin is None else good_loan_margin
    bad, approve = np.asarray(bad, dtype=bool), np.asarray(approve, dtype=bool)
    euros = np.asarray(amount_dm, dtype=float) / DM_PER_EURO
    if not (bad.shape == approve.shape == euros.shape):
        raise ValueError("bad, approve and amount_dm need one value per application each")
    if (euros < 0).any() or not (0 <= lgd <= 1 and 0 <= margin <= 1):
        raise ValueError("amounts must be >= 0; loss given default and margin are fractions")
    return np.where(approve, np.where(bad, -lgd * euros, margin * euros), 0.0)


def policy_values(bad, amount_dm, decisions: Mapping[str, np.ndarray], per: int = 1000,
                  **money: float) -> dict[str, float]:  # fmt: skip
    """Euros created per ``per`` applications by each policy's approve/reject ``decisions``."""
    return {name: float(decision_values(bad, approve, amount_dm, **money).mean() * per)
            for name, approve in decisions.items()}  # fmt: skip


@dataclass(frozen=True)
class Gain:
    """The difference in value between two policies on the same applicants, with a bootstrap
    interval: euros per ``per`` applications."""

    mean: float
    low: float
    high: float
    level: float
    per: int

    @property
    def certain(self) -> bool:
        """Whether the whole interval is above zero."""
        return self.low > 0


def bootstrap_gain(bad, amount_dm, policy, baseline, *, per: int = 1000, resamples: int = 2000,
                   level: float = 0.95, seed: int = 0, **money: float) -> Gain:  # fmt: skip
    """How much more ``policy`` creates than ``baseline`` (approve masks), per ``per``
    applications, with a percentile bootstrap interval over the applicants (seeded)."""
    difference = (decision_values(bad, policy, amount_dm, **money)
                  - decision_values(bad, baseline, amount_dm, **money))  # fmt: skip
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(difference), size=(resamples, len(difference)))
    means = difference[draws].mean(axis=1) * per
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Gain(float(difference.mean() * per), float(low), float(high), level, per)


# --- unit economics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitEconomics:
    """One customer's month, and the company's: every field in US$ unless its name says otherwise.

    Build it with :meth:`from_assumptions`; change any field with :func:`dataclasses.replace`."""

    price_per_decision: float
    decisions_per_customer_month: float
    serving_cost_per_decision: float
    fixed_costs_monthly: float
    acquisition_cost: float
    monthly_churn: float

    @classmethod
    def from_assumptions(cls, serving_cost_per_decision: float | None = None, **overrides: float):
        """The stated assumptions; the serving cost from :func:`course.pricing.serving_cost`
        (one server carrying the obtainable market) unless given."""
        if serving_cost_per_decision is None:
            from course.pricing import serving_cost

            serving_cost_per_decision = serving_cost().per_thousand_usd / 1000
        fields = {"price_per_decision": value("price_per_decision"),
                  "decisions_per_customer_month": value("decisions_per_lender") / MONTHS_PER_YEAR,
                  "fixed_costs_monthly": value("fixed_costs_monthly"),
                  "acquisition_cost": value("acquisition_cost"),
                  "monthly_churn": value("monthly_churn")}  # fmt: skip
        return cls(serving_cost_per_decision=serving_cost_per_decision, **(fields | overrides))

    @property
    def revenue_per_customer(self) -> float:
        """US$ a month from one customer paying per call."""
        return self.price_per_decision * self.decisions_per_customer_month

    @property
    def gross_margin(self) -> float:
        """The share of revenue left after serving it (a fraction)."""
        return 1 - self.serving_cost_per_decision / self.price_per_decision

    @property
    def contribution_per_customer(self) -> float:
        """US$ a month one customer leaves after serving costs: what pays the fixed costs."""
        return self.revenue_per_customer * self.gross_margin

    @property
    def break_even_customers(self) -> float:
        """Customers needed for their contribution to cover the fixed costs (inf: never)."""
        if self.contribution_per_customer <= 0:
            return math.inf
        return self.fixed_costs_monthly / self.contribution_per_customer

    @property
    def payback_months(self) -> float:
        """Months of one customer's contribution to earn back what it cost to win them."""
        if self.contribution_per_customer <= 0:
            return math.inf
        return self.acquisition_cost / self.contribution_per_customer

    @property
    def lifetime_value(self) -> float:
        """US$ one customer contributes before leaving (contribution / churn)."""
        return self.contribution_per_customer / self.monthly_churn

    def first_year_profit(self, customers: float) -> float:
        """US$ profit in a first year that wins ``customers`` at its start and loses
        ``monthly_churn`` of them each month: contributions minus acquisition and fixed costs."""
        kept = sum((1 - self.monthly_churn) ** month for month in range(MONTHS_PER_YEAR))
        return (customers * kept * self.contribution_per_customer
                - customers * self.acquisition_cost
                - MONTHS_PER_YEAR * self.fixed_costs_monthly)  # fmt: skip


# --- uncertainty ------------------------------------------------------------------------------

#: How each scenario moves the inputs: bear takes every input's pessimistic end of its planning
#: range (:data:`course.assumptions.PLAUSIBLE`), bull its optimistic end.
SCENARIO_SIDES = {"bear": 0.0, "base": None, "bull": 1.0}
#: Which end of an input's range is good for profit.
_HIGH_IS_GOOD = {"price_per_decision": True, "decisions_per_lender": True, "customers": True,
                 "fixed_costs_monthly": False, "acquisition_cost": False, "monthly_churn": False}


def _at(name: str, side: float | None) -> float:
    if side is None:
        return value(name)
    low, high, _ = PLAUSIBLE[name]
    return high if (side == 1.0) == _HIGH_IS_GOOD.get(name, True) else low


ProfitModel = Callable[[Mapping[str, float]], float]


def profit_model(customers: float, serving_cost_per_decision: float) -> ProfitModel:
    """First-year profit as a function of the inputs in :data:`_HIGH_IS_GOOD` (any missing one
    at its stated value): the model the scenarios, the tornado and the Monte Carlo vary."""

    def profit(inputs: Mapping[str, float]) -> float:
        v = {name: value(name) for name in _HIGH_IS_GOOD if name != "customers"} | dict(inputs)
        economics = UnitEconomics(
            price_per_decision=v["price_per_decision"],
            decisions_per_customer_month=v["decisions_per_lender"] / MONTHS_PER_YEAR,
            serving_cost_per_decision=serving_cost_per_decision,
            fixed_costs_monthly=v["fixed_costs_monthly"], acquisition_cost=v["acquisition_cost"],
            monthly_churn=v["monthly_churn"])  # fmt: skip
        return economics.first_year_profit(v.get("customers", customers))

    return profit


def scenarios(profit: ProfitModel, names: list[str]) -> dict[str, float]:
    """First-year profit (US$) in the bear, base and bull scenarios over the inputs ``names``."""
    return {scenario: profit({n: _at(n, side) for n in names})
            for scenario, side in SCENARIO_SIDES.items()}  # fmt: skip


def tornado(profit: ProfitModel, names: list[str]) -> list[tuple[str, float, float]]:
    """(input, profit at its pessimistic end, at its optimistic end), one input moved at a time,
    the widest swing first (the order of a tornado chart)."""
    rows = [(n, profit({n: _at(n, 0.0)}), profit({n: _at(n, 1.0)})) for n in names]
    return sorted(rows, key=lambda row: -(row[2] - row[1]))


def probability_of_profit(profit: ProfitModel, names: list[str], draws: int = 5000,
                          seed: int = 0) -> float:  # fmt: skip
    """The share of seeded Monte Carlo draws with a first-year profit above zero, each input
    drawn from a triangular distribution over its planning range peaking at its stated value."""
    rng = np.random.default_rng(seed)
    samples = {n: rng.triangular(PLAUSIBLE[n][0], value(n), PLAUSIBLE[n][1], draws) for n in names}
    return float(np.mean(np.asarray(profit(samples)) > 0))  # the model takes arrays as well


def with_price(economics: UnitEconomics, price_per_decision: float) -> UnitEconomics:
    """The same business at another price per decision."""
    return replace(economics, price_per_decision=price_per_decision)

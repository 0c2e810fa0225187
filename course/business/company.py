"""Lesson 05, the business case: whether a company selling the credit model makes money, month by
month.

- Unit economics: :class:`UnitEconomics` (one customer's month, break-even in steady state,
  payback, lifetime value) and :class:`Plan` (monthly cohorts: a ramp, churn and its replacement,
  the acquisition cost paid when a customer is won, fixed costs; first-year and steady-state
  profit, the cash a company needs before it earns).

Every input is an argument, with the course's stated assumptions (:mod:`course.assumptions`) as
defaults where a default makes sense.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from course.assumptions import MONTHS_PER_YEAR, value

#: Months a plan runs (five years): long enough to reach steady state after any planning ramp.
PLAN_MONTHS = 60


#: What each input of :class:`UnitEconomics` may be: (test, the valid range in words).
_VALID = {
    "price_per_decision": (lambda x: x > 0, "> 0 US$ per decision"),
    "decisions_per_customer_month": (lambda x: x > 0, "> 0 decisions per month"),
    "serving_cost_per_decision": (lambda x: x >= 0, ">= 0 US$ per decision"),
    "fixed_costs_monthly": (lambda x: x >= 0, ">= 0 US$ per month"),
    "acquisition_cost": (lambda x: x >= 0, ">= 0 US$ per customer"),
    "monthly_churn": (lambda x: 0 <= x < 1, "a fraction in [0, 1) per month"),
}


@dataclass(frozen=True)
class UnitEconomics:
    """One customer's month, and the company's fixed costs. Money in US$; each property's
    docstring gives its period.

    Build it with :meth:`from_assumptions` or from explicit numbers; change any field with
    :func:`dataclasses.replace`. An impossible input is a one-line ``ValueError`` naming the
    valid range."""

    price_per_decision: float
    decisions_per_customer_month: float
    serving_cost_per_decision: float
    fixed_costs_monthly: float
    acquisition_cost: float
    monthly_churn: float

    def __post_init__(self) -> None:
        for name, (valid, words) in _VALID.items():
            number = getattr(self, name)
            if not (math.isfinite(number) and valid(number)):
                raise ValueError(f"{name} must be {words}, got {number!r}")

    @classmethod
    def from_assumptions(cls, serving_cost_per_decision: float | None = None, **overrides: float):
        """The stated assumptions; the serving cost from
        :func:`course.business.pricing.serving_cost` (one server carrying the obtainable market)
        unless given."""
        if serving_cost_per_decision is None:
            from course.business.pricing import serving_cost

            serving_cost_per_decision = serving_cost().per_thousand_usd / 1000
        fields = {
            "price_per_decision": value("price_per_decision"),
            "decisions_per_customer_month": value("decisions_per_lender") / MONTHS_PER_YEAR,
            "fixed_costs_monthly": value("fixed_costs_monthly"),
            "acquisition_cost": value("acquisition_cost"),
            "monthly_churn": value("monthly_churn"),
        }
        return cls(serving_cost_per_decision=serving_cost_per_decision, **(fields | overrides))

    @property
    def revenue_per_customer(self) -> float:
        """US$ per customer per month, paying per call."""
        return self.price_per_decision * self.decisions_per_customer_month

    @property
    def gross_margin(self) -> float:
        """The share of revenue left after serving it (a fraction; negative below cost)."""
        return 1 - self.serving_cost_per_decision / self.price_per_decision

    @property
    def contribution_per_customer(self) -> float:
        """US$ per customer per month left after serving costs."""
        return (
            self.price_per_decision - self.serving_cost_per_decision
        ) * self.decisions_per_customer_month

    @property
    def replacement_per_customer(self) -> float:
        """US$ per customer per month spent replacing the customers who leave (churn x CAC): in
        steady state, each month ``monthly_churn`` of the base is won again at full cost."""
        return self.monthly_churn * self.acquisition_cost

    @property
    def steady_contribution_per_customer(self) -> float:
        """US$ per customer per month that pays the fixed costs in steady state: contribution
        minus the cost of replacing the customers who leave."""
        return self.contribution_per_customer - self.replacement_per_customer

    @property
    def break_even_customers(self) -> float:
        """Customers needed, in steady state (churn replaced), for the company to cover its fixed
        costs (inf: no number of customers does)."""
        if self.steady_contribution_per_customer <= 0:
            return math.inf
        return self.fixed_costs_monthly / self.steady_contribution_per_customer

    @property
    def payback_months(self) -> float:
        """Months of one customer's contribution to earn back what it cost to win them (inf:
        never)."""
        if self.contribution_per_customer <= 0:
            return math.inf
        return self.acquisition_cost / self.contribution_per_customer

    @property
    def lifetime_months(self) -> float:
        """A customer's expected life in months (1 / churn; inf without churn)."""
        return math.inf if self.monthly_churn == 0 else 1 / self.monthly_churn

    @property
    def lifetime_value(self) -> float:
        """US$ per customer over its life: its monthly contribution x its expected life in
        months (undiscounted)."""
        if self.monthly_churn == 0:
            return math.copysign(math.inf, self.contribution_per_customer)
        return self.contribution_per_customer / self.monthly_churn

    @property
    def ltv_to_cac(self) -> float:
        """Lifetime value over the acquisition cost (a ratio; 3 or more is the usual bar)."""
        return (
            math.inf if self.acquisition_cost == 0 else self.lifetime_value / self.acquisition_cost
        )

    def steady_state_profit(self, customers: float) -> float:
        """US$ per year with ``customers`` kept steady (churn replaced at full CAC)."""
        return MONTHS_PER_YEAR * (
            customers * self.steady_contribution_per_customer - self.fixed_costs_monthly
        )

    def break_even_price(self, customers: float) -> float:
        """The price per decision (US$) at which ``customers`` break even in steady state
        (inf without customers)."""
        if customers <= 0:
            return math.inf
        return (
            self.serving_cost_per_decision
            + (self.fixed_costs_monthly / customers + self.replacement_per_customer)
            / self.decisions_per_customer_month
        )

    def payback_price(self, months: float) -> float:
        """The price per decision (US$) at which a customer repays its acquisition cost in
        ``months``."""
        return self.serving_cost_per_decision + self.acquisition_cost / (
            months * self.decisions_per_customer_month
        )


def with_price(economics: UnitEconomics, price_per_decision: float) -> UnitEconomics:
    """The same business at another price per decision."""
    return replace(economics, price_per_decision=price_per_decision)


@dataclass(frozen=True)
class Plan:
    """The company month by month: paying customers rise in a straight line from 0 to
    ``mature_customers`` over ``ramp_months`` (then stay), ``monthly_churn`` of last month's
    customers leave each month, and each month wins the growth plus the leavers' replacements,
    paying the acquisition cost when a customer is won. Customers won in a month pay from that
    month; leavers stop at its start. Money in US$."""

    economics: UnitEconomics
    mature_customers: float
    ramp_months: float
    months: int = PLAN_MONTHS

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mature_customers) and self.mature_customers >= 0):
            raise ValueError(f"mature_customers must be >= 0, got {self.mature_customers!r}")
        if not (math.isfinite(self.ramp_months) and self.ramp_months > 0):
            raise ValueError(f"ramp_months must be > 0 months, got {self.ramp_months!r}")
        if self.months < MONTHS_PER_YEAR:
            raise ValueError(f"a plan needs at least {MONTHS_PER_YEAR} months")

    def table(self):
        """One row per month: customers won, lost and active, and the month's money (US$)."""
        import pandas as pd

        e = self.economics
        monthly = cohort_months(
            self.mature_customers, self.ramp_months, e.monthly_churn, self.months
        )
        frame = pd.DataFrame(monthly, index=pd.RangeIndex(1, self.months + 1, name="month"))
        frame["contribution_usd"] = frame["active"] * e.contribution_per_customer
        frame["acquisition_usd"] = frame["won"] * e.acquisition_cost
        frame["fixed_usd"] = e.fixed_costs_monthly
        frame["profit_usd"] = (
            frame["contribution_usd"] - frame["acquisition_usd"] - frame["fixed_usd"]
        )
        frame["cumulative_usd"] = frame["profit_usd"].cumsum()
        return frame

    def profits(self) -> np.ndarray:
        """US$ profit in each month."""
        e = self.economics
        m = cohort_months(self.mature_customers, self.ramp_months, e.monthly_churn, self.months)
        return (
            m["active"] * e.contribution_per_customer
            - m["won"] * e.acquisition_cost
            - e.fixed_costs_monthly
        )

    @property
    def first_year_profit(self) -> float:
        """US$ over months 1-12."""
        return float(self.profits()[:MONTHS_PER_YEAR].sum())

    @property
    def steady_state_profit(self) -> float:
        """US$ per year once the ramp is over (mature customers, churn replaced)."""
        return self.economics.steady_state_profit(self.mature_customers)

    @property
    def funding_need(self) -> float:
        """US$: the deepest cumulative loss over the plan, the cash the company must raise before
        it earns (0 when it never falls below zero)."""
        return float(max(0.0, -np.cumsum(self.profits()).min()))

    @property
    def first_profitable_month(self) -> int | None:
        """The month from which every month of the plan makes a profit (None: not within it)."""
        losing = np.flatnonzero(self.profits() <= 0)
        if len(losing) == 0:
            return 1
        return None if losing[-1] + 1 >= self.months else int(losing[-1] + 2)


def cohort_months(mature, ramp_months, churn, months: int = PLAN_MONTHS) -> dict[str, np.ndarray]:
    """Customers ``active``, ``won`` and ``lost`` in months 1..``months`` for a straight-line ramp
    to ``mature`` over ``ramp_months``. Takes arrays too (one plan per row: a Monte Carlo)."""
    mature, ramp, churn = (
        np.asarray(x, dtype=float)[..., None] for x in (mature, ramp_months, churn)
    )
    month = np.arange(1, months + 1)
    active = mature * np.minimum(month / ramp, 1.0)
    before = np.concatenate([np.zeros_like(active[..., :1]), active[..., :-1]], axis=-1)
    lost = before * churn
    won = active - before + lost
    return {"active": active, "won": won, "lost": lost}


def cohort_matrix(won: np.ndarray, churn: float) -> np.ndarray:
    """Customers of each monthly cohort still active: row = month won, column = month; the
    columns add up to the active customers (what :func:`cohort_months` computes directly)."""
    months = len(won)
    age = np.arange(months)[None, :] - np.arange(months)[:, None]
    return np.where(
        age >= 0, np.asarray(won, dtype=float)[:, None] * (1 - churn) ** np.maximum(age, 0), 0.0
    )

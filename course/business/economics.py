"""Lesson 05, the business case: what a credit policy is worth to a lender in money, how many
lenders would pay for it, and whether a company selling it makes money, month by month.

Every input is an argument (a learner or a test can swap the model, the prices or any
assumption) with the course's stated assumptions (:mod:`course.assumptions`) as defaults where a
default makes sense; nothing here is a number copied from an earlier lesson's output.
:mod:`course.business.outcomes` passes every input explicitly, from the case's one evidence table.

- Value for a lender: :func:`decision_values` turns approve/reject decisions into euros per
  application with each applicant's own credit amount; :func:`policy_values` compares policies on
  the same applicants, at the sample's bad rate or reweighted to another one
  (:func:`class_weights`); :func:`bootstrap_gains` gives the uncertainty of the differences.
- Customers: :func:`mature_customers`, lesson 01's obtainable market counted in lenders and scaled
  by the demand index relative to a stated plan (:func:`demand_ratio`).
- Unit economics: :class:`UnitEconomics` (one customer's month, break-even in steady state,
  payback, lifetime value) and :class:`Plan` (monthly cohorts: a ramp, churn and its replacement,
  the acquisition cost paid when a customer is won, fixed costs; first-year and steady-state
  profit, the cash a company needs before it earns).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from course.assumptions import MONTHS_PER_YEAR, value

#: Deutsche Mark per euro: the conversion rate fixed when the euro was introduced (1999). The
#: German credit data's amounts are in Deutsche Mark.
DM_PER_EURO = 1.95583
#: Months a plan runs (five years): long enough to reach steady state after any planning ramp.
PLAN_MONTHS = 60


# --- value for a lender -----------------------------------------------------------------------


def decision_values(
    bad,
    approve,
    amount_dm,
    *,
    loss_given_default: float | None = None,
    good_loan_margin: float | None = None,
) -> np.ndarray:
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


def _check_rate(rate: float) -> float:
    if not 0 < rate < 1:
        raise ValueError(f"a bad rate is a fraction strictly between 0 and 1, got {rate!r}")
    return float(rate)


def class_weights(bad, rate: float | None = None) -> np.ndarray:
    """A weight per applicant (mean 1) that makes the weighted share of bad applicants ``rate``:
    how a stratified sample (bad credits oversampled) stands for a population with another bad
    rate. ``None`` keeps the sample's own rate (every weight 1)."""
    bad = np.asarray(bad, dtype=bool)
    if rate is None:
        return np.ones(len(bad))
    share = bad.mean()
    if not 0 < share < 1:
        raise ValueError("reweighting needs both bad and good applicants in the sample")
    rate = _check_rate(rate)
    return np.where(bad, rate / share, (1 - rate) / (1 - share))


def policy_values(
    bad,
    amount_dm,
    decisions: Mapping[str, np.ndarray],
    per: int = 1000,
    rate: float | None = None,
    **money: float,
) -> dict[str, float]:
    """Euros created per ``per`` applications by each policy's approve/reject ``decisions``, at
    the sample's bad rate or, with ``rate``, at a population's (:func:`class_weights`)."""
    weights = class_weights(bad, rate)
    return {
        name: float(np.mean(weights * decision_values(bad, approve, amount_dm, **money)) * per)
        for name, approve in decisions.items()
    }


@dataclass(frozen=True)
class Gain:
    """How much more one policy creates than another on the same applicants, with a bootstrap
    interval: euros per ``per`` applications, at the bad rate ``rate`` (None: the sample's)."""

    mean: float
    low: float
    high: float
    level: float
    per: int
    rate: float | None = None

    @property
    def certain(self) -> bool:
        """Whether the whole interval is above zero."""
        return self.low > 0

    def text(self) -> str:
        return (
            f"EUR {self.mean:,.0f} ({self.level:.0%} interval {self.low:,.0f} to {self.high:,.0f})"
        )


def stratified_draws(bad, resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap row indices drawn within each class: ``(bad rows, good rows)``, each of shape
    ``(resamples, class size)``. The German data is a sample stratified by outcome (700 good, 300
    bad by design), so each resample keeps the two class sizes and redraws who is in them."""
    bad = np.asarray(bad, dtype=bool)
    rows_bad, rows_good = np.flatnonzero(bad), np.flatnonzero(~bad)
    if len(rows_bad) == 0 or len(rows_good) == 0:
        raise ValueError("a stratified bootstrap needs both bad and good applicants")
    rng = np.random.default_rng(seed)
    return (
        rows_bad[rng.integers(0, len(rows_bad), size=(resamples, len(rows_bad)))],
        rows_good[rng.integers(0, len(rows_good), size=(resamples, len(rows_good)))],
    )


def bootstrap_gains(
    bad,
    amount_dm,
    policy,
    baselines: Mapping[str, np.ndarray],
    *,
    rate: float | None = None,
    per: int = 1000,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    **money: float,
) -> dict[str, Gain]:
    """How much more ``policy`` creates than each baseline (approve masks), per ``per``
    applications at the bad rate ``rate`` (None: the sample's), with a percentile interval from
    a class-stratified bootstrap (:func:`stratified_draws`; the same resamples for every
    baseline, so the comparisons are made on the same applicants)."""
    bad = np.asarray(bad, dtype=bool)
    share = float(bad.mean())
    weight = share if rate is None else _check_rate(rate)
    rows_bad, rows_good = stratified_draws(bad, resamples, seed)
    tail = (1 - level) / 2
    gains = {}
    for name, baseline in baselines.items():
        difference = decision_values(bad, policy, amount_dm, **money) - decision_values(
            bad, baseline, amount_dm, **money
        )
        mean = weight * difference[bad].mean() + (1 - weight) * difference[~bad].mean()
        means = (
            weight * difference[rows_bad].mean(axis=1)
            + (1 - weight) * difference[rows_good].mean(axis=1)
        ) * per
        low, high = np.quantile(means, [tail, 1 - tail])
        gains[name] = Gain(float(mean * per), float(low), float(high), level, per, rate)
    return gains


def bootstrap_gain(bad, amount_dm, policy, baseline, **options) -> Gain:
    """:func:`bootstrap_gains` against one baseline."""
    return bootstrap_gains(bad, amount_dm, policy, {"baseline": baseline}, **options)["baseline"]


# --- customers from the market ----------------------------------------------------------------


def reachable_lenders(lenders: float, serviceable_share: float, reachable_share: float) -> float:
    """Lesson 01's serviceable market (SAM), counted in lenders: those who would buy scoring as
    a service and that we can reach."""
    return lenders * serviceable_share * reachable_share


def demand_ratio(
    skill: float, indices: Mapping[str, float], plan_skill: float, plan_indices: Mapping[str, float]
) -> float:
    """Our demand index D over a stated plan's: the only way the seeds' D = P·Dc·(1−C)·S·Pm is
    used here (lesson 02: D is a comparative index, never a market share). 1 means "as planned";
    a coin-flip model (skill 0) gives 0."""
    from course.strategy.scoring import market_demand

    def demand(p: float, i: Mapping[str, float]) -> float:
        return market_demand(
            p, i["customer_demand"], i["competition"], i["service"], i["marketing"]
        )

    plan = demand(plan_skill, plan_indices)
    if plan <= 0:
        raise ValueError("the plan's demand index must be above zero to compare with it")
    return demand(skill, indices) / plan


def mature_customers(
    lenders: float,
    serviceable_share: float,
    reachable_share: float,
    obtainable_share: float,
    ratio: float = 1.0,
) -> float:
    """Paying lenders once the ramp is over: lesson 01's obtainable share of the reachable
    lenders (its SOM in lenders) times our demand relative to the plan (:func:`demand_ratio`),
    never more than every reachable lender."""
    share = min(1.0, obtainable_share * ratio)
    return reachable_lenders(lenders, serviceable_share, reachable_share) * share


# --- unit economics ---------------------------------------------------------------------------

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

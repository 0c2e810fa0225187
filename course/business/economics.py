"""Lesson 05, the business case: what a credit policy is worth to a lender in money, and how many
lenders would pay for it (whether a company selling it makes money: :mod:`course.business.company`).

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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from course.assumptions import value

#: Deutsche Mark per euro: the conversion rate fixed when the euro was introduced (1999). The
#: German credit data's amounts are in Deutsche Mark.
DM_PER_EURO = 1.95583


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

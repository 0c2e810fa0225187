"""Lesson 05's lender: the credit policies a lender could adopt without us, the model's policy,
and what each is worth on the held-out test applicants.

- :data:`BASELINES` names every simple policy a lender could adopt without us (its
  :data:`CURRENT_POLICY`, the :data:`OFFICER_RULE`, approve everyone, reject everyone) with the
  reason each is there; :data:`MODEL` names the model's policy and :data:`RATES` the two bad
  rates the value is judged at.
- :func:`policies` and :func:`baseline_masks` give each policy's approve mask on any applicants.
- :class:`LenderValue` (built by :func:`lender_value`) holds the model's probabilities and the
  baselines' masks on the test applicants, and values them in euros at the sample's bad rate or a
  population's, with the prior-shift correction of the model's threshold (lesson 03) and
  bootstrap intervals (:mod:`course.business.economics` does the arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course.business import economics

#: The lender's current policy the model must beat: reject applicants who have no checking account
#: at this bank, approve the rest. (Under the Statlog labels this rule read "reject overdrawn
#: accounts"; Groemping's corrected code table shows that those rows have no checking account.)
CURRENT_POLICY = "reject if no checking account"
#: The officer's rule: what a credit officer would name first from the one attribute the lender
#: already screens on (corrected coding): lend only to applicants whose checking account at this
#: bank is in credit, i.e. reject both no account and an overdrawn one ("< 0 DM"). Chosen on that
#: reasoning, before any policy's value was computed (issue 26), and never re-chosen after.
OFFICER_RULE = "reject if no account or overdrawn"
#: Every simple policy a lender could adopt without us, with the reason each is there. The model's
#: value is judged against all of them: beating only a bad current rule is not skill.
BASELINES: dict[str, str] = {
    "approve everyone": "lends to all: the value of lending itself, with no screening",
    "reject everyone": "lends to none: zero by definition; any model that lends less looks "
    "better than a loss-making rule, so this is the floor of 'lending less'",
    CURRENT_POLICY: "the lender's rule today: one attribute, one line",
    OFFICER_RULE: "the same attribute read the way a credit officer would: a positive balance",
}
MODEL = "the model"
#: Where the value is judged: the test applicants as sampled, and reweighted to the population.
RATES = ("sample", "population")


# --- the policies' approve masks --------------------------------------------------------------


def current_policy(applicants) -> np.ndarray:
    """The lender's current approve mask: everyone who has a checking account at this bank."""
    return (applicants["checking_status"] != "no checking account").to_numpy()


def officer_rule(applicants) -> np.ndarray:
    """The officer's approve mask: a checking account at this bank that is in credit."""
    return (~applicants["checking_status"].isin(["no checking account", "< 0 DM"])).to_numpy()


def baseline_masks(applicants) -> dict[str, np.ndarray]:
    """Approve masks of :data:`BASELINES` on ``applicants``."""
    n = len(applicants)
    return {
        "approve everyone": np.ones(n, dtype=bool),
        "reject everyone": np.zeros(n, dtype=bool),
        CURRENT_POLICY: current_policy(applicants),
        OFFICER_RULE: officer_rule(applicants),
    }


def policies(test, probabilities, threshold: float) -> dict[str, np.ndarray]:
    """Approve masks on the test applicants: the baselines and the model (approve below the
    threshold)."""
    return {**baseline_masks(test), MODEL: np.asarray(probabilities) < threshold}


# --- what the policies are worth ----------------------------------------------------------------


@dataclass
class LenderValue:
    """The model's decisions and the baselines' on the held-out test applicants, and what they
    are worth at any bad rate (the sample's or a population's) with the prior-shift correction of
    the model's threshold (lesson 03)."""

    bad: np.ndarray
    amounts: np.ndarray  # Deutsche Mark
    probabilities: np.ndarray
    threshold: float  # the model's, for probabilities calibrated to its training sample
    train_rate: float  # the share of bad credits in the model's training data
    baselines: dict[str, np.ndarray]  # approve masks

    @property
    def sample_rate(self) -> float:
        return float(self.bad.mean())

    def threshold_at(self, rate: float | None) -> float:
        """The model's threshold for a population with bad rate ``rate`` (None: the sample's):
        the same cost trade-off, moved by :func:`course.credit.evaluate.prior_shift_threshold`."""
        from course.credit.evaluate import prior_shift_threshold

        if rate is None or rate == self.train_rate:
            return self.threshold
        if not 0 < self.threshold < 1:  # approve or reject everyone, whatever the rate
            return self.threshold
        return prior_shift_threshold(self.threshold, self.train_rate, rate)

    def masks(self, rate: float | None = None) -> dict[str, np.ndarray]:
        return {**self.baselines, MODEL: self.probabilities < self.threshold_at(rate)}

    def values(self, rate: float | None, **money: float) -> dict[str, float]:
        """EUR per 1,000 applications for each policy."""
        return economics.policy_values(self.bad, self.amounts, self.masks(rate), rate=rate, **money)

    def gains(
        self, rate: float | None, *, level: float, resamples: int, seed: int, **money: float
    ) -> dict[str, economics.Gain]:
        masks = self.masks(rate)
        return economics.bootstrap_gains(
            self.bad,
            self.amounts,
            masks[MODEL],
            self.baselines,
            rate=rate,
            level=level,
            resamples=resamples,
            seed=seed,
            **money,
        )

    def auc_draws(self, rows_bad: np.ndarray, rows_good: np.ndarray) -> np.ndarray:
        """The ROC AUC of each stratified resample (Mann-Whitney, ties counted half)."""
        p_bad, p_good = self.probabilities[self.bad], self.probabilities[~self.bad]
        wins = (p_bad[:, None] > p_good[None, :]) + 0.5 * (p_bad[:, None] == p_good[None, :])
        # counting how often each applicant is drawn turns every resample's AUC into one product
        count_bad = _draw_counts(np.searchsorted(np.flatnonzero(self.bad), rows_bad), len(p_bad))
        count_good = _draw_counts(
            np.searchsorted(np.flatnonzero(~self.bad), rows_good), len(p_good)
        )
        return ((count_bad @ wins) * count_good).sum(axis=1) / (len(p_bad) * len(p_good))


def _draw_counts(positions: np.ndarray, size: int) -> np.ndarray:
    """How many times each of ``size`` applicants is drawn in each resample (one row each)."""
    draws = len(positions)
    flat = (np.arange(draws)[:, None] * size + positions).ravel()
    return np.bincount(flat, minlength=draws * size).reshape(draws, size)


def lender_value(model, split=None) -> LenderValue:
    """The model (anything with ``predict_proba(records)`` and ``threshold``) and the baselines
    on the held-out test applicants of ``split`` (default: the course's split)."""
    from course.credit.data import FEATURES, split_data

    split = split or split_data()
    test = split.test
    probabilities = np.asarray(model.predict_proba(test[FEATURES].to_dict("records")), dtype=float)
    return LenderValue(
        bad=test["default"].to_numpy() == 1,
        amounts=test["credit_amount"].to_numpy(dtype=float),
        probabilities=probabilities,
        threshold=float(model.threshold),
        train_rate=float(split.train["default"].mean()),
        baselines=baseline_masks(test),
    )

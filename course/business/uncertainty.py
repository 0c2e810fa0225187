"""Lesson 05's uncertainty: how the case's figures move when its uncertain inputs
(:data:`course.business.case_inputs.UNCERTAIN`) move over their planning ranges.

- :func:`tornado`: each input alone from the low to the high end of its range (:class:`TornadoRow`).
- :func:`scenarios`: bear, base and bull, every input at its worse or better end at once.
- :func:`simulate`: a seeded Monte Carlo over every input at once, the test applicants
  resampled too.
- :func:`value_rates`: the population bad rates at which the value criterion holds.

Each takes ``at``, the case's figures as a function of changed inputs (built by
:func:`course.business.decision.build_case` on :func:`course.business.outcomes.outcomes`), so all
of them vary the same inputs through the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from course.business import economics
from course.business.case_inputs import UNCERTAIN, Input
from course.business.lending import LenderValue

#: The case's figures with some inputs changed (numbers or one array per input), optionally on
#: resampled applicants: :func:`course.business.outcomes.outcomes` with the rest held as stated.
Outcomes = Callable[..., dict[str, np.ndarray]]
#: The figures a scenario reports, besides whether the rule says go.
_SCENARIO_FIGURES = ("customers", "break_even", "payback", "first_year", "steady_state", "edge")


@dataclass(frozen=True)
class TornadoRow:
    """One input moved alone from the low to the high end of its range: steady-state profit
    (US$ per year), first-year profit (US$ in months 1-12) and the model's edge over the best
    baseline (EUR per 1,000 applications at the population's bad rate) at each end."""

    name: str
    low: float
    high: float
    profit_at_low: float
    profit_at_high: float
    edge_at_low: float
    edge_at_high: float
    first_year_at_low: float = 0.0
    first_year_at_high: float = 0.0

    @property
    def profit_swing(self) -> float:
        return abs(self.profit_at_high - self.profit_at_low)

    @property
    def edge_swing(self) -> float:
        return abs(self.edge_at_high - self.edge_at_low)


def tornado(inputs: Mapping[str, Input], at: Outcomes) -> list[TornadoRow]:
    """Every uncertain input moved alone to both ends of its range, the widest profit swing
    first (then the widest edge swing)."""
    rows = []
    for name in UNCERTAIN:
        i = inputs[name]
        ends = at({name: np.array([i.low, i.high])})
        rows.append(
            TornadoRow(
                name,
                i.low,
                i.high,
                float(ends["steady_state"][0]),
                float(ends["steady_state"][1]),
                float(ends["edge"][0]),
                float(ends["edge"][1]),
                float(ends["first_year"][0]),
                float(ends["first_year"][1]),
            )
        )
    rows.sort(key=lambda r: (-r.profit_swing, -r.edge_swing))
    return rows


def scenarios(rows: list[TornadoRow], at: Outcomes) -> dict[str, dict[str, float]]:
    """Bear: every uncertain input at the end of its range that is worse (for steady-state
    profit, or for the model's edge when it moves only that); bull: every one at the better
    end; base: as stated."""
    worse = {}
    for row in rows:
        if row.profit_swing > 0:
            worse[row.name] = row.low if row.profit_at_low <= row.profit_at_high else row.high
        else:
            worse[row.name] = row.low if row.edge_at_low <= row.edge_at_high else row.high
    better = {r.name: (r.high if worse[r.name] == r.low else r.low) for r in rows}
    result = {}
    for scenario, changes in (("bear", worse), ("base", {}), ("bull", better)):
        o = at(changes)
        result[scenario] = {k: float(o[k][0]) for k in _SCENARIO_FIGURES}
        result[scenario]["go"] = float(o["go"][0])
    return result


def simulate(
    inputs: Mapping[str, Input], lender: LenderValue, at: Outcomes, draws: int, seed: int
) -> dict[str, float]:
    """A seeded Monte Carlo over every uncertain input at once: each assumed input from a
    triangle over its planning range peaking at its value; the applicants (and so the measured
    AUC and the value) from a stratified bootstrap resample per draw."""
    rng = np.random.default_rng(seed)
    changes: dict[str, Any] = {}
    for name in UNCERTAIN:
        i = inputs[name]
        if name == "test_auc":
            continue
        changes[name] = (
            np.full(draws, i.value)
            if i.high <= i.low
            else rng.triangular(i.low, i.value, i.high, draws)
        )
    rows = economics.stratified_draws(lender.bad, draws, int(rng.integers(2**31)))
    changes["test_auc"] = lender.auc_draws(*rows)
    o = at(changes, rows)
    summary = {
        f"P({k})": float(np.mean(o[k])) for k in ("value_ok", "market_ok", "payback_ok", "go")
    }
    summary["P(steady-state profit > 0)"] = float(np.mean(o["steady_state"] > 0))
    summary["P(first-year profit > 0)"] = float(np.mean(o["first_year"] > 0))
    for k in ("steady_state", "first_year", "customers", "edge"):
        low, mid, high = np.quantile(o[k], [0.05, 0.5, 0.95])
        summary |= {f"{k} p5": float(low), f"{k} median": float(mid), f"{k} p95": float(high)}
    summary["draws"] = float(draws)
    return summary


def value_rates(
    lender: LenderValue, money: Mapping[str, float], level: float, resamples: int, seed: int
) -> list[float]:
    """The population bad rates from 1 % to 30 % at which the value criterion holds: the whole
    ``level`` interval of the model's gain over every baseline above zero."""
    held = []
    for percent in range(1, 31):
        rate = percent / 100
        gains = lender.gains(rate, level=level, resamples=resamples, seed=seed, **money)
        if all(g.certain for g in gains.values()):
            held.append(rate)
    return held

"""Sizing the course startup's market (TAM, SAM, SOM) from explicit, labelled assumptions.

The startup sells a credit-risk scoring API to lenders. None of these numbers is data: each is an
assumption with a unit and a reason, kept apart from the measured facts of lesson 01 so that a
learner (or an investor) can see, challenge and change every one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assumption:
    name: str
    value: float
    unit: str
    why: str
    low: float
    high: float
    step: float


ASSUMPTIONS: dict[str, Assumption] = {a.name: a for a in [
    Assumption("lenders", 14_000, "lenders",
               "Banks, credit unions and consumer-credit firms in the US and EU, rounded from the "
               "order of magnitude of public regulator counts (about 4,500 US banks, 4,500 US "
               "credit unions, 5,000 EU credit institutions). Check current figures.",
               1_000, 50_000, 1_000),
    Assumption("decisions_per_lender", 5_000, "credit decisions per lender per year",
               "A small lender handles tens of applications a day; large ones far more, but they "
               "build their own models and are not our customers.", 500, 50_000, 500),
    Assumption("price_per_decision", 0.50, "US$ per scored application",
               "Below the price of a credit-bureau score (a few dollars), since we add to it "
               "rather than replace it.", 0.05, 5.0, 0.05),
    Assumption("serviceable_share", 0.40, "fraction of lenders",
               "Lenders without an in-house data-science team, who would buy scoring as a "
               "service.", 0.0, 1.0, 0.05),
    Assumption("reachable_share", 0.50, "fraction of those",
               "Those we can sell to in our first languages and regulatory regimes.", 0.0, 1.0, 0.05),
    Assumption("obtainable_share", 0.02, "fraction of the serviceable market",
               "What a new company could win in about three years against incumbents; 1-5 % is "
               "the usual planning range.", 0.0, 0.2, 0.005),
]}  # fmt: skip


def _check_inputs(values: dict[str, float]) -> None:
    for name in ("lenders", "decisions_per_lender", "price_per_decision"):
        if not values[name] >= 0:  # also catches NaN
            raise ValueError(f"{name} must be a non-negative number, got {values[name]!r}")
    for name in ("serviceable_share", "reachable_share", "obtainable_share"):
        if not 0 <= values[name] <= 1:
            raise ValueError(f"{name} is a fraction and must be between 0 and 1, got "
                             f"{values[name]!r} (did you type a percentage?)")  # fmt: skip


def market_size(**overrides: float) -> dict[str, float]:
    """TAM, SAM and SOM in US$ per year; any assumption can be overridden by keyword.

    TAM = lenders x decisions per lender x price per decision (every decision, priced)
    SAM = TAM x serviceable share x reachable share          (those who would buy, we can reach)
    SOM = SAM x obtainable share                             (what we could win in ~3 years)
    """
    unknown = set(overrides) - set(ASSUMPTIONS)
    if unknown:
        raise TypeError(f"unknown assumption(s) {sorted(unknown)}; known: {list(ASSUMPTIONS)}")
    values = {name: a.value for name, a in ASSUMPTIONS.items()} | overrides
    _check_inputs(values)
    tam = values["lenders"] * values["decisions_per_lender"] * values["price_per_decision"]
    sam = tam * values["serviceable_share"] * values["reachable_share"]
    return {"TAM": tam, "SAM": sam, "SOM": sam * values["obtainable_share"]}


def assumptions_table():
    """The assumptions as a DataFrame (value, unit, why), for display next to the estimate."""
    import pandas as pd

    return pd.DataFrame([{"assumption": a.name, "value": a.value, "unit": a.unit, "why": a.why}
                         for a in ASSUMPTIONS.values()]).set_index("assumption")  # fmt: skip

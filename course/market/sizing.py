"""Sizing the course startup's market (TAM, SAM, SOM) from explicit, labelled assumptions.

The startup sells a credit-risk scoring API to lenders. None of these numbers is data: each is an
assumption with a unit and a reason (:mod:`course.assumptions`, the course's one set), kept apart
from the measured facts of lesson 01 so that a learner (or an investor) can see, challenge and
change every one.
"""

from __future__ import annotations

from course.assumptions import MARKET, Assumption

#: The market assumptions (lesson 01's), from the course's one set in :mod:`course.assumptions`.
ASSUMPTIONS: dict[str, Assumption] = MARKET


def _check_inputs(values: dict[str, float]) -> None:
    for name in ("lenders", "decisions_per_lender", "price_per_decision"):
        if not values[name] >= 0:  # also catches NaN
            raise ValueError(f"{name} must be a non-negative number, got {values[name]!r}")
    for name in ("serviceable_share", "reachable_share", "obtainable_share"):
        if not 0 <= values[name] <= 1:
            raise ValueError(
                f"{name} is a fraction and must be between 0 and 1, got "
                f"{values[name]!r} (did you type a percentage?)"
            )


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
    """The market assumptions as a DataFrame (value, unit, why), for display next to the estimate:
    :func:`course.assumptions.table` of the ``market`` group."""
    from course.assumptions import table

    return table("market").drop(columns="group")

"""Every business assumption of the course, in one place, each with its unit and its reason.

None of these numbers is data. The market lesson (01) sizes demand from them, the scoring model
(02) uses the demand scenario, the service lesson (04) prices and costs the API with them, and
the business case (05) decides with them. Lessons read them from here, never as typed literals
(a test checks), so a learner who changes one sees its effect everywhere, and no two lessons can
disagree about a price. What the course *measures* (model quality, throughput) comes from code,
and where a measured figure is used as an input it is labelled as such here with its source.

>>> from course.assumptions import value, table
>>> value("price_per_decision")
0.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_PER_MONTH = 30 * 24 * 3600
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Assumption:
    """A stated number: its value, unit, why it is plausible, and a range worth exploring
    (``low`` to ``high`` in steps of ``step``: the widgets' sliders)."""

    name: str
    value: float
    unit: str
    why: str
    low: float
    high: float
    step: float
    group: str = "market"


def _group(group: str, *items: Assumption) -> dict[str, Assumption]:
    return {a.name: Assumption(**{**a.__dict__, "group": group}) for a in items}


#: Lesson 01: who could buy, how often, at what price, and how much of it a start-up can win.
MARKET = _group(
    "market",
    Assumption(
        "lenders",
        14_000,
        "lenders",
        "Banks and credit unions in the US and credit institutions in the EU (about 4,500 "
        "US banks, 4,500 US credit unions, 5,000 EU credit institutions: the order of "
        "magnitude of public regulator counts; check current figures). Non-bank "
        "consumer-credit firms are left out: no comparable public count.",
        1_000,
        50_000,
        1_000,
    ),
    Assumption(
        "decisions_per_lender",
        5_000,
        "credit decisions per lender per year",
        "A small lender handles tens of applications a day; large ones far more, but they "
        "build their own models and are not our customers.",
        500,
        50_000,
        500,
    ),
    Assumption(
        "price_per_decision",
        0.50,
        "US$ per scored application",
        "Below the price of a credit-bureau score (a few dollars), since we add to it "
        "rather than replace it. The API's per-call price (lesson 04).",
        0.05,
        5.0,
        0.05,
    ),
    Assumption(
        "serviceable_share",
        0.40,
        "fraction of lenders",
        "Lenders without an in-house data-science team, who would buy scoring as a service.",
        0.0,
        1.0,
        0.05,
    ),
    Assumption(
        "reachable_share",
        0.50,
        "fraction of those",
        "Those we can sell to in our first languages and regulatory regimes.",
        0.0,
        1.0,
        0.05,
    ),
    Assumption(
        "obtainable_share",
        0.02,
        "fraction of the serviceable market",
        "What a new company could win in about three years against incumbents; 1-5 % is "
        "the usual planning range.",
        0.0,
        0.2,
        0.005,
    ),
)

#: Lesson 04: the subscription plan beside the per-call price (``price_per_decision``).
PLANS = _group(
    "plans",
    Assumption(
        "subscription_fee",
        1_500.0,
        "US$ per month",
        "For lenders who score thousands of applicants a month: cheaper than paying per "
        "call above fee / price_per_decision applicants a month.",
        100.0,
        10_000.0,
        100.0,
    ),
    Assumption(
        "included_rows",
        5_000,
        "applicants per month included in the subscription",
        "About a large customer's month (60,000 decisions a year).",
        1_000,
        50_000,
        1_000,
    ),
    Assumption(
        "overage_per_row",
        0.25,
        "US$ per applicant beyond the included ones",
        "Half the per-call price: heavy users pay less per applicant, never nothing.",
        0.0,
        1.0,
        0.05,
    ),
)

#: Lessons 04 and 05: what serving costs.
SERVING = _group(
    "serving",
    Assumption(
        "server_monthly_usd",
        40.0,
        "US$ per month",
        "A small cloud virtual machine with 2 vCPUs and 4 GB of memory, the order of "
        "magnitude of public list prices in 2026 (check current ones); one is enough.",
        5.0,
        500.0,
        5.0,
    ),
    Assumption(
        "sustained_requests_per_second",
        2_500,
        "scoring requests per second",
        "Measured, then rounded down for a busy machine: benchmarks/service_load.py on the "
        "course's 2-CPU machine (the service on one CPU) sustained 3,600-4,100 requests "
        "per second on /v1/score on 2026-12-01; lesson 04 measures its own figure.",
        100,
        10_000,
        100,
    ),
)

#: Lesson 02: the market-demand model's inputs, D = P * Dc * (1 - C) * S * Pm, all in [0, 1].
DEMAND = _group(
    "demand",
    Assumption(
        "auc",
        0.78,
        "ROC AUC (0.5 = chance, 1 = perfect)",
        "A placeholder until lesson 03 measures the real model's held-out test AUC.",
        0.5,
        1.0,
        0.01,
    ),
    Assumption(
        "customer_demand",
        0.6,
        "index in [0, 1]",
        "Lenders want faster, cheaper decisions: clearly there, not urgent for all.",
        0.0,
        1.0,
        0.05,
    ),
    Assumption(
        "competition",
        0.7,
        "index in [0, 1] (1 = crowded)",
        "Credit bureaus and scoring vendors are established: a crowded market.",
        0.0,
        1.0,
        0.05,
    ),
    Assumption(
        "service",
        0.8,
        "index in [0, 1]",
        "The API, its documentation and support (lesson 04) are in place.",
        0.0,
        1.0,
        0.05,
    ),
    Assumption(
        "marketing",
        0.5,
        "index in [0, 1]",
        "A new company's reach: half of what an incumbent has.",
        0.0,
        1.0,
        0.05,
    ),
)

#: Lesson 05: a loan in money, and what running the company costs.
BUSINESS = _group(
    "business",
    Assumption(
        "loss_given_default",
        0.45,
        "fraction of the credit amount lost on a bad loan",
        "The Basel framework's foundation value for senior unsecured loans (45 %).",
        0.25,
        0.75,
        0.05,
    ),
    Assumption(
        "good_loan_margin",
        0.09,
        "fraction of the credit amount earned on a good loan",
        "Chosen so that a missed good loan costs a fifth of an approved bad one, as the "
        "German credit data's 5:1 cost matrix says (0.45 / 5 = 0.09).",
        0.03,
        0.2,
        0.01,
    ),
    Assumption(
        "fixed_costs_monthly",
        35_000.0,
        "US$ per month",
        "Two engineers and one person for sales and support (about US$ 10,000 a month "
        "each, fully loaded), plus compliance, audit and hosting (about US$ 5,000).",
        15_000.0,
        80_000.0,
        5_000.0,
    ),
    Assumption(
        "acquisition_cost",
        3_000.0,
        "US$ per new customer",
        "Business-to-business software sold to small firms: weeks of a salesperson's "
        "time and a pilot per customer; the usual planning range is 1,000-10,000.",
        1_000.0,
        10_000.0,
        500.0,
    ),
    Assumption(
        "monthly_churn",
        0.02,
        "fraction of customers lost per month",
        "Small-business software loses 1-3 % of its customers a month.",
        0.005,
        0.06,
        0.005,
    ),
    Assumption(
        "ramp_months",
        36,
        "months to reach the mature number of customers",
        "Lesson 01's obtainable market (SOM) is what a new company could win in about "
        "three years: we plan a straight line from no customers to it over 36 months.",
        6,
        72,
        6,
    ),
)

ASSUMPTIONS: dict[str, Assumption] = {**MARKET, **PLANS, **SERVING, **DEMAND, **BUSINESS}
#: Lesson 05's planning ranges: where each uncertain input plausibly lies (low, high), narrower
#: than the sliders' exploring ranges, with the reason. Scenarios take their ends, the tornado
#: moves one at a time, the Monte Carlo draws from a triangle peaking at the stated value. The
#: model's measured AUC and the population's bad rate have ranges too
#: (:mod:`course.business.case_inputs`).
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    # value for a lender
    "loss_given_default": (
        0.35,
        0.60,
        "around Basel's 45 %: unsecured consumer credit recovers "
        "more or less with collateral-free collection",
    ),
    "good_loan_margin": (
        0.06,
        0.12,
        "interest net of funding and servicing, a few per cent a "
        "year over a loan's two to four years",
    ),
    # customers
    "lenders": (10_000, 18_000, "public counts move by thousands, and who counts is a choice"),
    "serviceable_share": (0.25, 0.55, "no survey yet of lenders without a data-science team"),
    "reachable_share": (0.35, 0.65, "one or two more languages and regulatory regimes, or fewer"),
    "obtainable_share": (0.01, 0.05, "lesson 01's usual planning range for a new company"),
    "customer_demand": (0.5, 0.7, "a judged index: +/- 0.1, no survey behind it"),
    "competition": (0.6, 0.8, "a judged index: +/- 0.1, no survey behind it"),
    "service": (0.7, 0.9, "a judged index: +/- 0.1, no survey behind it"),
    "marketing": (0.4, 0.6, "a judged index: +/- 0.1, no survey behind it"),
    "ramp_months": (24, 48, "lesson 01's 'about three years', a year sooner or later"),
    # the company's month
    "price_per_decision": (0.25, 1.00, "half to twice the stated price: no price test yet"),
    "decisions_per_lender": (2_000, 15_000, "a small lender's few to a mid-sized one's many"),
    "fixed_costs_monthly": (25_000.0, 50_000.0, "a leaner team, or one more hire and an audit"),
    "acquisition_cost": (1_500.0, 6_000.0, "half to twice the stated cost of a sale"),
    "monthly_churn": (0.01, 0.04, "the usual range for small-business software, widened"),
    "server_monthly_usd": (20.0, 80.0, "half to twice a small virtual machine's list price"),
    "sustained_requests_per_second": (
        1_000,
        4_000,
        "measured 3,600-4,100 on the course's machine; a slower one, or a busier service",
    ),
}

#: The values each assumption can take at all (outside them it means nothing), for the one-line
#: error a learner gets when setting one: (lowest, highest, whether the lowest is allowed).
_FRACTIONS = {
    "serviceable_share",
    "reachable_share",
    "obtainable_share",
    "customer_demand",
    "competition",
    "service",
    "marketing",
    "auc",
    "loss_given_default",
    "good_loan_margin",
}


def valid_range(name: str) -> tuple[float, float, bool]:
    """(lowest, highest, lowest allowed) for an assumption: fractions and indices lie in
    [0, 1], churn in [0, 1), costs are >= 0, every other quantity > 0."""
    if name in _FRACTIONS:
        return (0.0, 1.0, True)
    if name == "monthly_churn":
        return (0.0, 1.0 - 1e-9, True)
    if name in ("fixed_costs_monthly", "acquisition_cost", "server_monthly_usd", "overage_per_row"):
        return (0.0, float("inf"), True)
    return (0.0, float("inf"), False)


def check_value(name: str, number: float) -> float:
    """``number`` if ``name`` can take it, else a one-line ``ValueError`` naming the valid range."""
    low, high, closed = valid_range(name)
    unit = ASSUMPTIONS[name].unit if name in ASSUMPTIONS else ""
    try:
        number = float(number)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number ({unit}), got {number!r}") from None
    inside = (number >= low if closed else number > low) and number <= high
    if not (math.isfinite(number) and inside):
        if high == 1.0 or name == "monthly_churn":
            words = f"a fraction in [0, 1{')' if name == 'monthly_churn' else ']'}"
        else:
            words = ">= 0" if closed else "> 0"
        raise ValueError(f"{name} must be {words} ({unit}), got {number!r}")
    return number


def planning_range(name: str, centre: float | None = None) -> tuple[float, float]:
    """The planning range of ``name`` (:data:`PLAUSIBLE`) around ``centre`` (default: the
    stated value). A learner's value moves the range with it, in proportion (half the price,
    half the range), kept inside the values the input can take: so any valid value has a range
    around it, never one that misses it."""
    low, high, _ = PLAUSIBLE[name]
    stated = value(name)
    centre = stated if centre is None else check_value(name, centre)
    if centre != stated:
        scale = centre / stated
        low, high = low * scale, high * scale
    floor, ceiling, _ = valid_range(name)
    return (max(floor, min(low, centre)), min(ceiling, max(high, centre)))


#: The demand scenario of lesson 02's exercise 4, as a plain dict of values.
DEMAND_SCENARIO = {name: a.value for name, a in DEMAND.items()}


def value(name: str) -> float:
    """The value of one assumption (a KeyError lists the known names)."""
    try:
        return ASSUMPTIONS[name].value
    except KeyError:
        raise KeyError(f"no assumption {name!r}; known: {', '.join(ASSUMPTIONS)}") from None


def table(group: str | None = None):
    """The assumptions (of one group: market, plans, serving, demand) as a DataFrame."""
    import pandas as pd

    rows = [
        {"assumption": a.name, "value": a.value, "unit": a.unit, "group": a.group, "why": a.why}
        for a in ASSUMPTIONS.values()
        if group in (None, a.group)
    ]
    return pd.DataFrame(rows).set_index("assumption")


def plausible_table():
    """The planning ranges (:data:`PLAUSIBLE`) beside the stated values, as a DataFrame."""
    import pandas as pd

    rows = [
        {
            "input": n,
            "low": low,
            "stated": value(n),
            "high": high,
            "unit": ASSUMPTIONS[n].unit,
            "why": why,
        }
        for n, (low, high, why) in PLAUSIBLE.items()
    ]
    return pd.DataFrame(rows).set_index("input")


def obtainable_decisions_per_year(**overrides: float) -> float:
    """Credit decisions a year from the customers we could win (lesson 01's SOM, in decisions):
    lenders x serviceable share x reachable share x obtainable share x decisions per lender."""
    v = {name: a.value for name, a in MARKET.items()} | overrides
    customers = v["lenders"] * v["serviceable_share"] * v["reachable_share"] * v["obtainable_share"]
    return customers * v["decisions_per_lender"]


def obtainable_decisions_per_month(**overrides: float) -> float:
    """:func:`obtainable_decisions_per_year` / 12: the volume the service must carry."""
    return obtainable_decisions_per_year(**overrides) / MONTHS_PER_YEAR

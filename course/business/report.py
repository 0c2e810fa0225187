"""Lesson 05's report: the business case (:class:`course.business.decision.Case`) as tables and as
a shareable document.

- :func:`evidence` lists every input of the case and the figures derived from them, each with
  its value, unit, source and kind (:class:`Evidence`); :func:`evidence_table` shows it.
- :func:`values_table`, :func:`economics_table` and :func:`uncertainty_table`: the value of each
  credit policy, the unit economics and the plan, and the tornado, as DataFrames.
- :func:`write_report`: the rule, the verdict and every table as Markdown and as one
  self-contained HTML file.

Every number is shown with :func:`shown`, at the precision the case guarantees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.assumptions import SECONDS_PER_MONTH
from course.business.case_inputs import values_of
from course.business.decision import Case
from course.business.lending import BASELINES, MODEL, RATES
from course.config import write_atomically

# --- the evidence -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One row of the evidence table: a figure with its unit, source and kind."""

    name: str
    value: float
    unit: str
    source: str
    kind: str  # measured, assumed, chosen or derived
    range: str = ""  # an uncertain input's planning range and its reason


def evidence(case: Case) -> list[Evidence]:
    """Every input of the case (each uncertain one with its planning range in its source) and
    the figures derived from them, each with its value, unit, source and kind. The inputs are
    exactly what :func:`course.business.decision.build_case` reads; a test checks both ways."""
    return [*_input_rows(case), *_model_rows(case), *_market_rows(case), *_company_rows(case)]


def _input_rows(case: Case) -> list[Evidence]:
    rows = []
    for i in case.inputs.values():
        span = "" if i.low is None else f"{shown(i.low)} to {shown(i.high)}: {i.why}"
        rows.append(Evidence(i.name, i.value, i.unit, i.source, i.kind, span))
    return rows


def _model_rows(case: Case) -> list[Evidence]:
    """The model's threshold, what it approves and its gain over the best baseline."""
    pop, best = case.population_rate, case.best_baseline()
    probability = "P(default), sample-calibrated"
    return [
        Evidence("decision threshold", case.threshold, probability, "03 model card", "chosen"),
        Evidence(
            "threshold at the population's rate",
            case.population_threshold,
            probability,
            "03 course.credit.evaluate.prior_shift_threshold",
            "derived",
        ),
        Evidence(
            "approved by the model (sample)",
            case.approved["sample"],
            "share of test applicants",
            "03 model at its threshold",
            "measured",
        ),
        Evidence(
            f"approved by the model ({pop:.0%} bad)",
            case.approved["population"],
            "share of test applicants",
            "05 at the shifted threshold",
            "measured",
        ),
        Evidence(
            f"model's gain over {best}",
            case.gains["population"][best].mean,
            f"EUR per 1,000 applications at {pop:.0%} bad",
            "05 bootstrap_gains",
            "derived",
        ),
    ]


def _market_rows(case: Case) -> list[Evidence]:
    """The customers: lesson 01's SOM and lesson 02's demand index, ours and the plan's."""
    som, x = case.som_lenders, values_of(case.inputs)
    return [
        Evidence(
            "SOM in lenders",
            som,
            "lenders",
            "01 lenders x serviceable x reachable x obtainable",
            "derived",
        ),
        Evidence(
            "SOM",
            som * x["decisions_per_lender"] * x["price_per_decision"],
            "US$ per year",
            "01 course.market.sizing.market_size at this price",
            "derived",
        ),
        Evidence(
            "demand D (ours)",
            case.demand,
            "index in [0, 1]",
            "02's formula, measured skill",
            "derived",
        ),
        Evidence(
            "demand D (plan)",
            case.demand_plan,
            "index in [0, 1]",
            "02's formula, the plan",
            "derived",
        ),
        Evidence(
            "paying lenders at maturity",
            case.customers,
            "lenders",
            "05 SOM in lenders x D (ours) / D (plan)",
            "derived",
        ),
    ]


def _company_rows(case: Case) -> list[Evidence]:
    """The serving cost and load, the unit economics and the plan."""
    e, plan, x = case.economics, case.plan, values_of(case.inputs)
    volume = case.customers * e.decisions_per_customer_month
    per_customer_month = "US$ per customer per month"
    return [
        Evidence(
            "serving cost",
            e.serving_cost_per_decision * 1e6,
            "US$ per million decisions",
            "04 cost_per_thousand on a fully busy server",
            "derived",
        ),
        Evidence(
            "mean load at maturity",
            volume / SECONDS_PER_MONTH,
            "requests per second, of "
            f"{shown(x['sustained_requests_per_second'])} one server sustains",
            "04 course.business.pricing: one server is enough",
            "derived",
        ),
        Evidence(
            "contribution per customer",
            e.contribution_per_customer,
            per_customer_month,
            "05 UnitEconomics",
            "derived",
        ),
        Evidence(
            "break-even customers (steady state)",
            e.break_even_customers,
            "customers",
            "05 UnitEconomics",
            "derived",
        ),
        Evidence("payback", e.payback_months, "months", "05 UnitEconomics", "derived"),
        Evidence(
            "lifetime value / acquisition cost",
            e.ltv_to_cac,
            "ratio",
            "05 UnitEconomics",
            "derived",
        ),
        Evidence(
            "first-year profit", plan.first_year_profit, "US$ in months 1-12", "05 Plan", "derived"
        ),
        Evidence(
            "steady-state profit", plan.steady_state_profit, "US$ per year", "05 Plan", "derived"
        ),
        Evidence(
            "funding need",
            plan.funding_need,
            f"US$, deepest cumulative loss in {plan.months} months",
            "05 Plan",
            "derived",
        ),
    ]


# --- the tables and the report ----------------------------------------------------------------


def shown(number: float) -> str:
    """A number at the precision the case guarantees: whole units from 1,000 up, else 4
    significant digits (the stored outputs must not change with the CPU)."""
    if isinstance(number, float) and math.isinf(number):
        return "never" if number > 0 else "-inf"
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.4g}"


def evidence_table(case: Case):
    """:func:`evidence` as a DataFrame, values shown with :func:`shown`."""
    import pandas as pd

    rows = [{**e.__dict__, "value": shown(e.value)} for e in evidence(case)]
    return pd.DataFrame(rows).set_index("name")


def values_table(case: Case):
    """Each policy's value (EUR per 1,000 applications) at the sample's and the population's bad
    rate, and the model's gain over each baseline with its interval at both."""
    import pandas as pd

    rows = {}
    for name in [*BASELINES, MODEL]:
        row = {f"value, {r}": round(case.values[r][name]) for r in RATES}
        for r in RATES:
            g = case.gains[r].get(name)
            row[f"model minus it, {r}"] = (
                "" if g is None else (f"{g.mean:,.0f} ({g.low:,.0f} to {g.high:,.0f})")
            )
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def economics_table(case: Case):
    """The unit economics and the plan, every figure with its currency and period."""
    import pandas as pd

    e, p = case.economics, case.plan
    per_customer_month = "US$ per customer per month"
    rows = [
        ("price per decision", e.price_per_decision, "US$ per decision"),
        ("revenue per customer", e.revenue_per_customer, per_customer_month),
        ("serving cost", e.serving_cost_per_decision * 1e6, "US$ per million decisions"),
        ("contribution per customer", e.contribution_per_customer, per_customer_month),
        ("replacing leavers (churn x CAC)", e.replacement_per_customer, per_customer_month),
        ("acquisition cost (CAC), paid when won", e.acquisition_cost, "US$ per customer"),
        ("fixed costs", e.fixed_costs_monthly, "US$ per month"),
        ("break-even customers, steady state", e.break_even_customers, "customers"),
        (
            "paying lenders at maturity",
            case.customers,
            f"customers from month {math.ceil(p.ramp_months)}",
        ),
        ("payback", e.payback_months, "months"),
        ("lifetime value (LTV)", e.lifetime_value, "US$ per customer, undiscounted"),
        ("LTV / CAC", e.ltv_to_cac, "ratio"),
        ("first-year profit", p.first_year_profit, "US$ in months 1-12"),
        ("steady-state profit", p.steady_state_profit, "US$ per year"),
        ("funding need", p.funding_need, f"US$, deepest cumulative loss in {p.months} months"),
    ]
    table = [{"figure": n, "value": shown(v), "unit": u} for n, v, u in rows]
    return pd.DataFrame(table).set_index("figure")


def uncertainty_table(case: Case):
    """The tornado as a table: every uncertain input, its range, and steady-state profit and the
    model's edge over the best baseline at each end."""
    import pandas as pd

    rows = [
        {
            "input": r.name,
            "low": shown(r.low),
            "high": shown(r.high),
            "profit at low (US$/yr)": shown(r.profit_at_low),
            "profit at high (US$/yr)": shown(r.profit_at_high),
            "first year at low (US$)": shown(r.first_year_at_low),
            "first year at high (US$)": shown(r.first_year_at_high),
            "edge at low (EUR/1,000)": shown(r.edge_at_low),
            "edge at high (EUR/1,000)": shown(r.edge_at_high),
        }
        for r in case.tornado
    ]
    return pd.DataFrame(rows).set_index("input")


def write_report(case: Case, folder: Path, figure: Any = None, alt: str = "") -> dict[str, Path]:
    """The case as Markdown and as one self-contained HTML file (``figure`` embedded as a PNG,
    with ``alt`` as its text); returns their paths."""
    import html

    folder.mkdir(parents=True, exist_ok=True)
    s = case.simulation
    lines = [
        "# Business case: a credit-risk scoring API",
        "",
        "## The rule (stated first)",
        *case.rule.describe(),
        "",
        "## The verdict",
        *case.verdict(),
        "",
        "## Value for a lender (EUR per 1,000 applications)",
        *[
            f"  - {line.strip()}" if line.startswith("  ") else f"- {line}"
            for line in [*case.value_lines("population"), *case.value_lines("sample")]
        ],
        "",
        "## Unit economics",
        *[f"- {n}: {r['value']} {r['unit']}" for n, r in economics_table(case).iterrows()],
        f"- {case.first_year_note()}",
        "",
        "## Uncertainty",
        f"- Monte Carlo over every uncertain input ({s['draws']:,.0f} draws): all three "
        f"criteria hold in {s['P(go)']:.0%} of draws; value {s['P(value_ok)']:.0%}, market "
        f"{s['P(market_ok)']:.0%}, payback {s['P(payback_ok)']:.0%}; steady-state profit "
        f"above zero in {s['P(steady-state profit > 0)']:.0%}.",
        "",
        "## The evidence",
        "| input | value | unit | planning range | source | kind |",
        "|---|---|---|---|---|---|",
        *[
            f"| {e.name} | {shown(e.value)} | {e.unit} | {e.range} | {e.source} | {e.kind} |"
            for e in evidence(case)
        ],
    ]
    markdown = write_atomically(folder / "business_case.md", "\n".join(lines) + "\n")
    image = ""
    if figure is not None:
        from course.plots import image_tag

        image = image_tag(figure, alt)
    # the HTML page leaves the evidence table out: the Markdown file carries it
    body = "".join(
        f"<p>{html.escape(line)}</p>" for line in lines if line and not line.startswith("|")
    )
    page = write_atomically(
        folder / "business_case.html",
        f"<!doctype html><meta charset='utf-8'><title>Business case</title>{body}{image}",
    )
    return {"markdown": markdown, "html": page}

"""Lesson 05's decision: the evidence from lessons 01-04, a go/no-go rule stated before the
numbers, the rule applied, and a shareable report.

:func:`build_case` computes everything from a model and the stated assumptions: swap the model
(a worse one creates less value and less demand) or the plans, and every figure and the verdict
follow. Nothing in it is copied from an earlier notebook's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from course import assumptions, business
from course.assumptions import value
from course.config import write_atomically

#: The inputs the scenarios, the tornado and the Monte Carlo vary.
UNCERTAIN = ["price_per_decision", "decisions_per_lender", "fixed_costs_monthly",
             "acquisition_cost", "monthly_churn"]  # fmt: skip
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


@dataclass(frozen=True)
class Rule:
    """The go/no-go rule, stated before any number is computed."""

    max_payback_months: float = 12.0
    level: float = 0.95

    def describe(self) -> list[str]:
        return [f"1. Value: the model creates more value for a lender than its current policy "
                f"({CURRENT_POLICY}), with the whole {self.level:.0%} interval above zero.",
                "2. Market: the customers the demand formula gives reach the break-even number.",
                f"3. Payback: a customer's contribution repays what it cost to win them within "
                f"{self.max_payback_months:.0f} months."]  # fmt: skip


@dataclass(frozen=True)
class Evidence:
    name: str
    value: float
    unit: str
    source: str
    kind: str  # measured, assumed or derived


@dataclass
class Case:
    """Every number of the business case, and the verdict under :class:`Rule`."""

    auc: float
    threshold: float
    values: dict[str, float]  # euros per 1,000 applications, per policy
    gain: business.Gain  # the model against the current policy
    demand: float
    customers: float
    economics: business.UnitEconomics
    scenarios: dict[str, float]
    tornado: list[tuple[str, float, float]]
    probability_of_profit: float
    approved: float = float("nan")  # share of the test applicants the model approves
    rule: Rule = field(default_factory=Rule)

    @property
    def checks(self) -> dict[str, bool]:
        return {"value": self.gain.certain,
                "market": self.customers >= self.economics.break_even_customers,
                "payback": self.economics.payback_months <= self.rule.max_payback_months}  # fmt: skip

    @property
    def go(self) -> bool:
        return all(self.checks.values())

    @property
    def flip_price(self) -> float:
        """The price per decision at which the demand's customers exactly break even."""
        e = self.economics
        if self.customers <= 0:
            return float("inf")
        return e.serving_cost_per_decision + e.fixed_costs_monthly / (
            self.customers * e.decisions_per_customer_month)

    def verdict(self) -> list[str]:
        """The decision and, for each criterion, the evidence and what would flip it."""
        e, g = self.economics, self.gain
        lines = [f"Decision: {'GO' if self.go else 'NO-GO'}"]
        lines.append(f"- value {'met' if self.checks['value'] else 'NOT met'}: EUR {g.mean:,.0f} "
                     f"more per {g.per:,} applications than the current policy "
                     f"({g.level:.0%} interval {g.low:,.0f} to {g.high:,.0f}).")
        lines.append(f"- market {'met' if self.checks['market'] else 'NOT met'}: "
                     f"{self.customers:,.0f} customers from the demand formula, "
                     f"{e.break_even_customers:,.0f} needed to break even; it flips at a price of "
                     f"US$ {self.flip_price:.2f} per decision.")
        lines.append(f"- payback {'met' if self.checks['payback'] else 'NOT met'}: "
                     f"{e.payback_months:.1f} months to earn back an acquisition cost of "
                     f"US$ {e.acquisition_cost:,.0f}.")
        return lines


def current_policy(applicants) -> np.ndarray:
    """The lender's current approve mask: everyone who has a checking account at this bank."""
    return (applicants["checking_status"] != "no checking account").to_numpy()


def policies(test, probabilities, threshold: float) -> dict[str, np.ndarray]:
    """Approve masks on the test applicants: approve everyone, the current one-rule policy, and
    the model (approve below the threshold)."""
    return {"approve everyone": np.ones(len(test), dtype=bool),
            CURRENT_POLICY: current_policy(test),
            "the model": np.asarray(probabilities) < threshold}  # fmt: skip


def demand_customers(auc: float) -> tuple[float, float]:
    """The seed's demand D = P * Dc * (1 - C) * S * Pm with P the model's skill (2 * AUC - 1, so
    a coin flip creates none) and the stated demand scenario, and the customers it implies: D as
    the share of the lenders we can serve and reach (lesson 01's SAM) who buy."""
    from course.scoring import auc_skill, market_demand

    s = assumptions.DEMAND_SCENARIO
    demand = market_demand(auc_skill(auc), s["customer_demand"], s["competition"], s["service"],
                           s["marketing"])  # fmt: skip
    return demand, demand * reachable_lenders()


def reachable_lenders() -> float:
    """The lenders we can serve and reach: lesson 01's SAM, counted in lenders."""
    return value("lenders") * value("serviceable_share") * value("reachable_share")


def build_case(model=None, plans=None, rule: Rule | None = None, seed: int = 0) -> Case:
    """The whole case from ``model`` (default: the reference model's NumPy artifact, built first
    if missing; anything with ``predict_proba(records)`` and ``threshold``) and ``plans``."""
    from sklearn.metrics import roc_auc_score

    from course.credit.data import FEATURES, split_data
    from course.pricing import Plans, serving_cost

    if model is None:
        from course.credit.numpy_model import NumpyCreditModel
        from course.credit.reference import ensure_artifacts

        model = NumpyCreditModel.load(ensure_artifacts())
    plans = plans or Plans()
    test = split_data().test
    probabilities = np.asarray(model.predict_proba(test[FEATURES].to_dict("records")))
    bad, amounts = test["default"].to_numpy() == 1, test["credit_amount"].to_numpy()
    auc = float(roc_auc_score(bad, probabilities))  # measured here, on the held-out test split
    masks = policies(test, probabilities, model.threshold)
    gain = business.bootstrap_gain(bad, amounts, masks["the model"], masks[CURRENT_POLICY],
                                   seed=seed, level=(rule or Rule()).level)  # fmt: skip
    demand, customers = demand_customers(auc)
    serving = serving_cost().per_thousand_usd / 1000
    economics = business.UnitEconomics.from_assumptions(serving, price_per_decision=plans.price_per_row)
    profit = business.profit_model(customers, serving)
    return Case(auc=auc, threshold=float(model.threshold),
                values=business.policy_values(bad, amounts, masks), gain=gain, demand=demand,
                customers=customers, economics=economics,
                scenarios=business.scenarios(profit, UNCERTAIN),
                tornado=business.tornado(profit, UNCERTAIN),
                probability_of_profit=business.probability_of_profit(profit, UNCERTAIN, seed=seed),
                approved=float(masks["the model"].mean()), rule=rule or Rule())  # fmt: skip


def evidence(case: Case) -> list[Evidence]:
    """Every input of the case with its value, unit, source (lesson and function) and kind."""
    from course import sizing

    from course import scorecard

    market = sizing.market_size()
    ranking = scorecard.rank_paths()
    plans = [("price_per_decision", "04 course.pricing.Plans"),
             ("subscription_fee", "04 course.pricing.Plans"),
             ("server_monthly_usd", "04 course.pricing.serving_cost"),
             ("sustained_requests_per_second", "04 benchmarks/service_load.py, rounded down")]
    rows = [Evidence("SOM", market["SOM"], "US$ per year", "01 course.sizing.market_size", "derived"),
            Evidence(f"scorecard: {ranking.index[0]} ranks first", float(ranking.iloc[0]),
                     "score in [0, 1]", "02 course.scorecard.rank_paths", "derived"),
            Evidence("held-out test ROC AUC", case.auc, "AUC", "03 reference model on the test split",
                     "measured"),
            Evidence("approved by the model", case.approved, "share of test applicants",
                     "03 reference model at its threshold", "measured"),
            Evidence("decision threshold", case.threshold, "P(default)", "03 model card", "chosen"),
            Evidence("demand D", case.demand, "index in [0, 1]", "05 demand_customers (02's formula)",
                     "derived"),
            Evidence("customers", case.customers, "lenders", "05 demand_customers", "derived")]
    rows += [Evidence(n, value(n), assumptions.ASSUMPTIONS[n].unit, source, "assumed")
             for n, source in plans]
    rows += [Evidence(n, value(n), assumptions.ASSUMPTIONS[n].unit, "05 course.assumptions",
                      "assumed") for n in ("loss_given_default", "good_loan_margin",
                                           "fixed_costs_monthly", "acquisition_cost",
                                           "monthly_churn")]  # fmt: skip
    return rows


def shown(number: float) -> str:
    """A number at the precision the case guarantees: whole units from 1,000 up, else 4
    significant digits (the stored outputs must not change with the CPU)."""
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.4g}"


def evidence_table(case: Case):
    """:func:`evidence` as a DataFrame, values shown with :func:`shown`."""
    import pandas as pd

    rows = [{**e.__dict__, "value": shown(e.value)} for e in evidence(case)]
    return pd.DataFrame(rows).set_index("name")


def write_report(case: Case, folder: Path, figure: Any = None, alt: str = "") -> dict[str, Path]:
    """The case as Markdown and as one self-contained HTML file (``figure`` embedded as a PNG,
    with ``alt`` as its text); returns their paths."""
    import html

    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Business case: a credit-risk scoring API", "", "## The rule (stated first)",
             *case.rule.describe(), "", "## The verdict", *case.verdict(), "", "## The evidence",
             "| input | value | unit | source | kind |", "|---|---|---|---|---|",
             *[f"| {e.name} | {shown(e.value)} | {e.unit} | {e.source} | {e.kind} |"
               for e in evidence(case)]]  # fmt: skip
    markdown = write_atomically(folder / "business_case.md", "\n".join(lines) + "\n")
    image = ""
    if figure is not None:
        from course.plots import image_tag

        image = image_tag(figure, alt)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line and not line.startswith("|"))
    page = write_atomically(folder / "business_case.html", "<!doctype html><meta charset='utf-8'>"
                             f"<title>Business case</title>{body}{image}")  # fmt: skip
    return {"markdown": markdown, "html": page}


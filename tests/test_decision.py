"""Lesson 05's decision follows the evidence, and a useless model cannot pass it.

The adversaries are real: networks trained with the course's own recipe on shuffled labels
(:mod:`tests.adversaries`, several seeds), and models that reject or approve everyone. Each must
fail the value criterion, for that reason, and the verdict's words must say so."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course import assumptions
from course.business import case_inputs, decision, lending, report
from course.business.pricing import Plans
from tests.adversaries import ConstantModel, shuffled_label_models

FAST = {"draws": 400, "resamples": 400}


@pytest.fixture(scope="module")
def reference_model():
    from course.credit.numpy_model import NumpyCreditModel
    from course.credit.reference import ensure_artifacts

    return NumpyCreditModel.load(ensure_artifacts())


@pytest.fixture(scope="module")
def reference_case(reference_model):
    return decision.build_case(reference_model)


@pytest.fixture(scope="module")
def lender(reference_model):
    return lending.lender_value(reference_model)


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory):
    return shuffled_label_models(tmp_path_factory.mktemp("shuffled"))


def _useless(case) -> None:
    """The case of a useless model: value fails at the population's rate, for that reason."""
    assert not case.checks["value"] and not case.go
    best = case.best_baseline()
    assert not case.gains["population"][best].certain
    line = case.verdict()[1]
    assert line.startswith("- value NOT met") and best in line and "does not clear zero" in line
    assert case.verdict()[0].startswith("Decision: NO-GO (value")


# --- the rule and the reference case ----------------------------------------------------------


def test_the_reference_case_reads_the_measured_auc_and_states_its_rule(reference_case):
    from course.credit.reference import held_out_auc

    assert reference_case.auc == pytest.approx(held_out_auc(), abs=1e-4)  # the model card agrees
    rule = reference_case.rule.describe()
    assert len(rule) == 3 and all(name in rule[0] for name in lending.BASELINES)
    assert "population" in rule[0] and "reject everyone" in rule[0]
    assert set(reference_case.values["sample"]) == {*lending.BASELINES, lending.MODEL}
    kinds = {e.kind for e in report.evidence(reference_case)}
    assert {"measured", "assumed", "derived", "chosen"} <= kinds


def test_the_baselines_are_fixed_and_the_current_rule_keeps_its_figures(reference_case):
    assert list(lending.BASELINES) == [
        "approve everyone",
        "reject everyone",
        lending.CURRENT_POLICY,
        lending.OFFICER_RULE,
    ]
    sample = reference_case.values["sample"]
    assert sample["reject everyone"] == 0
    assert round(sample[lending.CURRENT_POLICY]) == -99_710  # the figure issue 25 kept
    masks = reference_case.lender.baselines
    assert masks[lending.CURRENT_POLICY].mean() == pytest.approx(0.72)
    assert (masks[lending.OFFICER_RULE] <= masks[lending.CURRENT_POLICY]).all()  # stricter


def test_the_value_criterion_is_judged_at_the_population_rate_with_the_shifted_threshold(
    reference_case,
):
    from course.credit import coding
    from course.credit.evaluate import prior_shift_threshold

    case = reference_case
    assert case.population_rate == coding.POPULATION_BAD_RATE  # reused, not copied
    assert case.population_threshold == pytest.approx(
        prior_shift_threshold(case.threshold, 0.3, coding.POPULATION_BAD_RATE)
    )
    assert case.approved["population"] > case.approved["sample"]  # the corrected model lends more
    value_ok = all(g.certain for g in case.gains["population"].values())
    assert case.checks["value"] == value_ok
    # the sample's figure is shown beside it, and the two rankings differ (finding 2)
    ranking = {r: sorted(case.values[r], key=case.values[r].get) for r in lending.RATES}
    assert ranking["sample"] != ranking["population"]
    assert case.best_baseline("population") == "approve everyone"


def test_reweighting_to_a_rate_is_the_class_mix_at_that_rate(lender):
    from course.business import economics as business

    masks = lender.masks(None)
    bad, amounts = lender.bad, lender.amounts
    values = business.decision_values(bad, masks[lending.MODEL], amounts)
    at = business.policy_values(bad, amounts, {"m": masks[lending.MODEL]}, rate=0.05)["m"]
    assert at == pytest.approx(1000 * (0.05 * values[bad].mean() + 0.95 * values[~bad].mean()))
    sample = business.policy_values(bad, amounts, {"m": masks[lending.MODEL]})["m"]
    assert sample == pytest.approx(1000 * values.mean())


# --- real adversaries --------------------------------------------------------------------------


def test_shuffled_label_models_score_near_the_base_rate_and_fail_for_the_right_reason(
    shuffled, lender
):
    from sklearn.metrics import roc_auc_score

    for model in shuffled:
        scores = np.asarray(model.predict_proba(_records()))
        assert abs(np.median(scores) - 0.3) < 0.12, "a real useless model scores near the base rate"
        assert abs(roc_auc_score(lender.bad, scores) - 0.5) < 0.16
        case = decision.build_case(model, **FAST)
        _useless(case)
        assert case.customers < 0.1 * decision.build_case(lender=lender, **FAST).customers + 10


def test_a_model_that_rejects_everyone_fails_value_not_only_market():
    case = decision.build_case(ConstantModel(1.0), **FAST)
    _useless(case)
    assert case.approved == {"sample": 0.0, "population": 0.0}
    g = case.gains["sample"]["reject everyone"]
    assert (g.mean, g.low, g.high) == (0, 0, 0)  # lending less is not skill, even at 30 % bad
    assert case.gains["sample"][lending.CURRENT_POLICY].certain  # ... though it beats the rule


def test_a_model_that_approves_everyone_fails_value():
    case = decision.build_case(ConstantModel(0.0), **FAST)
    _useless(case)
    assert case.approved == {"sample": 1.0, "population": 1.0}
    assert case.gains["population"]["approve everyone"].mean == 0


class _Sharpened:
    """The reference model's scores moved toward the truth by ``k`` on the logit scale: a model
    that ranks better (test-only: it peeks at the labels)."""

    def __init__(self, base, bad, k):
        self.base, self.bad, self.k, self.threshold = base, bad, k, base.threshold

    def predict_proba(self, records):
        p = np.clip(self.base.predict_proba(records), 1e-9, 1 - 1e-9)
        logit = np.log(p / (1 - p)) + self.k * (2 * self.bad - 1)
        return 1 / (1 + np.exp(-logit))


class _Shifted(_Sharpened):
    """The reference model's scores shifted on the logit scale: the same ranking, miscalibrated."""

    def predict_proba(self, records):
        p = np.clip(self.base.predict_proba(records), 1e-9, 1 - 1e-9)
        return 1 / (1 + np.exp(-(np.log(p / (1 - p)) + self.k)))


def test_a_better_ranking_or_better_calibrated_model_moves_value_the_right_way(
    reference_model, lender
):
    base = decision.build_case(lender=lender, **FAST)
    edges = [base.gains["population"][base.best_baseline()].mean]
    customers = [base.customers]
    for k in (1.0, 2.0):
        case = decision.build_case(_Sharpened(reference_model, lender.bad, k), **FAST)
        edges.append(case.gains["population"][case.best_baseline()].mean)
        customers.append(case.customers)
    assert edges == sorted(edges) and customers == sorted(customers)
    assert decision.build_case(_Sharpened(reference_model, lender.bad, 3.0), **FAST).checks["value"]
    for k in (-1.5, 1.5):  # miscalibrated either way: same ranking, less value
        shifted = decision.build_case(_Shifted(reference_model, lender.bad, k), **FAST)
        assert shifted.auc == pytest.approx(base.auc)
        assert (
            shifted.values["population"][lending.MODEL] < base.values["population"][lending.MODEL]
        )


def _records():
    from course.credit.data import FEATURES, split_data

    return split_data().test[FEATURES].to_dict("records")


# --- the verdict's words follow the verdict ----------------------------------------------------


def test_no_sentence_of_the_verdict_stays_true_for_a_useless_model(reference_case):
    from course.business.figures import summary_text

    useless = decision.build_case(ConstantModel(1.0), **FAST)
    for case in (reference_case, useless):
        text = " ".join(case.verdict())
        for name, met in case.checks.items():
            assert (f"- {name} met" in text) == met and (f"- {name} NOT met" in text) == (not met)
        assert ("GO" if case.go else "NO-GO") in case.verdict()[0]
        lines = case.value_lines("population")
        for name, g in case.gains["population"].items():
            line = next(line for line in lines if line.strip().startswith(f"vs {name}:"))
            assert ("the model beats it" in line) == g.certain
    alt = summary_text(useless)
    assert "above zero against no baseline" in alt or "reject everyone" not in alt.split(";")[0]
    assert "creates more value" not in alt


def test_the_lesson_prose_makes_no_claim_the_numbers_must_make():
    """Markdown cells from the value section on hold no outcome about this model: those are
    printed from the case (the words above), so they follow any model."""
    notebook = json.loads(open("solutions/05_business_case.ipynb", encoding="utf-8").read())
    cells = [c for c in notebook["cells"] if c["cell_type"] == "markdown"]
    start = next(i for i, c in enumerate(cells) if "Value for a lender" in "".join(c["source"]))
    claims = [
        "the model beats",
        "model is clearly",
        "worth money to",
        "the model creates more",
        "creates more value than",
        "is valuable",
        "model is useful",
    ]
    for cell in cells[start:]:
        text = " ".join("".join(cell["source"]).lower().split())
        for claim in claims:
            assert claim not in text, (
                f"{claim!r} in a markdown cell: print it from the case instead"
            )


def test_the_verdict_says_what_would_flip_each_criterion(reference_case):
    case = reference_case
    lines = case.verdict()
    assert (
        f"US$ {case.flip_price:,.2f}" in lines[2] and f"US$ {case.payback_price:,.2f}" in lines[3]
    )
    at = replace(
        case,
        plan=replace(
            case.plan, economics=replace(case.economics, price_per_decision=case.flip_price * 1.001)
        ),
    )
    below = replace(
        case,
        plan=replace(
            case.plan, economics=replace(case.economics, price_per_decision=case.flip_price * 0.999)
        ),
    )
    assert at.checks["market"] and not below.checks["market"]
    pay = replace(case.economics, price_per_decision=case.payback_price * 1.001)
    assert pay.payback_months <= case.rule.max_payback_months
    if not case.checks["value"]:
        assert "would" in lines[1] and "bad rate" in lines[1]


# --- plans and any price -----------------------------------------------------------------------


def test_plans_flow_into_every_figure_and_the_evidence_says_so(lender):
    dearer = decision.build_case(plans=Plans(price_per_row=1.2), lender=lender, **FAST)
    assert dearer.economics.price_per_decision == 1.2
    price = dearer.inputs["price_per_decision"]
    assert price.value == 1.2 and "Plans, passed to build_case" in price.source
    assert price.low < 1.2 < price.high  # the range moves with the price set
    row = next(r for r in dearer.tornado if r.name == "price_per_decision")
    assert (row.low, row.high) == (price.low, price.high)
    default = decision.build_case(lender=lender, **FAST)
    assert "Plans" not in default.inputs["price_per_decision"].source
    assert dearer.plan.steady_state_profit > default.plan.steady_state_profit
    assert dearer.scenarios["base"]["steady_state"] == pytest.approx(
        dearer.plan.steady_state_profit
    )
    assert dearer.simulation["steady_state median"] > default.simulation["steady_state median"]


@pytest.mark.parametrize("price", [0.2, 0.8, 1.2, 1.8, 5.0])
def test_a_plausible_price_never_crashes_and_market_means_steady_state_profit(price, lender):
    case = decision.build_case(plans=Plans(price_per_row=price), lender=lender, **FAST)
    assert case.verdict()[0].startswith("Decision:")
    # finding 4: the market criterion said "met" while the business lost money; now it holds
    # exactly when the mature customers make a steady-state profit, churn replaced
    assert case.checks["market"] == (case.plan.steady_state_profit >= 0)


@pytest.mark.parametrize(
    "plans, assume, message",
    [
        (Plans(price_per_row=0.0), None, "price_per_decision must be > 0"),
        (Plans(price_per_row=-1.0), None, "price_per_decision must be > 0"),
        (None, {"monthly_churn": 1.5}, "monthly_churn must be a fraction in [0, 1)"),
        (None, {"obtainable_share": 2}, "obtainable_share must be a fraction in [0, 1]"),
        (None, {"population_bad_rate": 0}, "population_bad_rate must be a fraction in (0, 1)"),
    ],
)
def test_an_impossible_input_is_a_one_line_error_naming_the_valid_range(
    plans, assume, message, lender
):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        decision.build_case(plans=plans, assume=assume, lender=lender, **FAST)
    assert "\n" not in str(error.value)


_STATED = {
    name: st.floats(low, high)
    for name, (low, high, _) in assumptions.PLAUSIBLE.items()
    if name != "price_per_decision"
}


@settings(max_examples=25)
@given(
    price=st.floats(1e-4, 1e3),
    stated=st.fixed_dictionaries(_STATED),
    rate=st.floats(1e-3, 0.999),
    share=st.floats(1e-3, 1.0),
    churn=st.floats(0.0, 0.9),
)
def test_any_valid_inputs_give_a_case_without_an_exception(price, stated, rate, share, churn):
    """Every assumption anywhere in its planning range at once (and the price, the share won,
    churn and the bad rate far beyond theirs): a case, a verdict, ranges around every value."""
    assume = stated | {"population_bad_rate": rate}
    for extreme in (False, True):
        if extreme:
            assume |= {"obtainable_share": share, "monthly_churn": churn}
        case = decision.build_case(
            plans=Plans(price_per_row=price),
            lender=_lender(),
            draws=50,
            resamples=50,
            assume=assume,
        )
        assert case.verdict()[0].startswith("Decision:")
        for i in case.inputs.values():
            assert i.low is None or i.low <= i.value <= i.high


_LENDER = {}


def _lender():
    if "value" not in _LENDER:
        from course.credit.numpy_model import NumpyCreditModel
        from course.credit.reference import ensure_artifacts

        _LENDER["value"] = lending.lender_value(NumpyCreditModel.load(ensure_artifacts()))
    return _LENDER["value"]


# --- one complete evidence table ---------------------------------------------------------------


def _patch(monkeypatch, name: str) -> None:
    """Move one stated input by 10 % wherever it is stored."""
    if name == "population_bad_rate":
        from course.credit import coding

        monkeypatch.setattr(coding, "POPULATION_BAD_RATE", coding.POPULATION_BAD_RATE * 1.1)
        return
    a = assumptions.ASSUMPTIONS[name]
    moved = replace(a, value=a.value * 1.1)
    monkeypatch.setitem(assumptions.ASSUMPTIONS, name, moved)
    monkeypatch.setitem(getattr(assumptions, a.group.upper()), name, moved)
    if name in assumptions.DEMAND_SCENARIO:
        monkeypatch.setitem(assumptions.DEMAND_SCENARIO, name, moved.value)


def test_the_evidence_table_shows_exactly_the_assumptions_the_case_reads(lender, monkeypatch):
    """An assumption is read when moving it changes a figure of the case. The table's assumed
    rows must be exactly those: nothing read and hidden, nothing shown and unused."""
    base = decision.build_case(lender=lender, **FAST)
    shown = {e.name for e in report.evidence(base) if e.kind == "assumed"}
    read = set()
    for name in [*assumptions.ASSUMPTIONS, "population_bad_rate"]:
        with monkeypatch.context() as patch:
            _patch(patch, name)
            moved = decision.build_case(lender=lender, **FAST).figures()
        if any(
            not math.isclose(v, moved[k], rel_tol=1e-12, abs_tol=1e-12)
            for k, v in base.figures().items()
            if not (math.isinf(v) and v == moved[k])
        ):
            read.add(name)
    assert read == shown, f"read but not shown: {read - shown}; shown but not read: {shown - read}"
    assert "subscription_fee" not in shown and "decisions_per_lender" in shown  # finding 5


def test_tornado_scenarios_and_monte_carlo_vary_the_same_complete_set(reference_case):
    case = reference_case
    assert {r.name for r in case.tornado} == set(case_inputs.UNCERTAIN)
    uncertain = {n for n, i in case.inputs.items() if i.low is not None}
    assert uncertain == set(case_inputs.UNCERTAIN)
    for name in (
        "test_auc",
        "lenders",
        "obtainable_share",
        "loss_given_default",
        "good_loan_margin",
        "population_bad_rate",
        "customer_demand",
    ):
        assert name in uncertain  # the customer count and the value inputs included (finding 5)
    for row in case.tornado:
        assert (
            row.profit_swing > 0
            or row.edge_swing > 0
            or row.first_year_at_low != row.first_year_at_high
        )
    assert 0 <= case.simulation["P(go)"] <= case.simulation["P(market_ok)"] <= 1
    assert case.simulation["customers p5"] < case.customers < case.simulation["customers p95"]
    assert (
        case.scenarios["bear"]["steady_state"]
        <= case.scenarios["base"]["steady_state"]
        <= case.scenarios["bull"]["steady_state"]
    )


def test_customers_come_from_the_market_reconciled_with_lesson_01s_som(reference_case):
    from course.market import sizing

    case = reference_case
    som = sizing.market_size()
    som_lenders = som["SOM"] / (
        assumptions.value("decisions_per_lender") * assumptions.value("price_per_decision")
    )
    assert case.som_lenders == pytest.approx(som_lenders)  # 56 lenders, US$ 140,000 a year
    assert case.customers == pytest.approx(som_lenders * case.demand / case.demand_plan)
    assert case.demand / case.demand_plan == pytest.approx((2 * case.auc - 1) / (2 * 0.78 - 1))
    table = case.plan.table()
    assert table["active"].iloc[0] < table["active"].iloc[-1] == pytest.approx(case.customers)


def test_the_report_is_markdown_and_one_self_contained_html_file(reference_case, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from course.business.figures import summary_figure, summary_text

    fig = summary_figure(reference_case)
    paths = report.write_report(reference_case, tmp_path / "out", fig, summary_text(reference_case))
    text = paths["markdown"].read_text()
    assert "## The rule (stated first)" in text and "test_auc" in text
    assert "## Unit economics" in text and "US$ per customer per month" in text
    page = paths["html"].read_text()
    assert "data:image/png;base64," in page and "http://" not in page and "https://" not in page
    assert reference_case.verdict()[0] in page


def test_the_summary_figure_labels_every_bar(reference_case):
    import matplotlib

    matplotlib.use("Agg")
    from course.business.figures import edge_rows, profit_rows, summary_figure, summary_text

    fig = summary_figure(reference_case)
    policies, gains, profit, edge = fig.axes[:4]
    names = [*lending.BASELINES, lending.MODEL]
    widths = [bar.get_width() for bar in policies.patches]
    expected = [reference_case.values[r][n] / 1000 for r in lending.RATES for n in names]
    assert widths == pytest.approx(expected)
    assert len(policies.texts) == len(widths)  # every bar has its number
    assert gains.get_legend() is not None and "interval" in " ".join(
        t.get_text() for t in gains.get_legend().get_texts()
    )  # the error bars say what they are
    assert len(gains.texts) == len(lending.BASELINES)
    labels = [t.get_text() for t in profit.get_yticklabels()]
    assert labels[-1] == profit_rows(reference_case)[0].name.replace("_", " ")  # widest on top
    assert len(profit.texts) == 2 * len(profit_rows(reference_case))
    assert len(edge.texts) == 2 * len(edge_rows(reference_case))
    assert f"{reference_case.plan.steady_state_profit:,.0f}" in summary_text(reference_case)


# --- the exercises: question, checker and hints agree -------------------------------------------


def test_questions_checkers_and_hints_agree_on_rounding_and_hint_2_is_a_step():
    from course.exercises import lesson05

    notebook = json.loads(open("solutions/05_business_case.ipynb", encoding="utf-8").read())
    questions = {}
    for cell in notebook["cells"]:
        text = " ".join("".join(cell["source"]).split())
        if text.startswith("### Exercise"):
            questions[int(text.split()[2].rstrip(":"))] = text
    q1, q2, q3 = lesson05.q1, lesson05.q2, lesson05.q3
    assert (q1.rtol, q1.atol) == (0, 0.5) and "half a euro" in questions[1]
    assert "half a euro" in q1.hints[0]
    assert (q3.rtol, q3.atol) == (0, 0.005) and "half a cent" in questions[3]
    assert "half a cent" in q3.hints[0]
    assert q2.rtol <= 1e-9 and "Do not round" in questions[2] and "Do not round" in q2.hints[0]
    assert all(not float(c.expected).is_integer() for c in q2.cases[1:3])  # floor/ceil would fail
    for exercise in (q1, q2, q3):
        steps = " ".join(exercise.hints[1].split())
        answer = " ".join(exercise.solution_text.splitlines()[-1].split())
        assert answer not in steps, f"{exercise.id}: hint 2 gives the answer away"

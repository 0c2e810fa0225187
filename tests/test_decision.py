"""Lesson 05's decision follows the evidence: a worse model, other plans, other numbers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from course import decision
from course.pricing import Plans


class CoinFlipModel:
    """Probabilities that ignore the applicant: what a model trained on shuffled labels gives."""

    threshold = 1 / 6

    def predict_proba(self, records):
        return np.random.default_rng(7).random(len(records))


@pytest.fixture(scope="module")
def reference_case():
    return decision.build_case()


def test_the_reference_case_reads_the_measured_auc_and_states_its_rule(reference_case):
    from course.credit.reference import held_out_auc

    assert reference_case.auc == pytest.approx(held_out_auc(), abs=1e-4)  # the model card agrees
    assert len(reference_case.rule.describe()) == 3
    assert reference_case.verdict()[0] in ("Decision: GO", "Decision: NO-GO")
    assert set(reference_case.values) == {"approve everyone", decision.CURRENT_POLICY, "the model"}
    kinds = {e.kind for e in decision.evidence(reference_case)}
    assert {"measured", "assumed", "derived"} <= kinds


def test_a_worse_model_creates_less_value_less_demand_and_no_go(reference_case):
    coin = decision.build_case(CoinFlipModel())
    assert abs(coin.auc - 0.5) < 0.1
    assert coin.values["the model"] < reference_case.values["the model"]
    assert coin.demand < reference_case.demand / 3 and coin.customers < reference_case.customers
    assert not coin.checks["value"] and not coin.go
    assert coin.flip_price > reference_case.flip_price


def test_other_plans_move_the_break_even(reference_case):
    dearer = decision.build_case(plans=Plans(price_per_row=2.0))
    assert dearer.economics.break_even_customers < reference_case.economics.break_even_customers / 3
    assert dearer.checks["market"]  # at four times the price the demand's customers suffice


def test_the_flip_price_is_where_the_market_criterion_changes(reference_case):
    case = reference_case
    at = replace(case, economics=replace(case.economics, price_per_decision=case.flip_price * 1.01))
    below = replace(case, economics=replace(case.economics, price_per_decision=case.flip_price * 0.99))
    assert at.checks["market"] and not below.checks["market"]


def test_the_report_is_markdown_and_one_self_contained_html_file(reference_case, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.bar(list(reference_case.values), list(reference_case.values.values()))
    paths = decision.write_report(reference_case, tmp_path / "out", fig)
    text = paths["markdown"].read_text()
    assert "## The rule (stated first)" in text and "held-out test ROC AUC" in text
    page = paths["html"].read_text()
    assert "data:image/png;base64," in page and "http://" not in page and "https://" not in page
    assert reference_case.verdict()[0] in page


def test_the_summary_figure_shows_the_case(reference_case):
    import matplotlib

    matplotlib.use("Agg")
    from course.case_figures import summary_figure, summary_text

    fig = summary_figure(reference_case)
    values, tornado = fig.axes[:2]
    widths = [bar.get_width() for bar in values.patches]
    assert widths == pytest.approx([v / 1000 for v in reference_case.values.values()])
    labels = [t.get_text() for t in tornado.get_yticklabels()]
    assert labels[-1] == reference_case.tornado[0][0].replace("_", " ")  # widest on top
    spans = [bar.get_width() for bar in tornado.patches]
    assert spans == pytest.approx([(h - l) / 1e6 for _, l, h in reversed(reference_case.tornado)])
    assert f"{reference_case.scenarios['base']:,.0f}" in summary_text(reference_case)

"""The published figures lessons 03 and 06 compare with: values, conversions, tables, imports."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from course.credit import published as german
from course.scale import published as taiwan


# --- German credit: Statlog --------------------------------------------------------------------
def test_statlog_values_are_the_sources():
    rows = {r.algorithm: r for r in german.STATLOG_GERMAN}
    assert (rows["Discrim"].test_cost, rows["Discrim"].train_cost) == (0.535, 0.509)
    assert (rows["LogDisc"].test_cost, rows["LogDisc"].train_cost) == (0.538, 0.499)
    assert (rows["Castle"].test_cost, rows["Castle"].train_cost) == (0.583, 1.276)
    assert rows["Dipol92"].train_cost is None  # Statlog printed "?"
    assert rows["Default"].test_cost == 0.700
    assert german.COST_MATRIX["bad"]["accept"] == 5 and german.COST_MATRIX["good"]["reject"] == 1


def test_default_row_is_the_arithmetic_it_claims():
    assert german.default_cost() == pytest.approx(0.700)
    assert german.default_cost(accept_all=True) == pytest.approx(1.500)
    with pytest.raises(ValueError):
        german.default_cost(0, 0)


def test_every_statlog_row_says_how_it_was_checked():
    assert all(
        r.status in (german.SOURCE_READ, german.SOURCE_DERIVED) for r in german.STATLOG_GERMAN
    )
    assert "10-fold cross-validation" in german.PROTOCOL
    assert "Michie" in german.CITATION and "1994" in german.CITATION


def test_statlog_table_sorted_with_course_rows_marked():
    table = german.statlog_table({"logistic regression at 1/6": 0.521, "network": 0.560})
    costs = table["cost per applicant"].tolist()
    assert costs == sorted(costs)
    assert table.loc[0, "algorithm"] == "logistic regression at 1/6"
    course = table[table["source"] == "this course"]
    assert set(course["algorithm"]) == {"logistic regression at 1/6", "network"}
    assert (course["protocol"] == german.COURSE_PROTOCOL).all()
    published = table[table["source"] != "this course"]
    assert len(published) == len(german.STATLOG_GERMAN)
    assert (published["protocol"] == german.PROTOCOL).all()
    assert table["protocol"].str.len().gt(20).all()


def test_statlog_table_without_course_figures_and_bad_input():
    assert len(german.statlog_table()) == len(german.STATLOG_GERMAN)
    assert german.statlog_table({"x": 0.5}, course_protocol="mine")["protocol"].eq("mine").any()
    for bad in (math.nan, -0.1, math.inf):
        with pytest.raises(ValueError):
            german.statlog_table({"broken": bad})


# --- Taiwan: Yeh and Lien, and the area ratio --------------------------------------------------
def test_area_ratio_converts_to_auc_and_back():
    assert taiwan.auc_from_area_ratio(0.0) == 0.5
    assert taiwan.auc_from_area_ratio(1.0) == 1.0
    assert taiwan.auc_from_area_ratio(0.54) == pytest.approx(0.77)
    assert taiwan.area_ratio_from_auc(0.783) == pytest.approx(0.566)
    for auc in (0.5, 0.727, 0.9):
        assert taiwan.auc_from_area_ratio(taiwan.area_ratio_from_auc(auc)) == pytest.approx(auc)
    with pytest.raises(ValueError):
        taiwan.auc_from_area_ratio(1.5)
    with pytest.raises(ValueError):
        taiwan.area_ratio_from_auc(-0.1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gains_chart_area_ratio_is_two_auc_minus_one(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(2_000) < 0.22).astype(int)  # about the Taiwan default rate
    score = y * rng.uniform(0.2, 1.5) + rng.normal(size=y.size)
    expected = 2 * roc_auc_score(y, score) - 1
    assert taiwan.gains_area_ratio(y, score) == pytest.approx(expected, abs=1e-9)


def test_gains_area_ratio_ends():
    y = np.array([0, 0, 1, 0, 1, 0, 0, 1])
    assert taiwan.gains_area_ratio(y, y.astype(float) + np.arange(8) * 1e-3) == pytest.approx(1.0)
    assert taiwan.gains_area_ratio(y, -y.astype(float)) == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        taiwan.gains_area_ratio([1, 1, 1], [0.1, 0.2, 0.3])


def test_yeh_lien_figures_carry_their_status():
    figures = {f.model: f for f in taiwan.YEH_LIEN_2009}
    assert figures["logistic regression"].error_rate == 0.18
    assert figures["neural network"].error_rate == 0.17
    for figure in taiwan.YEH_LIEN_2009:
        assert "not checked" in figure.status or "read" in figure.status
        assert (figure.area_ratio is None) == (figure.auc is None)
    assert "2009" in taiwan.CITATION and "2473-2480" in taiwan.CITATION


def test_taiwan_table_sorted_both_columns_course_marked():
    table = taiwan.taiwan_table({"gradient boosting": 0.783, "logistic regression": 0.727})
    course = table[table["source"] == "this course"]
    assert course["model"].tolist() == ["gradient boosting", "logistic regression"]
    assert course["area ratio"].tolist() == pytest.approx([0.566, 0.454])
    assert (course["protocol"] == taiwan.COURSE_PROTOCOL).all()
    known = table["ROC AUC"].dropna().tolist()
    assert known == sorted(known, reverse=True)
    assert table["ROC AUC"].isna().tolist() == sorted(table["ROC AUC"].isna().tolist())
    published = table[table["source"] != "this course"]
    assert (published["protocol"] == taiwan.PROTOCOL).all()
    with pytest.raises(ValueError):
        taiwan.taiwan_table({"broken": 1.2})


# --- imports stay light ------------------------------------------------------------------------
def test_importing_the_modules_pulls_in_no_heavy_library():
    code = (
        "import sys, course.credit.published, course.scale.published\n"
        "heavy = [m for m in ('tensorflow', 'matplotlib', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""

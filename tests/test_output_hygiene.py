"""What a learner reads in the lessons' stored outputs looks cared for (issue 28, point 11).

Every stored output of ``solutions/`` and ``notebooks/`` is scanned for: ``NaN`` where a reader
expects a value, e-notation for human-scale numbers, whole counts printed as floats
(``14000.00``), printed lines longer than the output area (JupyterLab breaks them at any
character, even inside a number), tables not in the course style (:mod:`course.tables`) and a tie
worded as a lead. The formatter behind the readouts and sentences (:mod:`course.text`) and the
table style are tested on their own below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from course import tables
from course.text import MISSING, WIDTH, lead, number, readout_format, say, wrap

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p for folder in ("solutions", "notebooks") for p in (ROOT / folder).glob("[0-9][0-9]_*.ipynb")
)
IMAGE_DATA = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
NAN = re.compile(r"\bNaN\b|\bnan\b|<NA>|\bNaT\b")
#: e-notation, except an integer power of ten below one stated as a tolerance ("within 1e-6").
E_NOTATION = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?[eE][+-]?\d+)\b")
TOLERANCE = re.compile(r"1e-\d+")
#: A whole number of a thousand or more printed with zero decimals: a count shown as a float.
WHOLE_FLOAT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{4,})\.0+(?![\d])")
LEAD = re.compile(r"(.+?) leads \(([-\d.,]+)\), then (.+?) \(([-\d.,]+)\)")


def outputs():
    """(notebook, cell index, kind, text) for every stored text output; ``kind`` is ``stream``,
    ``plain`` (a text/plain with no richer form: what the reader sees), ``table-plain`` (the
    text/plain beside an HTML table) or ``html``."""
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        for index, cell in enumerate(cells):
            for output in cell.get("outputs", []):
                where = f"{path.parent.name}/{path.name} cell {index}"
                if output["output_type"] == "stream":
                    yield where, "stream", "".join(output["text"])
                    continue
                data = output.get("data", {})
                html = IMAGE_DATA.sub("data:image", "".join(data.get("text/html", "")))
                if html:
                    yield where, "html", html
                if "text/plain" in data:
                    kind = "table-plain" if "<table" in html else "plain" if not html else None
                    if kind:
                        yield where, kind, "".join(data["text/plain"])


OUTPUTS = list(outputs())


def test_there_are_outputs_to_scan():
    assert len(NOTEBOOKS) >= 14 and sum(kind == "html" for _, kind, _ in OUTPUTS) > 40


def test_no_nan_in_what_learners_read():
    found = [
        f"{where} ({kind}): {m.group(0)!r} in ...{text[max(0, m.start() - 60) : m.end()]!r}"
        for where, kind, text in OUTPUTS
        for m in NAN.finditer(text)
    ]
    assert not found, (
        "missing values shown as NaN (show a dash with its reason, course.tables):\n"
        + "\n".join(found)
    )


def test_no_e_notation_for_human_scale_numbers():
    found = [
        f"{where} ({kind}): {m.group(1)}"
        for where, kind, text in OUTPUTS
        if kind != "html" or "<table" in text
        for m in E_NOTATION.finditer(text)
        if not TOLERANCE.fullmatch(m.group(1))
    ]
    assert not found, "e-notation in an output (course.text.number):\n" + "\n".join(found)


def test_no_whole_counts_printed_as_floats():
    found = [
        f"{where} ({kind}): {m.group(0)}"
        for where, kind, text in OUTPUTS
        for m in WHOLE_FLOAT.finditer(text)
    ]
    assert not found, "whole numbers shown with zero decimals:\n" + "\n".join(found)


def test_printed_lines_fit_the_output_area():
    found = [
        f"{where} ({kind}, {len(line)} characters): {line[:70]}..."
        for where, kind, text in OUTPUTS
        if kind in ("stream", "plain")
        for line in text.splitlines()
        if len(line) > WIDTH
    ]
    assert not found, (
        f"printed lines longer than {WIDTH} characters wrap mid-number in "
        "JupyterLab (print with course.text.say):\n" + "\n".join(found)
    )


def test_every_table_is_in_the_course_style():
    found = [
        where
        for where, kind, text in OUTPUTS
        if kind == "html"
        for tag in re.findall(r"<table[^>]*>", text)
        if tables.CSS_CLASS not in tag
    ]
    assert not found, "tables not shown through course.tables: " + ", ".join(found)


def test_no_tie_is_worded_as_a_lead():
    found = [
        f"{where}: {m.group(0)}"
        for where, _kind, text in OUTPUTS
        for m in LEAD.finditer(text)
        if m.group(2) == m.group(4)
    ]
    assert not found, "a tie at the printed precision worded as a lead:\n" + "\n".join(found)


# --- the formatter ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (14000, {}, "14,000"),
        (14000.0, {}, "14,000"),
        (1234567.0, {}, "1,234,567"),
        (0.35, {}, "0.35"),
        (1 / 3, {}, "0.333"),
        (1234.5678, {}, "1,235"),
        (-2.5, {}, "-2.5"),
        (0.7, {"decimals": 2}, "0.70"),
        (14000, {"decimals": 2}, "14,000.00"),
        (-0.001, {"decimals": 2}, "0.00"),
        (None, {}, MISSING),
        (float("nan"), {}, MISSING),
        (3.2e-7, {}, "3.2e-07"),
        (True, {}, "True"),
    ],
)
def test_number(value, kwargs, text):
    assert number(value, **kwargs) == text


def test_slider_readouts_use_the_steps_decimals_and_thousands_separators():
    assert readout_format(1000) == ",.0f" and format(14000, readout_format(1000)) == "14,000"
    assert format(0.02, readout_format(0.005)) == "0.020"
    assert readout_format(0.05) == ",.2f" and readout_format(0.01) == ",.2f"


def test_the_market_sizer_shows_lenders_as_a_whole_number():
    from course.widgets import MarketSizer

    sizer = MarketSizer(draw=False)
    for name, slider in sizer.sliders.items():
        shown = format(slider.value, slider.readout_format)
        assert "e" not in shown, (name, shown)
    assert (
        format(sizer.sliders["lenders"].value, sizer.sliders["lenders"].readout_format) == "14,000"
    )


@pytest.mark.parametrize(
    ("first", "second", "text"),
    [
        (("API", 0.72), ("Open core", 0.70), "API leads (0.72), then Open core (0.70)"),
        (
            ("API", 0.7),
            ("Support subscription", 0.7),
            "API and Support subscription are level (0.70 each)",
        ),
        (
            ("API", 0.704),
            ("Support subscription", 0.696),
            "API and Support subscription are level (0.70 each)",
        ),  # unequal, equal as printed
        (("API", 0.706), ("Open core", 0.704), "API leads (0.71), then Open core (0.70)"),
    ],
)
def test_lead_says_level_when_the_printed_values_are_equal(first, second, text):
    assert lead(first, second) == text


def test_lead_depends_on_the_printed_precision():
    assert "level" in lead(("a", 0.704), ("b", 0.696), decimals=2)
    assert "a leads (0.704), then b (0.696)" == lead(("a", 0.704), ("b", 0.696), decimals=3)


def test_the_scoring_explorer_words_a_tie_as_a_tie(monkeypatch):
    from course.strategy import scorecard
    from course.widgets import ScoringExplorer

    tied = pd.Series({"API": 0.7012, "Support subscription": 0.6981, "SaaS": 0.5})
    monkeypatch.setattr(scorecard, "rank_paths", lambda weights, method: tied)
    explorer = ScoringExplorer(draw=False)
    assert explorer.summary == "API and Support subscription are level (0.70 each)"
    ahead = pd.Series({"API": 0.72, "Support subscription": 0.70})
    monkeypatch.setattr(scorecard, "rank_paths", lambda weights, method: ahead)
    explorer.update()
    assert explorer.summary == "API leads (0.72), then Support subscription (0.70)"


def test_wrap_breaks_between_words_never_inside_a_number(capsys):
    text = "- " + " ".join(
        f"item {i * 1001:,} costs EUR -{i * 12345.5:,.1f};" for i in range(1, 30)
    )
    wrapped = wrap(text)
    lines = wrapped.splitlines()
    assert len(lines) > 3 and all(len(line) <= WIDTH for line in lines)
    assert wrapped.split() == text.split()  # the same words, none cut
    assert all(line.startswith("  ") for line in lines[1:])  # a list item's hanging indent
    assert wrap("short\n\n  indented") == "short\n\n  indented"
    say("a", 1000, sep=" ")
    assert capsys.readouterr().out == "a 1000\n"


# --- the table style --------------------------------------------------------------------------


def test_tables_align_text_left_and_numbers_right_with_whole_counts():
    frame = pd.DataFrame(
        {
            "name": ["Solar Open", "K"],
            "applicants": [14000.0, 39.0],
            "rate": [0.25, 0.5],
            "year": [2025, 2024],
        }
    ).set_index("name")
    html = tables.table(frame)._repr_html_()
    assert tables.CSS_CLASS in html and "<style" not in html  # inline: kept in untrusted notebooks
    assert '<td style="text-align: left;">' not in html  # every column here is a number
    assert '<th style="text-align: left;">Solar Open</th>' in html  # the text row labels
    assert "<td>14,000</td>" in html and "<td>39</td>" in html  # counts: no decimals
    assert "<td>0.25</td>" in html and "<td>0.50</td>" in html  # a column's decimals line up
    assert "<td>2025</td>" in html  # a year has no thousands separator
    words = pd.DataFrame({"unit": ["lenders", "share"], "value": [14000.0, 0.35]})
    html = tables.table(words)._repr_html_()
    assert '<td style="text-align: left;">lenders</td>' in html
    assert '<th style="text-align: left;">unit</th>' in html and "<th>value</th>" in html
    assert "<td>14,000</td>" in html and "<td>0.35</td>" in html  # different quantities
    text = repr(tables.table(words))
    assert "lenders" in text and "14,000" in text and "NaN" not in text


def test_missing_values_are_a_dash_with_the_tables_reason():
    frame = pd.DataFrame({"error rate": [0.18, 0.22], "ROC AUC": [0.77, float("nan")]})
    shown = tables.table(frame, missing="not reported by the paper")
    html = shown._repr_html_()
    assert "NaN" not in html and f"<td>{MISSING}</td>" in html
    assert "<caption" in html and f"{MISSING} not reported by the paper" in html
    assert repr(shown).endswith(f"{MISSING} not reported by the paper")
    frame.attrs["missing"] = "one run only"
    assert f"{MISSING} one run only" in tables.table(frame.round(2))._repr_html_()
    assert "<caption" not in tables.table(frame.dropna())._repr_html_()  # nothing to explain


def test_the_same_table_gives_the_same_html():
    frame = pd.DataFrame({"a": [1.5, 2.25], "b": ["x", "y"]})
    assert tables.table(frame)._repr_html_() == tables.table(frame.copy())._repr_html_()


def test_register_shows_every_dataframe_in_the_course_style():
    from IPython.core.formatters import DisplayFormatter

    class Shell:
        display_formatter = DisplayFormatter()

    tables.register(Shell)
    data, _metadata = Shell.display_formatter.format(pd.DataFrame({"n": [14000.0, float("nan")]}))
    assert tables.CSS_CLASS in data["text/html"] and "14,000" in data["text/plain"]
    assert "NaN" not in data["text/plain"] and MISSING in data["text/html"]

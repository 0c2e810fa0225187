"""Prose that matches the screen, and one set of business assumptions.

1. Every number a lesson's markdown states is shown by its code or outputs, or is a stated
   constant (:data:`prose.STATED`, the lesson's teaching time).
2. Every figure summary (``alt=``) is computed from the data, in the notebooks and in course/.
3. Prices, plans and server costs come from :mod:`course.assumptions`: no lesson types one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from tests import prose

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = prose.solution_notebooks()
#: Functions whose numeric arguments are business assumptions: a literal there is a typed price.
PRICED = {
    "cost_per_thousand",
    "Plans",
    "serving_cost",
    "utilisation",
    "ServingCost",
    "market_size",
    "obtainable_decisions_per_month",
    "obtainable_decisions_per_year",
}


def _cells(path: Path, kind: str):
    notebook = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(notebook.cells) if c.cell_type == kind]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_on_screen_or_stated(path):
    unbacked = prose.unbacked_numbers(path)
    assert unbacked == [], "\n".join(f"c{i}: {n!r} in ...{ctx}..." for i, n, ctx in unbacked)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_figure_summaries_are_computed_in_the_lessons(path):
    literals = [
        (i, text)
        for i, source in _cells(path, "code")
        for _, text in prose.literal_alt_texts(source)
    ]
    assert literals == []


def test_figure_summaries_are_computed_in_the_package():
    literals = [
        (str(p.relative_to(ROOT)), line, text)
        for p in sorted((ROOT / "course").rglob("*.py"))
        for line, text in prose.literal_alt_texts(p.read_text(encoding="utf-8"))
    ]
    assert literals == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_lesson_types_a_price_or_a_server_cost(path):
    typed = [
        (i, m.group())
        for i, source in _cells(path, "markdown")
        for m in re.finditer(r"(?:US\$|\$|USD)\s?\d[\d,.]*", source)
    ]
    for i, source in _cells(path, "code"):
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) in PRICED
            ):
                values = [*node.args, *(k.value for k in node.keywords)]
                typed += [
                    (i, ast.unparse(v))
                    for v in values
                    if isinstance(v, ast.Constant) and isinstance(v.value, (int, float))
                ]
    assert typed == [], (
        "read prices and costs from course.assumptions / course.business.pricing.Plans()"
    )


# --- the checks themselves can fail ---------------------------------------------------------


def _notebook(tmp_path, markdown: str, code: str, output: str) -> Path:
    cell = nbformat.v4.new_code_cell(code)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), cell])
    path = tmp_path / "99_example.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_measured_number_typed_into_prose_is_caught(tmp_path):
    path = _notebook(
        tmp_path,
        "## 2. Speed\n\nPredictions take 60 ms one way (see 104.6 below); "
        "in 2025 lesson 03 said 1,000 times faster.",
        "print(f'{ms:.1f}')",
        "104.6\n",
    )
    found = [number for _, number, _ in prose.unbacked_numbers(path)]
    assert found == ["60", "1,000"]  # the section, the year, the lesson and 104.6 are fine


def test_numbers_the_code_prints_are_accepted_with_or_without_commas(tmp_path):
    path = _notebook(
        tmp_path,
        "It sustains 2,500 requests; AUC 0.7920.",
        "print(x)",
        "2500 requests, AUC 0.792\n",
    )
    assert prose.unbacked_numbers(path) == []


def test_typed_alt_texts_are_caught_and_computed_ones_pass():
    source = (
        'show(ax, title="t", xlabel="x", ylabel="y", alt="Five points near the diagonal")\n'
        'show(ax, alt=f"Just words")\n'
        'show(ax, alt=f"{n} points, the largest gap {gap:.0%}")\n'
        "show(ax, alt=summary(bins))\n"
    )
    assert [line for line, _ in prose.literal_alt_texts(source)] == [1, 2]


def dollar_pairs(markdown: str) -> list[str]:
    """Paragraphs in which two unescaped ``$`` (outside code) would render as LaTeX in
    JupyterLab ("in US$ a month ... in US$ per decision" becomes italic run-together math)."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", "", text)
    return [p for p in re.split(r"\n\s*\n", text) if len(re.findall(r"(?<!\\)\$", p)) >= 2]


def test_the_dollar_pair_check_finds_what_lab_renders_as_math():
    assert dollar_pairs("`fixed` in US$ a month, `price` in US$ per decision")
    assert not dollar_pairs("US$ 5 a month.\n\nUS$ 9 a year.")  # (two paragraphs)
    assert not dollar_pairs("`$x$` and \\$5 and US$ 9")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_markdown_renders_as_math(path):
    found = [(i, p[:120]) for i, source in _cells(path, "markdown") for p in dollar_pairs(source)]
    assert found == [], found

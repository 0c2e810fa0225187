"""Hints are steps, never the answer: no hint of any exercise contains its solution's code (a code
line of its ``# BEGIN SOLUTION`` region, or an expression of 25 characters or more from it) or,
for a value exercise, its expected value as a hint might print it.

Code is compared with its whitespace removed (``a*b`` is ``a * b``). Not a leak: trivial lines
(imports, ``return ____``, ``else:``, comments, lines under 10 characters), a function's ``def``
line and docstring (the student notebook shows them), a bare name, field or item
(``e.serving_cost_per_decision``: naming what to use is a step), and anything the student
notebook of the lesson already shows outside the regions (the lesson's own code and text)."""

from __future__ import annotations

import ast
import math
import numbers
import re

import nbformat
import numpy as np

from authoring.build import SOLUTIONS_DIR, exercise_regions, student_version
from course.exercises import ValueExercise, load_all

#: An expression this long (without whitespace) from the region is the solution's code.
MIN_EXPRESSION = 25
#: A code line shorter than this (without whitespace) is too generic to be the solution
#: (``return g``, ``else:``); longer ones are compared whole.
MIN_LINE = 10
TRIVIAL_LINE = re.compile(
    r"^(import |from \S+ import |return ____|return None$|pass$|#|"
    r"else:$|try:$|finally:$|continue$|break$)"
)


def _squeeze(text: str) -> str:
    """Whitespace removed, backticks too: how code is compared with a hint's text."""
    return re.sub(r"[\s`]+", "", text)


def _visible(notebook: str) -> str:
    """Everything the student notebook of this lesson shows (regions replaced by blanks)."""
    student = student_version(nbformat.read(SOLUTIONS_DIR / notebook, as_version=4))
    return _squeeze("\n".join(cell.source for cell in student.cells))


def _docstring_lines(tree: ast.AST) -> set[int]:
    """The line numbers (from 1) of every docstring in the region."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and ast.get_docstring(node, clean=False) is not None
        ):
            lines.update(range(node.body[0].lineno, node.body[0].end_lineno + 1))
    return lines


def solution_code(region: str, visible: str) -> list[str]:
    """The pieces of a region a hint must not contain: its non-trivial lines, and every
    expression of :data:`MIN_EXPRESSION` characters or more (as written, and as Python prints it),
    minus what the student notebook shows anyway."""
    tree = ast.parse(region)
    docstrings = _docstring_lines(tree)
    pieces: list[str] = []
    for number, line in enumerate(region.splitlines(), start=1):
        text = line.split("  #")[0].strip()
        if (
            number in docstrings
            or not text
            or TRIVIAL_LINE.match(text)
            or text.startswith(("def ", "async def "))
        ):
            continue
        if len(_squeeze(text)) >= MIN_LINE:
            pieces.append(text)
    for node in ast.walk(tree):
        if (
            not isinstance(node, ast.expr)
            or getattr(node, "lineno", 0) in docstrings
            or _is_reference(node)
        ):
            continue
        for text in sorted({ast.get_source_segment(region, node) or "", ast.unparse(node)}):
            if len(_squeeze(text)) >= MIN_EXPRESSION and text not in pieces:
                pieces.append(text)
    return [p for p in pieces if _squeeze(p) not in visible]


def _is_reference(node: ast.expr) -> bool:
    """A name, field or item (``e.serving_cost_per_decision``, ``masks[decision.CURRENT_POLICY]``):
    what a hint names as a step, not a computation."""
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Attribute):
        return _is_reference(node.value)
    if isinstance(node, ast.Subscript):
        return _is_reference(node.value) and _is_reference(node.slice)
    return False


def _significant_digits(text: str) -> int:
    return len(text.replace("-", "").replace(",", "").replace(".", "").lstrip("0"))


def printed_forms(value) -> list[str]:
    """How a hint might print a value: a number as an integer and with 1 to 4 decimals, each
    with and without thousands separators, and a negative one without its sign too (forms with
    fewer than 2 significant digits, such as 0.0, are too common to mean anything); a string as
    it is."""
    if isinstance(value, str):
        return [value] if len(value.strip()) >= 2 else []
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return []
    value = float(value)
    if not math.isfinite(value):
        return []
    forms = []
    for number in (value, -value) if value < 0 else (value,):
        for decimals in range(5):
            for comma in ("", ","):
                text = f"{number:{comma}.{decimals}f}"
                if _significant_digits(text) >= 2 and text not in forms:
                    forms.append(text)
    return forms


def _contains_number(hint: str, form: str) -> bool:
    """``form`` in ``hint`` as a whole number (not the start or end of a longer one)."""
    return re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", hint) is not None


def hint_leaks() -> list[str]:
    """Every leak, as ``"05.q1 hint 2: code `...`"`` lines."""
    regions = exercise_regions()
    visible = {r.notebook: _visible(r.notebook) for r in regions.values()}
    leaks = []
    for exercise_id, exercise in sorted(load_all().items()):
        region = regions[exercise_id]
        code = solution_code(region.text, visible[region.notebook])
        values = printed_forms(exercise.expected) if isinstance(exercise, ValueExercise) else []
        for level, hint in enumerate(exercise.hints, start=1):
            where = f"{exercise_id} hint {level}"
            squeezed = _squeeze(hint)
            found = [p for p in code if _squeeze(p) in squeezed]
            # the longest pieces only: a line's sub-expressions add nothing
            found = [
                p for p in found if not any(_squeeze(p) in _squeeze(q) and p != q for q in found)
            ]
            leaks += [f"{where}: the solution's code `{p}`" for p in found]
            leaks += [
                f"{where}: the expected value {v}"
                for v in values
                if _contains_number(hint, v) or (isinstance(exercise.expected, str) and v in hint)
            ]
    return leaks


def test_the_leak_finder_finds_code_and_values():
    region = (
        'def f(x):\n    """Doc."""\n    import math\n    total = math.floor(x) * 12\n'
        "    return total / math.log10(2)"
    )
    pieces = solution_code(region, visible="")
    assert "total = math.floor(x) * 12" in pieces and "return total / math.log10(2)" in pieces
    assert not any("import" in p or "def f" in p or "Doc" in p for p in pieces)
    assert solution_code(region, visible=_squeeze("total = math.floor(x) * 12")) == [
        "return total / math.log10(2)"
    ]  # the lesson shows the line: no longer the answer
    forms = printed_forms(1234.56789)
    assert {"1235", "1,235", "1234.6", "1,234.57", "1234.5679"} <= set(forms)
    assert printed_forms(0.0437) == ["0.044", "0.0437"]  # not 0, 0.0, 0.04: too common
    assert _contains_number("about 1,234.57 euros.", "1,234.57")
    assert not _contains_number("about 11,234.57 or 1,234.579", "1,234.57")
    assert printed_forms(True) == [] and printed_forms([1, 2]) == []
    assert "99,710" in printed_forms(-99_710.1) and "-99,710.1" in printed_forms(-99_710.1)
    assert solution_code(
        "x = e.serving_cost_per_decision + masks[decision.CURRENT_POLICY]", ""
    ) == [
        "x = e.serving_cost_per_decision + masks[decision.CURRENT_POLICY]",
        "e.serving_cost_per_decision + masks[decision.CURRENT_POLICY]",
    ]  # not its names


def test_no_hint_gives_the_answer():
    leaks = hint_leaks()
    assert not leaks, (
        f"{len(leaks)} hint(s) give the answer away (a hint is a step the learner "
        "still has to take; solution() is the only place the answer appears):\n" + "\n".join(leaks)
    )

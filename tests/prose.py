"""Prose that matches the screen: checks for the lessons' markdown and figure summaries.

- :func:`unbacked_numbers`: every number a markdown cell states must appear in the notebook's
  own code or stored outputs, or be one of the stated constants in :data:`STATED` (years,
  formula constants, assumptions defined in ``course/``, each with its reason). A measured
  figure typed into a sentence goes stale the day the measurement moves; one printed by code
  from the value cannot.
- :func:`literal_alt_texts`: every figure's one-line summary (``alt=`` of
  :func:`course.plots.show`) is computed from the data (an f-string with values, or a call),
  never a typed literal.

``python -m tests.prose [NOTEBOOK ...]`` lists what fails (default: every solution).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from course.config import REPO_ROOT
from course.lessons import LESSONS

#: A number as prose writes it: 1,000 / 0.7920 / 5 / 1e-4 (commas dropped before comparing).
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:e-?\d+)?(?![\w])")
#: Numbers that name things rather than state results: lesson and section numbers, exercise
#: numbers and question ids, and calendar years.
NAMING = [
    re.compile(r"^#+\s*\d+\.", re.M),  # "## 3. Bad requests"
    re.compile(
        r"\b(?:lesson|lessons|Lesson|Lessons|Exercise|exercise|exercises|Exercises|"
        r"q|section|Section|step|Step|c|L|Part|part)\s*\d+(?:\s*(?:-|–|and|,|to)\s*\d+)*"
    ),
    re.compile(r"\b(?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?\b"),  # years and ISO dates
    re.compile(r"^\s*\d+\.\s", re.M),  # numbered lists
    re.compile(r"(?<![\d.,])0\d(?![\d.,])"),  # lessons by number: 01, 05
    re.compile(r"\*\*Exercise recap\*\*.*", re.S),  # "1. cost ...; 2. the break-even ..."
    re.compile(r"`[^`]*`"),  # code spans: identifiers such as q1 or 0.5 in a call
    re.compile(r"\$[^$]+\$"),  # formulas: R = S·C·B/k, exponents
    re.compile(r"\[[^\]]*\]\([^)]*\)"),  # links
]

#: Stated constants quoted in prose, per notebook ("*": every notebook), each with its reason.
#: The lesson's teaching time is stated in :mod:`course.lessons` and always allowed.
STATED: dict[str, dict[str, str]] = {
    "*": {
        "0": "zero, as in 'no', 'from 0 to 1'",
        "1": "one, as in 'one of', a probability of 1",
        "100": "per cent",
        "256": "SHA-256, the name of the checksum",
    },
}


def _plain(number: str) -> str:
    text = number.replace(",", "")
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return text


def _numbers(text: str) -> set[str]:
    return {_plain(n) for n in NUMBER.findall(text)}


def _prose_numbers(markdown: str) -> list[str]:
    for pattern in NAMING:
        markdown = pattern.sub(" ", markdown)
    return [n for n in NUMBER.findall(markdown)]


def _code_and_outputs(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            if "text" in output:
                parts.append(output["text"])
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/") and kind != "text/html":
                    parts.append(value if isinstance(value, str) else "".join(value))
                if kind == "text/html":
                    parts.append(
                        re.sub(r"<[^>]+>", " ", value if isinstance(value, str) else "".join(value))
                    )
    return "\n".join(parts)


def unbacked_numbers(path: Path) -> list[tuple[int, str, str]]:
    """(cell index, number, the sentence around it) for each number in the notebook's markdown
    that neither its code nor its outputs show, nor :data:`STATED` lists."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    backed = _numbers(_code_and_outputs(notebook))
    stated = {_plain(n) for n in {**STATED["*"], **STATED.get(path.stem, {})}}
    stated |= {str(lesson.minutes) for lesson in LESSONS if lesson.notebook == path.name}
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for number in _prose_numbers(cell.source):
            if _plain(number) not in backed | stated:
                at = cell.source.find(number)
                context = " ".join(cell.source[max(0, at - 50) : at + 40].split())
                found.append((index, number, context))
    return found


def literal_alt_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of each ``alt=`` in ``source`` that is a typed literal: a plain string, or an
    f-string with no value in it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: the notebooks' code cells have none that matter here
        return []
    literals = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg != "alt":
                continue
            if isinstance(value, ast.Constant) or (
                isinstance(value, ast.JoinedStr)
                and not any(isinstance(v, ast.FormattedValue) for v in value.values)
            ):
                literals.append((node.lineno, ast.unparse(value)[:80]))
    return literals


def solution_notebooks() -> list[Path]:
    return sorted((REPO_ROOT / "solutions").glob("*.ipynb"))


def main(argv: list[str]) -> int:
    import nbformat

    paths = [Path(a) for a in argv] or solution_notebooks()
    failures = 0
    for path in paths:
        for index, number, context in unbacked_numbers(path):
            failures += 1
            print(f"{path.name} c{index}: {number!r} not shown by code: ...{context}...")
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                for line, text in literal_alt_texts(cell.source):
                    failures += 1
                    print(f"{path.name} c{index} line {line}: alt text is a literal: {text}")
    print(f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

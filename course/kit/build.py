"""Single-source build: generate student notebooks from the complete ones in ``solutions/``.

Rules
-----
- Lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` become a placeholder. Every name the
  region assigns becomes ``name = ____``; every function it defines keeps its signature and
  docstring and gets ``return ____`` as its body. The indentation of the markers is kept.
- Code cells tagged ``solution`` are dropped.
- Everything else (markdown, other code, metadata) is copied unchanged.

``course build`` writes ``notebooks/`` and executes both folders so they are saved with outputs;
``course build --check`` fails when ``notebooks/`` is not what the build would write.
"""

from __future__ import annotations

import ast
import copy
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.config import REPO_ROOT

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
PLACEHOLDER_COMMENT = "# your code here"
SOLUTIONS_DIR = REPO_ROOT / "solutions"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


class BuildError(ValueError):
    """A solution notebook breaks the build rules (unbalanced markers, unparsable region)."""


def _assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _assigned_names(element)]
    return []


def placeholder_for(region: str) -> list[str]:
    """The student lines (unindented) that replace one solution region."""
    try:
        tree = ast.parse(textwrap.dedent(region))
    except SyntaxError as error:
        raise BuildError(f"solution region is not valid Python: {error}") from None
    lines: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            header = ast.get_source_segment(textwrap.dedent(region), node).split("\n")
            signature = header[: node.body[0].lineno - node.lineno]
            lines.extend(line for line in signature if line.strip())
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                lines.append(f'    """{doc}"""')
            lines.append(f"    return ____  {PLACEHOLDER_COMMENT}")
            continue
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        for target in targets:
            for name in _assigned_names(target) if target is not None else []:
                line = f"{name} = ____  {PLACEHOLDER_COMMENT}"
                if line not in lines:
                    lines.append(line)
    return lines or [PLACEHOLDER_COMMENT]


def strip_solutions(source: str) -> str:
    """Replace every solution region in one cell's source by its placeholder."""
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if region is not None:
                raise BuildError(f"line {number}: {BEGIN} inside another solution region")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if region is None:
                raise BuildError(f"line {number}: {END} without {BEGIN}")
            out.extend(indent + text for text in placeholder_for("\n".join(region)))
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise BuildError(f"{BEGIN} is never closed by {END}")
    return "\n".join(out)


def student_version(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student notebook for one solution notebook (outputs cleared, not executed)."""
    student = copy.deepcopy(solution)
    cells = []
    for index, cell in enumerate(student.cells):
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            try:
                cell.source = strip_solutions(cell.source)
            except BuildError as error:
                raise BuildError(f"cell {index}: {error}") from None
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    student.cells = cells
    return student


@dataclass(frozen=True)
class Problem:
    """One way ``notebooks/`` (or ``solutions/``) is not what the build would produce."""

    notebook: str
    message: str

    def __str__(self) -> str:
        return f"{self.notebook}: {self.message}"


def _unexecuted(nb: nbformat.NotebookNode) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and c.source.strip() and c.execution_count is None]  # fmt: skip


def check(solutions: Path = SOLUTIONS_DIR, notebooks: Path = NOTEBOOKS_DIR) -> list[Problem]:
    """Every difference between the committed notebooks and what the build would write."""
    problems: list[Problem] = []
    expected = {p.name: p for p in sorted(solutions.glob("*.ipynb"))}
    present = {p.name for p in notebooks.glob("*.ipynb")}
    if not expected:
        problems.append(Problem(str(solutions), "no solution notebooks found"))
    for name in sorted(present - set(expected)):
        problems.append(Problem(name, "in notebooks/ but has no source in solutions/"))
    for name, path in expected.items():
        solution = nbformat.read(path, as_version=4)
        for index in _unexecuted(solution):
            problems.append(Problem(f"solutions/{name}", f"cell {index} was never executed"))
        if name not in present:
            problems.append(Problem(name, "missing from notebooks/: run `course build`"))
            continue
        want = student_version(solution)
        have = nbformat.read(notebooks / name, as_version=4)
        for index in _unexecuted(have):
            problems.append(Problem(f"notebooks/{name}", f"cell {index} was never executed"))
        want_src = [(c.cell_type, c.source) for c in want.cells]
        have_src = [(c.cell_type, c.source) for c in have.cells]
        if want_src != have_src:
            first = next((i for i, (a, b) in enumerate(zip(want_src, have_src)) if a != b),
                         min(len(want_src), len(have_src)))  # fmt: skip
            problems.append(Problem(f"notebooks/{name}", f"differs from the build from cell "
                                    f"{first} on (edit solutions/, then run `course build`)"))  # fmt: skip
    return problems


#: What a saved widget shows before its cell runs (the widget itself lives only in a kernel).
WIDGET_PLACEHOLDER = "Interactive explorer: run this cell (Shift+Enter) to show its sliders."
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def explain_saved_widgets(nb: nbformat.NotebookNode) -> int:
    """Replace the text a saved widget output falls back to (``VBox(children=(FloatSlider(...``,
    which looks broken) with a line that says to run the cell; returns how many it changed."""
    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if WIDGET_VIEW in data and data.get("text/plain") != WIDGET_PLACEHOLDER:
                data["text/plain"] = WIDGET_PLACEHOLDER
                changed += 1
    return changed


def build(solutions: Path = SOLUTIONS_DIR, notebooks: Path = NOTEBOOKS_DIR, *,
          execute: bool = True, only: str | None = None, log=print) -> None:  # fmt: skip
    """Write student notebooks and (by default) execute both versions, saving their outputs."""
    from course.kit.execute import execute_notebook

    notebooks.mkdir(parents=True, exist_ok=True)
    for path in sorted(solutions.glob("*.ipynb")):
        if only and only not in path.name:
            continue
        solution = nbformat.read(path, as_version=4)
        student = student_version(solution)
        for folder, nb in ((solutions, solution), (notebooks, student)):
            if execute:
                run = execute_notebook(nb, folder)
                log(f"executed {folder.name}/{path.name} in {run.seconds:.1f} s")
                explain_saved_widgets(nb)
            nbformat.write(nb, folder / path.name)

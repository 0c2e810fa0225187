"""Single-source build: generate student notebooks from the complete ones in ``solutions/``.

Rules
-----
- Lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` become a placeholder. Every name the
  region assigns becomes ``name = ____``; every function it defines keeps its signature and
  docstring and gets ``return ____`` as its body. The indentation of the markers is kept.
- Code cells tagged ``solution`` are dropped.
- Everything else (markdown, other code, metadata) is copied unchanged.
- Every lesson's second cell (right after its title) is its setup cell, written here in both
  folders from :func:`course.setup.colab.setup_cell`: on Google Colab or Kaggle it installs the
  course and the lesson's data; anywhere else it does nothing (:mod:`course.setup.colab`).
- Each region is also the one source of its exercise's solution: the cell calls ``qN.check(...)``,
  so the region answers exercise ``"<the notebook's NN>.qN"``, and ``course/exercises/
  solutions.json`` (package data) maps each exercise id to its region's text, which
  ``qN.solution()`` prints. A region with no check call, or an exercise with no region, fails.

``python -m authoring build`` writes ``solutions.json`` and ``notebooks/`` and executes both
folders so they are saved with outputs (``python -m authoring build --solutions-json`` only
rewrites ``solutions.json``, without executing anything); ``python -m authoring build --check``
fails when ``notebooks/`` or ``solutions.json`` is not what the build would write.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.config import REPO_ROOT
from course.exercises.core import SOLUTIONS_FILE

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


def _scan(source: str) -> Iterator[tuple[str, list[str]]]:
    """One cell's source as ``("line", [line])`` outside regions and ``("region", [indent,
    *lines])`` for each solution region (markers excluded); raises on unbalanced markers."""
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
            yield "region", [indent, *region]
            region = None
        elif region is not None:
            region.append(line)
        else:
            yield "line", [line]
    if region is not None:
        raise BuildError(f"{BEGIN} is never closed by {END}")


def strip_solutions(source: str) -> str:
    """Replace every solution region in one cell's source by its placeholder."""
    out: list[str] = []
    for kind, lines in _scan(source):
        if kind == "line":
            out.extend(lines)
        else:
            indent, region = lines[0], lines[1:]
            out.extend(indent + text for text in placeholder_for("\n".join(region)))
    return "\n".join(out)


def solution_regions(source: str) -> list[str]:
    """The text of each solution region in one cell's source (dedented, without its markers)."""
    return [
        textwrap.dedent("\n".join(lines[1:])).strip("\n")
        for kind, lines in _scan(source)
        if kind == "region"
    ]


def outside_regions(source: str) -> str:
    """One cell's source without its solution regions (the code the learner's cell keeps)."""
    return "\n".join(lines[0] for kind, lines in _scan(source) if kind == "line")


#: ``q3.check(`` in a solution cell: which exercise its region answers.
CHECK_CALL = re.compile(r"\b(q\d+)\.check\(")


@dataclass(frozen=True)
class Region:
    """The solution of one exercise: its region's text, and the cell it sits in."""

    exercise_id: str
    notebook: str
    cell: int
    text: str
    #: The rest of the cell (imports, inputs the region uses, the ``check`` call).
    context: str


def _course_exercise_ids() -> list[str]:
    from course.exercises import load_all

    return sorted(load_all())


def exercise_regions(
    solutions: Path = SOLUTIONS_DIR, exercise_ids: Iterable[str] | None = None
) -> dict[str, Region]:
    """Every exercise's solution region, by exercise id (``"05.q1"``: the notebook's lesson
    number and the ``q1.check(`` call in the region's cell). With ``exercise_ids`` (the course's
    registered exercises by default, for the course's own ``solutions/``), each must have a region
    and each region an exercise. Raises :class:`BuildError` naming the notebook and cell."""
    if exercise_ids is None and solutions == SOLUTIONS_DIR:
        exercise_ids = _course_exercise_ids()
    found: dict[str, Region] = {}
    for path in sorted(solutions.glob("*.ipynb")):
        lesson = path.name[:2]
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or BEGIN not in cell.source:
                continue
            where = f"solutions/{path.name}, cell {index}"
            try:
                regions = solution_regions(cell.source)
                context = outside_regions(cell.source)
            except BuildError as error:
                raise BuildError(f"{where}: {error}") from None
            names = sorted(set(CHECK_CALL.findall(context)))
            if len(names) != 1 or not lesson.isdigit():
                problem = (
                    "has no qN.check(...) call"
                    if not names
                    else f"checks {len(names)} exercises ({', '.join(names)})"
                )
                raise BuildError(
                    f"{where}: a cell with a solution region {problem}: put each "
                    f"exercise's region in the cell that calls its check"
                )
            exercise_id = f"{lesson}.{names[0]}"
            if exercise_id in found:
                first = found[exercise_id]
                raise BuildError(
                    f"{where}: a second solution region for {exercise_id} (the "
                    f"first is in cell {first.cell})"
                )
            found[exercise_id] = Region(
                exercise_id, path.name, index, "\n\n".join(regions), context
            )
    if exercise_ids is not None:
        ids = set(exercise_ids)
        if missing := sorted(ids - set(found)):
            raise BuildError(
                f"exercises without a solution region in {solutions.name}/: "
                f"{', '.join(missing)} (each needs {BEGIN} ... {END} in the cell "
                "that calls its check)"
            )
        if unknown := sorted(set(found) - ids):
            raise BuildError(
                f"solution regions for exercises no lesson module defines: "
                f"{', '.join(f'{i} ({found[i].notebook})' for i in unknown)}"
            )
    return found


def exercise_solutions(
    solutions: Path = SOLUTIONS_DIR, exercise_ids: Iterable[str] | None = None
) -> dict[str, str]:
    """What ``solution()`` shows, by exercise id: the regions' texts (:func:`exercise_regions`)."""
    return {
        key: region.text
        for key, region in sorted(exercise_regions(solutions, exercise_ids).items())
    }


def solutions_json(
    solutions: Path = SOLUTIONS_DIR, exercise_ids: Iterable[str] | None = None
) -> str:
    """The text of ``course/exercises/solutions.json`` for these solution notebooks."""
    return (
        json.dumps(
            exercise_solutions(solutions, exercise_ids),
            indent=1,
            ensure_ascii=False,
            sort_keys=True,
        )
        + "\n"
    )


def write_solutions(
    solutions: Path = SOLUTIONS_DIR,
    target: Path = SOLUTIONS_FILE,
    exercise_ids: Iterable[str] | None = None,
) -> bool:
    """Write what ``solution()`` shows (no execution: parses ``solutions/`` only); True if the
    file changed."""
    text = solutions_json(solutions, exercise_ids)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


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
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.source.strip() and c.execution_count is None
    ]


def check(
    solutions: Path = SOLUTIONS_DIR,
    notebooks: Path = NOTEBOOKS_DIR,
    solutions_file: Path | None = None,
) -> list[Problem]:
    """Every difference between the committed notebooks (and ``solutions_file``: by default the
    package's ``solutions.json``, when ``solutions`` is the course's own) and what the build
    would write."""
    problems: list[Problem] = []
    if solutions_file is None and solutions == SOLUTIONS_DIR:
        solutions_file = SOLUTIONS_FILE
    if solutions_file is not None:
        name = _shown(solutions_file)
        try:
            want = solutions_json(solutions)
        except BuildError as error:
            problems.append(Problem(name, str(error)))
        else:
            have = solutions_file.read_text(encoding="utf-8") if solutions_file.exists() else None
            if have != want:
                problems.append(
                    Problem(
                        name,
                        ("missing" if have is None else f"stale: not what {solutions.name}/ gives")
                        + " (run `python -m authoring build "
                        "--solutions-json`)",
                    )
                )
    expected = {p.name: p for p in sorted(solutions.glob("*.ipynb"))}
    present = {p.name for p in notebooks.glob("*.ipynb")}
    if not expected:
        problems.append(Problem(str(solutions), "no solution notebooks found"))
    for name in sorted(present - set(expected)):
        problems.append(Problem(name, "in notebooks/ but has no source in solutions/"))
    from authoring.publish import published, readme_problem, setup_cell_problem

    where = published()
    own = solutions == SOLUTIONS_DIR  # (the setup cells and the README: the course's own lessons)
    if own and (stale := readme_problem()):
        problems.append(Problem("README.md", stale))
    for name, path in expected.items():
        solution = nbformat.read(path, as_version=4)
        if own and (setup := setup_cell_problem(solution, name, *where)) is not None:
            problems.append(Problem(f"solutions/{name}", setup))
        for index in _unexecuted(solution):
            problems.append(Problem(f"solutions/{name}", f"cell {index} was never executed"))
        if name not in present:
            problems.append(
                Problem(name, "missing from notebooks/: run `python -m authoring build`")
            )
            continue
        want = student_version(solution)
        have = nbformat.read(notebooks / name, as_version=4)
        for index in _unexecuted(have):
            problems.append(Problem(f"notebooks/{name}", f"cell {index} was never executed"))
        want_src = [(c.cell_type, c.source) for c in want.cells]
        have_src = [(c.cell_type, c.source) for c in have.cells]
        if want_src != have_src:
            first = next(
                # strict=False: the lists may differ in length; the fallback below covers that
                (i for i, (a, b) in enumerate(zip(want_src, have_src, strict=False)) if a != b),
                min(len(want_src), len(have_src)),
            )
            problems.append(
                Problem(
                    f"notebooks/{name}",
                    f"differs from the build from cell "
                    f"{first} on (edit solutions/, then run `python -m authoring build`)",
                )
            )
    return problems


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


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


def build(
    solutions: Path = SOLUTIONS_DIR,
    notebooks: Path = NOTEBOOKS_DIR,
    *,
    execute: bool = True,
    only: str | None = None,
    log=print,
    solutions_file: Path | None = None,
) -> None:
    """Write what ``solution()`` shows (``solutions_file``: by default the package's
    ``solutions.json`` when ``solutions`` is the course's own), then the student notebooks, and
    (by default) execute both versions, saving their outputs."""
    from authoring.execute import execute_notebook

    if solutions_file is None and solutions == SOLUTIONS_DIR:
        solutions_file = SOLUTIONS_FILE
    if solutions_file is not None:  # first: a missing region fails before minutes of execution
        changed = write_solutions(solutions, solutions_file)
        log(f"{'wrote' if changed else 'unchanged:'} {_shown(solutions_file)}")
    from authoring.publish import published, with_setup_cell

    where = published()
    notebooks.mkdir(parents=True, exist_ok=True)
    for path in sorted(solutions.glob("*.ipynb")):
        if only and only not in path.name:
            continue
        solution = nbformat.read(path, as_version=4)
        if solutions == SOLUTIONS_DIR:  # the Colab/Kaggle set-up, first of the code
            with_setup_cell(solution, path.name, *where)
        student = student_version(solution)
        for folder, nb in ((solutions, solution), (notebooks, student)):
            if execute:
                run = execute_notebook(nb, folder)
                log(f"executed {folder.name}/{path.name} in {run.seconds:.1f} s")
                explain_saved_widgets(nb)
            nbformat.write(nb, folder / path.name)

"""``python -m authoring instructors nbgrader DIR``: the lessons as an nbgrader course, from the
solutions.

Instructors who must record grades use nbgrader (0.9, pinned in ``requirements-nbgrader.lock``,
installed only where the instructor grades). This module writes an nbgrader course folder::

    DIR/nbgrader_config.py                   the course's nbgrader settings (see CONFIG)
    DIR/source/lessonNN/NN_name.ipynb        one assignment per lesson, from solutions/
    DIR/source/lessonNN/glossary.md          so the lesson's glossary links land
    DIR/GRADING.md                           points per exercise, what each reflection weighs

Each source notebook is the solution notebook (outputs cleared, cells tagged ``solution`` left
out as the build leaves them out) with nbgrader's cell metadata:

- a read-only cell before the first code cell sets ``COURSE_GRADED``, so an exercise's
  ``solution()`` says it is hidden instead of printing the answer;
- each exercise cell (its ``# BEGIN SOLUTION`` region, then ``qN.check(answer)``) is an answer
  cell; after a value or function exercise comes a read-only test cell that runs the course's
  own check and raises unless the answer is correct (:data:`AUTO_POINTS` points);
- a reflection's answer cell is graded by hand (:data:`REFLECTION_POINTS` points; a blank one
  scores zero without you).

``nbgrader generate_assignment`` then makes the learners' version. The config swaps nbgrader's
``ClearSolutions`` for :func:`generate_assignment_preprocessors`' subclass, which replaces each
course region with the course's own placeholder (``answer = ____``, the build's
:func:`authoring.build.strip_solutions`): the released notebook is the learners' notebook from
``notebooks/`` plus the read-only cells. nbgrader is imported only there, never by ``import
course``.
"""

from __future__ import annotations

import ast
import copy
import importlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from authoring.build import BEGIN, SOLUTIONS_DIR, strip_solutions
from course.errors import CourseError
from course.exercises.core import GRADED_ENV  # (set: solution() hides the answer)

#: The course id nbgrader's gradebook records.
COURSE_ID = "ai-business-course"
#: Points of an exercise the course's checker grades (a value or a function).
AUTO_POINTS = 1
#: Points of a reflection, graded by hand.
REFLECTION_POINTS = 2
SETUP_ID = "graded_assignment"
SETUP_SOURCE = f"""\
# A graded assignment: your instructor grades this notebook with nbgrader. Each exercise is
# checked as usual; the read-only cell after it runs the same check for your grade. This cell
# hides the exercises' solution() until your instructor releases the feedback.
import os

os.environ["{GRADED_ENV}"] = "1\""""
CONFIG = f'''\
"""nbgrader's settings for this course folder (written by \
`python -m authoring instructors nbgrader`).

Run nbgrader from this folder, in an environment with the course and requirements-nbgrader.lock
(instructors/README.md, "Grading a class with nbgrader").
"""

import os
from pathlib import Path

from authoring.nbgrader_export import generate_assignment_preprocessors

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "{COURSE_ID}"
# Lesson 03 trains for about a minute in one cell; nbgrader's default is 30 s per cell.
c.Execute.timeout = 600
# The released notebooks keep the course's placeholders (`answer = ____`), as in notebooks/,
# instead of nbgrader's `raise NotImplementedError()`.
c.GenerateAssignment.preprocessors = generate_assignment_preprocessors()
# Grading runs the learners' notebooks: their solution() stays hidden, and their checks are
# recorded here, not in your own progress file.
os.environ.setdefault("{GRADED_ENV}", "1")
here = Path(__file__).resolve().parent
os.environ.setdefault("COURSE_PROGRESS_DIR", str(here / "grading-progress"))
'''


@dataclass(frozen=True)
class GradedExercise:
    """One exercise of an assignment: where its answer is, what it is worth, who grades it.

    Attributes
    ----------
    exercise_id
        ``"02.q1"``: the lesson and the exercise's name in its ``course.exercises`` module.
    answer
        The expression the notebook passes to ``check`` (``bounded_share``).
    points
        What it is worth in nbgrader.
    manual
        True for a reflection (graded by hand), False for one the course's checker grades.
    rubric
        For a reflection: the ideas a strong answer weighs (from its exercise, if it has them).
    """

    exercise_id: str
    answer: str
    points: int
    manual: bool
    rubric: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.exercise_id.split(".", 1)[1]


@dataclass(frozen=True)
class Assignment:
    """One lesson as an nbgrader assignment: its name (``lesson02``), notebook and exercises."""

    name: str
    notebook: Path
    exercises: tuple[GradedExercise, ...]

    @property
    def points(self) -> int:
        return sum(e.points for e in self.exercises)


def checked_answer(source: str) -> tuple[str, str] | None:
    """``(exercise name, answer expression)`` of the ``qN.check(answer)`` call in a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "check"
            and isinstance(call.func.value, ast.Name)
            and len(call.args) == 1
        ):
            return call.func.value.id, ast.get_source_segment(source, call.args[0])
    return None


def _nbgrader(
    grade_id: str,
    *,
    solution: bool = False,
    grade: bool = False,
    locked: bool = False,
    points: int | None = None,
) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if grade:
        meta["points"] = points
    return meta


def graded_exercise(lesson: str, name: str, answer: str) -> GradedExercise:
    """The exercise ``name`` of ``lesson`` as nbgrader grades it (a reflection by hand)."""
    from course.exercises import ReflectionExercise

    module = importlib.import_module(f"course.exercises.lesson{lesson}")
    exercise = getattr(module, name, None)
    if exercise is None:
        raise CourseError(
            f"lesson {lesson}'s notebook checks {name}, which "
            f"course.exercises.lesson{lesson} does not define"
        )
    manual = isinstance(exercise, ReflectionExercise)
    rubric = tuple(idea.label for idea in getattr(exercise, "rubric", ()))
    return GradedExercise(
        exercise.id, answer, REFLECTION_POINTS if manual else AUTO_POINTS, manual, rubric
    )


def check_cell(exercise: GradedExercise) -> nbformat.NotebookNode:
    """The read-only cell that grades an exercise: the course's check, raising unless correct."""
    source = (
        f"# Read-only: the course's check of {exercise.name} for your grade "
        f"({exercise.points} point{'s' * (exercise.points != 1)}).\n"
        f"_graded = {exercise.name}.evaluate({exercise.answer})\n"
        f'assert _graded.status == "correct", _graded.render("{exercise.exercise_id}")'
    )
    cell = nbformat.v4.new_code_cell(source)
    cell.id = f"{exercise.name}-check"
    cell.metadata["nbgrader"] = _nbgrader(
        f"{exercise.name}_check", grade=True, locked=True, points=exercise.points
    )
    return cell


def source_notebook(
    solution: nbformat.NotebookNode, lesson: str
) -> tuple[nbformat.NotebookNode, tuple[GradedExercise, ...]]:
    """The nbgrader source version of one solution notebook (module docs), and its exercises."""
    nb = copy.deepcopy(solution)
    cells, exercises = [], []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            continue  # (an instructor's cell: the build drops it from notebooks/ too)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if not any(c.cell_type == "code" for c in cells):
                setup = nbformat.v4.new_code_cell(SETUP_SOURCE)
                setup.id = SETUP_ID.replace("_", "-")
                setup.metadata["nbgrader"] = _nbgrader(SETUP_ID, locked=True)
                cells.append(setup)
        cells.append(cell)
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        checked = checked_answer(cell.source)
        if checked is None:
            raise CourseError(
                f"lesson {lesson}, cell {index}: a solution region without a "
                "`qN.check(answer)` call after it"
            )
        exercise = graded_exercise(lesson, *checked)
        exercises.append(exercise)
        cell.metadata["nbgrader"] = _nbgrader(
            exercise.name, solution=True, grade=exercise.manual, points=exercise.points
        )
        if not exercise.manual:
            cells.append(check_cell(exercise))
    nb.cells = cells
    return nb, tuple(exercises)


def grading_notes(assignments: list[Assignment]) -> str:
    """``GRADING.md``: each assignment's exercises, points and who grades them."""
    lines = [
        "# Grading the course with nbgrader",
        "",
        "Written by `python -m authoring instructors nbgrader` with the assignments in `source/`. "
        "The course's checker grades values and functions (a read-only cell after each "
        "raises unless the answer is correct); you grade the reflections in the formgrader "
        "(a reflection left blank scores zero by itself). Points are in each cell's "
        "nbgrader metadata: change them in `source/` before `nbgrader generate_assignment`.",
        "",
    ]
    for assignment in assignments:
        lines += [
            f"## {assignment.name}: {assignment.notebook.name} ({assignment.points} points)",
            "",
            "| exercise | answer | points | graded by |",
            "|---|---|---|---|",
        ]
        for e in assignment.exercises:
            by = "you (reflection)" if e.manual else "the course's check"
            lines.append(f"| {e.exercise_id} | `{e.answer}` | {e.points} | {by} |")
        for e in (e for e in assignment.exercises if e.manual):
            weighs = " A strong answer weighs:" if e.rubric else ""
            lines += [
                "",
                f"{e.exercise_id}: any thoughtful answer is acceptable; the model "
                f"answer is in the source notebook.{weighs}",
            ]
            lines += [f"- {idea}" for idea in e.rubric]
        lines.append("")
    return "\n".join(lines)


def export(
    folder: Path, solutions: Path = SOLUTIONS_DIR, *, force: bool = False, log=print
) -> list[Assignment]:
    """Write the nbgrader course folder (module docs) from ``solutions``; returns its assignments.

    Parameters
    ----------
    folder
        The course folder; made if missing. One that already holds a ``nbgrader_config.py`` is
        rewritten only with ``force`` (the gradebook and submissions are never touched).
    solutions
        The solution notebooks (``NN_name.ipynb``; lesson ``NN``).
    force
        Rewrite the config and the source notebooks of an existing course folder.
    log
        Where progress lines go.
    """
    folder = Path(folder)
    config = folder / "nbgrader_config.py"
    if config.exists() and not force:
        raise CourseError(
            f"{folder} is already an nbgrader course folder: pass --force to "
            "rewrite its config and source notebooks (the gradebook and "
            "submissions stay)"
        )
    paths = sorted(solutions.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise CourseError(f"no solution notebooks in {solutions}")
    assignments = []
    for path in paths:
        lesson = path.name[:2]
        nb, exercises = source_notebook(nbformat.read(path, as_version=4), lesson)
        target = folder / "source" / f"lesson{lesson}"
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target / path.name)
        if (solutions / "glossary.md").exists():
            shutil.copyfile(solutions / "glossary.md", target / "glossary.md")
        assignment = Assignment(target.name, target / path.name, exercises)
        assignments.append(assignment)
        log(
            f"  {assignment.name}: {path.name}, {len(exercises)} exercises, "
            f"{assignment.points} points"
        )
    config.write_text(CONFIG, encoding="utf-8")
    (folder / "GRADING.md").write_text(grading_notes(assignments), encoding="utf-8")
    log(
        f"wrote the nbgrader course folder {folder} ({len(assignments)} assignments); next, in "
        "it: nbgrader generate_assignment lesson00 (instructors/README.md)"
    )
    return assignments


def generate_assignment_preprocessors() -> list:
    """nbgrader's ``generate_assignment`` steps with ``ClearSolutions`` replaced by one that
    writes the course's placeholders for the course's regions (imports nbgrader: for
    ``nbgrader_config.py`` only)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    class CourseClearSolutions(ClearSolutions):
        """``# BEGIN SOLUTION`` regions of the course become ``name = ____`` (as in notebooks/);
        any other region gets nbgrader's own stub."""

        def _replace_solution_region(self, cell, language):
            if cell.cell_type == "code" and any(
                line.strip() == BEGIN for line in cell.source.split("\n")
            ):
                cell.source = strip_solutions(cell.source)
                return True
            return super()._replace_solution_region(cell, language)

    return [
        CourseClearSolutions if step is ClearSolutions else step
        for step in GenerateAssignment.class_traits()["preprocessors"].default()
    ]

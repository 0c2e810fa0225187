"""Grading with nbgrader (issue 29, part 3): ``python -m authoring instructors nbgrader DIR`` from
the solution notebooks, then nbgrader itself on it.

The first tests read the exported course folder here (no nbgrader needed). The one marked
``nbgrader`` builds an environment of its own from ``requirements.lock`` and
``requirements-nbgrader.lock`` (cached per lock digest under the user's cache folder, like
Binder's), with the course from this checkout on ``PYTHONPATH``; then runs ``nbgrader
generate_assignment`` and ``nbgrader autograde`` on two submissions of every lesson: the source
notebook (every answer the solution: full marks on the auto-graded parts) and the released
notebook as a learner gets it (zero on them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from authoring.build import BEGIN, END, SOLUTIONS_DIR, student_version
from authoring.envs import locked_environment
from authoring.nbgrader_export import AUTO_POINTS, REFLECTION_POINTS, SETUP_ID, export
from course.config import REPO_ROOT, lock_file
from course.errors import CourseError


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.fixture(scope="module")
def course_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("nbgrader-course")
    export(folder, log=lambda *_: None)
    return folder


def test_every_exercise_is_an_answer_cell_with_its_grading_cell(course_folder):
    from course.exercises import REGISTRY, ReflectionExercise, load_all

    load_all()
    for solution in sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb")):
        lesson = solution.name[:2]
        nb = nbformat.read(course_folder / "source" / f"lesson{lesson}" / solution.name, 4)
        cells = nb.cells
        code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
        assert nbgrader_meta(cells[code[0]]) == {
            "grade": False,
            "grade_id": SETUP_ID,
            "locked": True,
            "schema_version": 3,
            "solution": False,
        }
        assert 'os.environ["COURSE_GRADED"] = "1"' in cells[code[0]].source
        answers = {}
        for i, cell in enumerate(cells):
            meta = nbgrader_meta(cell)
            if cell.cell_type == "code" and BEGIN in cell.source:
                assert meta["solution"] and not meta["locked"], (lesson, i)
                answers[f"{lesson}.{meta['grade_id']}"] = (i, meta)
            else:
                assert not meta.get("solution"), (lesson, i)  # (no region escapes a solution cell)
            assert not cell.get("outputs"), (lesson, i)
        assert set(answers) == {k for k in REGISTRY if k.startswith(f"{lesson}.")}, lesson
        for exercise_id, (i, meta) in answers.items():
            if isinstance(REGISTRY[exercise_id], ReflectionExercise):  # graded by hand
                assert meta["grade"] and meta["points"] == REFLECTION_POINTS, exercise_id
                continue
            test = cells[i + 1]
            assert nbgrader_meta(test) == {
                "grade": True,
                "grade_id": f"{meta['grade_id']}_check",
                "locked": True,
                "points": AUTO_POINTS,
                "schema_version": 3,
                "solution": False,
            }
            assert ".evaluate(" in test.source
            assert 'assert _graded.status == "correct"' in test.source
        ids = [nbgrader_meta(c)["grade_id"] for c in cells if nbgrader_meta(c)]
        assert len(ids) == len(set(ids)), lesson
    assert (course_folder / "nbgrader_config.py").exists()
    assert "02.q5" in (course_folder / "GRADING.md").read_text()


def test_the_released_lesson_is_the_learners_notebook_plus_the_grading_cells(course_folder):
    """What CourseClearSolutions leaves (the build's own placeholders) is notebooks/'s lesson."""
    from authoring.build import strip_solutions

    for solution in sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb")):
        folder = course_folder / "source" / f"lesson{solution.name[:2]}"
        source = nbformat.read(folder / solution.name, 4)
        released = [
            (c.cell_type, strip_solutions(c.source) if c.cell_type == "code" else c.source)
            for c in source.cells
            if not nbgrader_meta(c).get("locked")
        ]
        learners = student_version(nbformat.read(solution, 4))
        assert released == [(c.cell_type, c.source) for c in learners.cells], solution.name
        assert not any(BEGIN in text or END in text for _, text in released)


def test_the_command_writes_the_folder_and_refuses_to_overwrite_it(tmp_path, capsys):
    from authoring.cli import main

    assert main(["instructors", "nbgrader"]) == 2
    assert main(["instructors", "nbgrader", str(tmp_path / "grading")]) == 0
    shown = capsys.readouterr().out
    assert re.search(r"lesson02: 02_scoring_model.ipynb, \d exercises, \d+ points", shown), shown
    assert main(["instructors", "nbgrader", str(tmp_path / "grading")]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["instructors", "nbgrader", str(tmp_path / "grading"), "--force"]) == 0


def test_the_released_setup_cell_hides_every_solution(tmp_path):
    """The read-only first cell of every assignment: solution() then reveals nothing."""
    from authoring.nbgrader_export import SETUP_SOURCE

    code = f"{SETUP_SOURCE}\nfrom course.exercises.lesson02 import q1, q5\n"
    code += "q1.solution()\nq5.solution()"
    env = {k: v for k, v in os.environ.items() if k != "COURSE_GRADED"}
    shown = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "COURSE_PROGRESS_DIR": str(tmp_path)},
    ).stdout
    assert shown.count("hidden while this assignment is graded") == 2, shown
    assert "def bounded_share" not in shown and not (tmp_path / "progress.json").exists()


def test_the_export_never_imports_nbgrader():
    code = (
        "import sys, course.cli, authoring.nbgrader_export\n"
        "print([m for m in sys.modules if m.split('.')[0] == 'nbgrader'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- nbgrader itself, in an environment of its own -------------------------------------------


def grading_environment() -> Path:
    """A virtual environment with exactly the learners' lock and nbgrader's (no course package:
    the checkout goes on ``PYTHONPATH``), made once per lock digest (authoring/envs.py).
    Offline without it, the test skips (in CI, where the index is reachable, it fails)."""
    try:
        return locked_environment("nbgrader", [lock_file(), lock_file("nbgrader")])
    except CourseError as error:
        pytest.fail(str(error)) if os.environ.get("CI") else pytest.skip(str(error))


def nbgrader(env: Path, course: Path, *args: str, timeout: int = 900) -> str:
    done = subprocess.run(
        [str(env / "bin" / "nbgrader"), *args],
        cwd=course,
        timeout=timeout,
        capture_output=True,
        text=True,
        env=grading_env(env),
    )
    output = f"{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{output}"
    return done.stdout + done.stderr


def grading_env(env: Path) -> dict[str, str]:
    """As an instructor grades: the environment's commands first, the course from this checkout
    (and nothing of pytest's: ipykernel captures less under it)."""
    own = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    return {
        **own,
        "PATH": f"{env / 'bin'}:{os.environ['PATH']}",
        "PYTHONPATH": str(REPO_ROOT),
        "JUPYTER_PREFER_ENV_PATH": "1",
        "VIRTUAL_ENV": str(env),
    }


def solution_lines(notebook: Path) -> list[str]:
    """The lines of every answer in a source notebook (short ones left out: ``else:``)."""
    lines, inside = [], False
    for cell in nbformat.read(notebook, 4).cells:
        for line in cell.source.split("\n") if cell.cell_type == "code" else []:
            inside = (inside or line.strip() == BEGIN) and line.strip() != END
            if inside and line.strip() != BEGIN and len(line.strip()) > 12:
                lines.append(line.strip())
    return lines


SCORES = """
import json, sys
from nbgrader.api import Gradebook
out = {}
with Gradebook("sqlite:///gradebook.db") as gb:
    for assignment in sys.argv[1:]:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    out.setdefault(assignment, {}).setdefault(sub.student.id, {})[grade.name] = {
                        "auto": grade.auto_score, "manual": grade.manual_score,
                        "max": grade.max_score, "needs_manual": grade.needs_manual_grade}
print(json.dumps(out))
"""


@pytest.mark.nbgrader
def test_nbgrader_grades_the_solutions_full_and_the_released_notebooks_zero(tmp_path):
    """Every lesson: released without its answers or nbgrader's stubs, then autograded (one
    ``nbgrader`` run for all: each run starts slowly). Measured on 2 CPUs with the environment
    cached: about 3 minutes, nearly all of it running the 14 notebooks (lesson 03: 2 x 32 s)."""
    start = time.perf_counter()
    env = grading_environment()
    made = time.perf_counter() - start
    course = tmp_path / "course"
    assignments = {a.name: a for a in export(course, log=lambda *_: None)}
    nbgrader(env, course, "generate_assignment", "lesson*")
    for name, assignment in assignments.items():
        notebook = assignment.notebook.name
        released = course / "release" / name / notebook
        shown = "\n".join(c.source for c in nbformat.read(released, 4).cells)
        assert BEGIN not in shown and "raise NotImplementedError" not in shown, name
        learners = "\n".join(
            c.source for c in student_version(nbformat.read(SOLUTIONS_DIR / notebook, 4)).cells
        )  # (signatures, docstrings: kept)
        leaked = [
            line
            for line in solution_lines(assignment.notebook)
            if line in shown and line not in learners
        ]
        assert leaked == [], (name, leaked)  # (no more of an answer than notebooks/ shows)
        for who, path in (("solution", assignment.notebook), ("blank", released)):
            folder = course / "submitted" / who / name
            folder.mkdir(parents=True)
            shutil.copyfile(path, folder / notebook)
    graded = time.perf_counter()
    nbgrader(env, course, "autograde", "lesson*")
    autograded = time.perf_counter() - graded
    scores = json.loads(
        subprocess.run(
            [str(env / "bin" / "python"), "-c", SCORES, *assignments],
            cwd=course,
            capture_output=True,
            text=True,
            check=True,
            env=grading_env(env),
        ).stdout
    )
    report = []
    for name, assignment in assignments.items():
        auto = {f"{e.name}_check" for e in assignment.exercises if not e.manual}
        manual = {e.name for e in assignment.exercises if e.manual}
        solution, blank = scores[name]["solution"], scores[name]["blank"]
        assert set(solution) == set(blank) == auto | manual, name
        for grade in auto:
            assert solution[grade]["auto"] == solution[grade]["max"] == AUTO_POINTS, (name, grade)
            assert blank[grade]["auto"] == 0, (name, grade)
        for grade in manual:  # written: for the instructor; left blank: zero without them
            assert solution[grade]["needs_manual"], (name, grade)
            assert solution[grade]["auto"] is None, (name, grade)
            assert blank[grade]["auto"] == 0 and not blank[grade]["needs_manual"], (name, grade)
        got = [sum(g["auto"] or 0 for g in who.values()) for who in (solution, blank)]
        report.append(
            f"{name}: solution {got[0]:g} of {len(auto) * AUTO_POINTS} auto-graded "
            f"points ({len(manual)} reflection(s) by hand), released {got[1]:g}; "
            f"{assignment.points} points in all"
        )
    print(f"\nnbgrader environment {made:.0f} s, autograde {autograded:.0f} s", *report, sep="\n")

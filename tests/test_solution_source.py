"""One source for each exercise's solution: its ``# BEGIN SOLUTION`` region in the solution
notebook. The region's own code passes its check (a function region is executed here; a value or
reflection region's check cell must have stored the passing feedback, which nbval keeps true by
re-executing the solution notebooks); ``solution()`` shows exactly that region, through
``course/exercises/solutions.json``; and no second copy comes back, in the exercise modules or in
``tests/lesson_cases.py``."""

from __future__ import annotations

import ast
import dataclasses
import json
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from authoring import build
from authoring.build import (
    REPO_ROOT,
    SOLUTIONS_DIR,
    BuildError,
    Region,
    exercise_regions,
)
from course.exercises import (
    FunctionExercise,
    ReflectionExercise,
    ValueExercise,
    load_all,
)
from course.exercises.core import SOLUTIONS_FILE, Exercise, solutions

REGIONS = exercise_regions()
PASSING = {
    FunctionExercise: "✅ Correct",
    ValueExercise: "✅ Correct",
    ReflectionExercise: "📝 Recorded",
}


def _kind(exercise: Exercise) -> type:
    return next(kind for kind in PASSING if isinstance(exercise, kind))


def test_every_exercise_has_exactly_one_region():
    assert sorted(REGIONS) == sorted(load_all())


def test_solutions_json_is_what_the_notebooks_give():
    have = SOLUTIONS_FILE.read_text(encoding="utf-8")
    assert have == build.solutions_json(), "run `python -m authoring build --solutions-json`"
    assert json.loads(have) == {key: region.text for key, region in REGIONS.items()}


def test_solutions_json_is_package_data():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]
    assert SOLUTIONS_FILE.name in data["course.exercises"]
    assert SOLUTIONS_FILE.parent == REPO_ROOT / "course" / "exercises"


@pytest.mark.parametrize("exercise_id", sorted(REGIONS))
def test_solution_shows_the_region(exercise_id, progress_dir, capsys):
    solutions.cache_clear()
    load_all()[exercise_id].solution()
    shown = capsys.readouterr().out
    assert shown == f"🔑 Solution ({exercise_id}):\n{REGIONS[exercise_id].text}\n"


@pytest.mark.parametrize("exercise_id", sorted(REGIONS))
def test_the_check_cell_stored_the_passing_feedback(exercise_id):
    region = REGIONS[exercise_id]
    cell = nbformat.read(SOLUTIONS_DIR / region.notebook, as_version=4).cells[region.cell]
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    passing = PASSING[_kind(load_all()[exercise_id])]
    assert text.startswith(f"{passing} ({exercise_id})"), (
        f"{region.notebook} cell {region.cell} stored {text!r}: its solution does not pass"
    )


def _imports(notebook: str) -> dict[str, ast.stmt]:
    """Every top-level import of a solution notebook's code, by the name it binds."""
    found: dict[str, ast.stmt] = {}
    for cell in nbformat.read(SOLUTIONS_DIR / notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        lines = [
            line
            for line in build.outside_regions(cell.source).split("\n")
            if not line.lstrip().startswith(("%", "!"))
        ]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    name = alias.asname or alias.name.split(".")[0]
                    found.setdefault(name, ast.Module(body=[node], type_ignores=[]))
    return found


def _used_names(code: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}


def _defined_functions(code: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)}


def _checked_name(region: Region) -> str:
    """The name the cell passes to ``qN.check(...)``."""
    for node in ast.walk(ast.parse(region.context)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "check":
            return ast.unparse(node.args[0])
    raise AssertionError(f"{region.exercise_id}: no check call")


def _run_region(region: Region) -> dict:
    """The region executed with only what it needs: the notebook's imports of the names it uses,
    and the functions earlier regions of the same notebook define (03.q4 uses 03.q3's)."""
    others = {
        name: r
        for r in REGIONS.values()
        if r.notebook == region.notebook and r.cell < region.cell
        for name in _defined_functions(r.text)
    }
    needed, order, todo = set(), [], [region.text]
    while todo:
        code = todo.pop()
        for name in sorted(_used_names(code) - needed):
            needed.add(name)
            if name in others and others[name].text not in order:
                order.insert(0, others[name].text)
                todo.append(others[name].text)
    imports = _imports(region.notebook)
    namespace: dict = {}
    for name in sorted(needed & set(imports)):
        exec(compile(imports[name], f"<{region.notebook} imports>", "exec"), namespace)  # noqa: S102
    for code in [*order, region.text]:
        exec(compile(code, f"<{region.notebook} cell {region.cell}>", "exec"), namespace)  # noqa: S102
    return namespace


FUNCTION_IDS = sorted(i for i, e in load_all().items() if isinstance(e, FunctionExercise))


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_a_function_region_passes_its_own_check(exercise_id):
    region = REGIONS[exercise_id]
    function = _run_region(region)[_checked_name(region)]
    feedback = load_all()[exercise_id].evaluate(function)
    assert feedback.passed, f"{exercise_id}: the region's own code fails: {feedback.message}"


# -- no second copy ---------------------------------------------------------------------------


def test_no_exercise_module_carries_a_solution():
    for path in sorted((REPO_ROOT / "course" / "exercises").glob("lesson*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        kept = [
            f"line {node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.keyword) and node.arg == "solution"
        ]
        assert not kept, (
            f"{path.name} passes solution= ({', '.join(kept)}): the notebook "
            "region is the only source"
        )
    assert "solution" not in Exercise.__init__.__code__.co_varnames


def _body(function: ast.FunctionDef) -> str:
    """A function's code without its name and docstring, to compare two copies."""
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    return ast.dump(ast.Module(body=body, type_ignores=[]), annotate_fields=False)


def test_lesson_cases_carry_no_solution():
    from tests import lesson_cases

    assert "solution" not in {f.name for f in dataclasses.fields(lesson_cases.ExerciseCase)}
    source = Path(lesson_cases.__file__).read_text(encoding="utf-8")
    mine = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)]
    for region in REGIONS.values():
        for name, function in _defined_functions(region.text).items():
            for copy in mine:
                assert copy.name != name, (
                    f"tests/lesson_cases.py defines {name} ({region.exercise_id}'s solution)"
                )
                assert _body(copy) != _body(function), (
                    f"tests/lesson_cases.py: {copy.name} is "
                    f"a copy of {region.exercise_id}'s solution"
                )
    reflections = [r for i, r in REGIONS.items() if isinstance(load_all()[i], ReflectionExercise)]
    for region in reflections:  # a model answer's text, copied
        for line in region.text.splitlines()[1:-1]:
            assert " ".join(line.split()) not in " ".join(source.split()), (
                f"tests/lesson_cases.py copies {region.exercise_id}'s solution: {line!r}"
            )


# -- the build's rules ---------------------------------------------------------------------------


def _notebook(folder: Path, name: str, *sources: str) -> None:
    folder.mkdir(exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), folder / name)


def test_regions_are_found_by_lesson_and_check_call(tmp_path):
    _notebook(
        tmp_path,
        "07_x.ipynb",
        "import math\n\n# BEGIN SOLUTION\n    x = math.pi\n# END SOLUTION\nq2.check(x)",
        "y = 1",
    )
    (region,) = exercise_regions(tmp_path, ["07.q2"]).values()
    assert (region.exercise_id, region.cell, region.text) == ("07.q2", 0, "x = math.pi")
    assert json.loads(build.solutions_json(tmp_path, ["07.q2"])) == {"07.q2": "x = math.pi"}
    target = tmp_path / "solutions.json"
    assert build.write_solutions(tmp_path, target, ["07.q2"]) is True
    assert build.write_solutions(tmp_path, target, ["07.q2"]) is False


@pytest.mark.parametrize(
    ("cells", "ids", "message"),
    [
        (["# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nprint(x)"], None, "has no qN.check"),
        (["# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nq1.check(x)\nq2.check(x)"], None, "checks 2"),
        (["# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nq1.check(x)"] * 2, None, "a second solution"),
        (
            ["# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nq1.check(x)"],
            ["07.q1", "07.q2"],
            "exercises without a solution region in .*: 07.q2",
        ),
        (
            ["# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nq3.check(x)"],
            ["07.q1", "07.q3"],
            "without a solution region.*07.q1",
        ),
        (["# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nq1.check(x)"], [], "no lesson module defines"),
    ],
)
def test_a_region_without_its_exercise_fails_the_build(tmp_path, cells, ids, message):
    _notebook(tmp_path, "07_x.ipynb", *cells)
    with pytest.raises(BuildError, match=message):
        exercise_regions(tmp_path, ids)


def test_check_reports_a_stale_or_missing_solutions_json(tmp_path):
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    _notebook(solutions, "07_x.ipynb", "# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nq1.check(x)")
    target = tmp_path / "solutions.json"
    problems = build.check(solutions, notebooks, target)
    assert any("solutions.json: missing" in str(p) for p in problems)
    build.write_solutions(solutions, target)
    assert not any("solutions.json" in str(p) for p in build.check(solutions, notebooks, target))
    target.write_text('{"07.q1": "x = 2"}\n', encoding="utf-8")
    assert any(
        "solutions.json: stale" in str(p) and "--solutions-json" in str(p)
        for p in build.check(solutions, notebooks, target)
    )


def test_the_cli_refreshes_solutions_json_without_executing(monkeypatch, capsys):
    from authoring import cli

    calls = []
    monkeypatch.setattr(build, "write_solutions", lambda: calls.append(1) or False)
    monkeypatch.setattr(build, "build", lambda **kwargs: pytest.fail("executed notebooks"))
    assert cli.main(["build", "--solutions-json"]) == 0
    assert calls == [1] and "solutions.json" in capsys.readouterr().out

"""The single-source build: solution regions become placeholders, and --check catches drift."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from authoring.build import REPO_ROOT as ROOT
from authoring.build import BuildError, check, placeholder_for, strip_solutions, student_version


def test_assignments_become_blanks():
    source = (
        "x = 1\n# BEGIN SOLUTION\ntotal = x + 1\nshare, rest = 0.5, 0.5\ntotal += 1\n"
        "# END SOLUTION\nq.check(total)"
    )
    assert strip_solutions(source) == (
        "x = 1\ntotal = ____  # your code here\nshare = ____  # your code here\n"
        "rest = ____  # your code here\nq.check(total)"
    )


def test_function_keeps_signature_and_docstring_and_indentation():
    source = (
        "if True:\n    # BEGIN SOLUTION\n    def cagr(start: float,\n"
        "             end: float) -> float:\n"
        '        """Growth per year."""\n        return (end / start) - 1\n    # END SOLUTION\n'
    )
    assert strip_solutions(source) == (
        "if True:\n    def cagr(start: float,\n             end: float) -> float:\n"
        '        """Growth per year."""\n        return ____  # your code here\n'
    )


def test_region_without_assignment_becomes_a_comment_and_several_regions_work():
    source = (
        "# BEGIN SOLUTION\nprint(1)\n# END SOLUTION\na = 2\n# BEGIN SOLUTION\nb = a\n# END SOLUTION"
    )
    assert strip_solutions(source) == "# your code here\na = 2\nb = ____  # your code here"
    assert placeholder_for("x = 1\nx = 2") == ["x = ____  # your code here"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n# END SOLUTION", "without"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another"),
        ("# BEGIN SOLUTION\nx = (\n# END SOLUTION", "not valid Python"),
    ],
)
def test_malformed_regions_are_build_errors(source, message):
    with pytest.raises(BuildError, match=message):
        strip_solutions(source)


def _solution_notebook():
    solved = new_code_cell(
        "# BEGIN SOLUTION\nanswer = 42\n# END SOLUTION\nq1.check(answer)",
        execution_count=2,
        outputs=[nbformat.v4.new_output("stream", text="ok")],
    )
    tagged = new_code_cell("q1.solution()", metadata={"tags": ["solution"]}, execution_count=3)
    return new_notebook(cells=[new_markdown_cell("# Title"), solved, tagged])


def test_student_version_drops_tagged_cells_and_clears_outputs():
    student = student_version(_solution_notebook())
    assert [c.cell_type for c in student.cells] == ["markdown", "code"]
    assert student.cells[1].source == "answer = ____  # your code here\nq1.check(answer)"
    assert student.cells[1].outputs == [] and student.cells[1].execution_count is None


def _write(folder, name, nb):
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / name)


def test_check_finds_every_kind_of_drift(tmp_path):
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    _write(solutions, "01_a.ipynb", _solution_notebook())
    student = student_version(_solution_notebook())
    student.cells[1].execution_count = 1
    _write(notebooks, "01_a.ipynb", student)
    assert check(solutions, notebooks) == []

    student.cells[0].source = "# Edited by hand"
    _write(notebooks, "01_a.ipynb", student)
    _write(notebooks, "99_orphan.ipynb", student)
    _write(solutions, "02_b.ipynb", _solution_notebook())
    unexecuted = _solution_notebook()
    unexecuted.cells[1].execution_count = None
    _write(solutions, "03_c.ipynb", unexecuted)
    messages = [str(p) for p in check(solutions, notebooks)]
    assert any("notebooks/01_a.ipynb: differs from the build from cell 0" in m for m in messages)
    assert any("99_orphan.ipynb: in notebooks/ but has no source" in m for m in messages)
    assert any("02_b.ipynb: missing from notebooks/" in m for m in messages)
    assert any("solutions/03_c.ipynb: cell 1 was never executed" in m for m in messages)


def test_the_committed_notebooks_are_what_the_build_produces():
    problems = check()
    assert problems == [], "\n".join(map(str, problems))


def test_every_lesson_notebook_has_a_header_and_key_points():
    from authoring.build import SOLUTIONS_DIR

    for path in sorted(SOLUTIONS_DIR.glob("*.ipynb")):
        text = "\n".join(
            c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
        )
        for required in (
            "**Questions**",
            "**Objectives**",
            "**Prerequisites**",
            "**Time**",
            "## Key points",
            "**Exercise recap**",
        ):
            assert required in text, f"{path.name} lacks {required}"


def test_saved_widgets_say_to_run_their_cell():
    from authoring.build import WIDGET_PLACEHOLDER, WIDGET_VIEW, explain_saved_widgets

    output = nbformat.v4.new_output(
        "display_data",
        data={
            WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
            "text/plain": "VBox(children=(FloatSlider(value=14000.0, ...)",
        },
    )
    cell = nbformat.v4.new_code_cell("MarketSizer()", outputs=[output])
    notebook = nbformat.v4.new_notebook(cells=[cell])
    assert explain_saved_widgets(notebook) == 1 and explain_saved_widgets(notebook) == 0
    assert output["data"]["text/plain"] == WIDGET_PLACEHOLDER
    for folder in ("solutions", "notebooks"):  # the committed lessons, as a learner opens them
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                for out in cell.get("outputs", []):
                    if WIDGET_VIEW in out.get("data", {}):
                        assert out["data"]["text/plain"] == WIDGET_PLACEHOLDER, path.name

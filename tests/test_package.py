"""Package-level promises: importing is light, the CLI answers, plots follow the course style."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from course.config import REPO_ROOT

HEAVY = ["tensorflow", "keras", "matplotlib", "fastapi", "uvicorn", "sklearn"]


@pytest.mark.parametrize(
    "module",
    [
        "course",
        "course.data",
        "course.exercises",
        "course.exercises.lesson00",
        "course.lessons",
        "course.cli",
    ],
)
def test_import_does_not_load_heavy_libraries(module):
    code = (
        f"import sys, json, {module}; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


AUDIENCES = {  # each audience's command line -> commands it has, and commands it must not have
    "course": (
        {"doctor", "data", "progress", "lab", "serve", "keys", "model", "extension", "binder-url"},
        {"build", "budget", "hub", "instructors"},
    ),
    "authoring": (
        {
            "build",
            "floats",
            "glossary",
            "instructors",
            "site",
            "budget",
            "test-paths",
            "binder-check",
            "colab-url",
            "colab-lock",
        },
        {"doctor", "hub", "serve"},
    ),
    "classroom": ({"hub", "remove-learners", "resources"}, {"build", "doctor"}),
}


@pytest.mark.parametrize("module", sorted(AUDIENCES))
def test_each_audience_has_its_own_commands(module):
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert done.returncode == 0, done.stderr
    listed = set(re.findall(r"^    ([a-z][a-z-]+)", done.stdout, re.M))
    has, lacks = AUDIENCES[module]
    assert listed == has and not listed & lacks
    unknown = subprocess.run(
        [sys.executable, "-m", module, "fly"], capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert unknown.returncode == 2 and "invalid choice: 'fly'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


@pytest.mark.parametrize(
    "module,command", [(m, c) for m in sorted(AUDIENCES) for c in sorted(AUDIENCES[m][0])]
)
def test_every_subcommand_explains_itself(module, command):
    done = subprocess.run(
        [sys.executable, "-m", module, command, "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: "), done.stderr


def test_a_command_declared_twice_is_refused():
    from course.commands import CommandLine

    cli = CommandLine("demo", "a demo")
    cli.command("go", "go")(lambda args: 0)
    with pytest.raises(ValueError, match="declared twice"):
        cli.command("go", "again")(lambda args: 0)


def test_cli_progress_and_reset(progress_dir):
    from course.exercises.lesson00 import q1

    q1.check(q1.expected)
    env = dict(os.environ)
    shown = subprocess.run(
        [sys.executable, "-m", "course", "progress"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0 and "00 Start here" in shown.stdout
    assert str(progress_dir) in shown.stdout
    subprocess.run(
        [sys.executable, "-m", "course", "progress", "--reset"],
        env=env,
        check=True,
        capture_output=True,
    )
    assert not (progress_dir / "progress.json").exists()


def test_plots_require_labels_and_alt_text(capsys):
    import matplotlib

    matplotlib.use("Agg")
    from course.plots import COLORS, figure, show

    assert len(set(COLORS)) == 8
    fig, ax = figure()
    ax.plot([2020, 2021], [1, 2])
    with pytest.raises(ValueError, match="axis labels"):
        show(ax, title="Rising", xlabel="", ylabel="Models (count)", alt="x")
    with pytest.raises(ValueError, match="alt text"):
        show(ax, title="Rising", xlabel="Year", ylabel="Models (count)", alt=" ")
    show(ax, title="Models rise", xlabel="Year", ylabel="Models (count)", alt="Two points rise.")
    assert capsys.readouterr().out == "Figure: Two points rise.\n"
    assert ax.get_xlabel() == "Year" and ax.get_title(loc="left") == "Models rise"
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == COLORS[0]


def test_a_figure_carries_its_summary_as_alt_text(monkeypatch):
    """In a notebook the figure is an <img> whose alt is the summary (a screen reader reads it);
    the PNG is inlined, so the page needs nothing else."""
    import base64

    import matplotlib

    matplotlib.use("Agg")
    from course import plots

    fig, ax = plots.figure()
    ax.plot([2020, 2021], [1, 2])
    tag = plots.image_tag(fig, ' Two "points" <rise> ')
    assert tag.startswith(
        '<img alt="Two &quot;points&quot; &lt;rise&gt;" src="data:image/png;base64,'
    )
    png = base64.b64decode(tag.split("base64,")[1].rstrip('">'))
    assert png.startswith(b"\x89PNG")
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())  # as inside a kernel
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    plots.display(fig, alt="Two points rise.")
    assert shown and shown[0]["text/html"].startswith('<img alt="Two points rise."')
    assert "image/png" not in shown[0]  # (one image: JupyterLab's PNG renderer has no alt)
    assert fig.number not in matplotlib.pyplot.get_fignums()  # closed: not shown a second time


def test_course_map_lists_every_lesson_notebook_that_exists():
    from authoring.build import SOLUTIONS_DIR
    from course.lessons import LESSONS, lesson_table

    names = {lesson.notebook for lesson in LESSONS}
    assert {p.name for p in SOLUTIONS_DIR.glob("*.ipynb")} <= names
    assert list(lesson_table().index) == [f"0{i}" for i in range(7)]
    marked = [n for n, title in lesson_table()["title"].items() if title.startswith("(optional")]
    assert marked == [lesson.number for lesson in LESSONS if lesson.extension] == ["06"]
    assert [lesson.number for lesson in LESSONS if lesson.optional] == ["06"]


def test_every_lesson_on_the_map_exists_in_both_folders_and_in_the_readme():
    import re

    from authoring.build import NOTEBOOKS_DIR, SOLUTIONS_DIR
    from course.lessons import LESSONS

    for lesson in LESSONS:
        assert (SOLUTIONS_DIR / lesson.notebook).exists(), lesson.notebook
        assert (NOTEBOOKS_DIR / lesson.notebook).exists(), lesson.notebook
    readme = (SOLUTIONS_DIR.parent / "README.md").read_text(encoding="utf-8")
    # (the last column: its "Open in Colab" link, authoring.publish)
    rows = re.findall(r"^\| (\d\d) \| `(\w+)` \| [^|]+ \| (\d+) min \| [^|]+ \|$", readme, re.M)
    assert rows == [
        (lesson.number, lesson.notebook.removesuffix(".ipynb"), str(lesson.minutes))
        for lesson in LESSONS
    ]


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/acme/ai-course.git",
        "git@github.com:acme/ai-course.git",
        "https://github.com/acme/ai-course",
    ],
)
def test_binder_url_from_a_github_remote(remote):
    from course.config import binder_url

    assert binder_url(remote) == (
        "https://mybinder.org/v2/gh/acme/ai-course/HEAD"
        "?urlpath=lab/tree/notebooks/00_start_here.ipynb"
    )
    assert binder_url("https://gitlab.com/acme/ai-course.git") is None


def test_the_palette_is_okabe_and_itos_colour_blind_safe_set():
    """Okabe, M. & Ito, K. (2008), Color Universal Design: the eight colours, as published
    (sRGB 0-255): black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish
    purple."""
    from course.plots import COLORS, PALETTE

    published = {
        (0, 0, 0),
        (230, 159, 0),
        (86, 180, 233),
        (0, 158, 115),
        (240, 228, 66),
        (0, 114, 178),
        (213, 94, 0),
        (204, 121, 167),
    }
    used = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in PALETTE.values()}
    assert used == published and len(COLORS) == len(published)


#: Where the course's documents name commands for learners, authors and instructors.
DOCUMENTS = [
    "README.md",
    "CONTRIBUTING.md",
    "instructors/README.md",
    "classroom/hub/README.md",
    "classroom/kubernetes/README.md",
]
COMMAND_LINES = {
    "course": "course.cli",
    "python -m authoring": "authoring.cli",
    "python -m classroom": "classroom.cli",
}


def documented_commands() -> list[tuple[str, str, str]]:
    """``(document, program, arguments)`` for each command a document names in backticks."""
    found = []
    pattern = re.compile(
        r"`(?:\.venv/bin/)?(course|python -m authoring|python -m classroom) "
        r"([a-z][^`]*)`"
    )
    for document in DOCUMENTS:
        for program, arguments in pattern.findall((REPO_ROOT / document).read_text()):
            found.append((document, program, arguments))
    return found


def test_the_documents_name_commands_of_every_audience():
    programs = {program for _, program, _ in documented_commands()}
    assert programs == set(COMMAND_LINES)


@pytest.mark.parametrize("document,program,arguments", documented_commands())
def test_every_command_the_documents_name_exists_with_its_options(document, program, arguments):
    import importlib

    cli = importlib.import_module(COMMAND_LINES[program]).cli
    if "\\|" in arguments:  # a list of the program's commands: `course doctor \| data \| ...`
        names = {name.strip() for name in arguments.split("\\|")}
        assert names == set(cli.commands), f"{document}: {program} {arguments}"
        return
    words = re.sub(r"\[[^\]]*\]", "", arguments).split()  # (optional parts left out)
    words = ["x" if word.isupper() else word for word in words]  # (placeholders: DIR, NN)
    try:
        cli.parser().parse_args(words)
    except SystemExit as refused:
        pytest.fail(f"{document}: `{program} {arguments}` is refused (exit {refused.code})")


def test_a_documented_command_that_is_gone_is_caught():
    from course.cli import cli

    with pytest.raises(SystemExit):
        cli.parser().parse_args(["build", "--check"])  # an author's command, not a learner's

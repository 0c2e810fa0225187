"""The course on Google Colab and Kaggle (issue 30).

Unit tests of the setup logic (:mod:`course.setup.colab`): where it counts as hosted, what it would
install given a set of installed versions, that it does nothing anywhere else, and the links
(:mod:`authoring.publish`). The test marked ``colab`` runs every solution notebook in a
replica of Colab's runtime: a throwaway environment from ``requirements-colab.lock`` (Python 3.13,
Colab's versions; ``python -m authoring colab-lock`` makes it from Colab's ``pip freeze``), cached
per lock digest, the setup cell in Colab mode (``COURSE_PRETEND_COLAB``) installing the course
from a copy of this checkout, as it installs it from the repository's archive on Colab.
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

from authoring import publish
from authoring.build import NOTEBOOKS_DIR, SOLUTIONS_DIR
from course.config import REPO_ROOT, RUNTIME_ENV, colab_url
from course.setup import colab, hosted

COLAB_FREEZE = REPO_ROOT.parent / "shared" / "colab" / "colab-pip-freeze.txt"


# --- where the cell acts ---------------------------------------------------------------------


def cell_condition() -> str:
    """The ``if`` test of the setup cell's source (it cannot import the course: none yet)."""
    line = next(text for text in colab.setup_cell("00").splitlines() if text.startswith("if "))
    return line[3:].rstrip(":")


class FakeOs:
    def __init__(self, environ):
        self.environ = environ


class FakeSys:
    def __init__(self, modules):
        self.modules = modules


CASES = [  # (environment variables, imported modules, expected)
    ({}, {}, None),  # a laptop, the class hub, Binder
    ({"BINDER_SERVICE_HOST": "10.0.0.1", "JUPYTERHUB_USER": "ada"}, {}, None),
    ({"COLABORATOR": "x"}, {}, None),  # a variable merely starting with COLAB
    ({}, {"google.colab": object()}, "Colab"),
    ({"COLAB_RELEASE_TAG": "release-colab_20260819-060058_RC00"}, {}, "Colab"),
    ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, {}, "Kaggle"),
    ({"KAGGLE_KERNEL_RUN_TYPE": "Batch", "COLAB_RELEASE_TAG": "x"}, {}, "Kaggle"),
    ({"COURSE_PRETEND_COLAB": "1"}, {}, "Colab"),
]


@pytest.mark.parametrize(("environ", "modules", "expected"), CASES)
def test_hosted_and_the_cell_agree_on_where_they_act(environ, modules, expected):
    assert hosted.hosted(environ, modules) == expected
    acts = eval(cell_condition(), {"os": FakeOs(environ), "sys": FakeSys(modules)})
    assert bool(acts) == (expected is not None)


def test_only_a_real_colab_opens_the_service_to_colabs_proxy():
    assert hosted.on_real_colab({"COLAB_RELEASE_TAG": "x"})
    assert not hosted.on_real_colab({"COURSE_PRETEND_COLAB": "1"})
    assert not hosted.on_real_colab({})
    assert hosted.proxied_url(8000) is None  # (no google.colab here)


def test_on_colab_the_service_lets_colabs_proxy_in_and_elsewhere_only_local_hosts(monkeypatch):
    from course.service.app import LOCAL_HOSTS
    from course.service.server import open_hosts, public_url

    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    assert open_hosts("127.0.0.1", "") == LOCAL_HOSTS
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/docs"
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20260819")
    assert open_hosts("127.0.0.1", "") is None  # (Colab's proxy signs its user in)


# --- what it installs ------------------------------------------------------------------------


def colab_installed() -> dict[str, str]:
    """Colab's published freeze as the setup code sees a runtime: canonical name -> version."""
    from authoring.colab_replica import read_freeze

    if not COLAB_FREEZE.exists():
        pytest.skip(f"no Colab freeze at {COLAB_FREEZE}")
    return read_freeze(COLAB_FREEZE)


def course_requirements() -> list[str]:
    from authoring.colab_replica import direct_requirements

    return direct_requirements()


LINUX_313 = {
    "sys_platform": "linux",
    "platform_machine": "x86_64",
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}


def test_on_colabs_stack_it_installs_only_what_is_missing_and_keeps_the_rest():
    todo = colab.plan(course_requirements(), colab_installed(), LINUX_313)
    assert todo.missing == ["msgspec", "fastapi-offline", "ai-edge-litert"]
    assert todo.install == ["msgspec>=0.19", "fastapi-offline>=1.7", "ai-edge-litert<2.4,>=2.3"]
    kept = {name: version for name, version, _ in todo.kept}
    # Colab's own, older than the learners' lock allows, kept as they are (the replica runs them)
    # (the five conflicts of issue 30)
    assert kept == {
        "numpy": "2.1.3",
        "ipywidgets": "7.7.1",
        "ipykernel": "6.17.1",
        "tensorflow": "2.20.0",
        "psutil": "5.9.5",
    }
    # Colab brings its own notebook UI; tensorflow-cpu is met by Colab's tensorflow (kept above);
    # the macOS/ARM tensorflow line does not apply on Colab's Linux x86-64
    assert set(todo.skipped) == {"jupyterlab", "jupyter-server-proxy", "tensorflow"}


def test_a_complete_environment_gets_nothing_installed():
    installed = {"numpy": "2.4.6", "msgspec": "0.22.0", "tensorflow-cpu": "2.21.0"}
    todo = colab.plan(["numpy>=2.2", "msgspec>=0.19", "tensorflow-cpu>=2.21,<2.22"], installed)
    assert (todo.install, todo.kept) == ([], [])


def test_the_installer_never_replaces_an_installed_package():
    calls = []

    def run(command, **_):
        constraints = Path(command[command.index("-c") + 1]).read_text()
        calls.append((command, constraints))
        return subprocess.CompletedProcess(command, 0)

    installed = {"numpy": "2.1.3", "fastapi": "0.141.1", colab.DISTRIBUTION: "0.1.0"}
    assert colab.install_missing(["msgspec>=0.19", "fastapi-offline>=1.7"], installed, run) == []
    ((command, constraints),) = calls
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert "--upgrade" not in command and "-U" not in command and "--force-reinstall" not in command
    assert command[-2:] == ["msgspec>=0.19", "fastapi-offline>=1.7"]
    assert constraints == "fastapi==0.141.1\nnumpy==2.1.3\n"  # (every package held; not the course)


def test_what_pip_cannot_add_without_replacing_is_reported_one_by_one():
    def run(command, **_):
        refused = len(command) > 9 or "ai-edge-litert<2.4,>=2.3" in command
        return subprocess.CompletedProcess(command, 1 if refused else 0)

    assert colab.install_missing(["msgspec>=0.19", "ai-edge-litert<2.4,>=2.3"], {}, run) == [
        "ai-edge-litert<2.4,>=2.3"
    ]


# --- doing nothing locally -------------------------------------------------------------------


def test_setup_does_nothing_off_colab(monkeypatch, capsys):
    for name in (
        "COLAB_RELEASE_TAG",
        "COLAB_BACKEND_VERSION",
        "KAGGLE_KERNEL_RUN_TYPE",
        hosted.PRETEND_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)

    def refuse(*args, **kwargs):
        raise AssertionError("nothing may run off Colab")

    assert colab.setup("03", run=refuse, fetch=refuse) == ""
    assert capsys.readouterr() == ("", "")


def test_the_cell_prints_nothing_and_imports_nothing_of_the_course_off_colab():
    code = (
        colab.setup_cell("04") + "\nprint(sorted(m for m in sys.modules if m.startswith('course')))"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COLAB_RELEASE_TAG", "KAGGLE_KERNEL_RUN_TYPE", hosted.PRETEND_ENV)
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert (done.stdout, done.stderr) == ("[]\n", "")


def test_setup_in_colab_mode_says_in_one_line_what_it_did(monkeypatch, tmp_path):
    monkeypatch.setattr(
        os,
        "environ",
        {
            k: v
            for k, v in os.environ.items()
            if k not in RUNTIME_ENV and k != "COURSE_ARTIFACTS_DIR"
        },
    )
    os.environ[hosted.PRETEND_ENV] = "1"
    monkeypatch.setattr(
        colab, "installed_versions", lambda: {**colab_installed(), colab.DISTRIBUTION: "0.1.0"}
    )
    monkeypatch.setattr(colab, "course_requirements", course_requirements)
    commands, fetched, said = [], [], []

    def run(command, **_):
        commands.append(command)
        return subprocess.CompletedProcess(command, 0)

    line = colab.setup(
        "01",
        "https://github.com/acme/ai-course/archive/refs/heads/main.zip",
        run=run,
        fetch=lambda d: fetched.append(d.name),
        say=said.append,
    )
    assert said == [line] and "\n" not in line
    assert line.startswith("Colab: course 0.1.0 ready, ")
    assert "lesson 01's data verified (9 files)" in line and len(fetched) == 9
    assert len(commands) == 1 and commands[0][-3:] == [
        "msgspec>=0.19",
        "fastapi-offline>=1.7",
        "ai-edge-litert<2.4,>=2.3",
    ]
    assert os.environ[hosted.PUBLISHED_ENV] == "acme/ai-course@main"
    assert {k: os.environ[k] for k in RUNTIME_ENV} == RUNTIME_ENV  # (set before TensorFlow loads)
    assert os.environ["COURSE_ARTIFACTS_DIR"].endswith("artifacts")  # (no checkout on Colab)


# --- the cell in the lessons, and the links --------------------------------------------------


def test_every_lesson_has_its_setup_cell_right_after_the_title():
    repository, branch = hosted.published()
    for folder in (SOLUTIONS_DIR, NOTEBOOKS_DIR):
        for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
            cell = nbformat.read(path, as_version=4).cells[1]
            assert cell.get("id") == colab.CELL_ID, path
            assert cell.source == colab.setup_cell(path.name[:2], repository, branch), path
            assert cell.outputs == [], path  # (nothing outside Colab)
            assert len(cell.source.splitlines()) <= 8


def test_the_build_inserts_the_cell_once_and_check_finds_it_stale():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# 03 · Title"), nbformat.v4.new_code_cell("x = 1")]
    )
    assert publish.setup_cell_problem(nb, "03_x.ipynb") is not None
    assert publish.with_setup_cell(nb, "03_x.ipynb") is True
    assert publish.with_setup_cell(nb, "03_x.ipynb") is False  # (once)
    assert [c.get("id") for c in nb.cells][1] == colab.CELL_ID and len(nb.cells) == 3
    assert 'setup("03", source)' in nb.cells[1].source
    assert publish.setup_cell_problem(nb, "03_x.ipynb") is None
    assert "stale" in publish.setup_cell_problem(nb, "03_x.ipynb", "acme/ai-course")
    assert publish.with_setup_cell(nb, "03_x.ipynb", "acme/ai-course") is True
    assert len(nb.cells) == 3 and "github.com/acme/ai-course/archive" in nb.cells[1].source


def test_links_are_made_for_wherever_the_course_is_published(tmp_path):
    assert colab_url("03_credit_risk_classifier.ipynb", "acme/ai-course") == (
        "https://colab.research.google.com/github/acme/ai-course/blob/main/notebooks/"
        "03_credit_risk_classifier.ipynb"
    )
    readme = (REPO_ROOT / "README.md").read_text()
    assert publish.readme_problem() is None
    linked = publish.readme_with_links(readme, "acme/ai-course", "trunk")
    rows = [line for line in linked.splitlines() if re.match(r"\| \d\d \| `", line)]
    assert len(rows) == 7
    for row in rows:
        notebook = re.match(r"\| \d\d \| `([^`]+)`", row)[1] + ".ipynb"
        assert row.endswith(
            f"[![Open in Colab]({publish.COLAB_BADGE})]("
            f"https://colab.research.google.com/github/acme/ai-course/blob/trunk/"
            f"notebooks/{notebook}) |"
        )
    assert publish.readme_with_links(linked, None, "main") == readme  # and back
    # the cells: the archive of the same repository and branch
    assert "https://github.com/acme/ai-course/archive/refs/heads/trunk.zip" in colab.setup_cell(
        "02", "acme/ai-course", "trunk"
    )
    pyproject = tmp_path / "pyproject.toml"
    shutil.copyfile(REPO_ROOT / "pyproject.toml", pyproject)
    publish.set_published("acme/ai-course", "trunk", pyproject)
    assert hosted.published(pyproject) == ("acme/ai-course", "trunk")
    assert (REPO_ROOT / "pyproject.toml").read_text().replace(
        'repository = ""\nbranch = "main"', 'repository = "acme/ai-course"\nbranch = "trunk"'
    ) == pyproject.read_text()  # (two lines changed, nothing else)


def test_colab_url_write_records_the_remote_and_rewrites_what_depends_on_it(tmp_path, monkeypatch):
    from authoring import build

    for name in ("README.md", "pyproject.toml"):
        shutil.copyfile(REPO_ROOT / name, tmp_path / name)
    for folder in ("solutions", "notebooks"):
        (tmp_path / folder).mkdir()
        shutil.copyfile(
            SOLUTIONS_DIR / "02_scoring_model.ipynb", tmp_path / folder / "02_scoring_model.ipynb"
        )
    monkeypatch.setattr(publish, "README", tmp_path / "README.md")
    monkeypatch.setattr(publish, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(hosted, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(build, "SOLUTIONS_DIR", tmp_path / "solutions")
    monkeypatch.setattr(build, "NOTEBOOKS_DIR", tmp_path / "notebooks")
    folders = [tmp_path / "solutions", tmp_path / "notebooks"]
    assert (
        publish.write(folders, "git@github.com:acme/ai-course.git", "trunk", log=lambda *_: None)
        == 0
    )
    assert hosted.published() == ("acme/ai-course", "trunk")
    assert publish.readme_problem() is None
    for folder in ("solutions", "notebooks"):
        nb = nbformat.read(tmp_path / folder / "02_scoring_model.ipynb", as_version=4)
        assert publish.setup_cell_problem(nb, "02_scoring_model.ipynb", *hosted.published()) is None
    assert (
        publish.write(folders, "https://gitlab.com/acme/ai-course", None, log=lambda *_: None) == 1
    )


def test_no_publisher_is_written_into_the_course():
    assert hosted.published() == (None, "main"), "the committed course names no publisher"
    assert "archive/refs/heads" in colab.setup_cell("00")


def test_the_course_map_has_colab_links_only_on_colab(monkeypatch):
    from course.lessons import LESSONS, lesson_table

    monkeypatch.delenv(hosted.PRETEND_ENV, raising=False)
    assert list(lesson_table().columns) == ["title", "you will", "minutes"]
    monkeypatch.setenv(hosted.PRETEND_ENV, "1")
    monkeypatch.setattr(hosted, "published", lambda: ("acme/ai-course", "main"))
    table = lesson_table()
    assert list(table["open in Colab"]) == [
        colab_url(lesson.notebook, "acme/ai-course") for lesson in LESSONS
    ]


def test_the_colab_lock_is_what_the_freeze_gives():
    """Every pin of requirements-colab.lock is Colab's version (the replica is Colab's stack)."""
    from authoring.colab_replica import LOCK, RENAMED

    colab_versions = {RENAMED.get(n, n): v for n, v in colab_installed().items()}
    pins = dict(
        line.split("==")
        for line in LOCK.read_text().splitlines()
        if "==" in line and line[0] != "#"
    )
    differ = {
        colab.canonical(n): (v, colab_versions.get(colab.canonical(n)))
        for n, v in pins.items()
        if colab_versions.get(colab.canonical(n)) != v
    }
    # jedi: IPython's dependency, absent from Colab's freeze (its IPython bundles its own)
    assert set(differ) <= {"jedi"}, differ
    assert pins["tensorflow-cpu"] == colab_versions["tensorflow-cpu"] == "2.20.0"
    for name in ("msgspec", "fastapi-offline", "jupyterlab"):
        assert name not in pins  # (what the setup cell must add)


# --- every lesson on Colab's stack -----------------------------------------------------------

#: Cells whose output differs from the stored one on Colab's stack other than in layout, and why;
#: every other compared output must be the same (the lessons' conclusions never differ).
KNOWN_DIFFERENCES: dict[tuple[str, int], str] = {
    ("03_credit_risk_classifier.ipynb", 42): "scikit-learn 1.6's gradient boosting (the baseline): "
    "cross-validated AUC 0.785 ± 0.014, cost 0.564 ± 0.058 (stored 0.786 ± 0.018, 0.560 ± "
    "0.063); the Keras model's and the logistic regression's rows unchanged, the order too",
    ("03_credit_risk_classifier.ipynb", 43): "the same gradient boosting figures in the chart's "
    "text",
    ("03_credit_risk_classifier.ipynb", 45): "the same: Keras minus gradient boosting +0.007 "
    "(stored +0.006); every verdict the same, 'cannot tell apart'",
    ("03_credit_risk_classifier.ipynb", 50): "the same: gradient boosting's cost per applicant "
    "0.564 (stored 0.560) beside the Statlog algorithms",
    ("06_scale_and_compression.ipynb", 43): "TensorFlow 2.20's TF Lite converter writes smaller "
    "float16 and int8 files (0.88, 0.77, 0.56 of float32; stored 0.90, 0.78, 0.57); every AUC "
    "change and flipped decision the same (none)",
}
#: Why a difference in layout only is one (same values, same order: see :func:`layout_only`).
LAYOUT = "layout only: pandas 2.2 pads and wraps a table's text otherwise than pandas 3"


def _ignored(cell) -> bool:
    return "# NBVAL_IGNORE_OUTPUT" in cell.source.splitlines() or "nbval-ignore-output" in cell.get(
        "metadata", {}
    ).get("tags", [])


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    text = (REPO_ROOT / "tests" / "nbval_sanitize.cfg").read_text()
    return [(re.compile(r), s) for r, s in re.findall(r"regex: (.*)\nreplace: (.*)", text)]


def compared_text(cell, sanitizers) -> list[str]:
    """A code cell's outputs as nbval compares them: text, sanitised (figures' pixels aside),
    consecutive stream outputs joined (ipykernel 6.17 batches a cell's prints otherwise)."""
    shown = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            text = output.text
            if shown and shown[-1][0] == output.name:
                shown[-1] = (output.name, shown[-1][1] + text)
                continue
            shown.append((output.name, text))
        elif output.output_type == "error":
            shown.append(("error", output.ename))
        else:
            for mime in ("text/plain", "text/markdown", "text/html"):
                if mime in output.get("data", {}):
                    shown.append((mime, output.data[mime]))
                    break
    text = "\n".join(f"{kind}: {value}" for kind, value in shown)
    for regex, replace in sanitizers:
        text = regex.sub(replace.replace("\\1", r"\1"), text)
    return text.splitlines()


def layout_only(want: list[str], have: list[str]) -> bool:
    """Only spaced or wrapped otherwise: the same words (a wrapped table repeats its row labels in
    each block, so as sets), and every figure with a decimal point or thousands separator as
    often (those appear once per cell, wrapped or not: a changed value fails)."""
    from collections import Counter

    def words(lines):
        return [w for line in lines for w in line.split() if w not in ("\\", "text/plain:")]

    def figures(lines):
        return Counter(w for w in words(lines) if re.fullmatch(r"[-+$]?[\d,]*[.,]\d+%?", w))

    return set(words(want)) == set(words(have)) and figures(want) == figures(have)


def differences(stored: nbformat.NotebookNode, ran: nbformat.NotebookNode) -> dict[int, str]:
    """Compared cells whose output differs: index -> the first differing line, both ways."""
    sanitizers, found = _sanitizers(), {}
    for index, (a, b) in enumerate(zip(stored.cells, ran.cells, strict=True)):
        if a.cell_type != "code" or a.get("id") == colab.CELL_ID or _ignored(a):
            continue
        want, have = compared_text(a, sanitizers), compared_text(b, sanitizers)
        if want != have and layout_only(want, have):
            found[index] = LAYOUT
        elif want != have:
            # strict=False: the outputs may differ in length; past the shorter one, the first
            # difference is where it ends.
            line = next(
                (i for i, (x, y) in enumerate(zip(want, have, strict=False)) if x != y),
                min(len(want), len(have)),
            )
            found[index] = (
                f"stored {want[line] if line < len(want) else '(nothing)'!r}, "
                f"on Colab's stack {have[line] if line < len(have) else '(nothing)'!r}"
            )
    return found


def fresh_runtime(python: Path, lock: Path) -> None:
    """Take the replica back to Colab's state: remove whatever is not in the lock (the course and
    what an earlier setup cell added)."""
    pins = {
        colab.canonical(line.split("==")[0])
        for line in lock.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    frozen = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    extra = [
        p["name"]
        for p in json.loads(frozen)
        if colab.canonical(p["name"]) not in pins | {"pip", "setuptools"}
    ]
    if extra:
        subprocess.run(
            [str(python), "-m", "pip", "uninstall", "--yes", "--quiet", *extra], check=True
        )


def course_archive(folder: Path) -> Path:
    """What pip gets from the repository's archive on Colab: the package and its build files."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO_ROOT / name).exists():
            shutil.copyfile(REPO_ROOT / name, folder / name)
    shutil.copytree(
        REPO_ROOT / "course",
        folder / "course",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return folder


@pytest.mark.colab
def test_every_solution_runs_on_colabs_stack(tmp_path):
    """Measured on 2 CPUs (see the report it prints): the environment, the setup cell on a fresh
    runtime, and each lesson's run."""
    from authoring.colab_replica import LOCK, environment

    if shutil.which("python3.13") is None and not any(Path("/usr/bin").glob("python3.13")):
        from authoring.colab_replica import python313

        if python313() is None:
            pytest.fail("no Python 3.13: Colab's runtime is 3.13") if os.environ.get(
                "CI"
            ) else pytest.skip("no Python 3.13 here")
    try:
        env, made = environment()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        message = f"could not make the Colab replica: {error}"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    python = env / "bin" / "python"
    fresh_runtime(python, LOCK)
    lessons = tmp_path / "lessons"
    shutil.copytree(SOLUTIONS_DIR, lessons)
    runtime = {
        k: v
        for k, v in os.environ.items()
        if k not in RUNTIME_ENV
        and k not in ("PYTHONPATH", "PYTEST_CURRENT_TEST", "VIRTUAL_ENV", "COURSE_THREADS")
    }
    (tmp_path / "src").mkdir()
    runtime |= {
        hosted.PRETEND_ENV: "1",
        colab.SOURCE_ENV: str(course_archive(tmp_path / "src")),
        "COURSE_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
        "COURSE_PROGRESS_DIR": str(tmp_path / "progress"),
        "PATH": f"{env / 'bin'}:{os.environ['PATH']}",
        "JUPYTER_PREFER_ENV_PATH": "1",
    }
    runner = REPO_ROOT / "authoring" / "colab_replica.py"
    notebooks = sorted(lessons.glob("[0-9][0-9]_*.ipynb"))
    start = time.perf_counter()
    done = subprocess.run(
        [str(python), str(runner), "run", str(tmp_path / "ran"), *map(str, notebooks)],
        capture_output=True,
        text=True,
        env=runtime,
        cwd=tmp_path,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    made_text = f"made in {made:.0f} s" if made else "cached"
    report = [
        f"Colab replica ({LOCK.name}): environment {made_text}"
        f"; all lessons {time.perf_counter() - start:.0f} s"
    ]
    found, unexplained = {}, []
    for result in results:
        ran = nbformat.read(tmp_path / "ran" / result["notebook"], as_version=4)
        setup = next(c for c in ran.cells if c.get("id") == colab.CELL_ID)
        said = "".join(o.get("text", "") for o in setup.outputs).strip()
        error_note = "  ERROR " + result["error"] if result["error"] else ""
        report.append(
            f"  {result['notebook']:<34} {result['seconds']:>6.1f} s (setup cell "
            f"{result['setup_seconds'] or 0:.1f} s){error_note}"
        )
        report.append(f"      {said}")
        stored = nbformat.read(SOLUTIONS_DIR / result["notebook"], as_version=4)
        differ = differences(stored, ran)
        layout = sorted(i for i, what in differ.items() if what == LAYOUT)
        if layout:
            report.append(f"      cells {', '.join(map(str, layout))}: {LAYOUT}")
        for index, what in differ.items():
            if what == LAYOUT:
                continue
            key = (result["notebook"], index)
            found[key] = what
            why = KNOWN_DIFFERENCES.get(key)
            report.append(f"      cell {index} differs ({why or 'UNEXPLAINED'}): {what}")
            if why is None:
                unexplained.append(key)
    print("\n".join(report))
    (tmp_path / "report.txt").write_text("\n".join(report))
    errors = [(r["notebook"], r["error"]) for r in results if r["error"]]
    assert errors == [], "\n".join(report)
    assert all(r["setup_seconds"] is not None for r in results)
    assert unexplained == [], "\n".join(report)
    stale = set(KNOWN_DIFFERENCES) - set(found)
    assert not stale, f"known differences no longer seen (remove them): {sorted(stale)}"

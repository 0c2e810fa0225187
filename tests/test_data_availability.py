"""One missing data file does not block the course: the lessons that need it say so, the others
run, and ``course data fetch`` fetches what it can and names each missing file's lessons."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest

from course.config import REPO_ROOT
from course.data import (
    DATASETS,
    check_lesson_data,
    fetch_all,
    get_dataset,
    lesson_data_message,
    lessons_needing,
    load_german_credit,
)
from course.data.registry import expand
from course.errors import DataUnavailableError
from course.lessons import LESSONS
from tests.http_fixture import closed_port_url

#: What a lesson calls -> the data it reads (directly or through course.credit / course.scale).
LOADERS = {
    "load_epoch_models": "epoch_models",
    "load_ai_investment": "ai_investment",
    "load_github_ranking": "github_ranking",
    "load_german_credit": "german_credit",
    "load_credit": "german_credit",
    "split_data": "german_credit",
    "ensure_artifacts": "german_credit",
    "load_taiwan": "taiwan_credit",
}


def _offline(monkeypatch, *names: str) -> None:
    """Make the named datasets' sources unreachable (whatever this machine's network)."""
    for name in names:
        dataset = get_dataset(name)
        sources = tuple(replace(s, url=closed_port_url()) for s in dataset.sources)
        monkeypatch.setitem(DATASETS, name, replace(dataset, sources=sources))


def test_every_lesson_lists_the_data_its_notebook_loads():
    for lesson in LESSONS:
        cells = json.loads((REPO_ROOT / "solutions" / lesson.notebook).read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        used = {data for call, data in LOADERS.items() if re.search(rf"\b{call}\(", code)}
        assert used, lesson.number
        assert set(expand(used)) <= set(expand(lesson.data)), (lesson.number, used, lesson.data)
    assert lessons_needing("german_credit") == ["03", "04", "05"]
    assert lessons_needing("github_ranking_2026-08-22") == ["01", "02"]
    assert lessons_needing("taiwan_credit") == ["06"]


def test_check_lesson_data_is_silent_when_the_data_is_there(capsys):
    for lesson in LESSONS:
        check_lesson_data(lesson.number)
    check_lesson_data(3)
    assert capsys.readouterr() == ("", "")


def test_check_lesson_data_names_the_missing_file_the_lesson_and_the_command(
    data_copy, monkeypatch, capsys
):
    (data_copy / "german_credit_g.csv").unlink()
    _offline(monkeypatch, "german_credit")
    assert check_lesson_data("03") is None  # prints, never raises
    out = capsys.readouterr().out
    assert out == (
        f"Lesson 03 needs the course data file german_credit_g.csv, and it is missing from "
        f"{data_copy}. Cells that load it will stop with an error until it is fetched. To fetch "
        "it, open a terminal (JupyterLab: File > New > Terminal), run `course data fetch`, then "
        "run this notebook again. Offline: ask your instructor for the offline kit's data folder "
        "and set COURSE_DATA_DIR=/path/to/kit/data before starting JupyterLab (README, "
        "'Offline use').\n"
    )
    for other in ("00", "01", "02", "06"):  # lessons that do not need it stay silent
        check_lesson_data(other)
    assert capsys.readouterr().out == ""
    with pytest.raises(DataUnavailableError, match="german_credit_g.csv is not in the cache"):
        load_german_credit()  # the later load raises its own clear error


def test_check_lesson_data_reports_damaged_and_grouped_files(data_copy, capsys):
    (data_copy / "owid_private_investment_in_ai.csv").write_text("broken")
    for path in sorted((data_copy / "github_ranking_ai").glob("*.csv"))[:3]:
        path.unlink()
    check_lesson_data("01")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(
        f"Lesson 01 needs course data files that are missing or damaged in {data_copy}: "
        "owid_private_investment_in_ai.csv (damaged) and 3 files in github_ranking_ai/ (missing). "
        "Cells that load them will stop with an error until they are fetched. To fetch them,"
    )
    assert lesson_data_message("02", data_copy).startswith(
        "Lesson 02 needs course data files that are missing or damaged"
    )
    assert lesson_data_message("00", data_copy) == ""
    with pytest.raises(KeyError, match="No lesson '07'"):
        check_lesson_data("07")


def test_fetch_all_fetches_what_it_can_and_reports_each_missing_files_lessons(
    data_copy, monkeypatch
):
    missing = ["german_credit_g.csv", "github_ranking_ai/github-ranking-2025-06-01.csv"]
    for name in missing:
        (data_copy / name).unlink()
    _offline(monkeypatch, "german_credit", "github_ranking_2025-06-01")
    out, err = io.StringIO(), io.StringIO()
    assert fetch_all(out=out, err=err, progressbar=False) == 1
    assert out.getvalue().count("  ok  ") == len(DATASETS) - 2
    report = err.getvalue()
    assert "2 of 11 file(s) could not be fetched" in report
    assert "MISSING german_credit_g.csv (german_credit), needed by lessons 03, 04, 05" in report
    assert (
        "MISSING github_ranking_ai/github-ranking-2025-06-01.csv (github_ranking_2025-06-01), "
        "needed by lessons 01, 02"
    ) in report
    assert re.search(r"1\. publisher http://127\.0\.0\.1:\d+/file: could not connect", report)
    assert "Lessons 00, 06 have all their data and can run now." in report
    assert "run `course data fetch` again" in report and "offline kit" in report
    assert not any((data_copy / name).exists() for name in missing)
    # with everything there: exit 0, nothing on stderr
    out, err = io.StringIO(), io.StringIO()
    assert fetch_all(["epoch_models", "ai_investment"], out=out, err=err) == 0
    assert out.getvalue().count("  ok  ") == 2 and err.getvalue() == ""


def test_each_lesson_says_in_its_first_cell_when_its_data_is_missing(tmp_path):
    """The first code cell of every lesson (after the Colab/Kaggle setup cell), run with an empty
    data cache and no network, names the lesson's missing files and the fix, and the run goes on
    (no exception)."""
    import subprocess
    import sys

    script = ["import json, sys"]
    for lesson in LESSONS:
        cells = json.loads((REPO_ROOT / "solutions" / lesson.notebook).read_text())["cells"]
        first = "".join(
            next(c for c in cells if c["cell_type"] == "code" and c.get("id") != "course-setup")[
                "source"
            ]
        )  # (Colab's set-up: first)
        assert f'check_lesson_data("{lesson.number}")' in first, lesson.number
        script.append(f"print('=== {lesson.number}')\nexec({first!r}, {{}})")
    env = {**__import__("os").environ, "COURSE_DATA_DIR": str(tmp_path), "MPLBACKEND": "agg"}
    run = subprocess.run(
        [sys.executable, "-c", "\n".join(script)],
        env=env,
        text=True,
        capture_output=True,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    parts = dict(p.split("\n", 1) for p in run.stdout.split("=== ")[1:])
    for lesson in LESSONS:
        said = parts[lesson.number]
        assert f"Lesson {lesson.number} needs the course data file" in said or (
            f"Lesson {lesson.number} needs course data files" in said
        ), (lesson.number, said)
        assert "`course data fetch`" in said and str(tmp_path) in said

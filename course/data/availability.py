"""Which lessons a missing data file stops, and saying so: ``course data fetch`` and a lesson's
first cell.

One missing file must not block the course: ``course data fetch`` (:func:`fetch_all`) fetches
every file it can and reports each one it could not, with the lessons that need it, and a
lesson's first code cell calls :func:`check_lesson_data`, which prints one paragraph when that
lesson's data is missing or damaged and nothing otherwise. Which data a lesson needs is the
``data`` column of :data:`course.lessons.LESSONS`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from course import config
from course.data.fetch import FileStatus, fetch_dataset, file_status
from course.data.registry import DATASETS, expand, get_dataset
from course.errors import DataError

_FIX = (
    "Fix, with internet: run `course data fetch` again (it fetches only what is missing or "
    "damaged).\n"
    "Fix, offline: use the data folder of your instructor's offline kit: set "
    "{env}=/path/to/kit/data, then run `course data verify`."
)


def _lessons():
    from course.lessons import LESSONS

    return LESSONS


def _lesson(number: str | int):
    key = f"{int(number):02d}" if isinstance(number, int) or str(number).isdigit() else str(number)
    for lesson in _lessons():
        if lesson.number == key:
            return lesson
    known = ", ".join(lesson.number for lesson in _lessons())
    raise KeyError(f"No lesson {number!r}; the lessons are {known}.")


def lessons_needing(name: str) -> list[str]:
    """Numbers of the lessons whose data includes the dataset called ``name``."""
    get_dataset(name)
    return [lesson.number for lesson in _lessons() if name in expand(lesson.data)]


def lesson_data_problems(lesson: str | int, folder: Path | None = None) -> list[FileStatus]:
    """The files ``lesson`` needs that are missing or damaged in the cache (no download).

    Raises
    ------
    KeyError
        There is no such lesson (a mistake in the course, not the learner's).
    """
    statuses = []
    for name in expand(_lesson(lesson).data):
        try:
            status = file_status(get_dataset(name), folder)
        except OSError:  # unreadable: as good as damaged
            status = FileStatus(get_dataset(name), Path(), "corrupted")
        if not status.ok:
            statuses.append(status)
    return statuses


_STATE = {
    "missing": "missing",
    "corrupted": "damaged (its sha256 does not match the pinned version)",
}


def _files(statuses: list[FileStatus]) -> str:
    """'a.csv (missing)' or '7 files in github_ranking_ai/ (missing)', joined with commas/and."""
    groups: dict[tuple[str, str], list[str]] = {}
    for status in statuses:
        folder = str(Path(status.dataset.filename).parent)
        key = (folder if folder != "." else status.dataset.filename, status.state)
        groups.setdefault(key, []).append(status.dataset.filename)
    parts = [
        f"{files[0] if len(files) == 1 else f'{len(files)} files in {where}/'} "
        f"({'damaged' if kind == 'corrupted' else kind})"
        for (where, kind), files in groups.items()
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def lesson_data_message(lesson: str | int, folder: Path | None = None) -> str:
    """The paragraph :func:`check_lesson_data` prints, or ``""`` when the data is all there."""
    problems = lesson_data_problems(lesson, folder)
    if not problems:
        return ""
    number = _lesson(lesson).number
    where = folder or config.data_dir()
    if len(problems) == 1:
        where = f"from {where}" if problems[0].state == "missing" else f"in {where}"
        what = (
            f"the course data file {problems[0].dataset.filename}, and it is "
            f"{_STATE[problems[0].state]} {where}"
        )
    else:
        what = f"course data files that are missing or damaged in {where}: {_files(problems)}"
    it, it_is = ("them", "they are") if len(problems) > 1 else ("it", "it is")
    return (
        f"Lesson {number} needs {what}. Cells that load {it} will stop with an error until "
        f"{it_is} fetched. To fetch {it}, open a terminal (JupyterLab: File > New > "
        "Terminal), run "
        "`course data fetch`, then run this notebook again. Offline: ask your instructor for the "
        f"offline kit's data folder and set {config.DATA_DIR_ENV}=/path/to/kit/data before "
        "starting JupyterLab (README, 'Offline use')."
    )


def check_lesson_data(lesson: str | int) -> None:
    """For a lesson's first code cell: print nothing when its data is there, otherwise one
    paragraph naming each missing or damaged file, that this lesson needs it, and the command
    that fetches it. Never raises for missing data, so the learner reads the paragraph first;
    the later load call raises its own error.

    >>> from course.data import check_lesson_data
    >>> check_lesson_data("03")
    """
    message = lesson_data_message(lesson)
    if message:
        print(message)


def fetch_all(
    names: list[str] | None = None,
    *,
    force: bool = False,
    progressbar: bool = True,
    out: TextIO | None = None,
    err: TextIO | None = None,
    fetcher: Callable = fetch_dataset,
) -> int:
    """``course data fetch``: fetch each file (all by default), carry on past failures, report.

    Prints ``ok NAME PATH`` per verified file on ``out``; for every file that could not be got,
    its lessons and each source's reason on ``err``, then what to do. Returns 0 when every file
    is there, 1 otherwise.
    """
    out, err = out or sys.stdout, err or sys.stderr
    wanted = expand(names or list(DATASETS))
    failed: list[tuple[str, DataError]] = []
    for name in wanted:
        try:
            path = fetcher(
                get_dataset(name),
                force=force,
                progressbar=progressbar,
                log=lambda line: print(line, file=err, flush=True),
            )
        except DataError as error:
            failed.append((name, error))
            continue
        print(f"  ok  {name:<28} {path}", file=out, flush=True)
    if not failed:
        return 0
    print(
        f"\ncourse data fetch: {len(failed)} of {len(wanted)} file(s) could not be fetched:",
        file=err,
    )
    for name, error in failed:
        dataset = get_dataset(name)
        lessons = lessons_needing(name)
        needed = (
            f"needed by lesson{'s' if len(lessons) > 1 else ''} {', '.join(lessons)}"
            if lessons
            else "needed by no lesson"
        )
        cached = getattr(error, "cached_sha256", None)
        state = "DAMAGED" if cached else "MISSING"
        print(f"  {state} {dataset.filename} ({name}), {needed}", file=err)
        if cached:
            print(
                f"    the cached copy's sha256 is {cached}, not the pinned {dataset.sha256}",
                file=err,
            )
        failures = getattr(error, "failures", None)
        for i, failure in enumerate(failures or [], start=1):
            print(f"    {i}. {failure.line()}", file=err)
        if failures is None:  # not a download failure (e.g. the folder cannot be written)
            print(f"    {str(error).splitlines()[0]}", file=err)
    blocked = {n for name, _ in failed for n in lessons_needing(name)}
    ready = [lesson.number for lesson in _lessons() if lesson.number not in blocked]
    if ready:
        print(f"Lessons {', '.join(ready)} have all their data and can run now.", file=err)
    print(_FIX.format(env=config.DATA_DIR_ENV), file=err)
    return 1

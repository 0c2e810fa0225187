"""The instructor kit: ``python -m authoring instructors build`` writes ``instructors/schedule.md``,
``instructors/glossary.md`` and one slide deck per lesson; ``python -m authoring instructors
offline-kit DIR`` (:mod:`authoring.offline_kit`) fills a USB stick with wheels, the verified data
and the course.

A lesson's slot in the schedule = its measured notebook run time (``instructors/budget.json``, a
committed, reviewed copy of the budget report; ``--measure`` refreshes it by running the notebooks)
+ the teaching estimates below per markdown cell, per code cell and per exercise, rounded up to
5 minutes. Hint cells and set-up imports count as nothing (the slides skip them too).
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from pathlib import Path

import nbformat

from authoring import glossary, slides
from authoring.build import SOLUTIONS_DIR
from course.config import REPO_ROOT
from course.errors import CourseError

INSTRUCTORS_DIR = REPO_ROOT / "instructors"
BUDGET_FILE = INSTRUCTORS_DIR / "budget.json"
SCHEDULE_FILE = INSTRUCTORS_DIR / "schedule.md"

# Teaching estimates. They assume a class of 10-25 adults with basic Python, one instructor who
# shows the solution notebook's slides while learners run their own notebook, and questions taken
# as they come.
#: Reading or explaining one prose cell (about 80-150 words) and taking a question on it.
MARKDOWN_CELL_MINUTES = 1.0
#: Running one code cell and reading its output (a table, a figure, a printed line) together.
CODE_CELL_MINUTES = 0.5
#: One exercise: read the task, try, check, one hint for most learners, then the solution
#: discussed (the course map's read-through also assumed about five minutes each).
EXERCISE_MINUTES = 5.0
#: Slots are rounded up to this many minutes.
ROUND_MINUTES = 5

# The day: when it starts, breaks and lunch.
DAY_START = (9, 0)
BREAK_MINUTES = 15
#: A break comes before the next lesson once this long has passed since the last one.
BREAK_AFTER_MINUTES = 75
#: No one teaches or learns longer than this without a break: a break comes before a lesson that
#: would make the run longer, and inside a lesson longer than this on its own.
MAX_RUN_MINUTES = 90
LUNCH_MINUTES = 60
#: Lunch comes before the first lesson that would start at or after this time.
LUNCH_FROM = (11, 45)
#: Lessons taught only when there is time: marked in the schedule and not counted in the day.
OPTIONAL_LESSONS = {"06"}


@dataclass(frozen=True)
class Slot:
    number: str
    title: str
    run_seconds: float
    measured: bool
    markdown_cells: int
    code_cells: int
    exercises: int
    optional: bool

    @property
    def teaching_minutes(self) -> float:
        return (
            self.markdown_cells * MARKDOWN_CELL_MINUTES
            + self.code_cells * CODE_CELL_MINUTES
            + self.exercises * EXERCISE_MINUTES
        )

    @property
    def minutes(self) -> int:
        raw = self.teaching_minutes + self.run_seconds / 60
        return int(math.ceil(raw / ROUND_MINUTES) * ROUND_MINUTES)


def count_cells(nb: nbformat.NotebookNode) -> tuple[int, int, int]:
    """(markdown cells, code cells, exercises) that take teaching time."""
    markdown = code = exercises = 0
    for cell in nb.cells:
        kind = slides.slide_kind(cell)
        if kind == "skip":
            continue
        if cell.cell_type == "markdown":
            markdown += 1
            exercises += sum(line.startswith("### Exercise") for line in cell.source.splitlines())
        else:
            code += 1
    return markdown, code, exercises


def read_budget(path: Path = BUDGET_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run_seconds(budget: dict, notebook: str) -> tuple[float, bool]:
    """The longer of the student's and the solution's run time, and whether both were measured."""
    figures = [
        budget["seconds"].get(f"{folder}/{notebook}") for folder in ("notebooks", "solutions")
    ]
    known = [f for f in figures if f is not None]
    if not known:
        raise CourseError(
            f"{BUDGET_FILE.name} has no run time for {notebook}: run "
            "`python -m authoring instructors build --measure`."
        )
    estimated = set(budget.get("estimated", []))
    measured = len(known) == 2 and not any(
        f"{d}/{notebook}" in estimated for d in ("notebooks", "solutions")
    )
    return max(known), measured


def slots(budget: dict, solutions: Path = SOLUTIONS_DIR) -> list[Slot]:
    from course.lessons import LESSONS

    result = []
    for lesson in LESSONS:
        path = solutions / lesson.notebook
        if not path.exists():
            continue
        markdown, code, exercises = count_cells(nbformat.read(path, as_version=4))
        seconds, measured = run_seconds(budget, lesson.notebook)
        optional = getattr(lesson, "optional", False) or lesson.number in OPTIONAL_LESSONS
        result.append(
            Slot(
                lesson.number, lesson.title, seconds, measured, markdown, code, exercises, optional
            )
        )
    return result


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def plan(day: list[Slot]) -> list[tuple[int, int, str, Slot | None]]:
    """(start, end, label, slot) rows for one day or half-day, breaks and lunch included: lunch
    before the first lesson from :data:`LUNCH_FROM`, a break before a lesson once
    :data:`BREAK_AFTER_MINUTES` have passed or when the lesson would make the run without a break
    longer than :data:`MAX_RUN_MINUTES`, and a break in the middle of a lesson longer than that."""
    start = DAY_START[0] * 60 + DAY_START[1]
    lunch_from = LUNCH_FROM[0] * 60 + LUNCH_FROM[1]
    rows, t, since_break, lunched = [], start, 0, False
    for index, slot in enumerate(day):
        if index and not lunched and t >= lunch_from:
            rows.append((t, t + LUNCH_MINUTES, "Lunch", None))
            t, since_break, lunched = t + LUNCH_MINUTES, 0, True
        elif index and (
            since_break >= BREAK_AFTER_MINUTES or since_break + slot.minutes > MAX_RUN_MINUTES
        ):
            rows.append((t, t + BREAK_MINUTES, "Break", None))
            t, since_break = t + BREAK_MINUTES, 0
        label = f"{slot.number} · {slot.title}"
        if slot.minutes > MAX_RUN_MINUTES:
            half = int(math.ceil(slot.minutes / 2 / ROUND_MINUTES) * ROUND_MINUTES)
            rows += [
                (t, t + half, f"{label} (first part)", slot),
                (t + half, t + half + BREAK_MINUTES, "Break", None),
            ]
            t += half + BREAK_MINUTES
            rows.append((t, t + slot.minutes - half, f"{label} (second part)", slot))
            t, since_break = t + slot.minutes - half, slot.minutes - half
        else:
            rows.append((t, t + slot.minutes, label, slot))
            t, since_break = t + slot.minutes, since_break + slot.minutes
    return rows


def runs(rows: list[tuple[int, int, str, Slot | None]]) -> list[int]:
    """The minutes of each run of teaching between breaks (and lunch) in a :func:`plan`."""
    lengths = [0]
    for start, end, _label, slot in rows:
        if slot is None:
            lengths.append(0)
        else:
            lengths[-1] += end - start
    return [length for length in lengths if length]


def split_halves(day: list[Slot]) -> tuple[list[Slot], list[Slot]]:
    """The contiguous split of the lessons into two half-days with the shortest longer half."""
    best = min(
        range(1, len(day)),
        key=lambda i: max(sum(s.minutes for s in day[:i]), sum(s.minutes for s in day[i:])),
    )
    return day[:best], day[best:]


def _table(rows) -> list[str]:
    lines = [
        "| time | lesson | minutes | notebook run (s) | prose cells | code cells | exercises |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for start, end, label, slot in rows:
        if slot is None:
            lines.append(f"| {_clock(start)}-{_clock(end)} | *{label}* | {end - start} | | | | |")
        else:
            run = f"{slot.run_seconds:.0f}" + ("" if slot.measured else "*")
            lines.append(
                f"| {_clock(start)}-{_clock(end)} | {label} | {end - start} | {run} | "
                f"{slot.markdown_cells} | {slot.code_cells} | {slot.exercises} |"
            )
    return lines


def render_schedule(budget: dict, solutions: Path = SOLUTIONS_DIR) -> str:
    all_slots = slots(budget, solutions)
    day = [s for s in all_slots if not s.optional]
    optional = [s for s in all_slots if s.optional]
    rows = plan(day)
    teaching = sum(s.minutes for s in day)
    lines = [
        "# Schedule",
        "",
        "Generated by `python -m authoring instructors build` from the solution notebooks and "
        f"`instructors/budget.json` (budget figures of {budget['measured_on']}: "
        f"{budget['source']}). Do not edit: a test fails when this file is stale.",
        "",
        "A lesson's slot is its notebook's run time (the longer of the student's and the "
        f"solution's) plus {MARKDOWN_CELL_MINUTES:g} min per prose cell (read, explain, one "
        f"question), {CODE_CELL_MINUTES:g} min per code cell (run it, read the output "
        f"together) and {EXERCISE_MINUTES:g} min per exercise (try, check, a hint, the "
        f"solution discussed), rounded up to {ROUND_MINUTES} min. Hint cells and set-up "
        "imports count as nothing. Figures marked * are estimates, not yet measured "
        "(`python -m authoring instructors build --measure` measures them). A break comes after "
        f"about {BREAK_AFTER_MINUTES} minutes, and inside every run longer than {MAX_RUN_MINUTES} "
        "minutes.",
        "",
        "## One-day workshop",
        "",
        *_table(rows),
        "",
        f"Teaching {teaching // 60} h {teaching % 60:02d} min; the day ends at "
        f"{_clock(rows[-1][1])}. Add 15 minutes at the end for the closing reflection and "
        "`course progress`.",
        "",
    ]
    first, second = split_halves(day)
    for name, half in (("Half-day 1", first), ("Half-day 2", second)):
        half_rows = plan(half)
        lines += [
            f"## Two half-days: {name}",
            "",
            *_table(half_rows),
            "",
            f"Ends at {_clock(half_rows[-1][1])}.",
            "",
        ]
    lines += ["## Optional lessons (not counted above)", ""]
    if optional:
        lines += [f"- {s.number} · {s.title}: {s.minutes} min" for s in optional]
    else:
        lines.append(
            "- Lesson 06 (pre-train, fine-tune, compress) is optional when it exists: it "
            "will be listed here, never in the day."
        )
    return "\n".join(lines) + "\n"


def measure_budget(log=print) -> dict:
    """Run every notebook of both folders (minutes of CPU) and return the new budget figures."""
    from authoring import budget

    results = budget.measure(budget.default_paths())
    log(budget.table(results))
    return {
        "measured_on": datetime.date.today().isoformat(),
        "source": (
            "`python -m authoring instructors build --measure` (the budget report) on this machine"
        ),
        "seconds": {r.notebook: round(r.seconds, 1) for r in results},
        "peak_rss_mb": {r.notebook: round(r.peak_rss / 1024**2) for r in results},
        "estimated": [],
    }


def build(measure: bool = False, decks: bool = True, log=print) -> None:
    """Write the schedule, the glossary and (by default) the slide decks into ``instructors/``."""
    if measure:
        BUDGET_FILE.write_text(json.dumps(measure_budget(log), indent=2) + "\n", encoding="utf-8")
        log(f"  wrote {BUDGET_FILE.relative_to(REPO_ROOT)}: review it, then commit it")
    SCHEDULE_FILE.write_text(render_schedule(read_budget()), encoding="utf-8")
    log(f"  wrote {SCHEDULE_FILE.relative_to(REPO_ROOT)}")
    text = glossary.render(glossary.load())
    for path in (glossary.GLOSSARY_MD, *glossary.GLOSSARY_COPIES):
        path.write_text(text, encoding="utf-8")
        log(f"  wrote {path.relative_to(REPO_ROOT)}")
    if decks:
        slides.ensure_reveal()
        slides.build_decks(SOLUTIONS_DIR, slides.SLIDES_DIR, slides.load_assets(), log=log)


def check() -> list[str]:
    """What is stale in the committed generated files."""
    problems = []
    if SCHEDULE_FILE.read_text(encoding="utf-8") != render_schedule(read_budget()):
        problems.append(
            f"{SCHEDULE_FILE.name} is stale: run `python -m authoring instructors build`"
        )
    text = glossary.render(glossary.load())
    for path in (glossary.GLOSSARY_MD, *glossary.GLOSSARY_COPIES):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            problems.append(
                f"{path.relative_to(REPO_ROOT)} is stale: "
                "run `python -m authoring instructors build`"
            )
    return problems

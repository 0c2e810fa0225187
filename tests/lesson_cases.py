"""For every exercise in the course: its solution's answer, and plausible wrong answers with a
phrase the feedback must contain. ``tests/test_lesson_exercises.py`` runs them all both ways, and
fails if an exercise exists without an entry here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class ExerciseCase:
    exercise_id: str
    solution: Callable[[], Any]
    wrong: list[tuple[Any, str]] = field(default_factory=list)


def _models():
    from course.data import load_epoch_models

    return load_epoch_models()


def _per_year(start=2015, end=2025):
    years = _models()["year"]
    return years[years.between(start, end)].value_counts().sort_index()


CASES = [
    ExerciseCase("00.q1", lambda: int((_models()["year"] == 2024).sum()),
                 wrong=[(int((_models()["year"] == 2023).sum()), "too"),
                        (str(int((_models()["year"] == 2024).sum())), "got a string"),
                        ((_models()["year"] == 2024), "got a pandas Series")]),
    ExerciseCase("00.q2", _per_year,
                 wrong=[(_per_year().tolist(), "indexed by year"),
                        (_per_year(2016), "has 10 rows"),
                        (_per_year().sort_values(), "different order"),
                        (_per_year() + 1, "values differ")]),
    ExerciseCase("00.q3", lambda: "I would sell a hosted credit scoring API to small lenders "
                                  "because they lack data scientists and need compliance help.",
                 wrong=[("An API.", "little short"), (42, "as text in quotes")]),
]  # fmt: skip

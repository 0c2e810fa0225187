"""Practice exercises of lesson 00 (start here), on the Epoch AI notable-models data."""

from __future__ import annotations

from course.exercises.core import ReflectionExercise, ValueExercise


def _models_in_2024() -> int:
    from course.data import load_epoch_models

    return int((load_epoch_models()["year"] == 2024).sum())


def _models_per_year_since_2015():
    from course.data import load_epoch_models

    years = load_epoch_models()["year"]
    return years[years.between(2015, 2025)].value_counts().sort_index().astype("int64")


q1 = ValueExercise(
    "00.q1",
    _models_in_2024,
    hints=[
        "Compare the `year` column with 2024: that gives one True/False per model.",
        "Start with `in_2024 = models['year'] == 2024`. When True/False values are added up, "
        "True counts as 1: which Series method adds up all the values?",
    ],
    solution="models_2024 = int((models['year'] == 2024).sum())",
)

q2 = ValueExercise(
    "00.q2",
    _models_per_year_since_2015,
    hints=[
        "Keep the rows whose year is between 2015 and 2025, then count rows per year.",
        "Start with `years = models['year']` and `recent = years[years.between(2015, 2025)]` "
        "(`between` includes both ends). Then count the rows per value as you saw on the "
        "accessibility column, and sort by the index (the years), not by the counts.",
    ],
    solution=(
        "years = models['year']\n"
        "per_year = years[years.between(2015, 2025)].value_counts().sort_index()"
    ),
)

q3 = ReflectionExercise(
    "00.q3",
    hints=[
        "Think of one concrete customer: who are they, what do they do today, what would they "
        "pay for?",
        "A good answer names a product built on an open model, a paying customer, and why they "
        "would pay rather than run the open model themselves (service, support, reliability).",
    ],
    solution=(
        "There is no single right answer. A strong one names: (1) the open-source model or "
        "project it builds on, (2) a specific paying customer, (3) the value added on top of "
        "the free model (an API, hosting, support, custom work, compliance), and (4) why the "
        "customer would not just do it alone. The course's own example: a credit-risk scoring "
        "API sold to small lenders."
    ),
)

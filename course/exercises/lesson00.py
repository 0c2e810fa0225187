"""Practice exercises of lesson 00 (start here), on the Epoch AI notable-models data."""

from __future__ import annotations

from course.exercises.core import Idea, ReflectionExercise, ValueExercise


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
    rtol=0.0,
    atol=0.0,  # a count: exactly right or not (98.0 is accepted as 98)
    hints=[
        "Look at the `year` column: comparing a column with one value gives one True/False per "
        'model, as the accessibility example above did with "API access". Only the year 2024 '
        "counts, not the years after it.",
        "Adding up True/False values counts the True ones (True counts as 1): the example above "
        "used the Series method `sum` for that. Wrap the result in `int` to get a plain whole "
        "number.",
        "A smaller case by hand: the years [2023, 2025, 2025, 2026] compared with 2025 give "
        "[False, True, True, False], and adding those up gives 2.",
    ],
)

q2 = ValueExercise(
    "00.q2",
    _models_per_year_since_2015,
    rtol=0.0,
    atol=0.0,  # counts: exactly right or not
    hints=[
        "Look at the `year` column only. Keep the years from 2015 to 2025, both included "
        "(11 years), then count the models of each year.",
        "Three Series methods, in this order: `between` keeps the values in a range (it "
        "includes both ends); `value_counts` counts the rows per value, as on the accessibility "
        "column, most frequent first; `sort_index` then puts the years in order.",
        "A smaller case by hand: the years [2016, 2013, 2016, 2015] kept from 2015 to 2016 are "
        "[2016, 2016, 2015]; counted, 2016 → 2 and 2015 → 1 (most frequent first); sorted by "
        "the index, 2015 → 1 and 2016 → 2.",
    ],
)

q3 = ReflectionExercise(
    "00.q3",
    rubric=[
        Idea(
            "a specific paying customer",
            (
                "customer",
                "client",
                "lender",
                "bank",
                "business",
                "compan",
                "firm",
                "enterprise",
                "SME",
                "shop",
                "store",
                "retail",
                "hospital",
                "clinic",
                "doctor",
                "school",
                "universit",
                "agenc",
                "government",
                "startup",
                "organi",
                "lawyer",
                "law firm",
                "farmer",
                "publisher",
                "manufactur",
                "insur",
            ),
        ),
        Idea(
            "how they would pay (per use, a subscription, a licence)",
            (
                "pay per",
                "pay a",
                "pay monthly",
                "paid",
                "price",
                "pricing",
                "subscri",
                "fee",
                "per decision",
                "per call",
                "per request",
                "per user",
                "per seat",
                "per month",
                "monthly",
                "yearly",
                "licen",
                "charge",
                "usage",
            ),
        ),
        Idea(
            "what you add on top of the free model (hosting, an API, support, compliance, "
            "custom work)",
            (
                "host",
                "support",
                "service",
                "API",
                "complian",
                "regulat",
                "custom model",
                "custom work",
                "customis",
                "customiz",
                "tailor",
                "integrat",
                "fine-tun",
                "fine tun",
                "maint",
                "reliab",
                "secur",
                "explain",
                "uptime",
                "cloud",
                "consult",
                "train",
                "their data",
                "own data",
            ),
        ),
        Idea(
            "why the customer would not just run the open model themselves",
            (
                "cannot",
                "can't",
                "lack",
                "afford",
                "expertise",
                "expert",
                "skill",
                "staff",
                "themselves",
                "in-house",
                "in house",
                "data scien",
                "engineer",
                "no time",
                "takes time",
                "difficult",
                "easier",
                "cheaper",
                "worry",
                "alone",
            ),
        ),
    ],
    hints=[
        "Think of one concrete customer: who are they, what do they do today, and what is slow, "
        "costly or risky for them?",
        "The open model itself is free, so say what you add on top of it (hosting, an API, "
        "support, tuning on their data, compliance) and why that customer would pay you rather "
        "than run the open model themselves.",
    ],
)

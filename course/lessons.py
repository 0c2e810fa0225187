"""The course map: every lesson, its notebook, objectives and teaching time.

Teaching times are the instructors' schedule's slots (``python -m authoring instructors
build``): the notebook's measured run time plus stated estimates per prose cell, code cell and
exercise (:mod:`authoring.instructors`). ``tests/test_instructors.py`` keeps the two equal.

One table that the start-here notebook, ``course progress`` and the build all read, so adding a
lesson means adding one entry here. A lesson marked ``extension`` is optional, for fast learners
and self-learners: the lesson table says so, and the one-day schedule lists it apart without
counting it (:mod:`authoring.instructors` reads :attr:`Lesson.optional`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    number: str
    notebook: str
    title: str
    objective: str
    minutes: int
    uses_tensorflow: bool = False
    extension: bool = False
    #: Course datasets the lesson loads (names from :mod:`course.data.registry`; a group such
    #: as ``github_ranking`` stands for all its files). ``course.data.check_lesson_data`` and
    #: ``course data fetch`` read it to say which lessons a missing file stops.
    data: tuple[str, ...] = ()

    @property
    def optional(self) -> bool:
        """Extensions are optional: taught only when there is time, never counted in the day."""
        return self.extension


#: How the lesson table marks an extension (the schedule lists it apart, under optional lessons).
EXTENSION_MARK = "(optional extension) "

LESSONS: list[Lesson] = [
    Lesson(
        "00",
        "00_start_here.ipynb",
        "Start here",
        "Set up, learn how exercises and hints work, meet the data.",
        40,
        data=("epoch_models",),
    ),
    Lesson(
        "01",
        "01_market_analysis.ipynb",
        "Market analysis of open-source AI",
        "Measure openness, training cost, investment and community growth; size our market.",
        60,
        data=("epoch_models", "ai_investment", "github_ranking"),
    ),
    Lesson(
        "02",
        "02_scoring_model.ipynb",
        "The commercialization scoring model",
        "Implement the seeds' formulas, see where they break, score and rank business paths.",
        75,
        data=("github_ranking",),
    ),
    Lesson(
        "03",
        "03_credit_risk_classifier.ipynb",
        "A TensorFlow credit-risk classifier",
        "Train, evaluate and export a classifier; compare it honestly with two baselines.",
        90,
        True,
        data=("german_credit",),
    ),
    Lesson(
        "04",
        "04_model_service.ipynb",
        "Serving the model as a web API",
        "Run the model behind a metered, validated FastAPI service and measure it.",
        50,
        data=("german_credit",),
    ),
    Lesson(
        "05",
        "05_business_case.ipynb",
        "The business case: go or no-go",
        "Combine measured model quality, costs and demand into a decision.",
        55,
        data=("german_credit",),
    ),
    Lesson(
        "06",
        "06_scale_and_compression.ipynb",
        "More data, fine-tuning, a smaller model",
        "Train on 30,000 clients, fine-tune for a new lender, compress with TF Lite and pruning.",
        60,
        True,
        extension=True,
        data=("taiwan_credit",),
    ),
]


def lesson_table():
    """The course map as a DataFrame (lesson, title, objective, minutes); an extension's title
    starts with :data:`EXTENSION_MARK`. On Colab or Kaggle, when the course was installed from
    its published repository, a last column holds each lesson's "Open in Colab" link (elsewhere
    the table, a stored output, is the same on every machine)."""
    import pandas as pd

    table = pd.DataFrame(
        [
            {
                "lesson": lesson.number,
                "title": f"{EXTENSION_MARK}{lesson.title}" if lesson.extension else lesson.title,
                "you will": lesson.objective,
                "minutes": lesson.minutes,
            }
            for lesson in LESSONS
        ]
    ).set_index("lesson")
    from course.setup.hosted import hosted, published

    if hosted():
        repository, branch = published()
        if repository:
            from course.config import colab_url

            table["open in Colab"] = [
                colab_url(lesson.notebook, repository, branch) for lesson in LESSONS
            ]
    return table

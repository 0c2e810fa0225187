"""Exercise checks in the style of Kaggle's learntools, with answers passed explicitly.

>>> from course.exercises import ____
>>> from course.exercises.lesson00 import q1
>>> q1.check(____)   # prints "Not attempted"
"""

from course.exercises.core import (
    BLANK,
    REGISTRY,
    Case,
    Exercise,
    Feedback,
    FunctionExercise,
    ReflectionExercise,
    ValueExercise,
    ____,
)
from course.exercises.progress import ProgressStore

#: Modules that define each lesson's exercises (imported by ``course progress``).
LESSON_MODULES = [f"course.exercises.lesson{n:02d}" for n in range(7)]


def load_all() -> dict[str, Exercise]:
    """Import every lesson's exercise module; return the exercises of the course's lessons."""
    import importlib

    from course.lessons import LESSONS

    for module in LESSON_MODULES:
        importlib.import_module(module)
    lessons = {lesson.number for lesson in LESSONS}
    return {key: ex for key, ex in REGISTRY.items() if ex.lesson in lessons}


def progress_table(store: ProgressStore | None = None):
    """Per-lesson progress: exercises, correct (or recorded), attempted, hints and solutions
    seen."""
    import pandas as pd

    from course.lessons import LESSONS

    records = (store or ProgressStore()).load()
    exercises = load_all()
    rows = []
    for lesson in LESSONS:
        ids = [i for i, ex in exercises.items() if ex.lesson == lesson.number]
        mine = [records.get(i, {}) for i in ids]
        rows.append(
            {
                "lesson": f"{lesson.number} {lesson.title}",
                "exercises": len(ids),
                "done": sum(r.get("status") in ("correct", "recorded") for r in mine),
                "attempted": sum(r.get("attempts", 0) > 0 for r in mine),
                "hints used": sum(r.get("hints", 0) for r in mine),
                "solutions seen": sum(bool(r.get("solution_viewed")) for r in mine),
            }
        )
    return pd.DataFrame(rows).set_index("lesson")


__all__ = [
    "BLANK",
    "Case",
    "Exercise",
    "Feedback",
    "FunctionExercise",
    "ProgressStore",
    "REGISTRY",
    "ReflectionExercise",
    "ValueExercise",
    "____",
    "load_all",
    "progress_table",
]

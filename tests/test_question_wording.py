"""Each question says what its checker checks, lessons 00-03 (issue 29, part 1): the words about
rounding, boundaries and units in the question (the markdown above the exercise in
``solutions/NN_*.ipynb``) and the checker's tolerance agree. ``tests/lesson_cases.py`` tests the
same boundaries with answers from both sides; this test keeps the words from drifting away."""

from __future__ import annotations

import math

import nbformat
import pytest

from authoring.build import SOLUTIONS_DIR, exercise_regions
from course.exercises import FunctionExercise, ReflectionExercise, ValueExercise, load_all

#: Tolerances the questions name: "checked exactly", "within half a thousandth" ...
EXACT, HALF_A_THOUSANDTH, HALF_A_TEN_THOUSANDTH = 0.0, 0.0005, 0.00005

#: Per exercise: phrases its question must contain, and the absolute tolerance they promise (for
#: a value exercise; a function's results are compared unrounded, see below).
WORDING = {
    "00.q1": (["2024 only", "whole", "checked exactly"], EXACT),
    "00.q2": (["both years included", "counts, not", "checked exactly"], EXACT),
    "01.q1": (
        ["both included", "'Unknown'", "not a percentage", "half a thousandth"],
        HALF_A_THOUSANDTH,
    ),
    "01.q2": (["months (not years)", "unrounded", "(zero included)"], None),
    "01.q3": (["as a fraction, not a percentage", "unrounded", "zero or less"], None),
    "01.q4": (["not a", "percentage", "half a thousandth"], HALF_A_THOUSANDTH),
    "02.q1": (["fraction from 0 to 1", "unrounded", "zero is a valid count"], None),
    "02.q2": (["the smallest becomes 0", "unrounded", "0.5 for each"], None),
    "02.q3": (["not a percentage", "half a ten-thousandth"], HALF_A_TEN_THOUSANDTH),
    "02.q4": (["between 0 and 1", "half a thousandth"], HALF_A_THOUSANDTH),
    "03.q1": (["mean loss", "not the", "natural logarithm", "unrounded", "1e-7"], None),
    "03.q2": (["central difference", "unrounded"], None),
    "03.q3": (["p ≥ threshold", "exactly", "at the threshold is rejected", "unrounded"], None),
    "03.q4": (["not its cost", "any of them is right"], None),
}
REFLECTIONS = ["00.q3", "01.q5", "02.q5", "03.q5"]


def question(exercise_id: str) -> str:
    """The markdown nearest above the exercise's check cell, whitespace collapsed."""
    region = exercise_regions()[exercise_id]
    cells = nbformat.read(SOLUTIONS_DIR / region.notebook, as_version=4).cells
    above = next(c for c in reversed(cells[: region.cell]) if c.cell_type == "markdown")
    return " ".join(above.source.split())


@pytest.mark.parametrize("exercise_id", sorted(WORDING))
def test_the_question_states_what_the_checker_accepts(exercise_id):
    exercise = load_all()[exercise_id]
    phrases, tolerance = WORDING[exercise_id]
    text = question(exercise_id)
    missing = [p for p in phrases if p not in text]
    assert not missing, f"{exercise_id}: the question no longer says {missing}: {text!r}"
    if isinstance(exercise, ValueExercise):
        assert exercise.rtol == 0, exercise_id  # the stated tolerance is absolute
        assert math.isclose(exercise.atol, tolerance, abs_tol=1e-9), (exercise_id, exercise.atol)
    else:
        assert isinstance(exercise, FunctionExercise)
        # "unrounded": two decimals are far outside the tolerance of every case
        assert exercise.rtol <= 1e-5 and exercise.atol <= 1e-6, exercise_id


@pytest.mark.parametrize("exercise_id", REFLECTIONS)
def test_a_reflection_question_promises_the_rubric_it_has(exercise_id):
    exercise = load_all()[exercise_id]
    assert isinstance(exercise, ReflectionExercise)
    assert 3 <= len(exercise.rubric) <= 5, exercise_id
    text = question(exercise_id)
    assert (
        "ideas a strong answer weighs" in text
        and "wrong" not in exercise.evaluate(" ".join(["word"] * exercise.min_words)).message
    )


@pytest.mark.parametrize("exercise_id", sorted(WORDING) + REFLECTIONS)
def test_a_ladder_of_two_or_three_hints(exercise_id):
    hints = load_all()[exercise_id].hints
    assert 2 <= len(hints) <= 3, exercise_id
    if len(hints) == 3:  # the third is a worked smaller case, done by hand
        assert hints[2].startswith("A smaller case by hand"), exercise_id

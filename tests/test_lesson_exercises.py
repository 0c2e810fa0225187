"""Every course exercise, both ways: ``____`` is 'not attempted', each answer the question allows
passes, and each plausible wrong answer fails with a helpful message (never a traceback). That the
solution passes is tested from its one source, the notebook region:
tests/test_solution_source.py."""

from __future__ import annotations

import pytest

from course.exercises import ____, load_all
from tests.lesson_cases import CASES

BY_ID = {case.exercise_id: case for case in CASES}


def test_every_exercise_has_test_cases():
    missing = sorted(set(load_all()) - set(BY_ID))
    assert not missing, f"exercises without entries in tests/lesson_cases.py: {missing}"
    assert all(case.wrong for case in CASES), "each exercise needs at least one wrong answer"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.exercise_id)
def test_blank_is_not_attempted(case, progress_dir):
    feedback = load_all()[case.exercise_id].evaluate(____)
    assert feedback.status == "blank" and not feedback.passed


@pytest.mark.parametrize(
    ("case", "answer"),
    [(c, answer) for c in CASES for answer in c.accepted],
    ids=lambda v: v.exercise_id if hasattr(v, "exercise_id") else "",
)
def test_an_answer_the_question_allows_passes(case, answer, progress_dir):
    """Rounding the question permits (or another right method) passes: with the wrong answers
    just past it, the tolerance the question states is tested from both sides."""
    assert load_all()[case.exercise_id].evaluate(answer).passed


@pytest.mark.parametrize(
    ("case", "answer", "phrase"),
    [(c, answer, phrase) for c in CASES for answer, phrase in c.wrong],
    ids=lambda v: v.exercise_id if hasattr(v, "exercise_id") else "",
)
def test_wrong_answer_is_explained(case, answer, phrase, progress_dir, capsys):
    exercise = load_all()[case.exercise_id]
    feedback = exercise.evaluate(answer)
    assert feedback.status == "incorrect"
    assert phrase in feedback.message
    exercise.check(answer)
    assert "Traceback" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("case", "answer", "mentioned"),
    [(c, answer, mentioned) for c in CASES for answer, mentioned in c.ideas],
    ids=lambda v: v.exercise_id if hasattr(v, "exercise_id") else "",
)
def test_a_reflection_ticks_the_ideas_an_answer_mentions(case, answer, mentioned, progress_dir):
    """A thoughtful answer is recorded (never called wrong), and the rubric's feedback ticks the
    ideas it names and only those: each cue list is tested both ways."""
    exercise = load_all()[case.exercise_id]
    feedback = exercise.evaluate(answer)
    assert feedback.status == "recorded" and feedback.passed
    for position, idea in enumerate(exercise.rubric):
        mark = "✓" if position in mentioned else "○"
        assert f"{mark} {idea.label}" in feedback.message, (position, idea.label)
    assert f"({len(mentioned)} of {len(exercise.rubric)} in your text)" in feedback.message


def test_every_rubric_idea_is_tested_both_ways():
    """Where a reflection's rubric has test answers, each idea is ticked by one and missed by
    another, so no cue list is too narrow to ever match or so broad it always does."""
    for case in (c for c in CASES if c.ideas):
        rubric = load_all()[case.exercise_id].rubric
        hit = set().union(*(m for _, m in case.ideas))
        missed = set().union(*(set(range(len(rubric))) - m for _, m in case.ideas))
        assert hit == missed == set(range(len(rubric))), case.exercise_id


@pytest.mark.parametrize("exercise_id", sorted(BY_ID))
def test_two_hints_and_a_solution(exercise_id, progress_dir, capsys):
    exercise = load_all()[exercise_id]
    assert len(exercise.hints) >= 2
    exercise.solution()
    assert capsys.readouterr().out.strip()

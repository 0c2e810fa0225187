"""The checker: feedback for each problem kind, hints, solutions and progress recording."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from course.exercises import (
    BLANK,
    Case,
    FunctionExercise,
    ProgressStore,
    ReflectionExercise,
    ValueExercise,
    ____,
    progress_table,
)


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "progress.json")


def _value(store, expected=42, **kwargs):
    return ValueExercise("99.v", expected, hints=["one", "two"], store=store, **kwargs)


def test_blank_placeholder_is_not_attempted_and_never_raises(store, capsys):
    exercise = _value(store)
    assert ____ is BLANK and repr(____) == "____"
    exercise.check(____)
    out = capsys.readouterr().out
    assert "Not attempted" in out and "replace ____" in out
    assert store.load()["99.v"]["attempts"] == 0


def test_value_check_correct_and_wrong_are_recorded(store, capsys):
    exercise = _value(store)
    exercise.check(41)
    assert "Not quite" in capsys.readouterr().out
    exercise.check(42)
    assert "Correct" in capsys.readouterr().out
    exercise.check(40)  # a later wrong attempt does not undo a correct one
    record = store.load()["99.v"]
    assert record["status"] == "correct" and record["attempts"] == 3


def test_lazy_expected_is_computed_once(store):
    calls = []
    exercise = _value(store, expected=lambda: calls.append(1) or 7)
    assert exercise.evaluate(7).passed and exercise.evaluate(8).status == "incorrect"
    assert calls == [1]


def test_checker_bug_is_reported_without_traceback(store, capsys):
    exercise = _value(store, expected=lambda: 1 / 0)
    exercise.check(1)
    out = capsys.readouterr().out
    assert "Could not check" in out and "ZeroDivisionError" in out and "Traceback" not in out


@pytest.fixture
def stored_solutions(tmp_path, monkeypatch):
    """A solutions file of this test's own.

    The course's is written by `python -m authoring build`."""
    from course.exercises import core

    path = tmp_path / "solutions.json"
    path.write_text(json.dumps({"99.v": "x = 42"}), encoding="utf-8")
    monkeypatch.setattr(core, "SOLUTIONS_FILE", path)
    core.solutions.cache_clear()
    yield path
    core.solutions.cache_clear()


def test_solution_text_is_read_once_from_the_solutions_file(store, stored_solutions, capsys):
    exercise = _value(store)
    assert exercise.solution_text == "x = 42"
    stored_solutions.write_text("{}", encoding="utf-8")  # read once: a later change is not seen
    assert exercise.solution_text == "x = 42"


def test_a_missing_or_hidden_solution_says_so(store, stored_solutions, capsys, monkeypatch):
    from course.exercises.core import GRADED_ENV

    ReflectionExercise("99.none", hints=["h"], store=store).solution()
    assert "No solution is stored for 99.none" in capsys.readouterr().out
    assert "99.none" not in store.load()
    monkeypatch.setenv(GRADED_ENV, "1")
    _value(store).solution()
    out = capsys.readouterr().out
    assert "hidden while this assignment is graded" in out and "x = 42" not in out
    assert "99.v" not in store.load()


def test_hints_and_solution(store, stored_solutions, capsys):
    exercise = _value(store)
    exercise.hint()
    exercise.hint(2)
    exercise.hint(5)  # more than there are: the last one
    exercise.hint(0)
    exercise.solution()
    out = capsys.readouterr().out
    assert "Hint 1/2 (99.v): one" in out and out.count("Hint 2/2 (99.v): two") == 2
    assert "numbered 1 to 2" in out and "Solution (99.v):\nx = 42" in out
    record = store.load()["99.v"]
    assert record["hints"] == 2 and record["solution_viewed"] is True


def _doubler(store):
    return FunctionExercise(
        "99.f",
        [Case((2,), expected=4), Case((0.5,), expected=1.0), Case(("x",), raises=TypeError)],
        hints=["h"],
        store=store,
    )


def test_function_exercise_all_outcomes(store):
    exercise = _doubler(store)

    def double(x):
        if isinstance(x, str):
            raise TypeError("numbers only")
        return 2 * x

    def stub(x):
        return ____

    def broken(x):
        return x / 0

    def lenient(x):
        return 2 * x if not isinstance(x, str) else 0

    assert exercise.evaluate(double).status == "correct"
    assert exercise.evaluate(stub).status == "blank"
    message = exercise.evaluate(broken).message
    assert "broken(2) raised ZeroDivisionError: division by zero (line " in message
    assert "broken(2) raised" in message and "Traceback" not in message
    assert "double(2)" not in exercise.evaluate(lambda x: 3 * x).message
    assert "too high" in exercise.evaluate(lambda x: 3 * x).message
    assert "should raise TypeError" in exercise.evaluate(lenient).message
    not_called = exercise.evaluate(double(2))
    assert "Pass the function itself" in not_called.message


def test_function_exercise_gets_copies_of_its_inputs(store):
    exercise = FunctionExercise(
        "99.m", [Case(([1, 2],), expected=3), Case(([1, 2],), expected=3)], hints=["h"], store=store
    )

    def sum_and_clear(items):
        total = sum(items)
        items.clear()
        return total

    assert exercise.evaluate(sum_and_clear).passed


def test_reflection(store, capsys):
    exercise = ReflectionExercise("99.r", min_words=5, hints=["h"], store=store)
    assert exercise.evaluate(["a", "list"]).status == "incorrect"
    assert "2 words is a little short" in exercise.evaluate("too short").message
    assert "1 word is" in exercise.evaluate("short").message
    exercise.check("this answer has enough words now")
    assert "Recorded" in capsys.readouterr().out
    assert store.load()["99.r"]["status"] == "recorded"


def test_invalid_exercise_definitions_are_rejected():
    with pytest.raises(ValueError):
        ValueExercise("no-lesson-part", 1, hints=["h"])
    with pytest.raises(ValueError):
        ValueExercise("99.x", 1, hints=[])


def test_corrupted_progress_file_is_set_aside(store):
    store.path.write_text("{not json")
    with pytest.warns(UserWarning, match="unreadable"):
        assert store.load() == {}
    assert store.path.with_suffix(".json.corrupt").read_text() == "{not json"
    store.update("99.v", "99", status="correct")
    assert json.loads(store.path.read_text())["99.v"]["status"] == "correct"


def test_unwritable_progress_never_breaks_a_check(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    exercise = _value(ProgressStore(blocker / "progress.json"))
    with pytest.warns(UserWarning, match="Could not record progress"):
        exercise.check(42)
    assert "Correct" in capsys.readouterr().out


def test_progress_table_counts_per_lesson(progress_dir):
    from course.exercises.lesson00 import q1, q3

    q1.check(q1.expected)
    q3.check(____)
    q3.hint(2)
    table = progress_table()
    row = table.loc["00 Start here"]
    assert (row["exercises"], row["done"], row["attempted"], row["hints used"]) == (3, 1, 1, 2)
    assert len(table) >= 6 and isinstance(table, pd.DataFrame)

"""The exercise checker: ``q1.check(answer)``, ``q1.hint()``, ``q1.hint(2)``, ``q1.solution()``.

Answers are passed explicitly, never read from notebook globals. Student notebooks start every
exercise as ``____`` (the :data:`BLANK` placeholder) and checking it says "not attempted". Feedback
is printed as one or two friendly lines; the checker never shows its own traceback.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.exercises.compare import describe, difference
from course.exercises.progress import ProgressStore, record_safely
from course.text import wrap

#: Set (to anything) in a graded assignment: ``solution()`` then shows nothing.
GRADED_ENV = "COURSE_GRADED"
#: What ``solution()`` shows, by exercise id: each exercise's ``# BEGIN SOLUTION`` region in
#: ``solutions/NN_*.ipynb``, the one source, written here by ``python -m authoring build``
#: (package data).
SOLUTIONS_FILE = Path(__file__).with_name("solutions.json")
#: Every exercise created, by id, so ``course progress`` can list the ones not yet attempted.
REGISTRY: dict[str, Exercise] = {}


@functools.cache
def solutions() -> dict[str, str]:
    """Every exercise's solution text, by id, read from :data:`SOLUTIONS_FILE` on first use (so
    importing a lesson's exercises reads nothing); empty if the file is missing or unreadable."""
    try:
        return dict(json.loads(SOLUTIONS_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


class _Blank:
    """The placeholder learners replace with their answer."""

    _instance = None

    def __new__(cls):
        cls._instance = cls._instance or super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"


BLANK = ____ = _Blank()


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check: ``correct``, ``incorrect``, ``blank``, ``recorded`` or
    ``error``."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status in ("correct", "recorded")

    def render(self, label: str) -> str:
        icon = {
            "correct": "✅ Correct",
            "recorded": "📝 Recorded",
            "blank": "✏️ Not attempted",
            "incorrect": "❌ Not quite",
            "error": "⚠️ Could not check",
        }[self.status]
        return f"{icon} ({label}): {self.message}"


class Exercise:
    """Base class. Subclasses implement :meth:`_evaluate`.

    Parameters
    ----------
    exercise_id
        ``"<lesson>.<name>"``, e.g. ``"00.q1"``; the lesson part groups progress.
    hints
        One or more hints, from gentle to nearly the answer (``hint(1)``, ``hint(2)``).

    The solution :meth:`solution` shows is not given here: it is the exercise's solution region
    in its lesson's solution notebook, read from :data:`SOLUTIONS_FILE` (see :func:`solutions`).
    """

    def __init__(
        self, exercise_id: str, *, hints: Sequence[str], store: ProgressStore | None = None
    ):
        if "." not in exercise_id or not hints:
            raise ValueError("exercise_id must look like '00.q1' and there must be a hint")
        self.id = exercise_id
        self.lesson = exercise_id.split(".")[0]
        self.hints = list(hints)
        self._store = store
        REGISTRY[exercise_id] = self

    @property
    def store(self) -> ProgressStore:
        return self._store or ProgressStore()

    def evaluate(self, answer: Any) -> Feedback:
        """Judge ``answer`` without printing or recording anything."""
        if answer is BLANK:
            return Feedback("blank", "replace ____ with your answer, then run the cell again.")
        try:
            return self._evaluate(answer)
        except Exception as error:  # a bug in the checker must never show a traceback
            return Feedback(
                "error",
                f"the checker failed on this answer ({type(error).__name__}: "
                f"{error}). Please tell your instructor.",
            )

    def _evaluate(self, answer: Any) -> Feedback:
        raise NotImplementedError

    def check(self, answer: Any) -> None:
        """Print feedback on ``answer`` and record the result in the progress file."""
        feedback = self.evaluate(answer)
        print(wrap(feedback.render(self.id)))  # (no line wraps inside a word in Lab)
        record_safely(self.store, self.id, self.lesson, status=feedback.status)

    def hint(self, level: int = 1) -> None:
        """Print hint number ``level`` (1 is the gentlest)."""
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            print(f"💡 Hints are numbered 1 to {len(self.hints)}: try {self.id_name}.hint(1).")
            return
        level = min(level, len(self.hints))
        print(wrap(f"💡 Hint {level}/{len(self.hints)} ({self.id}): {self.hints[level - 1]}"))
        record_safely(self.store, self.id, self.lesson, hint=level)

    @property
    def id_name(self) -> str:
        return self.id.split(".", 1)[1]

    def solution(self) -> None:
        """Print one correct solution (recorded as viewed); in a graded assignment
        (:data:`GRADED_ENV` set, as the nbgrader export does), say it is hidden instead."""
        if os.environ.get(GRADED_ENV):
            print(
                f"🔒 Solution ({self.id}): hidden while this assignment is graded; your "
                "instructor releases it with the feedback."
            )
            return
        text = self.solution_text
        if text is None:
            print(
                f"⚠️ No solution is stored for {self.id}. Please tell your instructor (they run "
                "`python -m authoring build --solutions-json`)."
            )
            return
        print(f"🔑 Solution ({self.id}):\n{text}")
        record_safely(self.store, self.id, self.lesson, solution_viewed=True)

    @property
    def solution_text(self) -> str | None:
        """The code (or text) :meth:`solution` shows: this exercise's region of its solution
        notebook (None if none is stored)."""
        return solutions().get(self.id)

    def __repr__(self) -> str:
        return f"<exercise {self.id}: use .check(answer), .hint(), .hint(2), .solution()>"


class ValueExercise(Exercise):
    """The answer is a value: a number, string, list, dict, NumPy array, Series or DataFrame.

    ``expected`` may be a zero-argument callable, computed once on the first check (so importing
    a lesson's exercises never loads data).
    """

    def __init__(
        self, exercise_id: str, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-9, **kwargs
    ):
        super().__init__(exercise_id, **kwargs)
        self._expected = expected
        self.rtol, self.atol = rtol, atol

    @property
    def expected(self) -> Any:
        if callable(self._expected):
            self._expected = self._expected()
        return self._expected

    def _evaluate(self, answer: Any) -> Feedback:
        problem = difference(answer, self.expected, rtol=self.rtol, atol=self.atol)
        if problem:
            return Feedback("incorrect", f"{problem} Try {self.id_name}.hint() for a nudge.")
        return Feedback("correct", "well done.")


@dataclass(frozen=True)
class Case:
    """One call of a learner's function: ``args``/``kwargs`` in, ``expected`` out (or
    ``raises``)."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    raises: type[BaseException] | None = None
    #: Judge the result by a measure of it (e.g. the cost at a returned threshold) when many
    #: results are equally right; ``expected`` is then the measure's expected value.
    measure: Callable[[Any], Any] | None = None
    measure_name: str = ""

    def call_text(self, name: str) -> str:
        parts = [_argument(a) for a in self.args]
        parts += [f"{k}={_argument(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


def _argument(value: Any) -> str:
    """An argument as a learner would write it: functions by name, not '<function ... at 0x..>'."""
    return getattr(value, "__name__", None) or repr(value) if callable(value) else repr(value)


def _learner_line(error: BaseException) -> str:
    """'line 3 of your code' from the innermost frame that is not the kit's own code."""
    kit = str(Path(__file__).resolve().parents[1])
    frames = [
        f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(kit)
    ]
    return f" (line {frames[-1].lineno} of your code)" if frames else ""


class FunctionExercise(Exercise):
    """The answer is a function; it is called on each :class:`Case` with copies of the inputs."""

    def __init__(
        self,
        exercise_id: str,
        cases: Sequence[Case],
        *,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        **kwargs,
    ):
        super().__init__(exercise_id, **kwargs)
        self.cases = list(cases)
        self.rtol, self.atol = rtol, atol

    def _evaluate(self, answer: Any) -> Feedback:
        if not callable(answer):
            return Feedback(
                "incorrect",
                f"Expected a function, got {describe(answer)}. Pass the "
                "function itself, without calling it: check(my_function), not "
                "check(my_function()).",
            )
        name = getattr(answer, "__name__", "your_function")
        for case in self.cases:
            call = case.call_text(name)
            try:
                result = answer(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
            except Exception as error:
                if case.raises and isinstance(error, case.raises):
                    continue
                return Feedback(
                    "incorrect",
                    f"{call} raised {type(error).__name__}: {error}{_learner_line(error)}.",
                )
            if result is BLANK:
                return Feedback("blank", "the function still returns ____: write its body.")
            if case.raises:
                return Feedback(
                    "incorrect",
                    f"{call} should raise {case.raises.__name__} but returned {describe(result)}.",
                )
            if case.measure is not None:
                measured = case.measure(result)
                problem = difference(measured, case.expected, rtol=self.rtol, atol=self.atol)
                if problem:
                    return Feedback(
                        "incorrect",
                        f"{call} returned {result!r}; the {case.measure_name} there: {problem}",
                    )
                continue
            problem = difference(result, case.expected, rtol=self.rtol, atol=self.atol)
            if problem:
                return Feedback("incorrect", f"{call}: {problem}")
        return Feedback("correct", f"{name} passed all {len(self.cases)} test cases.")


#: The one rule for every reflection in the course: a few sentences, at least this many words.
REFLECTION_MIN_WORDS = 20


@dataclass(frozen=True)
class Idea:
    """One idea a good reflection names (drawn from the lesson), and the words that show a text
    mentions it: any cue, case-insensitive, at the start of a word (``"prior"`` finds "priors")."""

    label: str
    cues: tuple[str, ...]

    def mentioned_in(self, text: str) -> bool:
        return any(re.search(rf"(?<!\w){re.escape(cue)}", text, re.IGNORECASE) for cue in self.cues)


class ReflectionExercise(Exercise):
    """Free text with no single right answer: any thoughtful answer of ``min_words`` is recorded
    (the course's one rule, :data:`REFLECTION_MIN_WORDS`, unless a test says otherwise), and
    never called wrong. With a ``rubric`` (the ideas a good answer names), the feedback then lists
    each idea and whether the text mentions it, so the learner can compare without being graded.
    """

    def __init__(
        self,
        exercise_id: str,
        *,
        min_words: int = REFLECTION_MIN_WORDS,
        rubric: Sequence[Idea] = (),
        **kwargs,
    ):
        super().__init__(exercise_id, **kwargs)
        self.min_words = min_words
        self.rubric = tuple(rubric)

    def _evaluate(self, answer: Any) -> Feedback:
        if not isinstance(answer, str):
            return Feedback(
                "incorrect", f"Expected your answer as text in quotes, got {describe(answer)}."
            )
        words = len(answer.split())
        if words < self.min_words:
            return Feedback(
                "incorrect",
                f"{words} word{'' if words == 1 else 's'} is a little short: aim for at least "
                f"{self.min_words} and say why.",
            )
        message = f"thank you ({words} words)."
        if self.rubric:
            found = [idea.mentioned_in(answer) for idea in self.rubric]
            lines = [
                f"  {'✓' if hit else '○'} {idea.label}" + ("" if hit else " (worth a sentence?)")
                for idea, hit in zip(self.rubric, found, strict=True)
            ]
            message += (
                f" Ideas a strong answer weighs, from the lesson ({sum(found)} of "
                f"{len(found)} in your text):\n" + "\n".join(lines) + "\n"
            )
        else:
            message += " "
        return Feedback(
            "recorded", message + f"Compare your thinking with {self.id_name}.solution()."
        )

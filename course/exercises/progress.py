"""Record exercise results in a small JSON file, so learners (and instructors) can see progress.

The file is ``progress.json`` in :func:`course.config.progress_dir`. Writes are atomic (a temporary
file moved into place), and a damaged file is set aside with a warning instead of breaking checks.
"""

from __future__ import annotations

import json
import os
import warnings
from datetime import UTC, datetime
from pathlib import Path

from course import config

_RANK = {"blank": 0, "incorrect": 1, "recorded": 2, "correct": 2}


class ProgressStore:
    """Exercise results keyed by exercise id (``"00.q1"``).

    Each record holds ``lesson``, ``status`` (the best seen: ``correct``/``recorded`` stick),
    ``attempts``, ``hints`` (highest hint level shown), ``solution_viewed`` and ``updated``.
    """

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else config.progress_dir() / "progress.json"

    def load(self) -> dict[str, dict]:
        """All records; an unreadable file is renamed ``*.corrupt`` and an empty dict returned."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return data
        except FileNotFoundError:
            return {}
        except (ValueError, UnicodeDecodeError) as error:
            backup = self.path.with_suffix(".json.corrupt")
            os.replace(self.path, backup)
            warnings.warn(
                f"Progress file {self.path} was unreadable ({error}); it was moved to "
                f"{backup} and progress starts afresh.",
                stacklevel=2,
            )
            return {}

    def _save(self, data: dict[str, dict]) -> None:
        config.write_atomically(self.path, json.dumps(data, indent=1, sort_keys=True))

    def update(
        self,
        exercise_id: str,
        lesson: str,
        *,
        status: str | None = None,
        hint: int | None = None,
        solution_viewed: bool = False,
    ) -> dict:
        """Merge one event into the exercise's record and save; returns the new record."""
        data = self.load()
        record = data.setdefault(
            exercise_id,
            {
                "lesson": lesson,
                "status": "not attempted",
                "attempts": 0,
                "hints": 0,
                "solution_viewed": False,
            },
        )
        if status is not None:
            if status != "blank":
                record["attempts"] += 1
            if _RANK.get(status, 0) >= _RANK.get(record["status"], -1):
                record["status"] = status
        if hint is not None:
            record["hints"] = max(record["hints"], hint)
        record["solution_viewed"] = record["solution_viewed"] or solution_viewed
        record["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        self._save(data)
        return record

    def reset(self) -> None:
        """Forget all progress."""
        self.path.unlink(missing_ok=True)


def record_safely(store: ProgressStore, *args, **kwargs) -> None:
    """Record an event but never let a progress problem (read-only disk...) break a check."""
    try:
        store.update(*args, **kwargs)
    except OSError as error:
        warnings.warn(f"Could not record progress in {store.path}: {error}", stacklevel=3)

"""Build something once, in a child process, under a lock.

Lesson 03's reference model (:func:`course.credit.reference.ensure_artifacts`), lesson 06's
trained models (:func:`course.scale.grids.ensure_cache`) and the class hub's shared copy of them
(:func:`classroom.class_hub.ensure_shared_models`) are each built the first time something needs
them. The build runs in a child process, so the caller's kernel never imports TensorFlow, and
under an exclusive lock, so two notebooks (or a notebook and the hub) that ask at the same time
build it once: the second waits for the first, finds the outputs and returns.

The lock is POSIX ``flock`` on a file next to the outputs; the kernel releases it when its
holder exits, however it exits, so a crashed build never leaves a stale lock behind. Where
``flock`` does not exist (Windows) there is no lock: a second build only repeats the same
deterministic computation.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from course.errors import CourseError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

#: How much of the child's stderr an error shows (its end: where Python prints the exception).
STDERR_TAIL = 2000


def build_once(
    outputs: Sequence[Path],
    lock: Path,
    command: Sequence[str],
    *,
    timeout: float,
    error: str,
    announce: Callable[[], None] | None = None,
    error_type: type[CourseError] = CourseError,
) -> bool:
    """Run ``command`` in a child process unless every path in ``outputs`` exists.

    Returns at once when the outputs exist. Otherwise takes an exclusive lock on ``lock``,
    checks again (another process may have built them while this one waited) and only then
    runs the command.

    Parameters
    ----------
    outputs
        The files the command writes; all of them existing means "built". The command should
        write each one whole (a temporary file moved into place): a reader that finds one
        does not take the lock.
    lock
        The lock file (created, with its folder, when missing; never removed).
    command
        The child's command line, for example ``[sys.executable, "-m", "course", ...]``.
    timeout
        Seconds the child may run before it is killed and the build fails.
    error
        What failed, in the learner's words, opening the error's message
        (for example ``"Building the reference model failed"``).
    announce
        Called just before the child starts (only when this call builds): say that it takes
        a while.
    error_type
        The :class:`~course.errors.CourseError` subclass to raise.

    Returns
    -------
    bool
        True when this call ran the command, False when the outputs were already there.

    Raises
    ------
    CourseError
        (or ``error_type``) when the command cannot start, times out, fails (the message ends
        with the tail of its stderr) or succeeds without writing every output.
    """
    outputs = [Path(p) for p in outputs]
    if _all_exist(outputs):
        return False
    with exclusive_lock(lock):
        if _all_exist(outputs):  # built by whoever held the lock before us
            return False
        if announce is not None:
            announce()
        _run(command, timeout, error, error_type)
    missing = [str(p) for p in outputs if not p.exists()]
    if missing:
        raise error_type(
            f"{error}: `{shlex.join(command)}` succeeded but did not write {', '.join(missing)}."
        )
    return True


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` for the ``with`` block (no lock without flock).

    Threads of one process exclude each other too: each call opens the file anew, and flock
    locks belong to the open file, not to the process.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:  # "a": never truncates a file someone else has open
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def _all_exist(paths: Sequence[Path]) -> bool:
    return all(p.exists() for p in paths)


def _run(command: Sequence[str], timeout: float, error: str, error_type: type[CourseError]) -> None:
    """Run the child; every way it can fail becomes one ``error_type`` naming the command."""
    shown = shlex.join(command)
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise error_type(f"{error}: `{shown}` did not finish within {timeout:g} s.") from None
    except OSError as problem:  # (no such program, not executable)
        raise error_type(f"{error}: cannot run `{shown}` ({problem}).") from None
    if done.returncode != 0:
        tail = (done.stderr or "")[-STDERR_TAIL:]
        raise error_type(f"{error}: `{shown}` exited with status {done.returncode}:\n{tail}")

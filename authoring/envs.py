"""Tool environments made from lock files alone, cached per lock digest.

Some author and instructor tools must never enter the learners' environment (nbgrader, to grade
a class; Jupyter Book, to build the course's website). Each runs in a virtual environment of its
own, made once from its locks and reused while they do not change::

    <user cache>/ai-business-course/<name>-venvs/<first 16 hex digits of the locks' SHA-256>/

The stamp file ``.installed-from`` (the full digest) is written last, so an environment whose
install was interrupted is made again. ``tests/test_nbgrader.py``, :mod:`authoring.site` and the
Colab replica (:mod:`authoring.colab_replica`) use :func:`locked_environment`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import platformdirs

from course.config import APP_NAME
from course.errors import CourseError

STAMP = ".installed-from"


def environments_folder(name: str) -> Path:
    """Where the environments of one tool (``"nbgrader"``, ``"site"``) are cached."""
    return Path(platformdirs.user_cache_dir(APP_NAME)) / f"{name}-venvs"


def locks_digest(locks: Sequence[Path]) -> str:
    """The SHA-256 of the locks' bytes, in order: what an environment is made from."""
    return hashlib.sha256(b"".join(Path(p).read_bytes() for p in locks)).hexdigest()


def bin_folder(env: Path) -> Path:
    """The folder of an environment's commands (``bin``, ``Scripts`` on Windows)."""
    return env / ("Scripts" if os.name == "nt" else "bin")


def cached_environment(name: str, locks: Sequence[Path]) -> Path | None:
    """The environment made from exactly ``locks``, if it is complete; else ``None``."""
    digest = locks_digest(locks)
    folder = environments_folder(name) / digest[:16]
    stamp = folder / STAMP
    return folder if stamp.exists() and stamp.read_text() == digest else None


def locked_environment(
    name: str,
    locks: Sequence[Path],
    *,
    python: str = sys.executable,
    log: Callable[[str], None] | None = None,
) -> Path:
    """The virtual environment with exactly ``locks`` installed, made when missing.

    Parameters
    ----------
    name
        The tool's name: its environments live in :func:`environments_folder`.
    locks
        Lock files (exact pins) to install together, in this order.
    python
        The Python that makes the environment (default: the running one).
    log
        Where a line goes before a (slow) install; nothing is said when the cache is used.

    Returns
    -------
    Path
        The environment's folder.

    Raises
    ------
    CourseError
        When pip cannot install the locks (offline, say), with the end of pip's message.
    """
    cached = cached_environment(name, locks)
    if cached is not None:
        return cached
    digest = locks_digest(locks)
    folder = environments_folder(name) / digest[:16]
    if log:
        log(
            f"making the {name} environment {folder} from "
            f"{', '.join(Path(p).name for p in locks)} (once per lock)"
        )
    start = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    suffix = ".exe" if os.name == "nt" else ""
    done = subprocess.run(
        [
            str(bin_folder(folder) / f"python{suffix}"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *[a for p in locks for a in ("-r", str(p))],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise CourseError(
            f"pip could not install the {name} environment from "
            f"{', '.join(Path(p).name for p in locks)}: "
            f"{done.stderr.strip()[-1500:]}"
        )
    (folder / STAMP).write_text(digest)
    if log:
        log(f"made the {name} environment in {time.perf_counter() - start:.0f} s")
    return folder

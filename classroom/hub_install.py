"""What the class hub's learners run: never anything read from the instructor's checkout.

An instructor clones the course into a private home (mode 0700) and starts the hub as root; the
learners' accounts cannot read anything there. So the hub gives them, under
:data:`LEARNER_ENVS` (root's, readable by every account):

- ``learners-<digest>``: a virtual environment made from a system Python and the locks alone
  (about 2 minutes and 2.2 GB, once per machine and lock version);
- ``course-<digest>``: a copy of what the learners' servers read from a checkout (the ``course``
  package, the student notebooks, the locks, lesson 06's trained models and the verified data),
  named after its content, made in a few seconds whenever the course changes. The servers import
  ``course`` from it (``PYTHONPATH``), read the data from its ``data/`` folder and find the
  ``course`` command in its ``bin/``.

Neither is taken for complete when half-made: the environment's stamp file is written last, and
the copy is made in a temporary folder and renamed into place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from course.config import REPO_ROOT, SUPPORTED_PYTHONS, lock_file
from course.errors import CourseError

#: Where the learners' environments and course copies live (root's, readable by everyone).
LEARNER_ENVS = Path("/opt/ai-business-course")
#: What the learners' servers read from a checkout, relative to it (folders are copied whole,
#: without caches).
COURSE_PARTS = (
    "course",
    "notebooks",
    "artifacts/scale",
    "pyproject.toml",
    "requirements.lock",
    "requirements-hub.lock",
    "instructors/budget.json",
)
SKIPPED = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")


def runnable_by_others(python: Path) -> bool:
    """Whether an unprivileged account (``nobody``) can run ``python`` with its own standard
    library (a Python whose home it cannot read may start with another Python's library)."""
    if os.geteuid() != 0:
        return True  # (not root: the servers run as this same account)
    probe = ["-c", "import sys, json; print(sys.base_prefix)"]
    try:
        mine = subprocess.run([str(python), *probe], capture_output=True, text=True, timeout=30)
        theirs = subprocess.run(
            [str(python), *probe], user="nobody", capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return theirs.returncode == 0 and theirs.stdout == mine.stdout


def system_python() -> Path | None:
    """A supported Python of the system that other accounts can run (newest first)."""
    for major, minor in reversed(SUPPORTED_PYTHONS):
        for folder in ("/usr/bin", "/usr/local/bin"):
            candidate = Path(folder) / f"python{major}.{minor}"
            if candidate.exists() and runnable_by_others(candidate):
                return candidate
    return None


def _shared_folder() -> Path:
    LEARNER_ENVS.mkdir(parents=True, exist_ok=True)
    os.chmod(LEARNER_ENVS, 0o755)
    return LEARNER_ENVS


def _move_into_place(partial: Path, target: Path) -> Path:
    """Rename the finished ``partial`` to ``target`` (another start may have made it first)."""
    try:
        partial.rename(target)
    except OSError:
        if not target.is_dir():
            raise
        shutil.rmtree(partial, ignore_errors=True)
    return target


def learner_environment(log=print) -> Path:
    """The virtual environment the learners' servers run in, made from the locks alone (module
    docs); made when missing, from a system Python every account can run. Its stamp file is
    written last: an environment without it is half-made and is made again."""
    locks = [lock_file(), lock_file("hub")]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in locks)).hexdigest()
    target = LEARNER_ENVS / f"learners-{digest[:12]}"
    stamp = target / ".course-installed"
    if stamp.exists() and stamp.read_text() == digest:
        _configure_jupyter(target)
        return target
    python = system_python()
    if python is None:
        raise CourseError(
            "The learners' servers need a Python that every account can run. "
            "Install python3 from the system's packages (3.11-3.13), then run this "
            "again."
        )
    log(f"[hub] making the learners' environment {target} from {python} (about 2 minutes, once)")
    _shared_folder()
    old = os.umask(0o022)
    try:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([str(python), "-m", "venv", str(target)], check=True)
        pip = [
            str(target / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
        subprocess.run([*pip, *[a for p in locks for a in ("-r", str(p))]], check=True)
        _configure_jupyter(target)
    finally:
        os.umask(old)
    stamp.write_text(digest)
    return target


def _configure_jupyter(target: Path) -> None:
    """The course's kernel and JupyterLab settings in the learners' environment (the same as on
    a laptop and on Binder: course/setup/lab_setup.py, run by that environment's Python)."""
    python = target / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "course.setup.lab_setup"],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


def _course_files(root: Path, data: Path) -> Iterator[tuple[Path, str]]:
    """Every file of the copy: (where it is now, where it goes in the copy), in a stable order."""
    sources = [(root / part, part) for part in COURSE_PARTS] + [(data, "data")]
    for source, name in sources:
        if source.is_file():
            yield source, name
        elif source.is_dir():
            for path in sorted(source.rglob("*")):
                relative = path.relative_to(source)
                if path.is_file() and not any(
                    p in SKIPPED or p.startswith(".") for p in relative.parts
                ):
                    yield path, f"{name}/{relative.as_posix()}"


def course_copy(data: Path, root: Path = REPO_ROOT, log=print) -> Path:
    """A root-owned copy of what the learners' servers read from the checkout ``root`` and of the
    verified ``data``, readable by every account (module docs); one per content."""
    files = list(_course_files(root, data))
    digest = hashlib.sha256()
    for path, name in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    target = LEARNER_ENVS / f"course-{digest.hexdigest()[:12]}"
    if target.is_dir():
        os.utime(target)  # (in use again: see prune_copies)
        return target
    log(f"[hub] copying the course for the learners to {target}")
    old = os.umask(0o022)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=_shared_folder()))
    try:
        os.chmod(partial, 0o755)
        for path, name in files:
            (partial / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, partial / name)
        (partial / "bin").mkdir()  # (`course doctor` in a learner's terminal, as the README says)
        (partial / "bin" / "course").write_text('#!/bin/sh\nexec python -m course "$@"\n')
        os.chmod(partial / "bin" / "course", 0o755)
        _move_into_place(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        os.umask(old)
    prune_copies(keep=target)
    return target


def prune_copies(keep: Path, days: float = 1.0) -> list[Path]:
    """Remove the course copies (and half-made ones) last used more than ``days`` ago that no
    running process has on its ``PYTHONPATH``; returns what was removed. Each change of the
    course makes a copy, so without this they would pile up on a machine that runs CI."""
    import time

    in_use = set()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            in_use.update(
                v.split(b"=", 1)[1]
                for v in environ.read_bytes().split(b"\0")
                if v.startswith(b"PYTHONPATH=")
            )
        except OSError:
            continue
    removed = []
    for path in [*LEARNER_ENVS.glob("course-*"), *LEARNER_ENVS.glob(".course-*")]:
        old = time.time() - path.stat().st_mtime > days * 86400
        if path != keep and old and str(path).encode() not in in_use:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed

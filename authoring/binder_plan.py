"""What Binder will build: repo2docker's Dockerfile for a clean copy of the repository, checked.

mybinder.org builds the image with ``jupyter-repo2docker``; ``--no-build --debug`` prints the
Dockerfile it would build without a Docker engine. repo2docker lives in a tool environment of its
own (``.venv-repo2docker``, pinned by ``tools/repo2docker.lock``), never in the learners' one.

``python -m authoring.binder_plan`` creates that tool environment (``kit.py test`` runs it).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile
import venv
from dataclasses import dataclass
from pathlib import Path

from course.config import REPO_ROOT
from course.errors import CourseError

TOOL_LOCK = REPO_ROOT / "tools" / "repo2docker.lock"
TOOL_VENV = REPO_ROOT / ".venv-repo2docker"
#: What BinderHub passes: the image's user is jovyan, uid 1000 (repo2docker refuses root).
BUILD_ARGS = ("--user-id", "1000", "--user-name", "jovyan")


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: its keyword (``RUN``, ``COPY``...) and the rest of the line."""

    keyword: str
    args: str


def tool_executable(folder: Path = TOOL_VENV) -> Path:
    return folder / (
        "Scripts/jupyter-repo2docker.exe" if sys.platform == "win32" else "bin/jupyter-repo2docker"
    )


def ensure_tool(folder: Path = TOOL_VENV, lock: Path = TOOL_LOCK, quiet: bool = True) -> Path:
    """The repo2docker executable of the tool environment, created from ``lock`` when missing
    or made from another version of it (a stamp of the lock's sha256 decides)."""
    stamp = folder / ".installed-from"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    if tool_executable(folder).exists() and stamp.exists() and stamp.read_text() == want:
        return tool_executable(folder)
    shutil.rmtree(folder, ignore_errors=True)
    venv.create(folder, with_pip=True)
    python = folder / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    done = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            *(["--quiet"] if quiet else []),
            "-r",
            str(lock),
        ]
    )
    if done.returncode:
        raise CourseError(
            f"Could not install repo2docker from {lock} into {folder} (pip exit "
            f"{done.returncode}); check the network, then run it again."
        )
    stamp.write_text(want)
    return tool_executable(folder)


def clean_copy(dest: Path, ref: str | None = "HEAD", source: Path = REPO_ROOT) -> Path:
    """The repository as Binder sees it, in ``dest``: the files of commit ``ref`` (git archive),
    or with ``ref=None`` the working tree's tracked and untracked, not ignored, files."""
    dest.mkdir(parents=True, exist_ok=True)
    git = ["git", "-C", str(source)]
    try:
        if ref is not None:
            archive = subprocess.run(
                [*git, "archive", "--format=tar", ref], capture_output=True, check=True
            ).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(dest, filter="tar")  # keeps the executable bits of the scripts
            return dest
        listed = subprocess.run(
            [*git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise CourseError(
            f"Cannot copy the repository at {source} with git ({error}): run this "
            "in a git clone of the course."
        ) from None
    for name in filter(None, listed.decode().split("\0")):
        path = source / name
        if path.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / name)
    return dest


def render(repo: Path, tool: Path | None = None) -> str:
    """The Dockerfile repo2docker would build for ``repo`` (no Docker engine needed)."""
    tool = tool or tool_executable()
    if not tool.exists():
        raise CourseError(
            f"repo2docker is not installed at {tool}: run `python3 kit.py "
            "binder-check` (or `python -m authoring.binder_plan`) first."
        )
    done = subprocess.run(
        [str(tool), "--no-build", "--debug", *BUILD_ARGS, str(repo)], capture_output=True, text=True
    )
    if done.returncode or "FROM " not in done.stdout:
        raise CourseError(
            f"repo2docker could not render {repo} (exit {done.returncode}):\n{done.stderr[-2000:]}"
        )
    return done.stdout


def instructions(dockerfile: str) -> list[Instruction]:
    """The Dockerfile's instructions in order, continuation lines joined, comments dropped."""
    found, pending = [], ""
    for line in dockerfile.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, args = pending.strip().partition(" ")
        found.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    return found


def _unescape(name: str) -> str:
    """repo2docker names build-context files with escapism (``-2e`` is ``.``)."""
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def base_python(steps: list[Instruction]) -> str | None:
    """The Python version of repo2docker's base environment (its ``environment.py-X.Y`` lock)."""
    for step in steps:
        if step.keyword == "COPY":
            match = re.search(r"environment\.py-(\d+\.\d+)", _unescape(step.args))
            if match:
                return match.group(1)
    return None


def _index(steps: list[Instruction], keyword: str, pattern: str) -> int | None:
    return next(
        (i for i, s in enumerate(steps) if s.keyword == keyword and re.search(pattern, s.args)),
        None,
    )


def plan_problems(dockerfile: str, python: str, uid: str = "1000") -> list[str]:
    """Everything in the rendered plan that differs from what the binder/ files assume.

    The files assume: the environment is built from ``binder/environment.yml`` for ``python``,
    before the repository is copied in; the repository is copied in, owned by the user that then
    runs ``binder/postBuild`` (which installs the package, so it writes into the copy); and
    ``binder/start`` is the entrypoint. An empty list means the plan matches.
    """
    steps, problems = instructions(dockerfile), []
    found = base_python(steps)
    if found != python:
        problems.append(
            f"base environment is for Python {found}, binder/environment.yml says {python}"
        )
    where = {
        "environment file copied in": _index(steps, "COPY", r"src/binder/environment\.yml\s"),
        "environment built from it": _index(
            steps,
            "RUN",
            r"env update .*--file \"?binder/"
            r"environment\.yml",
        ),
        "repository copied in": _index(steps, "COPY", r"(^|\s)src/\s"),
        "postBuild run": _index(steps, "RUN", r"^\./binder/postBuild$"),
    }
    for what, index in where.items():
        if index is None:
            problems.append(f"no step: {what}")
    order = [index for index in where.values() if index is not None]
    if len(order) == len(where) and order != sorted(order):
        problems.append("steps out of order: " + ", ".join(f"{w} at {i}" for w, i in where.items()))
    copy = where["repository copied in"]
    if copy is not None and f"--chown={uid}:{uid}" not in steps[copy].args:
        problems.append(
            f"the repository is not owned by uid {uid}, the user that runs postBuild: "
            f"COPY {steps[copy].args}"
        )
    post = where["postBuild run"]
    users = [s.args for s in steps[:post] if s.keyword == "USER"] if post is not None else []
    if post is not None and (not users or users[-1] != "${NB_USER}"):
        problems.append(f"postBuild runs as {users[-1] if users else 'root'}, not the learner")
    if _index(steps, "ENV", r"R2D_ENTRYPOINT=\"?\$\{REPO_DIR\}/binder/start\"?$") is None:
        problems.append("binder/start is not the entrypoint (no R2D_ENTRYPOINT)")
    if _index(steps, "ENTRYPOINT", r"repo2docker-entrypoint") is None:
        problems.append("no repo2docker-entrypoint (it is what runs R2D_ENTRYPOINT)")
    return problems


def plan_summary(dockerfile: str) -> list[str]:
    """The plan's steps that concern the course, one line each, in build order."""
    lines = []
    for step in instructions(dockerfile):
        text = f"{step.keyword} {step.args}"
        if step.keyword == "FROM":
            lines.append(text)
        elif step.keyword == "COPY" and "environment.py-" in _unescape(step.args):
            lines.append(
                f"COPY repo2docker's base environment lock for Python "
                f"{base_python([step])} (conda-forge)"
            )
        elif step.keyword == "COPY" and re.search(r"src/", step.args):
            lines.append(text)
        elif step.keyword == "RUN" and ("binder/" in step.args or "env update" in step.args):
            lines.append(
                "RUN "
                + re.sub(r"\s+", " ", step.args.replace("TIMEFORMAT='time: %3R'", "")).strip()[:150]
            )
        elif (
            step.keyword in ("ENTRYPOINT", "CMD")
            or (step.keyword == "USER")
            or (step.keyword == "ENV" and "R2D_ENTRYPOINT" in step.args)
        ):
            lines.append(text)
    return lines


if __name__ == "__main__":
    print(f"[kit] repo2docker tool environment: {ensure_tool()}")

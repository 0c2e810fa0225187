"""A stand-in for Google Colab's runtime, to prove the course runs on Colab's stack (issue 30).

``requirements-colab.lock`` pins the course's direct dependencies that Colab preinstalls, and all
they need, at the versions of Colab's published ``pip freeze`` (``../shared/colab/
colab-pip-freeze.txt``, or ``COURSE_COLAB_FREEZE``): Python 3.13, ``tensorflow-cpu`` at Colab's
``tensorflow`` version (no GPU here). What Colab lacks (msgspec, fastapi-offline, ...) is *not*
in it: the lessons' setup cell must install that, as it does on Colab. Regenerate the lock when
Colab's freeze moves::

    python -m authoring colab-lock [FREEZE]

``tests/test_colab.py`` (marker ``colab``) makes a throwaway environment from the lock, cached per
lock digest under the user's cache folder, and runs every solution notebook in it with the setup
cell in Colab mode (``COURSE_PRETEND_COLAB=1``, the course installed from this checkout through
``COURSE_SOURCE``, the data from ``COURSE_DATA_DIR``).

Running this file by path (``python colab_replica.py run OUT NOTEBOOK...``, with the replica's
Python) executes notebooks there without importing the course first: only the setup cell may
install it. It uses nbformat and nbclient, both part of Colab's stack.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
LOCK = REPO / "requirements-colab.lock"
FREEZE = REPO.parent / "shared" / "colab" / "colab-pip-freeze.txt"
FREEZE_ENV = "COURSE_COLAB_FREEZE"
#: Colab's Python (its freeze's wheels are cp313).
PYTHON = (3, 13)
#: Packages Colab installs under another name here: this machine has no GPU.
RENAMED = {"tensorflow": "tensorflow-cpu"}
#: What the replica needs besides the course's dependencies, to run notebooks (Colab has them).
RUNNER = ("nbclient", "nbformat", "ipykernel")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_freeze(path: Path) -> dict[str, str]:
    """``name == version`` lines of a ``pip freeze`` (canonical names); URL lines are left out."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line.strip())
        if match:
            pins[_canonical(match[1])] = match[2]
    return pins


def direct_requirements() -> list[str]:
    """The course's direct dependencies (pyproject.toml), as requirement strings."""
    import tomllib

    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]


def replica_inputs(freeze: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(requirements, constraints, left out): each direct dependency Colab has, at Colab's version
    (``tensorflow-cpu`` for ``tensorflow``), the runner's packages; every freeze line as a
    constraint; and the direct dependencies Colab lacks (the setup cell installs those)."""
    from packaging.requirements import Requirement

    env = {
        "sys_platform": "linux",
        "platform_machine": "x86_64",
        "python_version": "3.13",
        "python_full_version": "3.13.0",
        "platform_system": "Linux",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    colab = {RENAMED.get(name, name): version for name, version in freeze.items()}
    wanted, missing = [], []
    for text in [*direct_requirements(), *RUNNER]:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = _canonical(req.name)
        if name in colab:
            wanted.append(f"{name}=={colab[name]}")
        elif name not in missing:
            missing.append(name)
    constraints = [f"{name}=={version}" for name, version in sorted(colab.items())]
    return sorted(set(wanted)), constraints, missing


def write_lock(freeze_path: Path | None = None, out: Path = LOCK, log=print) -> Path:
    """Compile :data:`LOCK` from Colab's freeze with uv (installed into this environment if
    missing), for Linux x86-64 and Python 3.13."""
    freeze_path = Path(freeze_path or os.environ.get(FREEZE_ENV) or FREEZE)
    wanted, constraints, missing = replica_inputs(read_freeze(freeze_path))
    try:
        import uv  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "uv"], check=True)
    with tempfile.TemporaryDirectory() as folder:
        req, con = Path(folder) / "colab.in", Path(folder) / "colab-constraints.txt"
        req.write_text("\n".join(wanted) + "\n")
        con.write_text("\n".join(constraints) + "\n")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "uv",
                "pip",
                "compile",
                str(req),
                "-c",
                str(con),
                "--python-version",
                "3.13",
                "--python-platform",
                "x86_64-unknown-linux-gnu",
                "--no-header",
                "--no-annotate",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    header = [
        "# Google Colab's stack, for tests/test_colab.py: the course's direct dependencies "
        "that Colab",
        "# preinstalls, and all they need, at the versions of Colab's `pip freeze`; Python 3.13,",
        "# tensorflow-cpu for Colab's tensorflow. Not for learners. "
        "Regenerate: `python -m authoring colab-lock`.",
        f"# From: {freeze_path.name}. Left out (Colab lacks them; the setup cell installs what a",
        f"# lesson needs): {', '.join(missing)}.",
    ]
    out.write_text("\n".join(header) + "\n" + done.stdout)
    log(f"wrote {out.name}: {sum(1 for line in done.stdout.splitlines() if '==' in line)} pins")
    return out


def python313() -> str | None:
    """A Python 3.13 that runs (a pyenv shim on PATH may exist without being usable)."""
    import glob
    import shutil

    home = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for candidate in (
        shutil.which("python3.13"),
        *sorted(glob.glob(f"{home}/versions/3.13*/bin/python3.13")),
        "/usr/local/bin/python3.13",
        "/usr/bin/python3.13",
    ):
        if (
            candidate
            and subprocess.run(
                [candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 13)"],
                capture_output=True,
            ).returncode
            == 0
        ):
            return candidate
    return None


def environment(lock: Path = LOCK, log=print) -> tuple[Path, float]:
    """The replica's virtual environment, made once per lock digest under the user's cache folder
    (:func:`authoring.envs.locked_environment`), and the seconds it took to make (0 when cached).
    No course package in it: the setup cell installs that."""
    from authoring.envs import cached_environment, locked_environment

    cached = cached_environment("colab", [lock])
    if cached is not None:
        return cached, 0.0
    python = python313()
    if python is None:
        raise RuntimeError("no Python 3.13 found: Colab's runtime is Python 3.13")
    start = time.perf_counter()
    folder = locked_environment("colab", [lock], python=python, log=log)
    return folder, time.perf_counter() - start


# --- running notebooks in the replica (no course import: run by path with the replica's Python)


def run_notebooks(out: Path, notebooks: list[Path], timeout: int = 300) -> list[dict]:
    """Execute each notebook in a fresh kernel of this Python, in its folder; write the executed
    copy to ``out`` and return, per notebook, its time, the setup cell's output and time, and any
    error (the cell and its last line)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    out.mkdir(parents=True, exist_ok=True)
    results = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        start, error = time.perf_counter(), None
        try:
            client.execute()
        except CellExecutionError as failure:
            error = str(failure).strip().splitlines()[-1][:500]
        seconds = time.perf_counter() - start
        nbformat.write(nb, out / path.name)
        setup_time = None
        for cell in nb.cells:
            if cell.get("id") == "course-setup":
                stamps = cell.get("metadata", {}).get("execution", {})
                if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
                    from datetime import datetime

                    a, b = (
                        datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                        for k in ("iopub.execute_input", "shell.execute_reply")
                    )
                    setup_time = (b - a).total_seconds()
                break
        results.append(
            {
                "notebook": path.name,
                "seconds": round(seconds, 1),
                "error": error,
                "setup_seconds": setup_time,
            }
        )
    return results


if __name__ == "__main__":
    # (run by path: this folder's modules, build.py, paths.py ..., must not shadow any import)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE.parent]
    if len(sys.argv) < 4 or sys.argv[1] != "run":
        sys.exit("usage: python colab_replica.py run OUT_FOLDER NOTEBOOK...")
    print(json.dumps(run_notebooks(Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])))

#!/usr/bin/env python3
"""Set up and run the course with nothing but Python 3.11.

    python kit.py lab      # set up (first time only), then open JupyterLab at the start page
    python kit.py test     # set up (first time only), then run the whole test suite

Also: ``setup`` (set-up only), ``budget`` (time and memory of every notebook), ``lock``
(re-pin versions from pyproject.toml; maintainers only, needs internet).

Set-up is idempotent: it creates ``.venv`` with this Python, installs the exact versions in
requirements.lock and the course package, registers a Jupyter kernel and fetches the data. A
second run only re-checks (a stamp of the lock file decides whether pip runs again).
Only the standard library is used here, so this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".course-installed"
START_PAGE = "notebooks/00_start_here.ipynb"
KERNEL = ("ai-business-course", "Python 3.11 (AI business course)")
PYTEST_ARGS = ["-n", "2", "--dist", "loadfile"]


def say(message: str) -> None:
    print(f"[kit] {message}", flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*command, **kwargs) -> None:
    done = subprocess.run([str(c) for c in command], cwd=ROOT, **kwargs)
    if done.returncode:
        sys.exit(f"[kit] failed (exit {done.returncode}): {' '.join(map(str, command))}")


def ensure_python_311() -> None:
    """Re-run this script with Python 3.11 if started with another version."""
    if sys.version_info[:2] == (3, 11):
        return
    candidates = [["python3.11"], ["py", "-3.11"]]
    for candidate in candidates:
        if shutil.which(candidate[0]):
            probe = subprocess.run([*candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                   capture_output=True, text=True)
            if probe.returncode == 0 and "(3, 11)" in probe.stdout:
                say(f"Python {sys.version.split()[0]} found; re-running with {' '.join(candidate)}")
                sys.exit(subprocess.call([*candidate, __file__, *sys.argv[1:]]))
    sys.exit("[kit] This course needs Python 3.11 (found "
             f"{sys.version.split()[0]}). Install it from python.org (or your package manager) "
             "and run: python3.11 kit.py lab")


def install_stamp() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def setup(*, register_kernel: bool = False) -> None:
    ensure_python_311()
    if not venv_python().exists():
        say(f"creating the virtual environment {VENV}")
        venv.create(VENV, with_pip=True)
    py = venv_python()
    if not STAMP.exists() or STAMP.read_text().strip() != install_stamp():
        say("installing the pinned packages (first time: about 2 minutes, 2.2 GB)")
        run(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", LOCK)
        run(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
            "-e", ".")
        STAMP.write_text(install_stamp())
    else:
        say("packages already installed at the pinned versions")
    if register_kernel:
        name, display = KERNEL
        run(py, "-m", "ipykernel", "install", "--user", "--name", name,
            "--display-name", display, stdout=subprocess.DEVNULL)
    say("checking the course data (downloads what is missing, verifies every sha256)")
    run(py, "-m", "course", "data", "fetch", stdout=subprocess.DEVNULL)


def lab() -> None:
    setup(register_kernel=True)
    say(f"opening JupyterLab at {START_PAGE} (stop it with Ctrl+C)")
    sys.exit(subprocess.call([venv_python(), "-m", "course", "lab", *sys.argv[2:]], cwd=ROOT))


def test() -> None:
    setup()
    command = [venv_python(), "-m", "pytest", *PYTEST_ARGS, *sys.argv[2:]]
    say("running the test suite: " + " ".join(map(str, command[1:])))
    code = subprocess.call(command, cwd=ROOT)
    if code == 5:
        sys.exit("[kit] pytest collected no tests: that is a failure, not a pass.")
    sys.exit(code)


def budget() -> None:
    setup()
    sys.exit(subprocess.call([venv_python(), "-m", "course", "budget", *sys.argv[2:]], cwd=ROOT))


def lock() -> None:
    setup()
    py = venv_python()
    run(py, "-m", "pip", "install", "--quiet", "uv")
    run(py, "-m", "uv", "pip", "compile", "pyproject.toml", "--extra", "test", "--universal",
        "--python-version", "3.11", "--no-header", "-o", LOCK)
    run(py, "-m", "course.pins")
    say("lock and environment files rewritten; run `python kit.py test` next")


COMMANDS = {"lab": lab, "test": test, "setup": setup, "budget": budget, "lock": lock}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]]()

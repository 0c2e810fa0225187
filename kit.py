#!/usr/bin/env python3
"""Set up and run the course with nothing but Python (3.11, 3.12 or 3.13).

    python kit.py lab      # set up (first time only), then open JupyterLab at the start page
    python kit.py test     # set up (first time only), then run the whole test suite

Also: ``setup`` (set-up only); for maintainers ``test-latest`` (the suite against the newest
releases pyproject.toml allows, ignoring the lock: a monthly drift check), ``test-lowest`` (the
unit tests and the solutions run at the lowest releases it allows: are its floors true?) and
``lock`` (re-pin versions from pyproject.toml; needs internet). The rest is handed, once set-up
is done, to the command line of its audience: ``budget``, ``test-paths`` and ``binder-check`` to
the authors' (``python -m authoring``), ``hub`` to the classroom's (``python -m classroom hub``,
as root; ``--help`` for its options). Learners' commands are ``course ...`` in the environment.

Set-up is idempotent: it creates ``.venv`` with this Python (or, if this one is not supported,
with a supported one found on PATH), installs the exact versions in
requirements.lock and the course package, sets up this environment's Jupyter (its kernel and
settings, course/setup/lab_setup.py) and fetches the data. A
second run only re-checks (a stamp of the lock file decides whether pip runs again).
Only the standard library is used here, so this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
LOCK = ROOT / "requirements.lock"  # the learners' environment
TEST_LOCK = ROOT / "requirements-test.lock"  # the test tools, on top of it (never on Binder)
HUB_LOCK = ROOT / "requirements-hub.lock"  # JupyterHub for a class on one server (and its test)
NBGRADER_LOCK = ROOT / "requirements-nbgrader.lock"  # nbgrader, to grade a class (and its test)
SITE_LOCK = (
    ROOT / "requirements-site.lock"
)  # the website's builder, alone (`python -m authoring site build`)
SITE_REQUIREMENT = "jupyter-book>=1,<2"  # (course.setup.pins.SITE_REQUIREMENT: the same)
STAMP = VENV / ".course-installed"
START_PAGE = "notebooks/00_start_here.ipynb"
#: The Python versions the lock resolves for and TensorFlow publishes wheels for. pyproject's
#: requires-python, course.config.SUPPORTED_PYTHONS and this agree (tests/test_install_paths.py).
SUPPORTED = ((3, 11), (3, 12), (3, 13))
#: Where TensorFlow 2.21, and so the whole lock, has wheels: (sys.platform, platform.machine()).
#: tests/test_platforms.py resolves the lock for each of these against the package index.
WHEEL_PLATFORMS = {
    ("linux", "x86_64"): "Linux x86_64",
    ("linux", "aarch64"): "Linux on ARM",
    ("win32", "AMD64"): "Windows x64",
    ("darwin", "arm64"): "Apple Silicon Mac",
}
ELSEWHERE = (
    "open the course on Binder (the README's launch badge) or on your class's hub, "
    "which need only a browser"
)
#: What the first set-up took, measured (README, "Set-up").
SETUP_MEASURED = (
    "about 500 MB to download, 2.2 GB on disk; measured 91 s on a fresh machine "
    "plus the download time"
)
PYTEST_ARGS = ["-n", "2", "--dist", "loadfile"]


def say(message: str) -> None:
    print(f"[kit] {message}", flush=True)


def venv_python(folder: Path = VENV) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*command, **kwargs) -> None:
    done = subprocess.run([str(c) for c in command], cwd=ROOT, **kwargs)
    if done.returncode:
        sys.exit(f"[kit] failed (exit {done.returncode}): {' '.join(map(str, command))}")


def shown(version) -> str:
    return ".".join(map(str, version))


def ensure_supported_python() -> None:
    """Carry on with this Python if it is supported; otherwise re-run with a supported one found
    on PATH (newest first), or stop with what to install."""
    if sys.version_info[:2] in SUPPORTED:
        return
    if not os.environ.get("COURSE_KIT_REEXEC"):  # never loop between two Pythons
        for version in reversed(SUPPORTED):
            for candidate in ([f"python{shown(version)}"], ["py", f"-{shown(version)}"]):
                if not shutil.which(candidate[0]):
                    continue
                probe = subprocess.run(
                    [*candidate, "-c", "import sys; print(sys.version_info[:2])"],
                    capture_output=True,
                    text=True,
                )
                if probe.returncode == 0 and probe.stdout.strip() == str(version):
                    say(
                        f"Python {sys.version.split()[0]} is not supported here; re-running with "
                        f"{' '.join(candidate)}"
                    )
                    env = {**os.environ, "COURSE_KIT_REEXEC": "1"}
                    sys.exit(subprocess.call([*candidate, __file__, *sys.argv[1:]], env=env))
    names = ", ".join(shown(v) for v in SUPPORTED)
    sys.exit(
        f"[kit] This course runs on Python {names} (this is {sys.version.split()[0]}, and "
        "no supported version was found on PATH). Install Python 3.13 from python.org or "
        "your package manager, then run: python3.13 kit.py lab"
    )


def platform_problem(
    system: str = sys.platform,
    machine: str = platform.machine(),
    bits: int = 8 * struct.calcsize("P"),
) -> str | None:
    """Why the pinned packages cannot install on this machine (no TensorFlow wheel exists for
    it), with what does work there; None on a supported machine."""
    if bits == 64 and (system, machine) in WHEEL_PLATFORMS:
        return None
    if bits != 64:
        return (
            f"This is a {bits}-bit Python; TensorFlow needs a 64-bit one: install the 64-bit "
            f"Python 3.13 from python.org and run kit.py with it, or {ELSEWHERE}."
        )
    where = f"{system} on {machine or 'an unknown processor'}"
    if system == "darwin" and machine == "x86_64":
        return (
            "TensorFlow 2.21 publishes no wheels for Intel Macs (macOS x86_64). On an Apple "
            "Silicon Mac this Python runs under Rosetta: install the native arm64 Python "
            f"from python.org and run kit.py with it. On an Intel Mac, {ELSEWHERE}."
        )
    if system == "win32" and machine == "ARM64":
        return (
            "TensorFlow 2.21 publishes no wheels for Windows on ARM: install the x64 Python "
            "3.13 from python.org (Windows runs it under emulation) and run kit.py with it, "
            f"or use WSL (Linux on ARM works), or {ELSEWHERE}."
        )
    return (
        f"TensorFlow 2.21 publishes no wheels for {where}: the course installs on "
        f"{', '.join(WHEEL_PLATFORMS.values())}; here, {ELSEWHERE}."
    )


def stop_if_no_wheels() -> None:
    """Stop with one clear line, before pip runs, on a machine no TensorFlow wheel exists for."""
    problem = platform_problem()
    if problem:
        sys.exit(f"[kit] {problem}")


def extra_locks(test_tools: bool, hub: bool = False) -> list[Path]:
    """The locks installed on top of the learners' one: the hub's (for ``kit.py hub``, and for
    the test suite, which starts a hub), then the test tools'."""
    return [*([HUB_LOCK] if hub or test_tools else []), *([TEST_LOCK] if test_tools else [])]


def install_stamp(test_tools: bool, hub: bool = False) -> str:
    """What an installation was made from: the lock files and pyproject.toml."""
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml", *extra_locks(test_tools, hub)):
        digest.update(path.read_bytes())
    return digest.hexdigest() + (" +test" if test_tools else " +hub" if hub else "")


def venv_version() -> tuple[int, int] | None:
    """The Python version of an existing virtual environment, from its pyvenv.cfg."""
    cfg = VENV / "pyvenv.cfg"
    if not cfg.exists():
        return None
    for line in cfg.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() in {"version", "version_info"}:
            return tuple(int(part) for part in value.strip().split(".")[:2])
    return None


def setup(*, test_tools: bool = False, hub: bool = False, data_optional: bool = False) -> None:
    """The virtual environment at the pinned versions (with the test tools when asked: the
    learners' command leaves them out), this environment's Jupyter set up for the course, and the
    verified data (``data_optional``: carry on without what cannot be fetched)."""
    ensure_supported_python()
    if not STAMP.exists():
        stop_if_no_wheels()
    found = venv_version()
    if found and found != sys.version_info[:2]:
        sys.exit(
            f"[kit] {VENV} was made with Python {shown(found)}, and this is "
            f"{shown(sys.version_info[:2])}. Start kit.py with python{shown(found)}, or delete "
            f"{VENV} to rebuild it with this Python."
        )
    if not venv_python().exists():
        say(f"creating the virtual environment {VENV}")
        venv.create(VENV, with_pip=True)
    py = venv_python()
    installed = STAMP.read_text().strip() if STAMP.exists() else ""
    enough = {install_stamp(True)}  # (an installation with more than asked for will do)
    enough |= set() if test_tools else {install_stamp(False, hub=True)}
    enough |= set() if test_tools or hub else {install_stamp(False)}
    if installed not in enough:
        locks = [LOCK, *extra_locks(test_tools, hub)]
        say(
            "step 1 of 3: installing the pinned packages"
            + (" with the test tools" if test_tools else " with JupyterHub" if hub else "")
            + f" ({SETUP_MEASURED}); pip shows each package as it goes"
        )
        run(
            py,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--progress-bar",
            "on",
            *[arg for lock in locks for arg in ("-r", lock)],
        )
        say("step 2 of 3: installing the course package")
        run(
            py,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "-e",
            ".",
        )
        STAMP.write_text(install_stamp(test_tools, hub))
    else:
        say("packages already installed at the pinned versions")
    # This environment's Jupyter: the course's kernel and settings (course/setup/lab_setup.py).
    run(py, "-m", "course.setup.lab_setup", stdout=subprocess.DEVNULL)
    if test_tools:  # the rendered-plan test's repo2docker, in an environment of its own
        run(py, "-m", "authoring.binder_plan")
    say("step 3 of 3: checking the course data (downloads what is missing, verifies every sha256)")
    fetched = subprocess.run([str(py), "-m", "course", "data", "fetch"], cwd=ROOT)
    if fetched.returncode and not data_optional:
        sys.exit(f"[kit] failed (exit {fetched.returncode}): course data fetch")
    if fetched.returncode:
        say(
            "carrying on without the missing data: the lessons that need it say so in their "
            "first cell; run `course data fetch` once you are online"
        )


def lab() -> None:
    setup(data_optional=True)
    say(f"opening JupyterLab at {START_PAGE} (stop it with Ctrl+C)")
    sys.exit(subprocess.call([venv_python(), "-m", "course", "lab", *sys.argv[2:]], cwd=ROOT))


def test() -> None:
    setup(test_tools=True)
    # (the 20 slowest tests are listed at the end: where the suite's time goes)
    command = [venv_python(), "-m", "pytest", *PYTEST_ARGS, "--durations=20", *sys.argv[2:]]
    say("running the test suite: " + " ".join(map(str, command[1:])))
    exit_as_pytest(subprocess.call(command, cwd=ROOT))


def exit_as_pytest(code: int) -> None:
    """Exit with pytest's status; its 5, 'no tests collected', is a failure with a message."""
    if code == 5:
        sys.exit("[kit] pytest collected no tests: that is a failure, not a pass.")
    sys.exit(code)


def test_paths() -> None:
    """The notebooks again under other numerical code paths (``python -m authoring test-paths``)."""
    setup(test_tools=True)
    sys.exit(
        subprocess.call([venv_python(), "-m", "authoring", "test-paths", *sys.argv[2:]], cwd=ROOT)
    )


def test_latest() -> None:
    """Drift check: the newest releases within pyproject.toml's ranges (ignoring the lock) in a
    throwaway environment, the whole suite, then what moved and what failed."""
    throwaway_suite(
        "latest",
        "the newest allowed releases",
        install=[
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--upgrade",
            "-e",
            ".[test,hub]",
        ],
        report=[],
        marks="not pinned",
        pytest_args=[],
        what="the test suite",
    )


def test_lowest() -> None:
    """The floors of pyproject.toml's ranges: the lowest versions they allow (uv's lowest-direct
    resolution: each direct dependency at the lowest release the others permit) in a throwaway
    environment, the unit tests, and every solution notebook run top to bottom (not compared with
    its stored outputs, which the newest versions print); then each direct dependency's version."""
    throwaway_suite(
        "lowest",
        "the lowest releases pyproject.toml allows",
        install=[
            "uv",
            "pip",
            "install",
            "--quiet",
            "--python",
            "{python}",
            "--resolution",
            "lowest-direct",
            "-e",
            ".[test,hub]",
        ],
        report=["--direct"],
        marks=LOWEST_LEAVES_OUT,
        pytest_args=["--nbval-lax", "tests", "solutions"],
        what="the unit tests and the solutions (run, not compared)",
    )


#: What ``test-lowest`` leaves out: the tests that check the environment IS the lock, and those
#: that need more than the course's packages (a browser, a hub with system accounts, environments
#: made from the locks, the package index, Colab's stack).
LOWEST_LEAVES_OUT = (
    "not pinned and not browser and not hub and not nbgrader and not registry and not colab"
)


def throwaway_suite(
    name: str,
    versions: str,
    *,
    install: list[str],
    report: list[str],
    marks: str,
    pytest_args: list[str],
    what: str,
) -> None:
    """``test-latest`` and ``test-lowest``: a throwaway environment, ``install`` run by its Python
    as a module (``pip`` or ``uv``, which pip installs first; ``{python}`` is that Python), pytest
    there on the tests ``marks`` selects, then ``authoring.drift``'s report (``report``: its
    arguments), the time of each step and what failed."""
    ensure_supported_python()
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix=f"course-{name}-"))
    say(f"building a throwaway environment with {versions} in {folder}")
    venv.create(folder, with_pip=True)
    py = venv_python(folder)
    if install[0] != "pip":  # (uv, say: into the environment it installs into)
        run(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", install[0])
    run(py, "-m", *[str(py) if arg == "{python}" else arg for arg in install])
    drift = subprocess.run(
        [py, "-m", "authoring.drift", *report], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    run(py, "-m", "course", "data", "fetch", stdout=subprocess.DEVNULL)
    built = time.perf_counter()
    # (tests marked `pinned` check that the environment IS the lock: here it is not, by design)
    command = [py, "-m", "pytest", *PYTEST_ARGS, "-rfE", "-m", marks, *pytest_args, *sys.argv[2:]]
    say(f"running {what} against them: " + " ".join(map(str, command[1:])))
    failed, process = [], subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.startswith(("FAILED ", "ERROR ")):
            failed.append(line.strip())
    code = process.wait()
    title = "direct dependencies installed:\n" if report else "drift report: "
    print(f"\n[kit] {title}{drift}", end="")
    print(
        f"[kit] environment {built - started:.0f} s, {what} {time.perf_counter() - built:.0f} s: "
        f"{'passed' if code == 0 else f'FAILED (exit {code})'}"
    )
    for line in failed:
        print(f"  {line}")
    shutil.rmtree(folder, ignore_errors=True)
    exit_as_pytest(code)


def budget() -> None:
    setup()
    sys.exit(subprocess.call([venv_python(), "-m", "authoring", "budget", *sys.argv[2:]], cwd=ROOT))


def binder_check() -> None:
    """The students' Binder path: repo2docker's plan, the image's steps, every lesson under one
    CPU and 2 GB (``python -m authoring binder-check``)."""
    setup()
    sys.exit(
        subprocess.call([venv_python(), "-m", "authoring", "binder-check", *sys.argv[2:]], cwd=ROOT)
    )


def hub() -> None:
    """A class on this server: JupyterHub for a workshop, as root.

    See ``python -m classroom hub --help``."""
    setup(hub=True)
    process = subprocess.Popen([venv_python(), "-m", "classroom", "hub", *sys.argv[2:]], cwd=ROOT)
    signal.signal(signal.SIGTERM, lambda *_: process.send_signal(signal.SIGTERM))
    while True:  # (Ctrl+C reaches the hub too: wait while it stops every learner's server)
        try:
            sys.exit(process.wait())
        except KeyboardInterrupt:
            continue


def lock() -> None:
    """Compile the learners' lock, then (constrained by it) the hub's, nbgrader's and the test
    tools' locks, and the website builder's alone; rewrite the environment files. uv keeps every
    version already locked unless pyproject.toml moved it."""
    setup(test_tools=True)
    py = venv_python()
    run(py, "-m", "pip", "install", "--quiet", "uv")
    compile_ = [
        py,
        "-m",
        "uv",
        "pip",
        "compile",
        "pyproject.toml",
        "--universal",
        "--python-version",
        shown(SUPPORTED[0]),
        "--no-header",
    ]
    run(*compile_, "-o", LOCK)
    with tempfile.TemporaryDirectory() as folder:
        for extra, out, constraints in (
            ("hub", HUB_LOCK, [LOCK]),
            ("nbgrader", NBGRADER_LOCK, [LOCK, HUB_LOCK]),
            ("test", TEST_LOCK, [LOCK, HUB_LOCK]),
        ):
            full = Path(folder) / f"with-{extra}.lock"  # the locks as uv's preferred versions
            full.write_text("".join(p.read_text() for p in (*constraints, out) if p.exists()))
            run(
                *compile_,
                "--extra",
                extra,
                *[a for c in constraints for a in ("-c", c)],
                "-o",
                full,
            )
            run(py, "-m", "course.setup.pins", extra, full)
        # The website's builder, compiled alone: Jupyter Book 1 needs markdown-it-py<4, which the
        # learners' lock cannot have, so it never shares their environment.
        full = Path(folder) / "site.lock"
        full.write_text(SITE_LOCK.read_text() if SITE_LOCK.exists() else "")
        run(*compile_[:5], "-", *compile_[6:], "-o", full, input=SITE_REQUIREMENT + "\n", text=True)
        run(py, "-m", "course.setup.pins", "site", full)
    say("locks and environment files rewritten; run `python kit.py test` next")


COMMANDS = {
    "lab": lab,
    "test": test,
    "setup": setup,
    "budget": budget,
    "lock": lock,
    "test-paths": test_paths,
    "test-latest": test_latest,
    "test-lowest": test_lowest,
    "binder-check": binder_check,
    "hub": hub,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]]()

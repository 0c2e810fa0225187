"""kit.py, the two README commands: usage, and 'no tests collected' is a failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_usage_without_a_command():
    done = subprocess.run([sys.executable, "kit.py"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "python kit.py lab" in done.stderr


@pytest.mark.skipif(
    not (Path(sys.prefix) / ".course-installed").exists(),
    reason="runs only inside an environment that kit.py set up",
)
def test_no_tests_collected_is_a_failure():
    env = {**os.environ, "COURSE_VENV": sys.prefix}
    done = subprocess.run(
        [sys.executable, "kit.py", "test", "-k", "no_test_has_this_name"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1
    assert "collected no tests" in done.stderr


def _kit(code: str, **env) -> subprocess.CompletedProcess:
    """Run ``code`` with kit.py imported as ``kit``, in a child Python."""
    return subprocess.run(
        [sys.executable, "-c", f"import kit\n{code}"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_an_unsupported_python_with_no_supported_one_on_path_says_what_to_install(tmp_path):
    done = _kit(
        "kit.SUPPORTED = ((3, 97), (3, 98), (3, 99))\nkit.ensure_supported_python()",
        PATH=str(tmp_path),
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "runs on Python 3.97, 3.98, 3.99" in done.stderr
    assert "python3.13 kit.py lab" in done.stderr


def test_an_unsupported_python_re_runs_kit_with_a_supported_one_found_on_path(tmp_path):
    fake = tmp_path / "python3.99"  # answers the version probe as 3.99, then records its re-run
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = "-c" ]; then echo "(3, 99)"; exit 0; fi\n'
        'echo "re-run: $* reexec=$COURSE_KIT_REEXEC"\n'
    )
    fake.chmod(0o755)
    done = _kit(
        "import sys\nkit.SUPPORTED = ((3, 98), (3, 99))\nsys.argv = ['kit.py', 'lab']\n"
        "kit.ensure_supported_python()",
        PATH=f"{tmp_path}:/usr/bin:/bin",
    )
    assert done.returncode == 0, done.stderr
    assert "re-running with python3.99" in done.stdout
    assert done.stdout.strip().endswith("lab reexec=1")
    assert "kit.py" in done.stdout


def test_a_virtual_environment_of_another_python_is_not_reused(tmp_path):
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.9.18\n")
    done = _kit("kit.setup()", COURSE_VENV=str(tmp_path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "was made with Python 3.9" in done.stderr and "delete" in done.stderr


def test_course_lab_passes_jupyterlab_options_through(monkeypatch):
    """`kit.py lab --no-browser --port 9000` ends as `course lab ...`: every option reaches
    `jupyter lab`, in order (argparse's REMAINDER refused options before a positional)."""
    import subprocess

    from course import cli
    from course.setup import lab_setup

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda command, **kw: calls.append(command) or 0)
    monkeypatch.setattr(lab_setup, "configure", lambda: [])
    monkeypatch.setattr(lab_setup, "remove_legacy_kernel", lambda: None)
    options = ["--no-browser", "--port", "9000", "--ip", "0.0.0.0", "--allow-root"]
    assert cli.main(["lab", *options]) == 0
    (command,) = calls
    assert command[2:4] == ["jupyter", "lab"]
    assert command[4:6] == [
        f"--ServerApp.root_dir={ROOT / 'notebooks'}",
        "--LabApp.default_url=/lab/tree/00_start_here.ipynb",
    ]
    assert command[6:] == options
    with pytest.raises(SystemExit):  # other commands still refuse what they do not know
        cli.main(["progress", "--no-browser"])


def test_latest_and_lowest_are_one_runner_with_two_installs(monkeypatch):
    """`kit.py test-latest` and `kit.py test-lowest` differ only in how the throwaway environment
    is installed and what runs in it: lowest is uv's lowest-direct resolution, then the unit tests
    and the solutions run (nbval-lax: no stored output compared) without the lock's own tests."""
    import kit

    calls = {}
    monkeypatch.setattr(kit, "throwaway_suite", lambda name, *a, **kw: calls.update({name: kw}))
    kit.test_latest()
    kit.test_lowest()
    latest, lowest = calls["latest"], calls["lowest"]
    assert latest["install"][:2] == ["pip", "install"] and "--upgrade" in latest["install"]
    assert latest["marks"] == "not pinned" and latest["pytest_args"] == []
    assert lowest["install"][:3] == ["uv", "pip", "install"]
    assert lowest["install"][lowest["install"].index("--resolution") + 1] == "lowest-direct"
    assert lowest["install"][lowest["install"].index("--python") + 1] == "{python}"
    assert ".[test,hub]" in lowest["install"] and lowest["report"] == ["--direct"]
    assert lowest["pytest_args"] == ["--nbval-lax", "tests", "solutions"]
    for mark in ("pinned", "browser", "hub", "nbgrader", "registry"):
        assert f"not {mark}" in lowest["marks"], mark


def test_the_throwaway_runner_installs_runs_and_reports(monkeypatch, tmp_path, capsys):
    """The runner with every process faked: uv goes into the environment it installs into, the
    suite's failures are listed after the report, with the time of each step, and pytest's exit
    status is kit's; the environment is removed."""
    import kit

    folder = tmp_path / "course-lowest-x"
    folder.mkdir()
    commands = []

    class Suite:
        stdout = iter(["tests/test_a.py ..F\n", "FAILED tests/test_a.py::test_c - boom\n"])

        def __init__(self, command, **kwargs):
            commands.append(("pytest", [str(c) for c in command]))

        def wait(self):
            return 1

    monkeypatch.setattr(kit.tempfile, "mkdtemp", lambda prefix: str(folder))
    monkeypatch.setattr(kit.venv, "create", lambda *a, **kw: None)
    monkeypatch.setattr(kit, "run", lambda *command, **kw: commands.append(("run", list(command))))
    monkeypatch.setattr(
        kit.subprocess,
        "run",
        lambda command, **kw: subprocess.CompletedProcess(
            command, 0, stdout="  numpy   >=2.2   2.2.0\n"
        ),
    )
    monkeypatch.setattr(kit.subprocess, "Popen", Suite)
    monkeypatch.setattr(kit.sys, "argv", ["kit.py", "test-lowest", "-x"])
    with pytest.raises(SystemExit) as stopped:
        kit.test_lowest()
    assert stopped.value.code == 1
    py = str(kit.venv_python(folder))
    (_, uv_first), (_, install), (_, fetch), (_, pytest_run) = commands
    assert uv_first == [
        kit.venv_python(folder),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "uv",
    ]
    assert install[:5] == [kit.venv_python(folder), "-m", "uv", "pip", "install"]
    assert install[install.index("--python") + 1] == py
    assert fetch[1:5] == ["-m", "course", "data", "fetch"]
    assert pytest_run[:2] == [py, "-m"] and pytest_run[-1] == "-x"
    assert pytest_run[pytest_run.index("-m", 2) + 1] == kit.LOWEST_LEAVES_OUT
    out = capsys.readouterr().out
    assert "direct dependencies installed:\n  numpy   >=2.2   2.2.0" in out
    assert "FAILED (exit 1)" in out and out.rstrip().endswith(
        "FAILED tests/test_a.py::test_c - boom"
    )
    assert not folder.exists()

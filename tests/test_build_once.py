"""course.build_once: a build runs once, in a child process, however many callers ask at once."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from course.build_once import STDERR_TAIL, build_once
from course.config import REPO_ROOT
from course.credit.numpy_model import ArtifactError
from course.errors import CourseError

# The child: counts its runs in a log, takes a while (so a second caller arrives during the
# build), then writes its output whole (a temporary file moved into place).
BUILDER = """
import os, sys, time
output, runs = sys.argv[1], sys.argv[2]
with open(runs, "a") as log:
    log.write("run\\n")
time.sleep(1)
with open(output + ".tmp", "w") as out:
    out.write("built")
os.replace(output + ".tmp", output)
"""


def builder(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    output, runs = tmp_path / "out" / "model.json", tmp_path / "runs.log"
    return output, runs, [sys.executable, "-c", BUILDER, str(output), str(runs)]


def run_count(runs: Path) -> int:
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def test_two_threads_asking_at_once_run_the_command_once(tmp_path):
    output, runs, command = builder(tmp_path)
    lock, start, built, failures = output.parent / ".lock", threading.Barrier(2), [], []

    def ask() -> None:
        start.wait()
        try:
            built.append(build_once([output], lock, command, timeout=60, error="Building failed"))
        except BaseException as error:  # (reported below: a thread's exception is lost)
            failures.append(error)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    assert sorted(built) == [False, True] and run_count(runs) == 1
    assert output.read_text() == "built"


def test_two_processes_asking_at_once_run_the_command_once(tmp_path):
    output, runs, command = builder(tmp_path)
    asker = (
        "import sys; from pathlib import Path; from course.build_once import build_once; "
        "print(build_once([Path(sys.argv[1])], Path(sys.argv[2]), sys.argv[3:], "
        "timeout=60, error='Building failed'))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    arguments = [str(output), str(output.parent / ".lock"), *command]
    askers = [
        subprocess.Popen(
            [sys.executable, "-c", asker, *arguments], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    answers = sorted(process.communicate(timeout=120)[0].strip() for process in askers)
    assert [process.returncode for process in askers] == [0, 0]
    assert answers == ["False", "True"] and run_count(runs) == 1


def test_existing_outputs_return_at_once_without_running_anything(tmp_path):
    output = tmp_path / "model.json"
    output.write_text("built earlier")
    lock = tmp_path / "locks" / ".lock"
    failing = [sys.executable, "-c", "raise SystemExit(1)"]
    assert build_once([output], lock, failing, timeout=60, error="Building failed") is False
    assert not lock.parent.exists()  # not even the lock was taken


def test_a_failing_command_names_itself_and_ends_with_its_stderr(tmp_path):
    code = "import sys; sys.stderr.write('x' * 5000 + 'the real reason'); sys.exit(2)"
    command = [sys.executable, "-c", code]
    with pytest.raises(CourseError) as info:
        build_once(
            [tmp_path / "never"],
            tmp_path / ".lock",
            command,
            timeout=60,
            error="Building the thing failed",
        )
    message = str(info.value)
    assert message.startswith("Building the thing failed")
    assert shlex.join(command) in message and "status 2" in message
    assert message.endswith("the real reason") and message.count("x") < STDERR_TAIL + 100


def test_a_command_that_writes_nothing_or_hangs_is_an_error_of_the_callers_type(tmp_path):
    quiet = [sys.executable, "-c", "pass"]
    with pytest.raises(ArtifactError, match="did not write"):
        build_once(
            [tmp_path / "never"],
            tmp_path / ".lock",
            quiet,
            timeout=60,
            error="Building failed",
            error_type=ArtifactError,
        )
    slow = [sys.executable, "-c", "import time; time.sleep(30)"]
    with pytest.raises(CourseError, match="did not finish within 0.5 s"):
        build_once(
            [tmp_path / "never"], tmp_path / ".lock", slow, timeout=0.5, error="Building failed"
        )

"""The code's style is checked by a tool, not by review: ruff's linter and formatter, configured in
``pyproject.toml`` (``[tool.ruff]``: line length 100) and pinned in ``requirements-test.lock``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course.config import REPO_ROOT


def ruff(*args: str, cwd=REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_ruff_finds_no_lint():
    done = ruff("check", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_the_code_is_formatted():
    done = ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_no_formatter_opt_outs_are_left():
    done = subprocess.run(
        ["git", "grep", "-n", "fmt: " + "skip", "--", "*.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.stdout == ""


@pytest.mark.parametrize(
    "source,rule", [("import os\n", "F401"), ("x = 1\n" + "# a comment" * 12 + "\n", "E501")]
)
def test_the_checks_can_fail(tmp_path, source, rule):
    """The same configuration, on a file with a planted fault, fails with that fault's rule."""
    (tmp_path / "pyproject.toml").write_text((REPO_ROOT / "pyproject.toml").read_text())
    (tmp_path / "planted.py").write_text(source)
    done = ruff("check", "--output-format", "concise", "planted.py", cwd=tmp_path)
    assert done.returncode == 1 and rule in done.stdout

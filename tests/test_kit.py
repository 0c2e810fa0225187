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


@pytest.mark.skipif(not (Path(sys.prefix) / ".course-installed").exists(),
                    reason="runs only inside an environment that kit.py set up")  # fmt: skip
def test_no_tests_collected_is_a_failure():
    env = {**os.environ, "COURSE_VENV": sys.prefix}
    done = subprocess.run([sys.executable, "kit.py", "test", "-k", "no_test_has_this_name"],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert done.returncode == 1
    assert "collected no tests" in done.stderr

"""``kit.py test-latest``'s report of what moved against the lock (authoring.drift)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from authoring import drift
from course.setup.pins import parse_requirement_lines

PINS = parse_requirement_lines(
    [
        "numpy==2.4.6 ; python_full_version < '3.12'",
        "numpy==2.5.5 ; python_full_version >= '3.12'",
        "pandas==3.1.1",
        "msgspec==0.22.0",
        "setuptools==84.2.1",
    ]
)


def test_moved_new_and_tooling_are_told_apart():
    found = drift.compare(
        PINS,
        {
            "numpy": "2.5.5",
            "pandas": "3.2.0",
            "msgspec": "0.23.0",
            "setuptools": "65.5.0",
            "pip": "24.0",
            "rich": "15.0.0",
        },
    )
    assert found.moved == {"msgspec": ("0.22.0", "0.23.0"), "pandas": ("3.1.1", "3.2.0")}
    assert found.new == {"rich": "15.0.0"} and found.locked == 4
    report = drift.render(found)
    assert report.splitlines()[0] == "2 of 4 locked packages moved"
    assert (
        "msgspec" in report
        and "0.22.0 -> 0.23.0" in report
        and "(not in the lock) 15.0.0" in report
    )


def test_a_version_pinned_for_another_python_still_counts_as_locked():
    found = drift.compare(PINS, {"numpy": "2.4.6", "pandas": "3.1.1", "msgspec": "0.22.0"})
    assert found.moved == {} and drift.render(found).startswith("0 of 4")


@pytest.mark.pinned
def test_this_environment_installed_from_the_lock_has_not_moved():
    done = subprocess.run(
        [sys.executable, "-m", "authoring.drift"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("0 of "), done.stdout


def test_each_direct_dependency_is_shown_against_its_floor():
    """`kit.py test-lowest`'s table: a version above its range's floor is flagged (another
    package needs more than pyproject.toml says); a marker of another machine drops its line."""
    table = drift.direct_table(
        [
            "numpy>=2.2",
            "pandas>=2.2",
            "schemathesis>=4.32,<5",
            "uvloop>=0.21; sys_platform == 'nowhere'",
            "psutil>=6",
        ],
        {"numpy": "2.2.0", "pandas": "2.2.2", "schemathesis": "4.32"},
    )
    lines = table.splitlines()
    assert lines[0].split() == ["package", "range", "installed"] and len(lines) == 5
    assert lines[1].split() == ["numpy", ">=2.2", "2.2.0"]
    assert lines[2].split()[:3] == ["pandas", ">=2.2", "2.2.2"] and "above the floor" in lines[2]
    assert "above" not in lines[3] and "uvloop" not in table
    assert lines[4].split() == ["psutil", ">=6", "missing"]

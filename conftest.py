"""Shared test set-up.

- Exercise progress and model artifacts go to temporary folders for the whole session (kernels
  started by nbval inherit it), so tests never touch a learner's real progress.
- Without internet, the data cache is ``../shared/data`` when it exists (CI sets it too).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, not speed: no per-example deadline (first calls import SciPy),
# and a fixed derandomised run so CI is repeatable.
settings.register_profile("course", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("course")

ROOT = Path(__file__).resolve().parent
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_configure(config):
    os.environ["COURSE_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="course-test-progress-")
    # Each xdist worker (and the notebooks it runs) writes model artifacts to its own folder, so
    # two notebooks exporting at the same time never share one.
    os.environ["COURSE_ARTIFACTS_DIR"] = tempfile.mkdtemp(prefix="course-test-artifacts-")
    from course.config import runtime_env

    os.environ.update(runtime_env())  # inherited by every kernel nbval starts
    if not os.environ.get("COURSE_DATA_DIR") and SHARED_DATA.is_dir():
        os.environ["COURSE_DATA_DIR"] = str(SHARED_DATA)


@pytest.fixture
def progress_dir(tmp_path, monkeypatch) -> Path:
    """A fresh, empty progress folder for one test."""
    folder = tmp_path / "progress"
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(folder))
    return folder


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the real data cache, used as COURSE_DATA_DIR for one test."""
    from course.config import data_dir

    source = data_dir()
    target = tmp_path / "data"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.md"))
    monkeypatch.setenv("COURSE_DATA_DIR", str(target))
    return target

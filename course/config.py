"""Where the kit keeps things on disk, and the environment variables that move them.

- ``COURSE_DATA_DIR``: the data cache (tests and CI: ``../shared/data``); default: the user
  cache dir + ``/data``.
- ``COURSE_PROGRESS_DIR``: where exercise results are recorded; default: the user data dir.
- ``COURSE_ARTIFACTS_DIR``: trained models and other generated artifacts; default:
  ``<repo>/artifacts`` if writable.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ai-business-course"
DATA_DIR_ENV = "COURSE_DATA_DIR"
PROGRESS_DIR_ENV = "COURSE_PROGRESS_DIR"
ARTIFACTS_DIR_ENV = "COURSE_ARTIFACTS_DIR"

#: Environment for every kernel and process of the course, set before numerical libraries load.
#: Single-threaded: the data are small, and on a 2-CPU machine (Binder, CI) two kernels whose
#: OpenMP/BLAS/TensorFlow pools spin-wait on every core slowed lesson 03 from 51 s to 468 s.
#: TF_CPP_MIN_LOG_LEVEL and TF_ENABLE_ONEDNN_OPTS keep TensorFlow's C++ notices out of outputs.
RUNTIME_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
}

#: Python versions the course supports: the lock resolves for each, TensorFlow has wheels for each
#: (pyproject's requires-python and kit.py's SUPPORTED agree: tests/test_install_paths.py).
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
#: The one Python the conda and Binder environment files pin.
ENVIRONMENT_PYTHON = (3, 11)

#: The variables in :data:`RUNTIME_ENV` that set a thread count.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)
THREADS_ENV = "COURSE_THREADS"


def runtime_env() -> dict[str, str]:
    """:data:`RUNTIME_ENV`, with every thread count set to ``COURSE_THREADS`` when that is set.

    The kit's own check that stored outputs do not depend on the thread count runs the notebooks
    with ``COURSE_THREADS=2`` (``python -m authoring test-paths``); learners never need it.
    """
    threads = os.environ.get(THREADS_ENV, "").strip()
    if not threads:
        return dict(RUNTIME_ENV)
    if not threads.isdigit() or int(threads) < 1:
        raise ValueError(f"{THREADS_ENV} must be a whole number of threads >= 1, got {threads!r}")
    return {**RUNTIME_ENV, **dict.fromkeys(THREAD_VARIABLES, threads)}


#: The repository checkout the package was installed from (editable installs), if any.
REPO_ROOT = Path(__file__).resolve().parents[1]


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole or not at all (a temporary file in the same folder, then
    ``os.replace``): a reader, or another process writing the same file, never sees half of it."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return path


def _from_env(variable: str) -> Path | None:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else None


def data_dir() -> Path:
    """Folder holding the course data files (``COURSE_DATA_DIR`` overrides the default)."""
    return _from_env(DATA_DIR_ENV) or Path(platformdirs.user_cache_dir(APP_NAME)) / "data"


def progress_dir() -> Path:
    """Folder holding ``progress.json`` (``COURSE_PROGRESS_DIR`` overrides the default)."""
    return _from_env(PROGRESS_DIR_ENV) or Path(platformdirs.user_data_dir(APP_NAME))


def artifacts_dir() -> Path:
    """Folder for generated artifacts such as trained models (git-ignored in the repo)."""
    return _from_env(ARTIFACTS_DIR_ENV) or REPO_ROOT / "artifacts"


def lock_file(part: str = "") -> Path:
    """The pinned versions every install path uses (present in a repository checkout); with
    ``part="test"``, the test tools' pins on top of them."""
    return REPO_ROOT / (f"requirements-{part}.lock" if part else "requirements.lock")


def github_repository(remote: str | None = None) -> str | None:
    """``owner/name`` of a GitHub remote URL (default: ``git remote get-url origin``), or ``None``
    when it is not a GitHub repository. The Binder and Colab links are both made from it."""
    import re
    import subprocess

    if remote is None:
        try:
            remote = subprocess.run(
                ["git", "remote", "get-url", "origin"],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None
    match = re.search(r"github\.com[:/]([^/]+)/([^/]+?)(?:\.git)?/?$", remote)
    return f"{match[1]}/{match[2]}" if match else None


def binder_url(remote: str | None = None) -> str | None:
    """The Binder link that opens this repository at the start-here notebook.

    ``remote`` is a GitHub remote URL (default: ``git remote get-url origin``); returns ``None``
    when it is not a GitHub repository.
    """
    repository = github_repository(remote)
    if repository is None:
        return None
    return (
        f"https://mybinder.org/v2/gh/{repository}/HEAD"
        "?urlpath=lab/tree/notebooks/00_start_here.ipynb"
    )


def colab_url(
    notebook: str, repository: str, branch: str = "main", folder: str = "notebooks"
) -> str:
    """The link that opens ``folder/notebook`` of GitHub's ``repository`` (``owner/name``) at
    ``branch`` in Google Colab."""
    return (
        f"https://colab.research.google.com/github/{repository}/blob/{branch}/{folder}/{notebook}"
    )

"""The course on Google Colab and Kaggle: what every lesson's setup cell does there (issue 30).

Colab (and Kaggle, built from Colab's image) runs its own preinstalled stack: Python 3.13,
TensorFlow 2.20, pandas 2.2, ipywidgets 7.7, ... Forcing the course's lock onto it would replace
packages Colab's own tools need. So there the course adapts to Colab, never the reverse:

1. the lesson's first code cell (written by ``python -m authoring build``, :func:`setup_cell`)
   sees it is on Colab or Kaggle, and installs this package with ``pip install --no-deps`` from
   the repository's archive (elsewhere the cell does nothing and prints nothing);
2. :func:`setup` installs only the course's dependencies that are *missing* (msgspec,
   fastapi-offline, ...; :func:`plan`), with every installed distribution pinned as a pip
   constraint, so not one of Colab's packages is replaced; a package Colab has at a version
   outside the course's range is kept (``tests/test_colab.py`` runs every lesson on Colab's
   versions); it sets the course's runtime variables (single-threaded numerics, TensorFlow's C++
   notices off), fetches and verifies the lesson's data, and says what it did in one line.

Where the package comes from: the cell carries the archive of the repository the Colab links
point at (``python -m authoring colab-url --write`` fills both, from the ``origin`` remote, into
``pyproject.toml``'s ``[tool.course]``; the build writes it into the cells). ``COURSE_SOURCE``
overrides it (a fork, a tag, or a local checkout in the tests).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from course.setup.hosted import PUBLISHED_ENV, hosted

DISTRIBUTION = "ai-business-course"
#: Where the setup cell installs the course from (a pip requirement: an archive URL or a folder).
SOURCE_ENV = "COURSE_SOURCE"
#: The cell's id (stable, so the build finds and refreshes it).
CELL_ID = "course-setup"
#: The course's requirements a hosted notebook does not need: it brings its own notebook UI, and
#: lesson 04's service is reached there without Jupyter's proxy (see :func:`proxied_url`).
NOT_NEEDED = frozenset({"jupyterlab", "jupyter-server-proxy"})
#: A requirement another installed distribution meets (Colab has the full TensorFlow build).
PROVIDED_BY = {"tensorflow-cpu": ("tensorflow",), "tensorflow": ("tensorflow-cpu",)}


def canonical(name: str) -> str:
    """A distribution's normalised name (PEP 503): ``Fastapi_Offline`` -> ``fastapi-offline``."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Plan:
    """What :func:`setup` does with the course's requirements on a hosted runtime."""

    #: requirement strings pip installs (each missing distribution, with the course's range)
    install: list[str] = field(default_factory=list)
    #: the names of those distributions
    missing: list[str] = field(default_factory=list)
    #: (name, installed version, the course's range): installed outside the range, kept as is
    kept: list[tuple[str, str, str]] = field(default_factory=list)
    #: requirements not needed there (:data:`NOT_NEEDED`) or whose marker excludes this machine
    skipped: list[str] = field(default_factory=list)


def plan(
    requirements: Iterable[str],
    installed: Mapping[str, str],
    environment: dict[str, str] | None = None,
) -> Plan:
    """Sort the course's requirements into what to install (missing), what to keep (installed,
    at whatever version) and what to skip. ``installed`` maps canonical names to versions;
    ``environment`` overrides the marker environment (tests)."""
    from packaging.requirements import Requirement
    from packaging.version import InvalidVersion, Version

    result = Plan()
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate(environment):
            result.skipped.append(req.name)
            continue
        name = canonical(req.name)
        if name in NOT_NEEDED:
            result.skipped.append(name)
            continue
        have = next((n for n in (name, *PROVIDED_BY.get(name, ())) if n in installed), None)
        if have is None:
            result.install.append(f"{name}{req.specifier}")
            result.missing.append(name)
            continue
        try:
            inside = req.specifier.contains(Version(installed[have]), prereleases=True)
        except InvalidVersion:
            inside = False
        if not inside:
            result.kept.append((have, installed[have], str(req.specifier)))
    return result


def installed_versions() -> dict[str, str]:
    """Every installed distribution of this Python: canonical name -> version."""
    from importlib.metadata import distributions

    return {canonical(d.metadata["Name"]): d.version for d in distributions() if d.metadata["Name"]}


def course_requirements() -> list[str]:
    """The installed course's own requirements (its extras left out)."""
    from importlib.metadata import requires

    return [r for r in requires(DISTRIBUTION) or [] if "extra ==" not in r]


def pip_command(to_install: list[str], constraints_file: str) -> list[str]:
    """pip, installing ``to_install`` with every installed distribution held at its version."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-c",
        constraints_file,
        *to_install,
    ]


def install_missing(
    to_install: list[str], installed: Mapping[str, str], run: Callable = subprocess.run
) -> list[str]:
    """pip-install ``to_install`` (and what they need), never replacing an installed
    distribution: each is a constraint at its installed version, so pip refuses rather than
    change one (the course itself is left out of the constraints). All at once; when pip refuses,
    one at a time. Returns the requirements pip could not install."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write(
            "".join(
                f"{name}=={version}\n"
                for name, version in sorted(installed.items())
                if name != DISTRIBUTION
            )
        )
    try:
        if run(pip_command(to_install, file.name), capture_output=True).returncode == 0:
            return []
        return [
            r
            for r in to_install
            if run(pip_command([r], file.name), capture_output=True).returncode != 0
        ]
    finally:
        os.unlink(file.name)


def _published(source: str | None) -> str | None:
    """``owner/name@branch`` when ``source`` is a GitHub archive URL of a branch, else ``None``."""
    match = re.fullmatch(
        r"https://github\.com/([^/]+)/([^/]+)/archive/refs/heads/(.+)\.zip", source or ""
    )
    return f"{match[1]}/{match[2]}@{match[3]}" if match else None


def setup(
    lesson: str,
    source: str | None = None,
    *,
    run: Callable = subprocess.run,
    fetch: Callable | None = None,
    say: Callable = print,
) -> str:
    """What the setup cell calls on Colab or Kaggle, after installing the course itself: the
    missing dependencies, the runtime variables, the lesson's data; one line says what it did
    (returned too). Anywhere else it does nothing and returns ``""``."""
    where = hosted()
    if where is None:
        return ""
    start = time.perf_counter()
    from course import config

    for name, value in config.runtime_env().items():  # before TensorFlow or NumPy load
        os.environ.setdefault(name, value)
    # (installed into site-packages, the course has no checkout to keep its models in)
    os.environ.setdefault(
        config.ARTIFACTS_DIR_ENV,
        os.path.join(__import__("platformdirs").user_cache_dir(config.APP_NAME), "artifacts"),
    )
    if _published(source):
        os.environ[PUBLISHED_ENV] = _published(source)
    installed = installed_versions()
    todo = plan(course_requirements(), installed)
    failed = []
    if todo.install:
        failed = install_missing(todo.install, installed, run)
        import importlib

        importlib.invalidate_caches()
    after = installed_versions() if todo.install else installed
    added = [f"{name} {after[name]}" for name in todo.missing if name in after]
    if failed:  # (lesson 06 runs without ai-edge-litert: TensorFlow's own interpreter)
        added.append(f"could not add {', '.join(failed)} without replacing {where}'s packages")
    files = _fetch_lesson_data(lesson, fetch)
    line = (
        f"{where}: course {installed.get(DISTRIBUTION, '?')} ready"
        + (f", added {', '.join(added)}" if added else "")
        + f", kept all of {where}'s packages ({len(todo.kept)} outside the course's ranges; "
        "the lessons are tested on them)"
        + f", lesson {lesson}'s data verified ({files} file{'s' if files != 1 else ''})"
        + f", {time.perf_counter() - start:.0f} s."
    )
    say(line)
    return line


def _fetch_lesson_data(lesson: str, fetch: Callable | None = None) -> int:
    """Fetch (or verify the cached copy of) every file ``lesson`` reads; how many."""
    from course.data.availability import _lesson
    from course.data.fetch import fetch_dataset
    from course.data.registry import expand, get_dataset

    fetch = fetch or (lambda dataset: fetch_dataset(dataset, progressbar=False))
    names = expand(_lesson(lesson).data)
    for name in names:
        fetch(get_dataset(name))
    return len(names)


# --- the cell itself ------------------------------------------------------------------------

#: Shown (as the archive) while the course has no published repository yet.
UNPUBLISHED = "https://github.com/OWNER/REPO/archive/refs/heads/main.zip"


def archive_url(repository: str | None, branch: str = "main") -> str:
    """The zip of ``owner/name``'s ``branch`` on GitHub (what pip installs on Colab)."""
    return (
        f"https://github.com/{repository}/archive/refs/heads/{branch}.zip"
        if repository
        else UNPUBLISHED
    )


CELL = (
    "# Google Colab or Kaggle only: install the course and this lesson's data "
    "(elsewhere: nothing).\n"
    "import os, sys\n"
    'if "google.colab" in sys.modules or {"COLAB_RELEASE_TAG", "KAGGLE_KERNEL_RUN_TYPE", '
    '"COURSE_PRETEND_COLAB"} & set(os.environ):\n'
    "    import importlib.util, subprocess\n"
    '    source = os.environ.get("COURSE_SOURCE", "{archive}")\n'
    '    if importlib.util.find_spec("course") is None:\n'
    '        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", source], '
    "check=True)\n"
    '    from course.setup.colab import setup; setup("{lesson}", source)'
)


def setup_cell(lesson: str, repository: str | None = None, branch: str = "main") -> str:
    """The source of lesson ``lesson``'s setup cell (the build puts it first among the code)."""
    return CELL.replace("{archive}", archive_url(repository, branch)).replace("{lesson}", lesson)

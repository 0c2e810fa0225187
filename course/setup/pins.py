"""The one source of exact versions, ``requirements.lock``, and the files generated from it.

``python kit.py lock`` compiles (uv) ``pyproject.toml`` three times: the learners' environment
into ``requirements.lock``; constrained by it, the same plus the ``hub`` extra (a class on one
server), of which only the hub's own packages are kept, in ``requirements-hub.lock``;
constrained by both, the ``nbgrader`` extra (grading a class) in ``requirements-nbgrader.lock``;
and, constrained by the first two, the ``test`` extra, whose tools go in
``requirements-test.lock``. The website's builder (Jupyter Book 1, :data:`SITE_REQUIREMENT`) is
compiled on its own into ``requirements-site.lock`` (it needs ``markdown-it-py<4``, which the
learners' lock cannot have) and installed only in an environment of its own
(:mod:`authoring.envs`). So the test suite and the hub run on exactly the learners' versions,
and no test or hub tool enters the learners' environment. This module parses the
locks and writes the conda/Binder environment files from ``requirements.lock``, so every install
path gets the same versions. ``tests/test_install_paths.py`` proves they agree.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course.config import ENVIRONMENT_PYTHON, REPO_ROOT, lock_file

LOCK = lock_file()
TEST_LOCK = lock_file("test")
HUB_LOCK = lock_file("hub")
NBGRADER_LOCK = lock_file("nbgrader")
SITE_LOCK = lock_file("site")
#: What ``python -m authoring site build`` runs on (``python kit.py lock`` pins it in
#: ``requirements-site.lock``).
SITE_REQUIREMENT = "jupyter-book>=1,<2"
#: Each extra's lock: what it is for, in its header.
EXTRA_LOCKS = {
    "test": (TEST_LOCK, "The test suite's own tools (pyproject's `test` extra)"),
    "hub": (
        HUB_LOCK,
        "A class on one server: JupyterHub and its idle culler (pyproject's `hub` extra)",
    ),
    "nbgrader": (
        NBGRADER_LOCK,
        "Grading a class: nbgrader and its JupyterLab extension (pyproject's `nbgrader` extra)",
    ),
    "site": (
        SITE_LOCK,
        (
            "The course website's builder, Jupyter Book 1 (`python -m authoring site build`), in "
            f"an environment of its own: `{SITE_REQUIREMENT}` compiled alone"
        ),
    ),
}
#: Extras locked alone, not on top of requirements.lock (they conflict with it).
STANDALONE_LOCKS = {"site"}
ENV_FILES = {
    REPO_ROOT / "environment.yml": "ai-business-course",
    REPO_ROOT / "binder" / "environment.yml": "ai-business-course-binder",
}
PYTHON = ".".join(map(str, ENVIRONMENT_PYTHON))


@dataclass(frozen=True)
class Pin:
    """One locked requirement: canonical name, exact version, environment marker (or '')."""

    name: str
    version: str
    marker: str
    line: str

    def applies(self, environment: dict | None = None) -> bool:
        """Whether this pin is for the given (default: this) platform."""
        requirement = Requirement(self.line)
        return requirement.marker is None or requirement.marker.evaluate(
            environment or default_environment()
        )


def parse_requirement_lines(lines) -> list[Pin]:
    """Pins from requirement lines (comments, blanks and pip options skipped)."""
    pins = []
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            raise ValueError(f"not an exact pin: {line!r}")
        pins.append(
            Pin(
                canonicalize_name(requirement.name),
                specifiers[0].version,
                str(requirement.marker or ""),
                line,
            )
        )
    return pins


def read_lock(path: Path = LOCK) -> list[Pin]:
    """All pins in the lock file."""
    return parse_requirement_lines(path.read_text(encoding="utf-8").splitlines())


def pins_for_this_platform(path: Path = LOCK) -> dict[str, str]:
    """``{name: version}`` of the pins that apply here."""
    return {pin.name: pin.version for pin in read_lock(path) if pin.applies()}


def environment_yaml(name: str, pins: list[Pin]) -> str:
    """A conda environment file: Python (:data:`PYTHON`) and pip from conda-forge, the rest by
    pip."""
    lines = [
        "# Generated from requirements.lock by `python kit.py lock`. Do not edit by hand.",
        f"name: {name}",
        "channels:",
        "  - conda-forge",
        "  - nodefaults",
        "dependencies:",
        f"  - python={PYTHON}",
        "  - pip",
        "  - pip:",
    ]
    lines += [f'      - "{pin.line}"' for pin in pins]
    return "\n".join(lines) + "\n"


def write_extra_lock(compiled: Path, extra: str, lock: Path = LOCK) -> list[Pin]:
    """Write ``extra``'s lock (:data:`EXTRA_LOCKS`): the pins of ``compiled`` (the lock of the
    learners' packages and that extra) that the learners' ``lock`` does not have."""
    out, purpose = EXTRA_LOCKS[extra]
    alone = extra in STANDALONE_LOCKS
    learners = {} if alone else {(pin.name, pin.marker): pin.version for pin in read_lock(lock)}
    tools = []
    for pin in read_lock(compiled):
        shared = learners.get((pin.name, pin.marker))
        if shared is not None and shared != pin.version:
            raise ValueError(f"{pin.name} {pin.version} differs from the learners' {shared}")
        if shared is None:
            tools.append(pin)
    header = [
        f"# {purpose}, on top of requirements.lock.",
        "# Generated by `python kit.py lock`; do not edit by hand. Install both:",
        f"#   pip install -r requirements.lock -r {out.name}",
    ]
    if alone:
        header = [
            f"# {purpose} (not with requirements.lock).",
            "# Generated by `python kit.py lock`; do not edit by hand. Install it alone:",
            f"#   pip install -r {out.name}",
        ]
    out.write_text("\n".join(header + [pin.line for pin in tools]) + "\n", encoding="utf-8")
    return tools


def write_environment_files(lock: Path = LOCK) -> list[Path]:
    """(Re)write every environment file from the lock; returns the paths written."""
    pins = read_lock(lock)
    for path, name in ENV_FILES.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment_yaml(name, pins), encoding="utf-8")
    return list(ENV_FILES)


if __name__ == "__main__":  # python -m course.setup.pins [EXTRA COMPILED]: used by `kit.py lock`
    if len(sys.argv) > 2:
        tools = write_extra_lock(Path(sys.argv[2]), sys.argv[1])
        print(f"wrote {EXTRA_LOCKS[sys.argv[1]][0].relative_to(REPO_ROOT)} ({len(tools)} pins)")
    for written in write_environment_files():
        print(f"wrote {written.relative_to(REPO_ROOT)}")
    sys.exit(0)

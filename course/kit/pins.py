"""The one source of exact versions, ``requirements.lock``, and the files generated from it.

``requirements.lock`` is compiled from ``pyproject.toml`` by ``python kit.py lock`` (uv). This
module parses it and writes the conda/Binder environment files from it, so every install path
gets the same versions. ``tests/test_pins.py`` proves they agree.
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
        pins.append(Pin(canonicalize_name(requirement.name), specifiers[0].version,
                        str(requirement.marker or ""), line))  # fmt: skip
    return pins


def read_lock(path: Path = LOCK) -> list[Pin]:
    """All pins in the lock file."""
    return parse_requirement_lines(path.read_text(encoding="utf-8").splitlines())


def pins_for_this_platform(path: Path = LOCK) -> dict[str, str]:
    """``{name: version}`` of the pins that apply here."""
    return {pin.name: pin.version for pin in read_lock(path) if pin.applies()}


def environment_yaml(name: str, pins: list[Pin]) -> str:
    """A conda environment file: Python (:data:`PYTHON`) and pip from conda-forge, the rest by pip."""
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


def write_environment_files(lock: Path = LOCK) -> list[Path]:
    """(Re)write every environment file from the lock; returns the paths written."""
    pins = read_lock(lock)
    for path, name in ENV_FILES.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment_yaml(name, pins), encoding="utf-8")
    return list(ENV_FILES)


if __name__ == "__main__":  # python -m course.kit.pins: used by `python kit.py lock`
    for written in write_environment_files():
        print(f"wrote {written.relative_to(REPO_ROOT)}")
    sys.exit(0)

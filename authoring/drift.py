"""What moved: the packages of this environment against the lock (``kit.py test-latest``), and
each direct dependency's version against the floor of its range (``kit.py test-lowest``).

``kit.py test-latest`` installs the newest releases that ``pyproject.toml``'s ranges allow into a
throwaway environment, then asks this module, run there, which locked packages now have another
version and which are new. ``kit.py test-lowest`` installs the lowest ones (uv's lowest-direct
resolution) and asks it (``--direct``) which version of each direct dependency that gave: one above
its range's floor means another package needs more than ``pyproject.toml`` says.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from course.config import REPO_ROOT
from course.setup.pins import HUB_LOCK, TEST_LOCK, Pin, read_lock

#: An environment's own tooling (and the course itself): present in any venv, not drift.
TOOLING = frozenset({"pip", "setuptools", "wheel", "ai-business-course"})


@dataclass(frozen=True)
class Drift:
    moved: dict[str, tuple[str, str]]  # name: (locked version(s), installed version)
    new: dict[str, str]  # installed but not in the lock
    locked: int  # how many packages the lock names


def installed_versions() -> dict[str, str]:
    """``{canonical name: version}`` of every distribution in this environment."""
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def compare(pins: Iterable[Pin], installed: dict[str, str]) -> Drift:
    """The installed versions against the lock (a name may have one pin per marker)."""
    locked: dict[str, set[str]] = {}
    for pin in pins:
        locked.setdefault(pin.name, set()).add(pin.version)
    moved = {
        name: (" or ".join(sorted(locked[name])), version)
        for name, version in sorted(installed.items())
        if name in locked and name not in TOOLING and version not in locked[name]
    }
    new = {name: installed[name] for name in sorted(set(installed) - set(locked) - TOOLING)}
    return Drift(moved, new, len(locked))


def render(drift: Drift) -> str:
    lines = [f"{len(drift.moved)} of {drift.locked} locked packages moved"]
    lines += [f"  {name:<28} {old} -> {new}" for name, (old, new) in drift.moved.items()]
    lines += [f"  {name:<28} (not in the lock) {version}" for name, version in drift.new.items()]
    return "\n".join(lines)


def direct_table(requirements: Iterable[str], installed: dict[str, str]) -> str:
    """Each direct dependency (of this machine's markers): its range and the version installed,
    flagged when it is above the range's floor (``kit.py test-lowest``)."""
    lines = [f"  {'package':<24} {'range':<16} installed"]
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        version = installed.get(name, "missing")
        floors = [s.version for s in requirement.specifier if s.operator in {">=", "==", "~="}]
        above = floors and version != "missing" and Version(version) > Version(floors[0])
        lines.append(
            f"  {name:<24} {str(requirement.specifier) or 'any':<16} {version}"
            + ("  (above the floor)" if above else "")
        )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m authoring.drift [--direct]: `python kit.py test-latest`
    if sys.argv[1:] == ["--direct"]:  # (and test-lowest): the direct dependencies of pyproject
        project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
        extras = project["optional-dependencies"]
        print(
            direct_table(
                [*project["dependencies"], *extras["test"], *extras["hub"]], installed_versions()
            )
        )
    else:
        every = read_lock() + read_lock(TEST_LOCK) + read_lock(HUB_LOCK)
        print(render(compare(every, installed_versions())))

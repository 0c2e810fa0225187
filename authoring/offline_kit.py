"""The offline workshop kit: ``python -m authoring instructors offline-kit DIR`` fills a folder (a
USB stick) so the course installs on learners' machines with no network at all.

The kit holds one flat ``wheels/`` folder with a wheel for every pin of ``requirements.lock`` for
each *target* (a Python minor version on a platform), the verified ``data/``, the course as
``course.zip`` (everything in one top folder, ``ai-business-course/``), ``install.py`` (the
installer, standard library only), ``kit.json`` (what it serves: the wheels of each target) and
a ``README.md``. The lock's environment markers are evaluated here for each target (pip would
evaluate them for the Python running ``pip download``), for every patch release of the minor
version: the lock pins some packages differently below 3.11.5, and a class brings both.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.utils import canonicalize_name, parse_wheel_filename

from authoring.offline_install import MACHINES
from course.config import APP_NAME, REPO_ROOT, SUPPORTED_PYTHONS
from course.errors import CourseError

COURSE_FOLDER = APP_NAME  # the top folder inside course.zip
INSTALLER = Path(__file__).with_name("offline_install.py")  # copied into the kit as install.py
MANIFEST = "kit.json"
PYTHONS = tuple(f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS)
#: Patch releases tried per minor version when evaluating the lock's markers.
PATCH_RELEASES = range(0, 30)
#: Newest glibc (manylinux) and macOS a downloaded wheel may require.
GLIBC, MACOS = (2, 28), (12, 0)


def _manylinux(arch: str) -> tuple[str, ...]:
    """pip ``--platform`` values for glibc <= :data:`GLIBC` on ``arch``, most preferred first."""
    new = [f"manylinux_{GLIBC[0]}_{minor}_{arch}" for minor in range(GLIBC[1], 4, -1)]
    return (*new, f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}")


@dataclass(frozen=True)
class Platform:
    """A kind of learner machine: pip's platform tags for it and its environment-marker values."""

    name: str
    tags: tuple[str, ...]
    markers: dict[str, str]
    shown: str  # for people: "Linux on x86-64 (Intel/AMD)"


def _linux(arch: str, shown: str) -> Platform:
    return Platform(
        f"linux-{arch}",
        _manylinux(arch),
        {
            "sys_platform": "linux",
            "platform_system": "Linux",
            "os_name": "posix",
            "platform_machine": arch,
        },
        shown,
    )


PLATFORMS = {
    p.name: p
    for p in (
        _linux("x86_64", "Linux on x86-64 (Intel/AMD)"),
        _linux("aarch64", "Linux on ARM64 (aarch64)"),
        Platform(
            "macos-arm64",
            tuple(mac_platforms(MACOS, "arm64")),
            {
                "sys_platform": "darwin",
                "platform_system": "Darwin",
                "os_name": "posix",
                "platform_machine": "arm64",
            },
            "macOS on Apple silicon",
        ),
        Platform(
            "windows-amd64",
            ("win_amd64",),
            {
                "sys_platform": "win32",
                "platform_system": "Windows",
                "os_name": "nt",
                "platform_machine": "AMD64",
            },
            "Windows on x86-64",
        ),
    )
}


def this_platform() -> str | None:
    """The :data:`PLATFORMS` name of this machine, or None (e.g. an Intel Mac: no TensorFlow)."""
    import platform

    return MACHINES.get((sys.platform, platform.machine().lower()))


@dataclass(frozen=True)
class Target:
    """One Python minor version on one platform."""

    python: str
    platform: Platform

    @property
    def name(self) -> str:
        return f"{self.python}-{self.platform.name}"

    def environments(self) -> Iterable[dict[str, str]]:
        """The marker environment of every patch release of this Python on this platform."""
        for patch in PATCH_RELEASES:
            yield {
                **self.platform.markers,
                "python_version": self.python,
                "python_full_version": f"{self.python}.{patch}",
                "implementation_name": "cpython",
                "platform_python_implementation": "CPython",
                "platform_release": "",
                "platform_version": "",
                "implementation_version": f"{self.python}.{patch}",
            }

    def tags(self) -> list[Tag]:
        """The wheel tags this target installs, most preferred first."""
        version = tuple(int(part) for part in self.python.split("."))
        return [
            *cpython_tags(version, platforms=self.platform.tags),
            *compatible_tags(version, f"cp{version[0]}{version[1]}", self.platform.tags),
        ]


@dataclass(frozen=True)
class Pin:
    """A requirement without markers, and the newest patch release of the target's Python it is
    for (pip checks the wheel's Requires-Python against that one)."""

    requirement: Requirement
    python: str

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)


def pins_for(lock_text: str, target: Target) -> list[Pin]:
    """The lock's ``name==version`` pins whose markers hold for some patch release of ``target``
    (3.11 gets both soupsieve pins: one below 3.11.5, one from it), markers removed."""
    pins: dict[str, Pin] = {}
    environments = list(target.environments())
    for number, line in enumerate(lock_text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise CourseError(
                f"requirements.lock line {number} is not a requirement: {error}"
            ) from None
        holds = [
            env["python_full_version"]
            for env in environments
            if requirement.marker is None or requirement.marker.evaluate(env)
        ]
        if holds:
            requirement.marker = None
            pins[str(requirement)] = Pin(requirement, holds[-1])
    return sorted(pins.values(), key=lambda pin: str(pin.requirement))


def build_requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[Requirement]:
    """pyproject's ``[build-system] requires``: pip's build isolation installs them, offline too."""
    with pyproject.open("rb") as file:
        return [Requirement(r) for r in tomllib.load(file)["build-system"]["requires"]]


def needed(lock_text: str, target: Target) -> list[Pin]:
    """What ``target`` installs from the kit: its pins, plus any build requirement they miss."""
    pins = pins_for(lock_text, target)
    newest = list(target.environments())[-1]["python_full_version"]
    versions = {pin.name: next(iter(pin.requirement.specifier)).version for pin in pins}
    return pins + [
        Pin(r, newest)
        for r in build_requirements()
        if not r.specifier.contains(versions.get(canonicalize_name(r.name), "0"), prereleases=True)
    ]


def download(wheels: Path, target: Target, pins: list[Pin], run=subprocess.run) -> None:
    """``pip download`` the wheels of ``pins`` for ``target`` (binary only, no deps: the lock
    already holds every dependency), one pass per patch release the pins are for. Wheels already
    in ``wheels`` are not fetched again."""
    passes: dict[str, list[Pin]] = {}
    for pin in pins:
        passes.setdefault(pin.python, []).append(pin)
    with tempfile.TemporaryDirectory(prefix="course-kit-") as tmp:
        for python, group in sorted(passes.items()):
            listing = Path(tmp) / f"{python}-{target.platform.name}.txt"
            listing.write_text("".join(f"{pin.requirement}\n" for pin in group), encoding="utf-8")
            command = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--disable-pip-version-check",
                "--no-deps",
                "--only-binary=:all:",
                "--implementation",
                "cp",
                "--python-version",
                python,
                *[arg for tag in target.platform.tags for arg in ("--platform", tag)],
                "-d",
                str(wheels),
                "-r",
                str(listing),
            ]
            run(command, check=True)


def match(wheels: Path, target: Target, pins: list[Pin]) -> tuple[list[str], list[Pin]]:
    """The wheels in ``wheels`` for ``target``'s pins (for each, the one pip there would prefer),
    and the pins with none."""
    rank = {tag: i for i, tag in enumerate(target.tags())}
    found: dict[str, list[tuple[int, str, object]]] = {}
    for path in wheels.glob("*.whl"):
        name, version, _, tags = parse_wheel_filename(path.name)
        best = min((rank[tag] for tag in tags if tag in rank), default=None)
        if best is not None:
            found.setdefault(name, []).append((best, path.name, version))
    chosen, missing = set(), []
    for pin in pins:
        fits = [
            (best, file)
            for best, file, version in found.get(pin.name, [])
            if pin.requirement.specifier.contains(version, prereleases=True)
        ]
        (chosen.add(min(fits)[1]) if fits else missing.append(pin))
    return sorted(chosen), missing


def wheel_set(wheels: Path, target: Target, pins: list[Pin]) -> list[str]:
    """:func:`match`'s wheels; raises CourseError naming every pin with no wheel."""
    chosen, missing = match(wheels, target, pins)
    if missing:
        raise CourseError(
            f"The kit has no wheel for Python {target.python} on "
            f"{target.platform.name} of: {', '.join(str(p.requirement) for p in missing)} "
            "(run without --no-download, or drop that target)."
        )
    return chosen


def floor(files: Iterable[str]) -> dict[str, str]:
    """The oldest system every wheel in ``files`` runs on: the newest glibc or macOS one needs
    (``{"glibc": "2.28"}``, ``{"macos": "12.0"}``, or ``{}`` for Windows)."""
    glibc, macos = (0, 0), (0, 0)
    for file in files:
        need_glibc, need_macos = [], []
        for tag in parse_wheel_filename(file)[3]:
            parts = tag.platform.split("_")
            if tag.platform.startswith("manylinux_"):
                need_glibc.append((int(parts[1]), int(parts[2])))
            elif tag.platform.startswith(("manylinux2014", "manylinux2010", "manylinux1")):
                need_glibc.append(
                    {"manylinux2014": (2, 17), "manylinux2010": (2, 12)}.get(parts[0], (2, 5))
                )
            elif tag.platform.startswith("macosx_"):
                need_macos.append((int(parts[1]), int(parts[2])))
        glibc = max(glibc, min(need_glibc, default=(0, 0)))
        macos = max(macos, min(need_macos, default=(0, 0)))
    if glibc > (0, 0):
        return {"glibc": f"{glibc[0]}.{glibc[1]}"}
    return {"macos": f"{macos[0]}.{macos[1]}"} if macos > (0, 0) else {}


def targets_for(pythons: Iterable[str] | None, platforms: Iterable[str] | None) -> list[Target]:
    """The targets to serve: by default every supported Python on this machine's platform."""
    names = list(platforms or [])
    if "all" in names:
        names = list(PLATFORMS)
    if not names:
        here = this_platform()
        if here is None:
            raise CourseError(
                "No TensorFlow wheels exist for this machine: say which machines "
                f"the kit is for with --platform ({', '.join(PLATFORMS)}, all)."
            )
        names = [here]
    unknown = sorted(set(names) - set(PLATFORMS)) + sorted(set(pythons or []) - set(PYTHONS))
    if unknown:
        raise CourseError(
            f"Unknown --platform/--python {', '.join(unknown)}: choose from "
            f"{', '.join(PLATFORMS)}, all; Python {', '.join(PYTHONS)}."
        )
    return [
        Target(python, PLATFORMS[name])
        for name in dict.fromkeys(names)
        for python in (pythons or PYTHONS)
    ]


def _course_zip(archive: Path, log: Callable[[str], None], run=subprocess.run) -> str:
    """``git archive HEAD`` as ``archive`` under the top folder; returns the commit."""
    if not shutil.which("git") or not (REPO_ROOT / ".git").exists():
        raise CourseError(
            "course.zip is made with `git archive`: run this in a git clone of the "
            "course, with git installed."
        )

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    commit = git("rev-parse", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no"):
        log(
            f"  note: course.zip is the last commit ({commit[:10]}); "
            "uncommitted changes are not in it"
        )
    run(
        [
            "git",
            "archive",
            "--format=zip",
            f"--prefix={COURSE_FOLDER}/",
            "-o",
            str(archive),
            "HEAD",
        ],
        cwd=REPO_ROOT,
        check=True,
    )
    return commit


def offline_kit(
    dest: Path,
    download_wheels: bool = True,
    pythons: Iterable[str] | None = None,
    platforms: Iterable[str] | None = None,
    run=subprocess.run,
    log: Callable[[str], None] = print,
) -> dict[str, Path]:
    """Fill ``dest`` with the offline kit (see the module docstring) and return its parts.

    ``download_wheels=False`` downloads nothing: the wheels already in ``dest/wheels`` must cover
    every target (checked). Wheels no target needs are removed."""
    from authoring import offline_readme
    from course import config
    from course.data import verify_all

    statuses = verify_all()
    bad = [s.dataset.name for s in statuses if not s.ok]
    if bad:
        raise CourseError(
            f"The data is not verified ({', '.join(bad)}): run `course data fetch`, "
            "then make the kit again."
        )
    targets = targets_for(pythons, platforms)
    dest.mkdir(parents=True, exist_ok=True)
    wheels, data = dest / "wheels", dest / "data"
    wheels.mkdir(exist_ok=True)
    lock_text = config.lock_file().read_text(encoding="utf-8")
    sets: list[tuple[Target, list[str]]] = []
    for target in targets:
        pins = needed(lock_text, target)
        missing = match(wheels, target, pins)[1] if download_wheels else []
        if missing:  # (wheels already in the kit are kept: a rebuild fetches only what changed)
            log(
                f"  pip download: {len(missing)} of the {len(pins)} wheels for Python "
                f"{target.python} on {target.platform.name}"
            )
            download(wheels, target, missing, run)
        sets.append((target, wheel_set(wheels, target, pins)))
    kept = {file for _, files in sets for file in files}
    for stale in sorted(set(p.name for p in wheels.glob("*.whl")) - kept):
        (wheels / stale).unlink()
    shutil.rmtree(data, ignore_errors=True)
    for status in statuses:
        target_path = data / status.path.relative_to(config.data_dir())
        target_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(status.path, target_path)
    commit = _course_zip(dest / "course.zip", log, run)
    shutil.copy2(INSTALLER, dest / "install.py")
    size = lambda files: sum((wheels / f).stat().st_size for f in files)  # noqa: E731
    manifest = {
        "made": datetime.date.today().isoformat(),
        "commit": commit,
        "course_folder": COURSE_FOLDER,
        "lock_sha256": hashlib.sha256(lock_text.encode()).hexdigest(),
        "targets": {
            t.name: {
                "python": t.python,
                "platform": t.platform.name,
                "platform_shown": t.platform.shown,
                "requires": floor(files),
                "wheels": files,
                "bytes": size(files),
            }
            for t, files in sets
        },
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    (dest / "README.md").write_text("", encoding="utf-8")  # counted in the size, then written
    total = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    readme = offline_readme.render(manifest, total, data_files=len(statuses))
    (dest / "README.md").write_text(readme, encoding="utf-8")
    log(
        f"  offline kit in {dest}: {len(kept)} wheels for {len(targets)} target(s) "
        f"({', '.join(t.name for t in targets)}), {len(statuses)} verified data files, "
        f"{total / 1e6:,.0f} MB"
    )
    return {
        "wheels": wheels,
        "data": data,
        "course": dest / "course.zip",
        "manifest": dest / MANIFEST,
        "installer": dest / "install.py",
        "readme": dest / "README.md",
    }

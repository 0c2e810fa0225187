#!/usr/bin/env python3
"""Install the course from this offline kit, with no network at all.

    python3 install.py               # the course in ./ai-business-course, next to this file
    python3 install.py --into DIR    # the course in DIR/ai-business-course

It checks the kit holds wheels for this Python and machine (``kit.json``), unpacks ``course.zip``
(kept as it is if already unpacked: your work is never overwritten), runs the course's own set-up
(``kit.py setup``) with pip reading only this kit's ``wheels/`` (``PIP_NO_INDEX``,
``PIP_FIND_LINKS``: the same as ``pip install --no-index --find-links wheels``, for the course
package too, whose build needs only setuptools, also in ``wheels/``), copies the verified data
into the course's data folder, then runs ``course doctor``. Afterwards ``python3 kit.py lab`` in
the course folder works offline, as after an online install.

This file is ``authoring/offline_install.py`` in the course repository: standard library only,
since it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

KIT = Path(__file__).resolve().parent
MACHINES = {
    ("linux", "x86_64"): "linux-x86_64",
    ("linux", "aarch64"): "linux-aarch64",
    ("linux", "arm64"): "linux-aarch64",
    ("darwin", "arm64"): "macos-arm64",
    ("win32", "amd64"): "windows-amd64",
}


def say(message: str) -> None:
    print(f"[install] {message}", flush=True)


def machine() -> str | None:
    """This machine as the kit names platforms (``linux-x86_64``...), or None."""
    return MACHINES.get((sys.platform, platform.machine().lower()))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


def problem(
    manifest: dict, python: tuple[int, int], here: str | None, system: str = ""
) -> str | None:
    """Why this kit cannot install here (one line), or None. ``system`` is the glibc version on
    Linux, the macOS version on a Mac."""
    targets = manifest["targets"]
    served = ", ".join(sorted(f"Python {t['python']} on {t['platform']}" for t in targets.values()))
    target = targets.get(f"{python[0]}.{python[1]}-{here}")
    if target is None:
        return (
            f"This kit has no wheels for Python {python[0]}.{python[1]} on "
            f"{here or platform.machine() + ' ' + sys.platform}; it serves {served}. Run it with "
            "one of those Pythons (e.g. python3.12 install.py), or use Binder or the class hub."
        )
    for key, name in (("glibc", "glibc"), ("macos", "macOS")):
        needed = target.get("requires", {}).get(key)
        if needed and system and _version(system) < _version(needed):
            return (
                f"This kit's wheels need {name} {needed} or newer; this machine has {system}. "
                "Use Binder or the class hub."
            )
    return None


def _system() -> str:
    if sys.platform == "darwin":
        return platform.mac_ver()[0]
    libc, version = platform.libc_ver()
    return version if libc == "glibc" else ""


def data_folder(python: Path, course: Path) -> Path:
    """The data folder the installed course reads (``course data list`` prints it)."""
    done = subprocess.run(
        [str(python), "-c", "from course.config import data_dir; print(data_dir())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=course,
    )
    return Path(done.stdout.strip())


def step(what: str, command: list, **kwargs) -> None:
    say(what)
    start = time.monotonic()
    done = subprocess.run([str(part) for part in command], **kwargs)
    if done.returncode:
        sys.exit(f"[install] failed (exit {done.returncode}): {' '.join(map(str, command))}")
    say(f"  done in {time.monotonic() - start:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--into",
        type=Path,
        default=KIT,
        help="the folder to unpack the course into (default: this kit's folder)",
    )
    args = parser.parse_args(argv)
    manifest = json.loads((KIT / "kit.json").read_text(encoding="utf-8"))
    why = problem(manifest, sys.version_info[:2], machine(), _system())
    if why:
        print(why, file=sys.stderr)
        return 1
    course = args.into.resolve() / manifest["course_folder"]
    if course.exists():
        say(f"{course} exists: keeping it as it is (delete it to unpack a fresh copy)")
    else:
        say(f"unpacking course.zip into {course}")
        with zipfile.ZipFile(KIT / "course.zip") as archive:
            archive.extractall(args.into.resolve())
    env = {
        **os.environ,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(KIT / "wheels"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    step(
        "installing the pinned packages and the course from the kit's wheels (no network; "
        "1 to 3 minutes)",
        [sys.executable, course / "kit.py", "setup"],
        cwd=course,
        env={**env, "COURSE_DATA_DIR": str(KIT / "data")},
    )
    venv = Path(os.environ.get("COURSE_VENV", course / ".venv"))
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    data_dir = data_folder(python, course)
    say(f"copying the verified data into {data_dir}")
    shutil.copytree(KIT / "data", data_dir, dirs_exist_ok=True)
    step("verifying the data (sha256)", [python, "-m", "course", "data", "verify"], cwd=course)
    step("course doctor", [python, "-m", "course", "doctor"], cwd=course)
    shown = f"py -{sys.version_info[0]}.{sys.version_info[1]}" if os.name == "nt" else "python3"
    say(f"ready. Open the course: cd {course} then {shown} kit.py lab")
    return 0


if __name__ == "__main__":
    sys.exit(main())

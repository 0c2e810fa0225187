"""The offline kit's ``README.md``: which machines it serves, where each file goes, the commands.

Rendered from the kit's manifest (``kit.json``, see :mod:`authoring.offline_kit`), so what it
states (targets, wheel counts, sizes) is what the build made.
"""

from __future__ import annotations

MB = 1e6


def _needs(requires: dict[str, str]) -> str:
    if "glibc" in requires:
        return f"glibc {requires['glibc']} or newer"
    return f"macOS {requires['macos']} or newer" if "macos" in requires else "64-bit system"


def _twice(wheels: list[str]) -> set[str]:
    """Packages with two wheels in one row (two pins for two ranges of patch releases)."""
    names = [file.split("-")[0] for file in wheels]
    return {name for name in names if names.count(name) > 1}


def render(manifest: dict, total_bytes: int, data_files: int) -> str:
    """The README for a kit described by ``manifest``, whose files add up to ``total_bytes``."""
    targets = manifest["targets"].values()
    folder = manifest["course_folder"]
    wheels = len({file for t in targets for file in t["wheels"]})
    rows = "\n".join(
        f"| {t['python']} | {t['platform_shown']} (`{t['platform']}`) "
        f"| {_needs(t.get('requires', {}))} | {len(t['wheels'])} | {t['bytes'] / MB:,.0f} |"
        for t in targets
    )
    pythons = sorted({t["python"] for t in targets}, key=lambda v: tuple(map(int, v.split("."))))
    split = sorted({f"{name} for {t['python']}" for t in targets for name in _twice(t["wheels"])})
    patches = (
        f" The lock pins {', '.join(split)} differently below and from a patch release: "
        "both wheels are here."
        if split
        else ""
    )
    win = f"py -{pythons[-1]}"
    return f"""# Offline kit: From open-source AI to a business

Made by `python -m authoring instructors offline-kit` on {manifest["made"]} from commit
`{manifest["commit"][:12]}`. Size: {total_bytes / MB:,.0f} MB ({wheels} wheels, \
{data_files} data files, the
course). Nothing in it needs a network.

## Which machines it serves

Exactly these Python versions (any patch release) on these machines; MB is the size of a row's
wheels, most of them shared between rows.{patches}

| Python | machine | needs | wheels | MB |
|---|---|---|---|---|
{rows}

On any other Python or machine `install.py` stops with a one-line message and installs nothing:
use Binder or the class hub there, or make a kit for it \
(`python -m authoring instructors offline-kit DIR
--platform NAME --python X.Y`). Debian and Ubuntu also need their `python3-venv` package
(installed from the system's own media, before the day).

## What goes where

| in this folder | what it is | where it goes |
|---|---|---|
| `README.md` | this page | stays here |
| `install.py` | the installer (Python's standard library only) | \
run from here: `python3 install.py` |
| `wheels/` | every package for every row above | stays here: pip reads it during the install |
| `data/` | the {data_files} verified course data files | \
copied by `install.py` into the course's data folder (`course data list` names it) |
| `course.zip` | the course, all in one folder `{folder}/` | \
unpacked by `install.py` into this folder: `{folder}/` next to `install.py` \
(`--into DIR`: `DIR/{folder}/`) |
| `kit.json` | which wheels serve which Python and machine | read by `install.py` |

## On each learner's machine

1. Copy this whole folder from the stick onto the machine (e.g. into the home folder). Do not
   install on the stick itself: the install writes about 2.2 GB into `{folder}/.venv`.
2. In the copied folder: `python3 install.py` (Windows: `{win} install.py`, or another Python
   above). It prints each step: it unpacks the course (an existing `{folder}/` is kept as it
   is), installs every package and the course from `wheels/` with no network, copies the data
   and ends with `course doctor`: every line must say OK.
3. `cd {folder}`, then `python3 kit.py lab` (Windows: `{win} kit.py lab`): JupyterLab opens at
   lesson 00. Later sessions: the same command, still offline.

## The same by hand

`install.py` runs the course's own set-up, `python3 kit.py setup`, with pip reading only this
kit (`PIP_NO_INDEX=1`, `PIP_FIND_LINKS=` this folder's `wheels`). Without `kit.py`, in a shell
in this folder (Windows: `.venv\\Scripts\\python` for `.venv/bin/python`):

```bash
python3 -m zipfile -e course.zip .          # makes {folder}/
cd {folder}
python3 -m venv .venv
.venv/bin/python -m pip install --no-index --find-links ../wheels -r requirements.lock
.venv/bin/python -m pip install --no-index --find-links ../wheels --no-deps -e .
export COURSE_DATA_DIR="$PWD/../data"       # Windows: set COURSE_DATA_DIR=%CD%\\..\\data
.venv/bin/python -m course data verify      # every file: ok
.venv/bin/python -m course doctor           # every line: OK
.venv/bin/python -m course lab              # JupyterLab at lesson 00
```

Later sessions by this route: the last line, with `COURSE_DATA_DIR` set (`kit.py` would not find
its record of this install and look for the package index).

(The course package builds with setuptools, which is in `wheels/`: pip's build isolation finds
it there, so `--no-index --find-links ../wheels` is needed on that line too.)
"""

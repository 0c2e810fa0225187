"""The offline workshop kit (``python -m authoring instructors offline-kit``): which wheels each
Python and machine gets, the kit's layout, its README's commands and the installer's refusals. No
network: ``pip download`` is replaced by a stand-in that writes the wheel files pip would have
saved. The real download and an install with no network at all are ``tools/offline_kit_check.sh``
(.ci/run).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from authoring import offline_kit as kit
from authoring.cli import main
from course import config
from course.errors import CourseError

LOCK = config.lock_file().read_text(encoding="utf-8")


def _installer():
    spec = importlib.util.spec_from_file_location("kit_install", kit.INSTALLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _option(command: list[str], name: str) -> list[str]:
    return [command[i + 1] for i, part in enumerate(command) if part == name]


class FakePip:
    """Runs git for real; for ``pip download`` writes the wheel pip would save: binary for the
    compiled packages (named as pip names them), pure Python for the rest."""

    compiled = {"numpy", "tensorflow-cpu", "tensorflow", "pywinpty", "uvloop"}

    def __init__(self):
        self.downloads = []

    def __call__(self, command, **kwargs):
        if command[0] == "git":
            return subprocess.run(command, **kwargs)
        assert command[1:4] == ["-m", "pip", "download"]
        self.downloads.append(command)
        python = _option(command, "--python-version")[0]
        abi = "cp" + "".join(python.split(".")[:2])
        platforms = _option(command, "--platform")
        platform = next((p for p in platforms if "_2_17_" in p), platforms[-1])
        folder = Path(_option(command, "-d")[0])
        for line in Path(_option(command, "-r")[0]).read_text().split():
            name, version = line.split("==") if "==" in line else (line.split(">=")[0], "99.0")
            file = name.replace("-", "_")
            tags = f"{abi}-{abi}-{platform}" if name in self.compiled else "py3-none-any"
            (folder / f"{file}-{version}-{tags}.whl").write_bytes(b"w" * 1000)


def test_offline_kit_pins_each_python_by_the_markers_of_every_patch_release():
    lock = (
        "numpy==2.4.6 ; python_full_version < '3.12'\n"
        "numpy==2.5.5 ; python_full_version >= '3.12'\n"
        "    # via pandas\nsoupsieve==2.10 ; python_full_version < '3.11.5'\n"
        "soupsieve==4.1.2 ; python_full_version >= '3.11.5'\npywinpty==3.1.2 ; os_name == 'nt'\n"
        "tensorflow==2.21.0 ; sys_platform == 'darwin'\n"
        "tensorflow-cpu==2.21.0 ; sys_platform != 'darwin'\n"
    )

    def pins(python, platform):
        return {
            str(p.requirement): p.python
            for p in kit.pins_for(lock, kit.Target(python, kit.PLATFORMS[platform]))
        }

    linux311 = pins("3.11", "linux-x86_64")
    assert set(linux311) == {
        "numpy==2.4.6",
        "soupsieve==2.10",
        "soupsieve==4.1.2",
        "tensorflow-cpu==2.21.0",
    }
    assert linux311["soupsieve==2.10"] == "3.11.4"  # pip checks Requires-Python against this one
    assert set(pins("3.12", "linux-x86_64")) == {
        "numpy==2.5.5",
        "soupsieve==4.1.2",
        "tensorflow-cpu==2.21.0",
    }
    assert set(pins("3.13", "windows-amd64")) == {
        "numpy==2.5.5",
        "soupsieve==4.1.2",
        "tensorflow-cpu==2.21.0",
        "pywinpty==3.1.2",
    }
    assert "tensorflow==2.21.0" in pins("3.12", "macos-arm64")
    with pytest.raises(CourseError, match="line 1"):
        kit.pins_for("numpy=2\n", kit.Target("3.12", kit.PLATFORMS["linux-x86_64"]))


def test_offline_kit_layout_wheel_sets_zip_and_readme(tmp_path):
    pip = FakePip()
    made = kit.offline_kit(
        tmp_path / "usb", platforms=["linux-x86_64"], run=pip, log=lambda line: None
    )
    dest = tmp_path / "usb"
    assert sorted(p.name for p in dest.iterdir()) == [
        "README.md",
        "course.zip",
        "data",
        "install.py",
        "kit.json",
        "wheels",
    ]
    # pip: binary wheels only, no dependency resolution, each target's Python and platform tags
    for command in pip.downloads:
        assert {"--no-deps", "--only-binary=:all:"} <= set(command) and _option(
            command, "--implementation"
        ) == ["cp"]
        assert "manylinux_2_17_x86_64" in _option(command, "--platform")
    assert {_option(c, "--python-version")[0] for c in pip.downloads} >= {
        "3.11.4",
        "3.11.29",
        "3.12.29",
        "3.13.29",
    }
    # one wheel set per Python, each with exactly one wheel per pin the lock gives that Python
    manifest = json.loads(made["manifest"].read_text())
    assert set(manifest["targets"]) == {
        "3.11-linux-x86_64",
        "3.12-linux-x86_64",
        "3.13-linux-x86_64",
    }
    wheels = {p.name for p in made["wheels"].iterdir()}
    for target in manifest["targets"].values():
        needed = kit.needed(LOCK, kit.Target(target["python"], kit.PLATFORMS["linux-x86_64"]))
        assert len(target["wheels"]) == len(needed) and set(target["wheels"]) <= wheels
        abi = "cp" + target["python"].replace(".", "")
        assert [w for w in target["wheels"] if w.startswith("numpy-")][0].split("-")[2] == abi
        assert any(
            w.startswith("setuptools-") for w in target["wheels"]
        )  # pyproject's build backend
        assert target["requires"] == {"glibc": "2.17"}
    assert wheels == {w for t in manifest["targets"].values() for w in t["wheels"]}
    # course.zip: everything in one top folder, so unpacking it never overwrites the kit's files
    with zipfile.ZipFile(made["course"]) as archive:
        names = archive.namelist()
    assert {n.split("/")[0] for n in names} == {"ai-business-course"}
    assert {"ai-business-course/kit.py", "ai-business-course/requirements.lock"} <= set(names)
    # the data, verified; the installer; the README's commands and its size, measured
    from course.data import verify_all

    assert all(s.ok for s in verify_all(made["data"]))
    assert made["installer"].read_bytes() == kit.INSTALLER.read_bytes()
    readme = made["readme"].read_text()
    for line in (
        "pip install --no-index --find-links ../wheels -r requirements.lock",
        "pip install --no-index --find-links ../wheels --no-deps -e .",
        "python3 install.py",
        "`ai-business-course/`",
        "| 3.12 | Linux on x86-64",
    ):
        assert line in readme
    pins_311 = [p.name for p in kit.needed(LOCK, kit.Target("3.11", kit.PLATFORMS["linux-x86_64"]))]
    for name in {n for n in pins_311 if pins_311.count(n) > 1}:  # e.g. soupsieve below/from 3.11.5
        assert f"{name} for 3.11 differently" in readme
    total = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    assert f"Size: {total / 1e6:,.0f} MB" in readme


def test_offline_kit_no_download_checks_the_wheels_it_has(tmp_path, capsys):
    pip = FakePip()
    kit.offline_kit(
        tmp_path, platforms=["windows-amd64"], pythons=["3.12"], run=pip, log=lambda line: None
    )
    (tmp_path / "wheels" / "stale-1.0-py3-none-any.whl").write_bytes(b"")
    kit.offline_kit(
        tmp_path,
        download_wheels=False,
        platforms=["windows-amd64"],
        pythons=["3.12"],
        run=pip,
        log=lambda line: None,
    )
    assert (
        len(pip.downloads) == 1
        and not (tmp_path / "wheels" / "stale-1.0-py3-none-any.whl").exists()
    )
    kit.offline_kit(
        tmp_path, platforms=["windows-amd64"], pythons=["3.12"], run=pip, log=lambda line: None
    )
    assert len(pip.downloads) == 1  # a rebuild fetches only wheels it lacks: none
    numpy = next((tmp_path / "wheels").glob("numpy-*"))
    numpy.unlink()
    assert (
        main(
            [
                "instructors",
                "offline-kit",
                str(tmp_path),
                "--no-download",
                "--platform",
                "windows-amd64",
                "--python",
                "3.12",
            ]
        )
        == 1
    )
    error = capsys.readouterr().err
    assert (
        error.count("\n") == 1 and "no wheel for Python 3.12 on windows-amd64 of: numpy==" in error
    )
    assert main(["instructors", "offline-kit", str(tmp_path), "--platform", "macos-x86_64"]) == 1
    assert "Unknown --platform/--python macos-x86_64" in capsys.readouterr().err


def test_offline_kit_installer_serves_only_what_the_kit_holds():
    install = _installer()
    manifest = {
        "targets": {
            "3.11-linux-x86_64": {
                "python": "3.11",
                "platform": "linux-x86_64",
                "requires": {"glibc": "2.28"},
            }
        }
    }
    assert install.problem(manifest, (3, 11), "linux-x86_64", "2.36") is None
    assert (
        install.problem(manifest, (3, 11), "linux-x86_64", "") is None
    )  # glibc unknown: let pip say
    assert "need glibc 2.28 or newer; this machine has 2.17" in install.problem(
        manifest, (3, 11), "linux-x86_64", "2.17"
    )
    wrong = install.problem(manifest, (3, 12), "linux-x86_64", "2.36")
    assert (
        "no wheels for Python 3.12 on linux-x86_64; it serves Python 3.11 on linux-x86_64" in wrong
    )
    assert "\n" not in wrong and "no wheels for Python 3.11 on macos-arm64" in install.problem(
        manifest, (3, 11), "macos-arm64"
    )
    assert set(install.MACHINES.values()) == set(kit.PLATFORMS)


def test_offline_kit_installer_unpacks_then_sets_up_with_pip_reading_only_the_kit(
    tmp_path, monkeypatch
):
    install = _installer()
    folder = tmp_path / "kit"
    (folder / "data" / "sub").mkdir(parents=True)
    (folder / "data" / "sub" / "a.csv").write_text("x\n")
    with zipfile.ZipFile(folder / "course.zip", "w") as archive:
        archive.writestr("ai-business-course/kit.py", "")
    (folder / "kit.json").write_text(
        json.dumps({"course_folder": "ai-business-course", "targets": {}})
    )
    steps = []
    monkeypatch.setattr(install, "KIT", folder)
    monkeypatch.setattr(install, "problem", lambda *args: None)
    monkeypatch.setattr(install, "step", lambda what, command, **kw: steps.append((command, kw)))
    monkeypatch.setattr(install, "data_folder", lambda python, course: tmp_path / "cache" / "data")
    assert install.main(["--into", str(tmp_path / "home")]) == 0
    course = tmp_path / "home" / "ai-business-course"
    assert (course / "kit.py").exists() and (tmp_path / "cache" / "data" / "sub" / "a.csv").exists()
    (command, options), *rest = steps
    assert command[1:] == [course / "kit.py", "setup"] and options["cwd"] == course
    env = options["env"]
    assert (env["PIP_NO_INDEX"], env["PIP_FIND_LINKS"], env["COURSE_DATA_DIR"]) == (
        "1",
        str(folder / "wheels"),
        str(folder / "data"),
    )
    assert [c[2:] for c, _ in rest] == [["course", "data", "verify"], ["course", "doctor"]]
    (course / "kit.py").write_text("# the learner's")  # a second run keeps what is there
    assert install.main(["--into", str(tmp_path / "home")]) == 0
    assert (course / "kit.py").read_text() == "# the learner's"

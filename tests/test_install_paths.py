"""One pinned source of versions, used by every install path, and the two README commands."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course.setup.pins import (
    ENV_FILES,
    HUB_LOCK,
    NBGRADER_LOCK,
    TEST_LOCK,
    parse_requirement_lines,
    read_lock,
)

ROOT = Path(__file__).resolve().parents[1]
LOCK = {(p.name, p.marker): p.version for p in read_lock()}
TESTS = {(p.name, p.marker): p.version for p in read_lock(TEST_LOCK)}
HUB = {(p.name, p.marker): p.version for p in read_lock(HUB_LOCK)}
NBGRADER = {(p.name, p.marker): p.version for p in read_lock(NBGRADER_LOCK)}
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _env_pins(path: Path):
    env = yaml.safe_load(path.read_text())
    deps = env["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    return env, deps, parse_requirement_lines(pip)


@pytest.mark.parametrize(
    "extra, lock", [("", LOCK), ("test", TESTS), ("hub", HUB), ("nbgrader", NBGRADER)]
)
def test_the_locks_pin_every_direct_dependency_within_its_range(extra, lock):
    direct = PROJECT["optional-dependencies"][extra] if extra else PROJECT["dependencies"]
    for line in direct:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        versions = [v for (n, _), v in lock.items() if n == name]
        assert versions, (
            f"{name} is not in the {extra or 'learners'} lock: run `python kit.py lock`"
        )
        assert all(requirement.specifier.contains(v) for v in versions), (name, versions)


def test_no_test_tool_in_the_learners_environment():
    """The test tools' lock adds packages and changes none, so the suite runs on exactly the
    learners' versions; none of them is in requirements.lock, so none in the environment files."""
    names = {name for name, _ in LOCK}
    unconditional = {name for name, marker in LOCK if not marker}
    assert TESTS and not {name for name, _ in TESTS} & unconditional
    for (name, _), version in TESTS.items():  # (TensorFlow's own dependencies, such as rich, are
        if name in names:  # in the learners' lock only where TensorFlow installs: same version)
            assert version in {v for (n, _), v in LOCK.items() if n == name}, name
    for tool in ("pytest", "nbval", "hypothesis", "schemathesis", "pytest-xdist"):
        assert tool in {name for name, _ in TESTS} and tool not in names, tool


def test_the_hub_adds_packages_and_changes_none():
    """JupyterHub (a class on one server) is its own lock: not in the learners' environment nor
    Binder's, and no package in two locks at two versions."""
    assert {"jupyterhub", "jupyterhub-idle-culler"} <= {name for name, _ in HUB}
    assert not {name for name, _ in HUB} & {name for name, _ in LOCK}
    for key, version in HUB.items():
        assert TESTS.get(key, version) == version, key


def test_nbgrader_is_its_own_lock_for_the_instructor_only():
    """nbgrader (grading a class) adds packages to the learners' lock and changes none, agrees
    with the hub's and the test tools' pins (an instructor may install it beside the hub), and
    no learners' path installs it: not the lock, the environment files, Binder's postBuild,
    kit.py's set-up or the hub's learner environment."""
    import kit
    from classroom import hub_install

    assert NBGRADER and {name for name, _ in NBGRADER} >= {"nbgrader"}
    assert next(v for (n, _), v in NBGRADER.items() if n == "nbgrader").startswith("0.9.")
    assert not {name for name, _ in NBGRADER} & {name for name, marker in LOCK if not marker}
    for (name, _), version in NBGRADER.items():  # (setuptools: locked where TensorFlow installs)
        learners = {v for (n, _), v in LOCK.items() if n == name}
        assert not learners or version in learners, name
    for key, version in NBGRADER.items():
        assert HUB.get(key, version) == TESTS.get(key, version) == version, key
    for path in ENV_FILES:
        assert "nbgrader" not in {p.name for p in _env_pins(path)[2]}, path
    assert "nbgrader" not in (ROOT / "binder" / "postBuild").read_text()
    assert kit.NBGRADER_LOCK == NBGRADER_LOCK
    assert all(NBGRADER_LOCK not in kit.extra_locks(test, hub) for test in (0, 1) for hub in (0, 1))
    assert "nbgrader" not in Path(hub_install.__file__).read_text()
    assert "requirements-nbgrader.lock" not in hub_install.COURSE_PARTS


def test_tensorflow_cpu_on_linux_and_windows_and_server_proxy_for_binder():
    """tensorflow-cpu where it has wheels (Linux x86_64, Windows x64), the regular build on Apple
    Silicon and Linux on ARM, and exactly one of them on each machine kit.py accepts."""
    cpu = next(Marker(m) for (n, m) in LOCK if n == "tensorflow-cpu")
    full = next(Marker(m) for (n, m) in LOCK if n == "tensorflow")
    for system, machine, wants in (
        ("linux", "x86_64", "cpu"),
        ("win32", "AMD64", "cpu"),
        ("linux", "aarch64", "full"),
        ("darwin", "arm64", "full"),
        ("darwin", "x86_64", None),
        ("win32", "ARM64", None),
    ):
        env = {"sys_platform": system, "platform_machine": machine}
        assert (cpu.evaluate(env), full.evaluate(env)) == (wants == "cpu", wants == "full"), env
    assert any(name == "jupyter-server-proxy" for name, _ in LOCK)


def test_every_environment_file_pins_exactly_the_lock():
    from course.config import ENVIRONMENT_PYTHON, SUPPORTED_PYTHONS

    assert ENVIRONMENT_PYTHON in SUPPORTED_PYTHONS
    python = ".".join(map(str, ENVIRONMENT_PYTHON))
    assert set(ENV_FILES) == {ROOT / "environment.yml", ROOT / "binder" / "environment.yml"}
    for path in ENV_FILES:
        env, deps, pins = _env_pins(path)
        assert f"python={python}" in deps and "pip" in deps, path
        assert {(p.name, p.marker): p.version for p in pins} == LOCK, (
            f"{path} disagrees with the lock"
        )


def test_one_list_of_supported_pythons():
    """pyproject's requires-python, kit.py (which runs before anything is installed) and the
    package agree, and the lock resolves for every supported version (uv's universal lock)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    import kit
    from course.config import SUPPORTED_PYTHONS

    assert tuple(kit.SUPPORTED) == SUPPORTED_PYTHONS
    requires = SpecifierSet(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    )
    minors = [(3, m) for m in range(8, 20)]
    assert [v for v in minors if Version(f"{v[0]}.{v[1]}.0") in requires] == list(SUPPORTED_PYTHONS)
    for major, minor in SUPPORTED_PYTHONS:
        env = {
            "python_version": f"{major}.{minor}",
            "python_full_version": f"{major}.{minor}.0",
            "sys_platform": "linux",
            "platform_system": "Linux",
            "os_name": "posix",
            "implementation_name": "cpython",
            "platform_machine": "x86_64",
        }
        chosen = {}
        for pin in read_lock():
            if pin.applies(env):
                assert chosen.setdefault(pin.name, pin.version) == pin.version, (pin, minor)
        assert {"tensorflow-cpu", "numpy", "jupyterlab"} <= set(chosen), minor
        assert all(
            pin.applies(env)
            for pin in read_lock(TEST_LOCK) + read_lock(HUB_LOCK) + read_lock(NBGRADER_LOCK)
        ), minor


def test_binder_post_build_installs_the_package_and_prefetches_data():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert post_build.startswith("#!/bin/bash") and "set -euo pipefail" in post_build
    assert re.search(r"pip install --no-deps (-e )?\.", post_build)
    assert "course extension build --models-only" in post_build  # lesson 06 never waits
    assert "course data fetch" in post_build
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_readme_starts_with_the_two_commands_and_ci_calls_the_test_one():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, flags=re.S)
    assert blocks[0].strip().splitlines() == ["python3 kit.py lab"]
    assert blocks[1].strip().splitlines() == ["python3 kit.py test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 kit.py test" in ci and "COURSE_DATA_DIR" in ci
    assert (
        "mybinder.org/v2/" in readme and "urlpath=lab/tree/notebooks/00_start_here.ipynb" in readme
    )


def test_binder_start_sets_the_same_runtime_environment_as_the_package():
    from course.config import RUNTIME_ENV

    start = (ROOT / "binder" / "start").read_text()
    exported = dict(re.findall(r"^export (\w+)=(\S+)$", start, flags=re.M))
    assert exported == RUNTIME_ENV
    assert start.rstrip().endswith('exec "$@"')
    assert (ROOT / "binder" / "start").stat().st_mode & 0o111


def test_importing_course_applies_the_runtime_environment():
    import subprocess
    import sys

    code = (
        "import os, course; "
        "print(os.environ['OMP_NUM_THREADS'], os.environ['TF_ENABLE_ONEDNN_OPTS'])"
    )
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("OMP_NUM_THREADS", "TF_ENABLE_ONEDNN_OPTS")
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["1", "0"]

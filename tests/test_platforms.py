"""The machines the course installs on: the lock resolved for each of them against the package
index (uv, binary wheels only), and kit.py's one-line refusal, before pip runs, elsewhere.

The resolution tests need the package index (CI has it; offline they skip with the reason).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.registry
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import kit  # noqa: E402  (kit.py: stdlib only, importable anywhere)

#: kit.WHEEL_PLATFORMS as uv names them (TensorFlow 2.21's Linux wheels ask for glibc 2.27; uv's
#: oldest manylinux target at or above it is 2.28).
UV_TARGETS = {
    ("linux", "x86_64"): "x86_64-manylinux_2_28",
    ("linux", "aarch64"): "aarch64-manylinux_2_28",
    ("win32", "AMD64"): "x86_64-pc-windows-msvc",
    ("darwin", "arm64"): "aarch64-apple-darwin",
}
UNSUPPORTED = {"Intel Mac": "x86_64-apple-darwin", "Windows on ARM": "aarch64-pc-windows-msvc"}
PYTHONS = [".".join(map(str, v)) for v in kit.SUPPORTED]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", re.MULTILINE)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _uv(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "compile",
            *args,
            "--no-header",
            "--no-annotate",
            "--only-binary",
            ":all:",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def index():
    """Skip (offline, outside CI) or fail (in CI) when the package index cannot be reached."""
    if subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True).returncode:
        pytest.skip("uv is not installed (it comes with requirements-test.lock)")
    probe = subprocess.run(
        [sys.executable, "-m", "uv", "pip", "compile", "-", "--no-header", "--quiet"],
        input="six==1.16.0\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode:
        message = f"the package index is unreachable: {probe.stderr.strip()[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def test_every_supported_machine_is_a_uv_target():
    assert set(UV_TARGETS) == set(kit.WHEEL_PLATFORMS)


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("machine", sorted(UV_TARGETS), ids=lambda m: "-".join(m))
def test_the_lock_resolves_to_wheels_on_every_supported_machine(index, machine, python, tmp_path):
    """Every pin of requirements.lock that applies to the machine has a wheel for it, the lock
    needs nothing it does not pin, and TensorFlow is among them."""
    out = tmp_path / "resolved.txt"
    done = _uv(
        str(ROOT / "requirements.lock"),
        "--python-platform",
        UV_TARGETS[machine],
        "--python-version",
        python,
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    resolved = {(_normal(n), v) for n, v in PIN.findall(out.read_text())}
    locked = {(_normal(n), v) for n, v in PIN.findall((ROOT / "requirements.lock").read_text())}
    assert sorted(resolved - locked) == []  # (the lock pins some packages per Python version)
    assert {"tensorflow", "tensorflow-cpu"} & {name for name, _ in resolved}, sorted(resolved)


@pytest.mark.parametrize("python", PYTHONS)
def test_the_nbgrader_lock_resolves_on_top_of_the_learners_lock(index, python, tmp_path):
    """Grading (requirements-nbgrader.lock) installs beside the learners' lock on every supported
    Python, needing nothing either lock does not pin."""
    out = tmp_path / "resolved.txt"
    locks = [ROOT / "requirements.lock", ROOT / "requirements-nbgrader.lock"]
    done = _uv(
        *map(str, locks),
        "--python-platform",
        UV_TARGETS[("linux", "x86_64")],
        "--python-version",
        python,
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    resolved = {(_normal(n), v) for n, v in PIN.findall(out.read_text())}
    locked = {(_normal(n), v) for path in locks for n, v in PIN.findall(path.read_text())}
    assert sorted(resolved - locked) == []
    assert any(n == "nbgrader" and v.startswith("0.9.") for n, v in resolved), sorted(resolved)


@pytest.mark.parametrize("python", PYTHONS)
def test_the_site_lock_resolves_alone(index, python, tmp_path):
    """The website's builder (requirements-site.lock, installed alone in its own environment by
    `python -m authoring site build`) installs on every supported Python, needing nothing it does
    not pin."""
    out = tmp_path / "resolved.txt"
    lock = ROOT / "requirements-site.lock"
    done = _uv(
        str(lock),
        "--python-platform",
        UV_TARGETS[("linux", "x86_64")],
        "--python-version",
        python,
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    resolved = {(_normal(n), v) for n, v in PIN.findall(out.read_text())}
    assert sorted(resolved - {(_normal(n), v) for n, v in PIN.findall(lock.read_text())}) == []
    assert any(n == "jupyter-book" and v.startswith("1.") for n, v in resolved), sorted(resolved)


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_no_tensorflow_wheel_exists_where_kit_refuses(index, name):
    """The refusal is true: neither TensorFlow build has a 2.21 wheel for these machines."""
    for package in ("tensorflow==2.21.0", "tensorflow-cpu==2.21.0"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "uv",
                "pip",
                "compile",
                "-",
                "--no-header",
                "--quiet",
                "--only-binary",
                ":all:",
                "--python-platform",
                UNSUPPORTED[name],
                "--python-version",
                "3.13",
            ],
            input=package + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode != 0, f"{package} resolved for {name}: {done.stdout}"


@pytest.mark.parametrize("machine", sorted(kit.WHEEL_PLATFORMS), ids=lambda m: "-".join(m))
def test_supported_machines_pass(machine):
    assert kit.platform_problem(*machine, bits=64) is None


@pytest.mark.parametrize(
    "system, machine, bits, says",
    [
        ("darwin", "x86_64", 64, ["Intel Macs", "arm64 Python", "Binder"]),
        ("win32", "ARM64", 64, ["Windows on ARM", "x64 Python", "WSL"]),
        ("win32", "AMD64", 32, ["32-bit", "64-bit"]),
        ("linux", "riscv64", 64, ["linux on riscv64", "Linux on ARM", "Binder"]),
        ("linux", "armv7l", 64, ["armv7l", "hub"]),
    ],
)
def test_other_machines_get_one_line_naming_what_works(system, machine, bits, says):
    problem = kit.platform_problem(system, machine, bits=bits)
    assert problem and "\n" not in problem
    assert all(word in problem for word in says), problem


def test_kit_stops_before_pip_on_a_machine_without_wheels(tmp_path):
    """`kit.py lab` on an Intel Mac: one line, exit 1, and pip never ran (no venv packages)."""
    venv = tmp_path / "venv"
    code = (
        "import sys, kit\nkit.platform_problem.__defaults__ = ('darwin', 'x86_64', 64)\n"
        "sys.argv = ['kit.py', 'lab']\nkit.lab()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COURSE_VENV": str(venv)},
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().startswith("[kit] TensorFlow 2.21 publishes no wheels for Intel")
    assert "installing the pinned packages" not in done.stdout
    assert not venv.exists()

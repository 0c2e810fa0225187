"""``course doctor``: check that this machine can run the course, and say how to fix what is wrong.

Each check returns a :class:`Check` (``ok``, ``warn`` or ``fail``, a detail and a fix). The checks
take their inputs as arguments so the tests can feed them deliberately broken set-ups.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from course import config

SETUP_FIX = "run `python3 kit.py lab` from the course folder (it reinstalls the pinned versions)"
WIDGETS_EXTENSION = Path("@jupyter-widgets") / "jupyterlab-manager"
MIN_MEMORY = 2 * 1024**3


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok" | "warn" | "fail"
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"[{self.status.upper():>4}] {self.name:<18} {self.detail}"
        return text + (f"\n       fix: {self.fix}" if self.fix and self.status != "ok" else "")


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    shown = ".".join(map(str, version))
    supported = ", ".join(".".join(map(str, v)) for v in config.SUPPORTED_PYTHONS)
    if tuple(version[:2]) in config.SUPPORTED_PYTHONS:
        return Check("python", "ok", f"{shown} (supported: {supported})")
    return Check(
        "python",
        "fail",
        f"{shown}, the course runs on Python {supported}",
        "install Python 3.13 and run `python3.13 kit.py lab`",
    )


def _installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_packages(
    pins: dict[str, str] | None = None, installed: Callable[[str], str | None] = _installed_version
) -> Check:
    """Every pinned package for this platform is installed at exactly the pinned version."""
    if pins is None:
        if not config.lock_file().exists():
            return Check("packages", "warn", "requirements.lock not found (not a course checkout)")
        from course.setup.pins import pins_for_this_platform

        pins = pins_for_this_platform(config.lock_file())
    wrong = []
    for name, want in sorted(pins.items()):
        have = installed(name)
        if have != want:
            wrong.append(f"{name} {have or 'missing'} (want {want})")
    if not wrong:
        return Check("packages", "ok", f"{len(pins)} pinned packages at the locked versions")
    shown = "; ".join(wrong[:4]) + (f"; and {len(wrong) - 4} more" if len(wrong) > 4 else "")
    return Check("packages", "fail", f"{len(wrong)} differ from the lock: {shown}", SETUP_FIX)


def _kernel_program(name: str, jupyter_path: str | None) -> tuple[str, str] | None:
    """(program, where) of the kernel ``name`` as a Jupyter with ``JUPYTER_PATH=jupyter_path``
    finds it, or None when it finds none."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    saved = os.environ.get("JUPYTER_PATH")
    try:
        if jupyter_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = jupyter_path
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return None
    finally:
        if saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved
    return spec.argv[0], spec.resource_dir


def _is_this_python(program: str, executable: str) -> bool:
    if program in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        return True  # (jupyter_client runs these names with the server's own Python)
    return Path(program).resolve() == Path(executable).resolve()


def check_kernel(executable: str = sys.executable) -> Check:
    """The kernel the notebooks select runs this environment's Python in the course's JupyterLab
    (``kit.py lab``, Binder, the hub: :mod:`course.setup.lab_setup`); a warning when a Jupyter
    started outside the course would run another Python for them."""
    try:
        from course.setup.lab_setup import KERNEL_NAME, lab_environment

        course = _kernel_program(KERNEL_NAME, lab_environment()["JUPYTER_PATH"])
        plain = _kernel_program(KERNEL_NAME, os.environ.get("JUPYTER_PATH"))
    except ImportError:
        return Check("jupyter kernel", "fail", "jupyter_client is not installed", SETUP_FIX)
    fix = "run `python -m course.setup.lab_setup` with this environment's Python, or " + SETUP_FIX
    if course is None:
        return Check("jupyter kernel", "fail", f"no '{KERNEL_NAME}' kernel found", fix)
    if not _is_this_python(course[0], executable):
        return Check(
            "jupyter kernel",
            "fail",
            f"the notebooks' kernel runs {course[0]}, not "
            f"{executable}: they would not find the course package",
            fix,
        )
    if plain is not None and not _is_this_python(plain[0], executable):
        return Check(
            "jupyter kernel",
            "warn",
            f"the course's JupyterLab runs the notebooks with "
            f"this Python, but a Jupyter started another way would run {plain[0]} (a "
            f"'{KERNEL_NAME}' kernel in {plain[1]})",
            "open the course with `python3 "
            "kit.py lab` (or remove that kernel: `jupyter kernelspec remove "
            f"{KERNEL_NAME}` after checking it)",
        )
    return Check(
        "jupyter kernel",
        "ok",
        f"the notebooks' kernel '{KERNEL_NAME}' runs this environment's Python",
    )


def check_widgets(search_path: list[str] | None = None) -> Check:
    """The ipywidgets JupyterLab extension is installed where JupyterLab looks for it."""
    if search_path is None:
        from jupyter_core.paths import jupyter_path

        search_path = jupyter_path("labextensions")
    for folder in search_path:
        if (Path(folder) / WIDGETS_EXTENSION / "package.json").exists():
            return Check("widgets extension", "ok", f"found in {folder}")
    return Check(
        "widgets extension",
        "fail",
        "the ipywidgets JupyterLab extension is missing (sliders will show as text)",
        SETUP_FIX,
    )


def check_data(folder: Path | None = None) -> Check:
    """Every course data file is in the cache with the pinned sha256."""
    from course.data import verify_all

    statuses = verify_all(folder)
    bad = [s for s in statuses if not s.ok]
    where = folder or config.data_dir()
    if not bad:
        return Check("data", "ok", f"{len(statuses)} files verified in {where}")
    corrupted = [s.dataset.name for s in bad if s.state == "corrupted"]
    missing = [s.dataset.name for s in bad if s.state == "missing"]
    detail = "; ".join(
        filter(
            None,
            [
                corrupted and f"corrupted: {', '.join(corrupted)}",
                missing and f"missing: {', '.join(missing)}",
            ],
        )
    )
    fix = (
        ("`course data fetch --force " + " ".join(corrupted) + "`")
        if corrupted
        else "`course data fetch` (needs internet; offline: see README, 'Offline use')"
    )
    return Check("data", "fail", f"{detail} (in {where})", fix)


def available_memory() -> int:
    """Bytes this process could still use: the smaller of free RAM and a cgroup (Binder) limit."""
    import psutil

    free = psutil.virtual_memory().available
    for limit_file, usage_file in [
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ]:
        try:
            limit = int(Path(limit_file).read_text().strip())
            used = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        free = min(free, max(limit - used, 0))
    return free


def check_memory(available: int | None = None) -> Check:
    available = available_memory() if available is None else available
    shown = f"{available / 1024**3:.1f} GB available"
    if available >= MIN_MEMORY:
        return Check("memory", "ok", shown)
    return Check(
        "memory",
        "warn",
        f"{shown}; lesson 03 (TensorFlow) needs about 1 GB for its kernel",
        "close other notebooks' kernels (Kernel > Shut Down All Kernels)",
    )


def check_tensorflow(executable: str = sys.executable, timeout: int = 180) -> Check:
    """Import TensorFlow in a separate process (so this one stays small) and report its version."""
    code = "import tensorflow as tf; print(tf.__version__)"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        done = subprocess.run(
            [executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Check("tensorflow", "fail", f"could not import: {error}", SETUP_FIX)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        return Check("tensorflow", "fail", f"import failed: {last}", SETUP_FIX)
    return Check("tensorflow", "ok", f"imports (version {done.stdout.strip()})")


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def check_folders(data: Path | None = None, progress: Path | None = None) -> Check:
    """The progress folder is writable, and the data folder too unless it is already complete."""
    data = data or config.data_dir()
    progress = progress or config.progress_dir()
    problems = []
    if not _writable(progress):
        problems.append(f"progress folder {progress} is not writable")
    if not _writable(data):
        from course.data import verify_all

        if not all(s.ok for s in verify_all(data)):
            problems.append(f"data folder {data} is not writable and incomplete")
    if problems:
        return Check(
            "folders",
            "fail",
            "; ".join(problems),
            f"point {config.DATA_DIR_ENV} / {config.PROGRESS_DIR_ENV} at folders you can write to",
        )
    return Check("folders", "ok", f"progress in {progress}")


def run_checks(tensorflow: bool = True) -> list[Check]:
    """All checks, in the order they are printed."""
    checks = [
        check_python(),
        check_packages(),
        check_kernel(),
        check_widgets(),
        check_data(),
        check_memory(),
        check_folders(),
    ]
    if tensorflow:
        checks.append(check_tensorflow())
    return checks


def report(tensorflow: bool = True) -> int:
    """Print one line per check (with the fix for each failure); return the exit status."""
    checks = run_checks(tensorflow)
    for item in checks:
        print(item.line())
    failed = sum(c.status == "fail" for c in checks)
    print(
        f"\n{len(checks)} checks: {failed} failed, "
        f"{sum(c.status == 'warn' for c in checks)} warnings."
    )
    return 1 if failed else 0

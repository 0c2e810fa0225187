"""``python -m authoring binder-check``: the students' Binder path, built and run here under
Binder's limits.

1. The plan: repo2docker renders the Dockerfile mybinder.org would build for a clean copy of the
   repository (:mod:`authoring.binder_plan`), checked against what the binder/ files assume.
2. The image's steps, reproduced without conda (conda-forge is not reachable everywhere): a fresh
   virtual environment of the Python ``binder/environment.yml`` names, the pip list of that file
   itself, then ``binder/postBuild`` exactly as written, in a fresh home that is the repository
   copy (repo2docker's ``REPO_DIR`` is ``$HOME``).
3. The session: JupyterLab started through ``binder/start``, as Binder starts it, under one CPU
   (``taskset -c 0``) and a 2 GB ceiling on the whole session (:mod:`authoring.binder_limits`);
   every student notebook in course-map order through the server's REST and kernel APIs, each
   kernel shut down after its lesson; lesson 04's service reached through ``/proxy/<port>/``
   (:mod:`authoring.binder_session`).

It prints the plan, the time to a ready JupyterLab, each lesson's wall time and pass/fail, and
the session's peak memory; it exits 1 when the plan or any lesson fails.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import psutil
import yaml

from authoring import binder_limits, binder_plan
from authoring.binder_session import Lab, LessonResult, run_lesson
from course.config import APP_NAME
from course.errors import CourseError

#: The image's environments, one per (environment.yml, postBuild, Python) digest: made once per
#: machine, like Binder's own build cache, so a fresh clone with the same files reuses it; postBuild
#: still runs, as written, on every check. ``--fresh`` reinstalls.
BINDER_VENVS = Path(platformdirs.user_cache_dir(APP_NAME)) / "binder-venvs"


def binder_venv(key: str) -> Path:
    return BINDER_VENVS / key[:16]


#: The base URL a hub gives a learner's server (JUPYTERHUB_SERVICE_PREFIX on Binder).
BASE_URL = "/user/learner/"
#: The host's variables a Binder build or session may see: locale, terminal, temp folder, the
#: machine's pip set-up (how it reaches the package index) and the course's data folder.
PASSED_ON = ("LANG", "LANGUAGE", "TERM", "TMPDIR", "TZ", "COURSE_DATA_DIR")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class EnvironmentFile:
    """What a conda environment file asks for: the Python version and its pip requirements."""

    python: str
    pip: list[str]


def say(message: str) -> None:
    print(f"[binder] {message}", flush=True)


def read_environment(text: str) -> EnvironmentFile:
    """The Python version and the pip list of a conda environment file (markers kept).

    Raises :class:`CourseError` for what a venv cannot reproduce (a conda package other than
    python and pip) and for what repo2docker cannot build (a local path in the pip list: the file
    is processed before the repository is copied in).
    """
    env = yaml.safe_load(text) or {}
    python, pip, others = None, None, []
    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict) and "pip" in dep:
            pip = [str(line).strip() for line in dep["pip"]]
        elif isinstance(dep, str) and (
            match := re.fullmatch(r"python\s*=+\s*(\d+\.\d+)[.*\d]*", dep.strip())
        ):
            python = match.group(1)
        elif isinstance(dep, str) and dep.strip() != "pip":
            others.append(dep)
    if python is None:
        raise CourseError("The environment file pins no Python version (`python=3.X`).")
    if others:
        raise CourseError(
            f"Conda packages other than python and pip cannot be reproduced in a "
            f"venv: {', '.join(others)}"
        )
    if not pip:
        raise CourseError("The environment file has no pip list to install.")
    local = [line for line in pip if line.startswith(("-e", ".", "/", "file:"))]
    if local:
        raise CourseError(
            f"Local paths in the pip list ({', '.join(local)}) fail on Binder: the "
            "environment is built before the repository is copied in. Install "
            "the package in binder/postBuild."
        )
    return EnvironmentFile(python, pip)


def find_python(version: str) -> str:
    """A ``pythonX.Y`` on PATH that really is that version (a pyenv shim may not be)."""
    for candidate in (
        f"python{version}",
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ):
        path = shutil.which(candidate)
        if not path:
            continue
        probe = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return path
    raise CourseError(
        f"binder/environment.yml names Python {version}, and no python{version} is "
        "on PATH: install it to reproduce the Binder image."
    )


def cache_key(*files: Path, python: str) -> str:
    digest = hashlib.sha256(python.encode())
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_environment(
    spec: EnvironmentFile, python: str, key: str, folder: Path | None = None, fresh: bool = False
) -> tuple[Path, float | None]:
    """The venv with the environment file's pip list; reused when made from the same files
    (``key``) unless ``fresh``. Returns its bin folder and the install's seconds (None: reused)."""
    folder = folder or binder_venv(key)
    stamp, bin_dir = folder / ".binder-key", folder / "bin"
    if not fresh and stamp.exists() and stamp.read_text() == key and (bin_dir / "python").exists():
        return bin_dir, None
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as requirements:
        requirements.write("\n".join(spec.pip) + "\n")
    try:
        done = subprocess.run(
            [
                str(bin_dir / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                requirements.name,
            ]
        )
    finally:
        os.unlink(requirements.name)
    if done.returncode:
        raise CourseError(
            f"pip could not install binder/environment.yml's list (exit "
            f"{done.returncode}): Binder's build would fail the same way."
        )
    stamp.write_text(key)
    return bin_dir, time.perf_counter() - start


def learner_env(home: Path, bin_dir: Path) -> dict[str, str]:
    """The environment of the image's user: a fresh home (the repository copy), the venv's bin
    first on PATH, Binder's hub prefix, and only the host variables in :data:`PASSED_ON`."""
    env = {k: v for k, v in os.environ.items() if k in PASSED_ON or k.startswith(("LC_", "PIP_"))}
    user_pip = Path.home() / ".config" / "pip" / "pip.conf"  # the machine's index set-up
    if user_pip.exists() and "PIP_CONFIG_FILE" not in env:
        env["PIP_CONFIG_FILE"] = str(user_pip)
    return {
        **env,
        "HOME": str(home),
        "REPO_DIR": str(home),
        "SHELL": "/bin/bash",
        "PATH": f"{bin_dir}:{home}/.local/bin:{SYSTEM_PATH}",
        "PYTHONUNBUFFERED": "1",
        "JUPYTERHUB_SERVICE_PREFIX": BASE_URL,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_command(home: Path, port: int, token: str) -> list[str]:
    """``binder/start jupyter lab ...``, as Binder starts a learner's server (plus --allow-root
    when run as root: Binder's user is jovyan, and Jupyter refuses root otherwise)."""
    return [
        str(home / "binder" / "start"),
        "jupyter",
        "lab",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.base_url={BASE_URL}",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]


def report(results: list[LessonResult]) -> str:
    """Each lesson's cells, wall time, peak memory (the memory group's charge when there is one,
    and the sampled RSS of the session's processes) and verdict, one line each."""
    header = (
        f"{'lesson':<6} {'notebook':<32} {'cells':>5} {'seconds':>8} {'group MB':>9} "
        f"{'RSS MB':>7}  verdict"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        charge = "-" if r.peak_charge is None else f"{r.peak_charge / 1024**2:.0f}"
        lines.append(
            f"{r.number:<6} {r.notebook:<32} {r.cells:>5} {r.seconds:>8.1f} "
            f"{charge:>9} {r.peak_rss / 1024**2:>7.0f}  "
            f"{'pass' if r.passed else 'FAIL: ' + str(r.error)}"
        )
    lines.append(
        "(group MB: the memory group's peak charge during the lesson, what the kernel "
        "enforces; RSS MB: the\n sampled peak of the session's processes' RSS, shared "
        "pages counted in each: an upper bound)"
    )
    for r in results:
        if r.service:
            lines.append(f"lesson {r.number}'s service, {r.service}")
    return "\n".join(lines)


def check(
    ref: str | None = "HEAD",
    fresh: bool = False,
    plan_only: bool = False,
    keep: bool = False,
    cpu: str = "0",
) -> int:
    """Run the whole check (see the module docstring); 0 when the plan and every lesson pass."""
    from course.lessons import LESSONS

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="course-binder-"))
    home = binder_plan.clean_copy(workdir / "jovyan", ref)
    say(f"clean copy of {ref or 'the working tree'} in {home} (the image's home and REPO_DIR)")
    try:
        problems = _plan(home)
        if plan_only or problems:
            return 1 if problems else 0
        return _session(home, fresh, cpu, started, LESSONS)
    finally:
        if keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _plan(home: Path) -> list[str]:
    spec = read_environment((home / "binder" / "environment.yml").read_text())
    tool = binder_plan.ensure_tool()
    dockerfile = binder_plan.render(home, tool)
    say(f"plan (repo2docker {_tool_version(tool)} --no-build, as BinderHub builds it):")
    for line in binder_plan.plan_summary(dockerfile):
        print(f"    {line}")
    problems = binder_plan.plan_problems(dockerfile, spec.python)
    for problem in problems:
        say(f"PLAN PROBLEM: {problem}")
    say(
        "plan: "
        + (
            "FAILED"
            if problems
            else f"environment.yml (Python {spec.python}) before "
            "the repository, postBuild after it, binder/start as the entrypoint"
        )
    )
    return problems


def _tool_version(tool: Path) -> str:
    done = subprocess.run([str(tool), "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).strip()


def _session(home: Path, fresh: bool, cpu: str, started: float, lessons) -> int:
    env_file, post_build = home / "binder" / "environment.yml", home / "binder" / "postBuild"
    spec = read_environment(env_file.read_text())
    python = find_python(spec.python)
    key = cache_key(env_file, post_build, python=spec.python)
    say(
        f"environment: {len(spec.pip)} pip requirements from binder/environment.yml into a "
        f"Python {spec.python} venv ({python})"
    )
    bin_dir, seconds = build_environment(spec, python, key, fresh=fresh)
    say(
        f"environment installed in {seconds:.0f} s"
        if seconds is not None
        else f"environment reused from {binder_venv(key)} (same environment.yml and postBuild; "
        "--fresh reinstalls)"
    )
    env = learner_env(home, bin_dir)
    say("running binder/postBuild as written")
    start = time.perf_counter()
    done = subprocess.run([str(post_build)], cwd=home, env=env)
    if done.returncode:
        say(f"binder/postBuild FAILED (exit {done.returncode}): Binder's build would stop here")
        return 1
    say(f"postBuild done in {time.perf_counter() - start:.0f} s")
    choice = binder_limits.detect()
    say(f"CPU: taskset -c {cpu} (one CPU). Memory ceiling 2 GB by {choice.kind}: {choice.reason}")
    group = binder_limits.MemoryGroup(choice.parent) if choice.kind == "cgroup" else None
    port, token = free_port(), secrets.token_urlsafe(24)
    command = ["taskset", "-c", cpu, *lab_command(home, port, token)]
    say("starting: " + " ".join(command).replace(token, "<token>"))
    log = (home.parent / "jupyter-server.log").open("wb")
    start = time.perf_counter()
    server = subprocess.Popen(
        group.wrap(command) if group else command,
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    sampler = binder_limits.Sampler(
        psutil.Process(server.pid), kill_over=None if group else binder_limits.BINDER_MEMORY
    ).start()
    lab = Lab(f"http://127.0.0.1:{port}{BASE_URL}", token, BASE_URL)
    results: list[LessonResult] = []
    try:
        while not lab.ready():
            if server.poll() is not None or time.perf_counter() - start > 180:
                log.close()
                say(
                    "JupyterLab did not start:\n"
                    + (home.parent / "jupyter-server.log").read_text(errors="replace")[-3000:]
                )
                return 1
            time.sleep(0.2)
        say(f"JupyterLab ready in {time.perf_counter() - start:.1f} s (page and REST API answer)")
        for lesson in lessons:
            sampler.mark()
            if group:
                group.reset_peak()
            say(f"lesson {lesson.number}: {lesson.notebook} ...")
            result = run_lesson(lab, home, lesson.number, home / "notebooks" / lesson.notebook)
            result.peak_rss = sampler.window_peak
            result.peak_charge = group.peak() if group else None
            results.append(result)
            say(
                f"lesson {lesson.number}: {'pass' if result.passed else 'FAIL'} in "
                f"{result.seconds:.1f} s" + (f" ({result.error})" if result.error else "")
            )
        kills = group.oom_kills() if group else sampler.kills
    finally:
        sampler.stop()
        binder_limits.kill_tree(psutil.Process(server.pid))
        server.wait()
        log.close()
        if group:
            group.remove()
    print(report(results))
    charge = max((r.peak_charge or 0 for r in results), default=0)
    say(
        "session peak memory: "
        + (f"{charge / 1024**2:.0f} MB charged to the memory group, " if group else "")
        + f"{sampler.peak / 1024**2:.0f} MB sampled RSS of the whole process "
        f"tree (ceiling {binder_limits.BINDER_MEMORY / 1024**2:.0f} MB); processes killed for "
        f"memory: {kills}"
    )
    if group and sampler.peak > binder_limits.BINDER_MEMORY:
        say(
            "warning: the sampled RSS went over 2 GB although the group's charge did not (pages "
            "of files cached before the session are charged elsewhere): Binder may count them"
        )
    failed = [r for r in results if not r.passed]
    say(
        f"total {time.perf_counter() - started:.0f} s; "
        + (
            f"{len(failed)} lesson(s) FAILED"
            if failed
            else f"all {len(results)} lessons passed under one CPU and 2 GB"
        )
    )
    return 1 if failed or kills else 0

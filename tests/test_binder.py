"""The Binder path: repo2docker's rendered plan, and the pure parts of
``python -m authoring binder-check`` (the environment file's pip list, the limits, a lesson's
outcome and the report). The whole check, which builds the environment and runs every lesson
under one CPU and 2 GB, is ``python3 kit.py binder-check`` (a part of ``.ci/run`` of its own)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest

from authoring import binder, binder_limits, binder_plan, binder_session
from course.errors import CourseError
from course.setup.pins import parse_requirement_lines, read_lock

ROOT = Path(__file__).resolve().parents[1]

#: The parts of the Dockerfile repo2docker 2026.4.0 renders for this repository that the checks
#: read (continuation lines and all), in its order.
GOOD_PLAN = (
    """FROM docker.io/library/buildpack-deps:24.04
COPY --chown=0:0 build_script_files/-2fsite-2dpackages-2frepo2docker-2fbuildpacks-2fconda-2f"""
    """environment-2epy-2d3-2e11-2dlinux-2d64-2elock-85f0de /tmp/env/environment.lock
USER root
# Copy stuff.
COPY --chown=1000:1000 src/binder/environment.yml ${REPO_DIR}/binder/environment.yml
USER ${NB_USER}
RUN TIMEFORMAT='time: %3R' \\
bash -c 'time ${MAMBA_EXE} env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml" && \\
${MAMBA_EXE} list -p ${NB_PYTHON_PREFIX} \\
'
USER root
COPY --chown=1000:1000 src/ ${REPO_DIR}/
USER ${NB_USER}
RUN chmod +x binder/postBuild
RUN ./binder/postBuild
ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"
ENTRYPOINT ["/usr/local/bin/repo2docker-entrypoint"]
CMD ["jupyter", "notebook", "--ip", "0.0.0.0"]
"""
)


# -- the rendered plan --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> str:
    tool = binder_plan.tool_executable()
    if not tool.exists():
        pytest.skip(
            f"repo2docker's tool environment is absent ({tool}): `python3 kit.py test` "
            "and `.ci/run` create it (`python -m authoring.binder_plan`)"
        )
    return binder_plan.render(binder_plan.clean_copy(tmp_path_factory.mktemp("r2d") / "repo"), tool)


def test_repo2docker_plans_environment_yml_then_the_repository_then_post_build(rendered):
    from course.config import ENVIRONMENT_PYTHON

    python = ".".join(map(str, ENVIRONMENT_PYTHON))
    assert binder_plan.plan_problems(rendered, python) == []
    steps = [f"{s.keyword} {s.args}" for s in binder_plan.instructions(rendered)]
    assert binder_plan.base_python(binder_plan.instructions(rendered)) == python
    env_copy = steps.index(
        "COPY --chown=1000:1000 src/binder/environment.yml ${REPO_DIR}/binder/environment.yml"
    )
    (env_update,) = [i for i, s in enumerate(steps) if '--file "binder/environment.yml"' in s]
    repo_copy = steps.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    post_build = steps.index("RUN ./binder/postBuild")
    assert env_copy < env_update < repo_copy < post_build
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in steps
    # repo2docker never installs the repository itself (issue #1265): postBuild must
    assert not [s for s in steps if re.search(r"pip install .*(-e )?\.(\s|$)", s)]


def test_the_plan_check_finds_each_kind_of_problem():
    assert binder_plan.plan_problems(GOOD_PLAN, "3.11") == []
    assert binder_plan.plan_problems(GOOD_PLAN, "3.12") == [
        "base environment is for Python 3.11, binder/environment.yml says 3.12"
    ]
    swapped = GOOD_PLAN.replace("RUN ./binder/postBuild\n", "").replace(
        "USER root\nCOPY --chown=1000:1000 src/ ",
        "RUN ./binder/postBuild\nUSER root\nCOPY --chown=1000:1000 src/ ",
    )
    assert any(
        p.startswith("steps out of order") for p in binder_plan.plan_problems(swapped, "3.11")
    )
    as_root = GOOD_PLAN.replace("--chown=1000:1000 src/ ", "--chown=0:0 src/ ")
    assert "not owned by uid 1000" in binder_plan.plan_problems(as_root, "3.11")[0]
    no_start = GOOD_PLAN.replace('ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"\n', "")
    assert binder_plan.plan_problems(no_start, "3.11") == [
        "binder/start is not the entrypoint (no R2D_ENTRYPOINT)"
    ]
    no_env = GOOD_PLAN.replace('--file "binder/environment.yml"', '--file "environment.yml"')
    assert binder_plan.plan_problems(no_env, "3.11") == ["no step: environment built from it"]


def test_repo2docker_is_pinned_in_its_own_tool_environment_only():
    lines = [
        line
        for line in binder_plan.TOOL_LOCK.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert all(re.fullmatch(r"[a-z0-9._-]+==[\w.+-]+", line) for line in lines), lines
    assert "jupyter-repo2docker==2026.4.0" in lines
    for learners in (
        "requirements.lock",
        "requirements-test.lock",
        "environment.yml",
        "binder/environment.yml",
        "pyproject.toml",
    ):
        assert "repo2docker" not in (ROOT / learners).read_text(), learners


# -- the image's steps ---------------------------------------------------------------------------


def test_the_pip_list_is_read_from_binder_environment_yml_with_its_markers():
    from course.config import ENVIRONMENT_PYTHON

    spec = binder.read_environment((ROOT / "binder" / "environment.yml").read_text())
    assert spec.python == ".".join(map(str, ENVIRONMENT_PYTHON))
    assert (
        "tensorflow-cpu==2.21.0 ; (platform_machine == 'x86_64' and sys_platform == 'linux') "
        "or (platform_machine == 'AMD64' and sys_platform == 'win32')"
    ) in spec.pip
    pins = {(p.name, p.marker): p.version for p in parse_requirement_lines(spec.pip)}
    assert pins == {(p.name, p.marker): p.version for p in read_lock()}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "dependencies: [python=3.11, pip, {pip: ['-e .', 'numpy==2.4.6']}]",
            "Install the package in binder/postBuild",
        ),
        ("dependencies: [pip, {pip: ['numpy==2.4.6']}]", "pins no Python version"),
        ("dependencies: [python=3.11, pip, nodejs, {pip: ['numpy==2.4.6']}]", "nodejs"),
        ("dependencies: [python=3.11, pip]", "no pip list"),
    ],
)
def test_what_a_venv_cannot_reproduce_is_refused_with_the_reason(text, message):
    with pytest.raises(CourseError, match=re.escape(message)):
        binder.read_environment(text)


def test_the_environment_file_python_forms():
    for dep, version in (
        ("python=3.11", "3.11"),
        ("python=3.12.4", "3.12"),
        ("python==3.13", "3.13"),
    ):
        assert binder.read_environment(f"dependencies: [{dep}, {{pip: [x==1]}}]").python == version


def test_the_learner_environment_is_a_fresh_home_with_the_venv_first(tmp_path, monkeypatch):
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/.venv")
    monkeypatch.setenv("COURSE_DATA_DIR", "/data")
    env = binder.learner_env(tmp_path, tmp_path / "venv" / "bin")
    assert env["PATH"].split(":")[0] == str(tmp_path / "venv" / "bin")
    assert env["HOME"] == env["REPO_DIR"] == str(tmp_path)
    assert env["COURSE_DATA_DIR"] == "/data" and "VIRTUAL_ENV" not in env
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == binder.BASE_URL
    command = binder.lab_command(tmp_path, 8888, "secret")
    assert command[:3] == [str(tmp_path / "binder" / "start"), "jupyter", "lab"]
    assert "--ServerApp.token=secret" in command and "--no-browser" in command


# -- the limits ----------------------------------------------------------------------------------


def test_the_limits_choice(tmp_path):
    assert binder_limits.choose_limit(None, False).kind == "watchdog"
    refused = binder_limits.choose_limit(tmp_path, False)
    assert refused.kind == "watchdog" and "not writable" in refused.reason
    chosen = binder_limits.choose_limit(tmp_path, True)
    assert chosen.kind == "cgroup" and chosen.parent == tmp_path
    v1 = "9:name=systemd:/\n4:memory:/process_api/abc\n3:cpuset:/\n0::/\n"
    assert binder_limits.own_memory_cgroup(v1, Path("/m")) == Path("/m/process_api/abc")
    assert binder_limits.own_memory_cgroup("0::/user.slice\n", Path("/m")) is None


def _hog(megabytes: int) -> subprocess.Popen:
    code = (
        f"import time; x = bytearray({megabytes} * 2**20); x[::4096] = b'1' * len(x[::4096]); "
        "time.sleep(30)"
    )
    return subprocess.Popen([sys.executable, "-c", code])


def test_the_watchdog_kills_the_biggest_process_over_the_ceiling():
    hog = _hog(200)
    sampler = binder_limits.Sampler(psutil.Process(hog.pid), kill_over=100 * 2**20, every=0.05)
    sampler.start()
    try:
        assert hog.wait(timeout=20) == -9
    finally:
        sampler.stop()
        hog.kill()
    assert sampler.kills >= 1 and sampler.peak > 100 * 2**20


def test_the_memory_group_enforces_its_ceiling():
    choice = binder_limits.detect()
    if choice.kind != "cgroup":
        pytest.skip(f"no writable memory cgroup here: {choice.reason}")
    group = binder_limits.MemoryGroup(choice.parent, limit=100 * 2**20)
    try:
        code = "x = bytearray(300 * 2**20); x[::4096] = b'1' * len(x[::4096])"
        done = subprocess.run(group.wrap([sys.executable, "-c", code]))
        assert done.returncode == -9 or done.returncode == 137
        assert group.oom_kills() >= 1 and group.peak() <= 100 * 2**20
    finally:
        group.remove()
    assert not group.path.exists()


# -- a lesson's outcome and the report -----------------------------------------------------------


def _msg(kind: str, **content) -> dict:
    return {"header": {"msg_type": kind}, "content": content}


def test_a_cell_with_an_error_output_fails_and_streams_are_collected():
    ok = binder_session.outcome(
        [
            _msg("stream", name="stdout", text="hello\n"),
            _msg("execute_result", data={"text/plain": "42"}),
            _msg("execute_reply", status="ok"),
        ]
    )
    assert ok == binder_session.Cell("hello\n42")
    failed = binder_session.outcome(
        [
            _msg("stream", name="stdout", text="x"),
            _msg("error", ename="ValueError", evalue="bad", traceback=[]),
            _msg("execute_reply", status="error", ename="ValueError", evalue="bad"),
        ]
    )
    assert failed.error == "ValueError: bad"
    assert binder_session.outcome([_msg("execute_reply", status="aborted")]).error


def test_a_failing_lesson_is_reported_and_fails_the_table():
    passed = binder_session.LessonResult(
        "00", "00_start_here.ipynb", 4.2, 12, peak_rss=300 * 2**20, peak_charge=250 * 2**20
    )
    failed = binder_session.LessonResult(
        "03",
        "03_x.ipynb",
        61.0,
        7,
        "cell 7: the kernel died (restarting): out of memory?",
        peak_rss=2**31,
    )
    text = binder.report([passed, failed])
    row_ok, row_failed = text.splitlines()[2:4]
    assert row_ok.split()[-4:] == ["4.2", "250", "300", "pass"]
    assert "FAIL: cell 7: the kernel died" in row_failed and " 2048 " in row_failed
    assert passed.passed and not failed.passed


def test_the_service_port_is_read_from_what_the_lesson_prints():
    assert (
        binder_session.service_port(
            "/user/learner/proxy/8000/docs (relative to your Binder "
            "address)\nThe service process uses 64 MB"
        )
        == 8000
    )
    assert binder_session.service_port("http://127.0.0.1:8123/docs\n") == 8123
    assert binder_session.service_port("The service is up.\n") is None


def test_the_kernel_is_picked_as_jupyterlab_picks_it():
    specs = {
        "default": "python3",
        "kernelspecs": {
            "python3": {"spec": {"language": "python"}},
            "ir": {"spec": {"language": "R"}},
        },
    }
    nb = nbformat.from_dict(
        {"cells": [], "metadata": {"kernelspec": {"name": "python3", "language": "python"}}}
    )
    assert binder_session.pick_kernel(nb, specs) == "python3"
    nb.metadata.kernelspec = {"name": "ai-business-course", "language": "python"}
    assert binder_session.pick_kernel(nb, specs) == "python3"
    nb.metadata.kernelspec = {"name": "julia-1.9", "language": "julia"}
    assert binder_session.pick_kernel(nb, specs) == "python3"


def test_the_service_lesson_is_recognised():
    lesson = nbformat.read(ROOT / "notebooks" / "04_model_service.ipynb", as_version=4)
    assert binder_session.starts_service(lesson)
    assert not binder_session.starts_service(
        nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4)
    )


# -- the README ----------------------------------------------------------------------------------


def test_the_readme_has_no_placeholder_link():
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    placeholder = re.compile(r"OWNER|REPO\b|<owner>|<repo>|example\.(com|org)|/v2/gh/[^/]*/?$")
    assert targets and not [t for t in targets if placeholder.search(t)], targets
    assert "OWNER/REPO" not in readme
    assert "course binder-url" in readme  # how to get the real link


def test_ci_runs_the_binder_check_as_a_part_of_its_own():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r'^part "[^"]*[Bb]inder[^"]*" .*kit\.py binder-check', ci, flags=re.M)


def test_binder_check_mistakes_are_one_line_messages(capsys, monkeypatch):
    from authoring import cli

    monkeypatch.setattr(
        binder,
        "check",
        lambda **_: (_ for _ in ()).throw(
            CourseError("binder/environment.yml names Python 3.11, and no python3.11 is on PATH")
        ),
    )
    assert cli.main(["binder-check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1

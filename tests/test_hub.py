"""A class on a real JupyterHub (issue 19): several learners at once, the progress view, and
learners who cannot reach each other.

The hub is started as ``python kit.py hub`` starts it (the pinned proxy, the shared password,
one system account per learner, cgroup limits, the idle culler and the progress service). Each
learner's server runs lesson 02 at the same time as the others, through its kernel API; each
answers one exercise (one of them wrongly); then the instructor's progress view must show it,
and a learner must be refused the view, another's server and another's files. Stopping the hub
must leave no process behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.hub, pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("npm"),
    reason="the class hub creates system accounts (root, useradd) and installs its proxy (npm)")]

LEARNERS = 3
ANSWER = ("from course.data import load_epoch_models\n"
          "from course.exercises.lesson00 import q1\n"
          "models = load_epoch_models()\n"
          "q1.check({answer})")  # fmt: skip
CORRECT = "int((models['year'] == 2024).sum())"


@contextmanager
def kernel_on(server: str, token: str):
    """A new kernel on a learner's server, through its API, shut down afterwards."""
    from course.kit.binder_session import KernelSocket

    headers = {"Authorization": f"token {token}"}
    kernel = httpx.post(server + "api/kernels", headers=headers, json={"name": "python3"},
                        timeout=60).json()  # fmt: skip
    channel = KernelSocket(server.replace("http", "ws", 1) + f"api/kernels/{kernel['id']}/channels",
                           token)  # fmt: skip
    try:
        channel.handshake()
        yield channel
    finally:
        channel.close()
        httpx.delete(server + f"api/kernels/{kernel['id']}", headers=headers, timeout=60)


def run_code(server: str, token: str, code: str) -> str:
    """Run ``code`` in a new kernel on a learner's server; returns its text output."""
    with kernel_on(server, token) as channel:
        done = channel.execute(code, timeout=120)
    assert not done.error, done.error
    return done.text


@pytest.fixture(scope="module")
def hub():
    from course.kit.hub_client import temporary_hub

    with temporary_hub(admin=f"teacher{secrets.token_hex(2)}", idle_timeout=600) as started:
        yield started


def test_a_class_runs_lesson_02_at_once_and_the_instructor_sees_its_progress(hub):
    from course.kit.binder_session import Lab, run_lesson
    from course.kit.hub_spawner import account_name, cgroup_paths, cgroups_available

    names = [f"l{secrets.token_hex(3)}" for _ in range(LEARNERS)]
    for name in names:
        hub.add_learner(name)
    with ThreadPoolExecutor(LEARNERS) as pool:
        list(pool.map(hub.start_server, names))
        list(pool.map(hub.wait_server, names))
    tokens = {name: hub.token_for(name) for name in names}
    folders = {name: Path(hub.settings.home_root) / account_name(name) / "ai-business-course"
               for name in names}  # fmt: skip
    if cgroups_available():  # the limits are enforced, not only configured
        for name in names:
            memory = cgroup_paths(account_name(name))["memory"]
            assert int((memory / "memory.limit_in_bytes").read_text()) == hub.settings.mem_limit
            assert (memory / "cgroup.procs").read_text().split(), f"{name}'s server is not in it"

    def lesson(name: str):
        lab = Lab(url=hub.server_url(name), token=tokens[name], base=f"/user/{name}/")
        return run_lesson(lab, folders[name], "02", folders[name] / "02_scoring_model.ipynb")

    with ThreadPoolExecutor(LEARNERS) as pool:
        results = list(pool.map(lesson, names))
    for name, result in zip(names, results):
        assert result.passed, f"{name}: {result.error}"
    assert hub.api("GET", "").status_code == 200  # the hub kept answering

    answers = [CORRECT] + ["-1"] * (LEARNERS - 1)
    for name, answer in zip(names, answers):
        shown = run_code(hub.server_url(name), tokens[name], ANSWER.format(answer=answer))
        assert ("Correct" in shown) == (answer == CORRECT), shown

    hub.add_learner(hub.settings.admin)
    view = hub.settings.url + "services/progress/"
    teacher = {"Authorization": f"token {hub.token_for(hub.settings.admin)}"}
    rows = {r["exercise"]: r for r in httpx.get(view + "api/summary", headers=teacher,
                                                timeout=30, follow_redirects=True).json()}  # fmt: skip
    assert rows["00.q1"]["solved_by"] == [names[0]] and rows["00.q1"]["learners"] == LEARNERS
    assert [s["learner"] for s in rows["00.q1"]["stuck"]] == sorted(names[1:])
    assert "02.q1" in rows and rows["02.q1"]["solved"] == 0
    page = httpx.get(view, headers=teacher, timeout=30, follow_redirects=True)
    assert page.status_code == 200 and f"1 of {LEARNERS}" in page.text

    # A learner sees neither the class view, nor another's server, nor another's files.
    own = {"Authorization": f"token {tokens[names[1]]}"}
    assert httpx.get(view + "api/summary", headers=own, timeout=30).status_code == 403
    other = httpx.get(hub.server_url(names[0]) + "api/contents", headers=own, timeout=30)
    assert other.status_code in (403, 404), other.status_code
    peek = (f"import pathlib\ntry:\n    pathlib.Path({str(folders[names[0]] / 'progress')!r})"
            ".joinpath('progress.json').read_text()\n    print('read')\n"
            "except PermissionError:\n    print('refused')")  # fmt: skip
    assert run_code(hub.server_url(names[1]), tokens[names[1]], peek).strip() == "refused"

    hub.learners = dict(zip(names, zip(tokens.values(), folders.values())))


SERVICE = """
from course.service.server import BackgroundService
service = BackgroundService.start(timeout=120)
print("port", service.port)
"""


def test_each_learner_runs_lesson_04_and_its_service_is_theirs_alone(hub):
    """Two learners run lesson 04 at once; then each starts a service and the other's code is
    refused by it (403), while its owner is served and sees only their own requests."""
    from course.kit.binder_session import Lab, run_lesson

    names = list(hub.learners)[:2]

    def lesson(name: str):
        token, folder = hub.learners[name]
        lab = Lab(url=hub.server_url(name), token=token, base=f"/user/{name}/")
        return run_lesson(lab, folder, "04", folder / "04_model_service.ipynb")

    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(lesson, names))
    for name, result in zip(names, results):
        assert result.passed, f"{name}: {result.error}"
        assert "reached through /proxy/" in (result.service or ""), result.service

    owner, other = names
    token = hub.learners[owner][0]
    server = hub.server_url(owner)
    headers = {"Authorization": f"token {token}"}
    with kernel_on(server, token) as channel:
        started = channel.execute(SERVICE, timeout=180)
        assert not started.error, started.error
        port = int(started.text.split()[-1])
        call = (f"import httpx\nr = httpx.get('http://127.0.0.1:{port}/v1/usage')\n"
                "print(r.status_code, r.json().get('detail', ''))")  # fmt: skip
        refused = run_code(hub.server_url(other), hub.learners[other][0], call)
        assert refused.startswith("403") and "account that started it" in refused, refused
        mine = channel.execute(call.replace("print(r.status_code, r.json().get('detail', ''))",
                                            "print(r.status_code, r.json())"))  # fmt: skip
        assert not mine.error and mine.text.startswith("200"), mine.text
        proxied = httpx.get(server + f"proxy/{port}/health", headers=headers, timeout=30)
        assert proxied.status_code == 200, proxied.text  # (JupyterLab's proxy runs as the owner)
        channel.execute("service.stop()")


def test_stopping_the_hub_leaves_no_process(hub):
    from course.kit.hub_client import leftovers

    hub.stop()
    assert leftovers(hub.settings.state) == [], "processes left after the hub stopped"

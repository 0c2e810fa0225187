"""A class on a real JupyterHub (issues 19 and 27): several learners at once, the progress view,
learners who cannot reach each other, and a class's whole life: the hub started the way an
instructor starts it (``python -m classroom hub``) from a checkout in a private folder (mode 0700,
as a home is), servers stopped, the hub stopped and restarted, the learners removed.

The hub runs as ``python kit.py hub`` starts it (the pinned proxy, the shared password, one
system account per learner, cgroup limits, the idle culler and the progress service). Each
learner's server runs lesson 02 at the same time as the others, through its kernel API; each
answers one exercise (one of them wrongly); then the instructor's progress view must show it,
and a learner must be refused the view, another's server and another's files. Stopping a server
or the hub must stop everything its learner started (lesson 04's service included), and removing
the learners must leave no process, account, group or temporary folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("npm"),
        reason="the class hub creates system accounts (root, useradd) and installs its proxy (npm)",
    ),
]

LEARNERS = 3
ANSWER = (
    "from course.data import load_epoch_models\n"
    "from course.exercises.lesson00 import q1\n"
    "models = load_epoch_models()\n"
    "q1.check({answer})"
)
CORRECT = "int((models['year'] == 2024).sum())"


@contextmanager
def kernel_on(server: str, token: str):
    """A new kernel on a learner's server, through its API, shut down afterwards."""
    from authoring.binder_session import KernelSocket

    headers = {"Authorization": f"token {token}"}
    kernel = httpx.post(
        server + "api/kernels", headers=headers, json={"name": "python3"}, timeout=60
    ).json()
    channel = KernelSocket(
        server.replace("http", "ws", 1) + f"api/kernels/{kernel['id']}/channels", token
    )
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


def remove_stale_learners() -> None:
    """Learners an earlier run of this file left when it was killed (its clean-up never ran)."""
    import pwd

    from classroom.hub_accounts import ACCOUNT_PREFIX, remove_learner

    for entry in pwd.getpwall():
        home = Path(entry.pw_dir)
        if (
            entry.pw_name.startswith(ACCOUNT_PREFIX)
            and home.parent.name == "homes"
            and home.parent.parent.name.startswith("course-hub-test-")
        ):
            remove_learner(entry.pw_name)


@pytest.fixture(scope="module")
def private():
    """A copy of this checkout in a folder only root can enter (mode 0700), with its ``.venv``
    linked: no learner account can read the course, the hub's Python or its libraries there."""
    from classroom.class_hub import ensure_proxy
    from classroom.hub_client import private_checkout

    remove_stale_learners()
    ensure_proxy()  # (linked into the copy)
    folder = Path(tempfile.mkdtemp(prefix="course-private-"))
    try:
        yield private_checkout(folder / "home")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def hub(private):
    from classroom.hub_client import temporary_hub

    python = str(private / ".venv" / "bin" / "python")
    admin = f"teacher{secrets.token_hex(2)}"
    with temporary_hub(private, python, admin=admin, idle_timeout=600) as started:
        yield started


@pytest.fixture(scope="module")
def learners(hub) -> dict[str, tuple[str, Path]]:
    """The class: each learner's token and course folder, their servers started."""
    from classroom.hub_spawner import account_name

    names = [f"l{secrets.token_hex(3)}" for _ in range(LEARNERS)]
    for name in names:
        hub.add_learner(name)
    with ThreadPoolExecutor(LEARNERS) as pool:
        list(pool.map(hub.start_server, names))
        list(pool.map(hub.wait_server, names))
    return {
        name: (
            hub.token_for(name),
            Path(hub.settings.home_root) / account_name(name) / "ai-business-course",
        )
        for name in names
    }


def test_the_learners_never_read_the_private_checkout(hub, learners, private):
    from classroom.hub_install import LEARNER_ENVS

    assert private.parent.stat().st_mode & 0o077 == 0  # (the premise: a private home)
    name = next(iter(learners))
    shown = run_code(
        hub.server_url(name),
        learners[name][0],
        "import subprocess, sys, course\nprint(course.__file__, sys.executable)\n"
        "print(subprocess.run(['course', 'progress'], capture_output=True).returncode)",
    )
    module, python, command = shown.split()
    assert module.startswith(f"{LEARNER_ENVS}/course-") and python.startswith(str(LEARNER_ENVS))
    assert command == "0"  # (the `course` command in a learner's terminal)
    assert str(private) not in module and str(private) not in python


def test_a_learners_terminal_runs_the_course_command(hub, learners):
    """``course progress`` typed in a learner's Lab terminal (*File > New > Terminal*), as the
    README and lesson 00 say: Jupyter starts a login shell, and Debian's /etc/profile resets PATH,
    so the course's terminal settings (course/setup/lab_setup.py) must reach the hub's servers."""
    import json
    import re
    import time

    import websocket

    name = next(iter(learners))
    server, token = hub.server_url(name), learners[name][0]
    headers = {"Authorization": f"token {token}"}
    terminal = httpx.post(server + "api/terminals", headers=headers, timeout=60).json()["name"]
    socket = websocket.create_connection(
        server.replace("http", "ws", 1) + f"terminals/websocket/{terminal}",
        header=[f"Authorization: token {token}"],
        timeout=60,
    )
    screen, deadline = "", time.monotonic() + 120
    try:
        socket.send(json.dumps(["stdin", 'course progress; echo "exit:$?"\r']))
        while not re.search(r"exit:\d+", screen) and time.monotonic() < deadline:
            message = json.loads(socket.recv())
            if message[0] == "stdout":
                screen += message[1]
    finally:
        socket.close()
        httpx.delete(server + f"api/terminals/{terminal}", headers=headers, timeout=60)
    assert "exit:0" in screen, screen[-1500:]
    assert "not found" not in screen, screen[-1500:]  # (dash: "course: not found", exit 127)


def test_a_class_runs_lesson_02_at_once_and_the_instructor_sees_its_progress(hub, learners):
    from authoring.binder_session import Lab, run_lesson
    from classroom.hub_spawner import account_name, cgroup_paths, cgroups_available

    names = list(learners)
    tokens = {name: learners[name][0] for name in names}
    folders = {name: learners[name][1] for name in names}
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
    for name, result in zip(names, results, strict=True):
        assert result.passed, f"{name}: {result.error}"
    assert hub.api("GET", "").status_code == 200  # the hub kept answering

    answers = [CORRECT] + ["-1"] * (LEARNERS - 1)
    for name, answer in zip(names, answers, strict=True):
        shown = run_code(hub.server_url(name), tokens[name], ANSWER.format(answer=answer))
        assert ("Correct" in shown) == (answer == CORRECT), shown

    view = hub.settings.url + "services/progress/"
    teacher = {"Authorization": f"token {hub.token_for(hub.settings.admin)}"}
    rows = {
        r["exercise"]: r
        for r in httpx.get(
            view + "api/summary", headers=teacher, timeout=30, follow_redirects=True
        ).json()
    }
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
    peek = (
        f"import pathlib\ntry:\n    pathlib.Path({str(folders[names[0]] / 'progress')!r})"
        ".joinpath('progress.json').read_text()\n    print('read')\n"
        "except PermissionError:\n    print('refused')"
    )
    assert run_code(hub.server_url(names[1]), tokens[names[1]], peek).strip() == "refused"


def test_the_instructor_logging_in_gets_the_admin_page_not_a_learner_server(hub, learners):
    from classroom.hub_accounts import account_name

    base = hub.settings.url
    with httpx.Client(timeout=60, follow_redirects=True) as browser:
        form = browser.get(base + "hub/login")
        answer = browser.post(
            base + "hub/login",
            data={
                "username": hub.settings.admin,
                "password": hub.settings.admin_password,
                "_xsrf": browser.cookies.get("_xsrf", ""),
            },
        )
        assert form.status_code == 200 and answer.status_code == 200, answer.text[:300]
        assert answer.url.path.endswith("/hub/admin"), answer.url
        browser.get(base + "hub/spawn")  # (the start button: refused, with a message)
    refused = hub.api("POST", f"users/{hub.settings.admin}/server")
    assert refused.status_code >= 400, refused.status_code
    assert not (Path(hub.settings.home_root) / account_name(hub.settings.admin)).exists()
    teacher = {"Authorization": f"token {hub.token_for(hub.settings.admin)}"}
    rows = httpx.get(
        base + "services/progress/api/summary", headers=teacher, timeout=30, follow_redirects=True
    ).json()
    assert {row["learners"] for row in rows} == {LEARNERS}


SERVICE = """
from course.service.background import BackgroundService
service = BackgroundService.start(timeout=120)
print("port", service.port)
"""


def test_each_learner_runs_lesson_04_and_its_service_is_theirs_alone(hub, learners):
    """Two learners run lesson 04 at once; then each starts a service and the other's code is
    refused by it (403), while its owner is served and sees only their own requests."""
    from authoring.binder_session import Lab, run_lesson

    names = list(learners)[:2]

    def lesson(name: str):
        token, folder = learners[name]
        lab = Lab(url=hub.server_url(name), token=token, base=f"/user/{name}/")
        return run_lesson(lab, folder, "04", folder / "04_model_service.ipynb")

    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(lesson, names))
    for name, result in zip(names, results, strict=True):
        assert result.passed, f"{name}: {result.error}"
        assert "reached through /proxy/" in (result.service or ""), result.service

    owner, other = names
    token = learners[owner][0]
    server = hub.server_url(owner)
    headers = {"Authorization": f"token {token}"}
    with kernel_on(server, token) as channel:
        started = channel.execute(SERVICE, timeout=180)
        assert not started.error, started.error
        port = int(started.text.split()[-1])
        call = (
            f"import httpx\nr = httpx.get('http://127.0.0.1:{port}/v1/usage')\n"
            "print(r.status_code, r.json().get('detail', ''))"
        )
        refused = run_code(hub.server_url(other), learners[other][0], call)
        assert refused.startswith("403") and "account that started it" in refused, refused
        mine = channel.execute(
            call.replace(
                "print(r.status_code, r.json().get('detail', ''))", "print(r.status_code, r.json())"
            )
        )
        assert not mine.error and mine.text.startswith("200"), mine.text
        proxied = httpx.get(server + f"proxy/{port}/health", headers=headers, timeout=30)
        assert proxied.status_code == 200, proxied.text  # (JupyterLab's proxy runs as the owner)
        channel.execute("service.stop()")


def start_service(hub, name: str, token: str) -> tuple[object, int]:
    """A kernel on ``name``'s server that started lesson 04's service, left running; returns its
    open channel and the service's port."""
    from authoring.binder_session import KernelSocket

    server = hub.server_url(name)
    kernel = httpx.post(
        server + "api/kernels",
        headers={"Authorization": f"token {token}"},
        json={"name": "python3"},
        timeout=60,
    ).json()
    channel = KernelSocket(
        server.replace("http", "ws", 1) + f"api/kernels/{kernel['id']}/channels", token
    )
    channel.handshake()
    started = channel.execute(
        "import subprocess\nhidden = subprocess.Popen(['sleep', '3600'], "
        "start_new_session=True)\n" + SERVICE,
        timeout=180,
    )  # (one hides)
    assert not started.error, started.error
    return channel, int(started.text.split()[-1])


def answers(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def learners_listening(port: int) -> set[str]:
    """The learners' accounts with a process listening on ``port``. A freed port may be taken
    at once by another test's service on the other worker (the Colab replica's lesson 04 took
    8000 in CI): what must be gone is the learner's, not every listener."""
    import psutil

    from classroom.hub_accounts import ACCOUNT_PREFIX

    owners = set()
    for connection in psutil.net_connections(kind="tcp"):
        if (
            connection.status == psutil.CONN_LISTEN
            and connection.laddr
            and connection.laddr.port == port
            and connection.pid
        ):
            try:
                owners.add(psutil.Process(connection.pid).username())
            except psutil.Error:
                continue  # (gone meanwhile)
    return {owner for owner in owners if owner.startswith(ACCOUNT_PREFIX)}


def test_stopping_a_server_stops_everything_its_learner_started(hub, learners):
    """The admin page's "Stop Server" (the idle culler's path too) with lesson 04's service and a
    process in a session of its own running: none survives, nor the temporary folder."""
    import pwd

    from classroom.hub_accounts import TEMP_FOLDER, account_name, learner_pids, stray_temp_files

    name = list(learners)[-1]
    account = account_name(name)
    channel, port = start_service(hub, name, learners[name][0])
    home = Path(pwd.getpwnam(account).pw_dir)
    assert learners_listening(port) == {account} and list(
        (home / TEMP_FOLDER).glob("course-service-*")
    )
    assert not stray_temp_files(pwd.getpwnam(account).pw_uid)  # (none in the system's)
    hub.stop_server(name)
    channel.close()
    assert learner_pids(account) == set() and not learners_listening(port)
    assert not (home / TEMP_FOLDER).exists()
    hub.start_server(name)  # (the next log-in starts it again, with the learner's files)
    hub.wait_server(name)
    assert (learners[name][1] / "00_start_here.ipynb").exists()


def test_stopping_the_hub_stops_all_and_the_clean_up_says_what_it_did(hub, learners, private):
    """Ctrl+C in the hub's terminal with a lesson-04 service running; then `python -m classroom hub
    --remove-learners` removes every learner, says so, and leaves nothing behind."""
    from classroom.hub_accounts import learner_accounts
    from classroom.hub_client import left_behind, leftovers

    name = list(learners)[0]
    channel, port = start_service(hub, name, learners[name][0])
    assert hub.stop(signal.SIGINT) == 0, hub.tail()
    channel.close()
    assert leftovers(hub.settings.state) == [], "processes left after the hub stopped"
    assert not learners_listening(port)
    log = (Path(hub.settings.state) / "hub.log").read_text(errors="replace")
    assert "JupyterHub" in log and hub.settings.password not in log  # (the log the README promises)

    accounts = learner_accounts(Path(hub.settings.home_root))
    assert len(accounts) == LEARNERS
    done = subprocess.run(
        [
            str(private / ".venv" / "bin" / "python"),
            "-m",
            "classroom",
            "hub",
            "--remove-learners",
            "--home-root",
            hub.settings.home_root,
        ],
        cwd=private,
        env={**os.environ, "PYTHONPATH": str(private)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for account in accounts:
        assert f"removed {account}: account, home" in done.stdout, done.stdout
    assert f"removed {LEARNERS} of {LEARNERS} learner account(s)" in done.stdout
    assert left_behind(hub.settings.home_root, accounts) == []


def test_a_restart_with_the_same_state_keeps_the_passwords_and_the_token():
    """Stopped (SIGTERM) and started again with the same state folder; then killed without its
    clean-up, and its learner removed by the clean-up command all the same."""
    from classroom.hub_client import temporary_hub

    with temporary_hub(idle_timeout=600) as hub:
        first = hub.settings
        assert hub.stop() == 0, hub.tail()  # (SIGTERM, as a service manager stops it)
        hub.start()
        hub.wait_ready()
        again = hub.settings
        assert (again.password, again.admin_password, again.api_token) == (
            first.password,
            first.admin_password,
            first.api_token,
        )
        printed = hub.console_path.read_text()
        assert printed.count(f"class password {first.password}") == 2, printed
        log = (Path(hub.settings.state) / "hub.log").read_text(errors="replace")
        assert log.count("JupyterHub is now running") == 2, hub.tail()  # (both sessions)
        assert_a_crashed_hub_s_learners_are_removed(hub)


def assert_a_crashed_hub_s_learners_are_removed(hub) -> None:
    """A hub killed without its clean-up leaves a learner's server and service running: the
    clean-up command stops them before it removes the account (userdel refused before)."""
    import re

    import psutil

    from classroom.hub_accounts import account_name
    from classroom.hub_client import left_behind

    name = f"c{secrets.token_hex(3)}"
    hub.add_learner(name)
    hub.start_server(name)
    hub.wait_server(name)
    channel, port = start_service(hub, name, hub.token_for(name))
    kit = psutil.Process(hub.process.pid)  # the hub, its proxy and services die, the learner's
    for process in [kit, *kit.children(recursive=True)]:  # processes (own sessions) live on
        if not process.username().startswith("course-"):
            process.kill()
    hub.process.wait()
    channel.close()
    assert answers(port)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "classroom",
            "hub",
            "--remove-learners",
            "--home-root",
            hub.settings.home_root,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    line = rf"removed {account_name(name)}: account, home \S+, (\d+) process"
    stopped = re.search(line, done.stdout)
    assert stopped and int(stopped[1]) >= 3, done.stdout  # (server, kernel, service, sleep)
    assert left_behind(
        hub.settings.home_root, [account_name(name)]
    ) == [] and not learners_listening(port)

"""Drive a running class hub through its REST API, as the test and the capacity benchmark do:
start it, add learners, start their servers, hand out their tokens, stop it and check that
nothing is left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from course.kit.hub import HubSettings, free_port, hub_command, prepare
from course.kit.hub_spawner import ACCOUNT_PREFIX, learner_accounts, remove_account


class ClassHub:
    """A hub started in the background from ``settings`` (:func:`course.kit.hub.prepare` first)."""

    def __init__(self, settings: HubSettings, log=print):
        self.settings = settings
        path = prepare(settings, log)
        command, env = hub_command(path)
        self.log_path = Path(settings.state) / "hub.log"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, cwd=settings.state, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.api_url = settings.url + "hub/api/"
        self.headers = {"Authorization": f"token {settings.api_token}"}

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        return httpx.request(method, self.api_url + path, headers=self.headers, timeout=60, **kwargs)

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds until the hub's API answers (raises with the log's tail if it does not)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                break
            try:
                if self.api("GET", "").status_code == 200:
                    return time.monotonic() - start
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not start:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def add_learner(self, name: str) -> None:
        answer = self.api("POST", f"users/{name}")
        if answer.status_code not in (201, 409):
            raise RuntimeError(f"could not add {name}: {answer.status_code} {answer.text[:200]}")

    def token_for(self, name: str) -> str:
        answer = self.api("POST", f"users/{name}/tokens", json={"note": "course hub client"})
        answer.raise_for_status()
        return answer.json()["token"]

    def start_server(self, name: str) -> None:
        answer = self.api("POST", f"users/{name}/server")
        if answer.status_code not in (201, 202, 400):  # (400: already running)
            raise RuntimeError(f"could not start {name}'s server: {answer.status_code} "
                               f"{answer.text[:200]}")  # fmt: skip

    def wait_server(self, name: str, timeout: float = 180) -> float:
        """Seconds until ``name``'s server is ready."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            user = self.api("GET", f"users/{name}").json()
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - start
            time.sleep(0.5)
        raise RuntimeError(f"{name}'s server was not ready in {timeout:.0f} s:\n{self.tail()}")

    def server_url(self, name: str) -> str:
        return f"{self.settings.url}user/{name}/"

    def stop(self, timeout: float = 60) -> None:
        """Stop the hub (it stops every learner's server first) and its proxy."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def leftovers(state: str) -> list[str]:
    """Processes that a stopped hub left: any learner account's, the proxy, the services."""
    found = []
    for process in psutil.process_iter(["pid", "username", "cmdline"]):
        try:
            user = process.info["username"] or ""
            line = " ".join(process.info["cmdline"] or [])
        except (psutil.Error, TypeError):
            continue
        if user.startswith(ACCOUNT_PREFIX) or (state in line and "pytest" not in line):
            found.append(f"{process.info['pid']} {user}: {line[:160]}")
    return found


@contextmanager
def temporary_hub(**settings) -> Iterator[ClassHub]:
    """A ready hub on a free port with its state and the learners' homes in new temporary
    folders; afterwards the hub is stopped and its learners' accounts and folders removed."""
    state = tempfile.mkdtemp(prefix="course-hub-state-")
    homes = tempfile.mkdtemp(prefix="course-hub-homes-")
    os.chmod(homes, 0o755)  # (each home inside is the learner's own, 0700)
    hub = ClassHub(HubSettings(state=state, port=free_port(), home_root=homes, **settings))
    try:
        hub.ready_s = hub.wait_ready()
        yield hub
    finally:
        hub.stop()
        for account in learner_accounts(Path(homes)):
            remove_account(account)
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(homes, ignore_errors=True)

"""Drive a running class hub through its REST API, as the test and the capacity benchmark do:
start it the way an instructor does (``python -m classroom hub``, from any checkout), add learners,
start and stop their servers, hand out their tokens, stop it, and check that nothing is left
behind: no learner process, account, group or temporary file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from classroom.class_hub import SETTINGS_FILE, HubSettings, free_port
from classroom.hub_accounts import ACCOUNT_PREFIX, cgroup_paths, learner_accounts, remove_learner
from course.config import REPO_ROOT


class ClassHub:
    """``python -m classroom hub`` started in the background from the checkout ``checkout`` with
    ``python`` (its own session, its output in ``console.log`` beside the state folder)."""

    def __init__(
        self,
        state: str,
        home_root: str,
        port: int,
        *,
        checkout: Path = REPO_ROOT,
        python: str | None = None,
        options: tuple[str, ...] = (),
    ):
        self.state, self.home_root, self.port = state, home_root, port
        self.command = [
            python or sys.executable,
            "-m",
            "classroom",
            "hub",
            "--state",
            state,
            "--port",
            str(port),
            "--home-root",
            home_root,
            *options,
        ]
        self.env = {**os.environ, "PYTHONPATH": str(checkout)}
        self.checkout = checkout
        self.console_path = Path(state).parent / f"{Path(state).name}.console.log"
        self.settings: HubSettings | None = None
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        """Start (or start again, with the same state folder)."""
        with self.console_path.open("ab") as console:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.checkout,
                env=self.env,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.settings = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hub/api/"

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"token {self.settings.api_token}"}
        return httpx.request(method, self.api_url + path, headers=headers, timeout=60, **kwargs)

    def wait_ready(self, timeout: float = 600) -> float:
        """Seconds until the hub's API answers (the first start may make the learners'
        environment); raises with the output's tail if it stops or does not answer."""
        start = time.monotonic()
        while time.monotonic() - start < timeout and self.process.poll() is None:
            try:
                self.settings = HubSettings.load(Path(self.state) / SETTINGS_FILE)
                if self.api("GET", "").status_code == 200:
                    return time.monotonic() - start
            except (OSError, ValueError, TypeError, httpx.TransportError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not start:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        texts = []
        for path in (self.console_path, Path(self.state) / "hub.log"):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()
                texts += [f"--- {path.name}", *text[-lines:]]
        return "\n".join(texts)

    def add_learner(self, name: str) -> None:
        answer = self.api("POST", f"users/{name}")
        if answer.status_code not in (201, 409):
            raise RuntimeError(f"could not add {name}: {answer.status_code} {answer.text[:200]}")

    def token_for(self, name: str) -> str:
        answer = self.api(
            "POST", f"users/{name}/tokens", json={"note": "python -m classroom hub client"}
        )
        answer.raise_for_status()
        return answer.json()["token"]

    def start_server(self, name: str) -> None:
        answer = self.api("POST", f"users/{name}/server")
        if answer.status_code not in (201, 202, 400):  # (400: already running)
            raise RuntimeError(
                f"could not start {name}'s server: {answer.status_code} {answer.text[:200]}"
            )

    def wait_server(self, name: str, timeout: float = 180, ready: bool = True) -> float:
        """Seconds until ``name``'s server is ready (or, with ``ready=False``, gone)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            user = self.api("GET", f"users/{name}").json()
            server = user.get("servers", {}).get("")
            if bool(server and server.get("ready")) if ready else not server:
                return time.monotonic() - start
            time.sleep(0.5)
        raise RuntimeError(
            f"{name}'s server was not {'ready' if ready else 'stopped'} in "
            f"{timeout:.0f} s:\n{self.tail()}"
        )

    def stop_server(self, name: str) -> None:
        """Stop ``name``'s server as the admin page's "Stop Server" and the idle culler do."""
        answer = self.api("DELETE", f"users/{name}/server")
        if answer.status_code not in (202, 204):
            raise RuntimeError(f"could not stop {name}'s server: {answer.status_code}")
        self.wait_server(name, ready=False)

    def server_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/user/{name}/"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 120) -> int | None:
        """Stop the hub as an instructor does: SIGTERM to ``python -m classroom hub`` (a service
        manager's stop), or SIGINT to its whole process group (Ctrl+C in its terminal); the hub
        stops every learner's server first. Returns ``python -m classroom hub``'s exit status."""
        if self.process.poll() is None:
            if sig == signal.SIGINT:
                os.killpg(self.process.pid, signal.SIGINT)
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                return None
        return self.process.returncode


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


def left_behind(home_root: str, accounts: list[str]) -> list[str]:
    """What removed learners left: their accounts, homes, groups, and files in the system's
    temporary folder owned by no account any more."""
    import pwd

    known = {entry.pw_uid for entry in pwd.getpwall()}
    found = [f"account {a}" for a in learner_accounts(Path(home_root)) if a in accounts]
    found += [f"home {p}" for a in accounts if (p := Path(home_root) / a).exists()]
    found += [f"cgroup {p}" for a in accounts for p in cgroup_paths(a).values() if p.exists()]
    for path in Path(tempfile.gettempdir()).glob("course-service-*"):
        if path.lstat().st_uid not in known:
            found.append(f"temporary folder {path} of a removed account")
    return found


def private_checkout(folder: Path, source: Path = REPO_ROOT) -> Path:
    """A copy of the checkout ``source`` (its tracked and new files as they are now, its
    lesson-06 models, its proxy and its ``.venv``, linked) inside ``folder``, made private
    (mode 0700) as an instructor's home is: no learner account can read anything in it."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    target = folder / source.name
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        path = source / name
        if path.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
    if (source / "artifacts" / "scale").is_dir():
        shutil.copytree(source / "artifacts" / "scale", target / "artifacts" / "scale")
    for linked in (".venv", "classroom/hub/node_modules"):
        if (source / linked).exists():
            (target / linked).symlink_to(source / linked)
    return target


@contextmanager
def temporary_hub(
    checkout: Path = REPO_ROOT,
    python: str | None = None,
    *,
    admin: str = "instructor",
    idle_timeout: int = 3600,
) -> Iterator[ClassHub]:
    """A ready hub on a free port, started from ``checkout``, with its state and the learners'
    homes in new temporary folders; afterwards the hub is stopped and every learner under those
    homes removed (processes, account, home, groups, temporary files) even if a test failed."""
    work = Path(tempfile.mkdtemp(prefix="course-hub-test-"))
    homes = work / "homes"
    homes.mkdir()
    os.chmod(work, 0o755)  # (learners reach their own homes, 0700 each, through it)
    os.chmod(homes, 0o755)
    options = ("--admin", admin, "--idle-minutes", str(max(1, idle_timeout // 60)))
    hub = None
    try:
        hub = ClassHub(
            str(work / "state"),
            str(homes),
            free_port(),
            checkout=checkout,
            python=python,
            options=options,
        )
        hub.ready_s = hub.wait_ready()
        yield hub
    finally:
        if hub is not None:
            hub.stop()
        problems = [r.summary() for r in map(remove_learner, learner_accounts(homes)) if r.problems]
        shutil.rmtree(work, ignore_errors=True)
        if problems:
            print("\n".join(["[hub] clean-up:", *problems]), file=sys.stderr)

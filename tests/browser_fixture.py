"""JupyterLab and Chromium for the browser tests (tests/test_browser.py).

- :class:`LabServer` runs ``python -m jupyter lab`` from the course environment on 127.0.0.1 with
  a random port and token, private Jupyter folders (runtime, config, data, settings, workspaces)
  and the course's runtime environment. The browser may change the notebooks in its memory
  (running them replaces their outputs) but can never write the course's files: autosave is off
  and the server's contents manager refuses every write.
- :func:`launch_chromium` starts Debian's Chromium (never ``playwright install``).
- Every process the server starts (kernels, a lesson's service, ...) carries a marker in its
  environment, so :meth:`LabServer.stop` can prove that none is left behind.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
MARKER_ENV = "COURSE_BROWSER_SUITE"

#: JupyterLab user settings for the test server (a learner's defaults otherwise).
LAB_SETTINGS = {
    # Running a notebook must never write it back to the repository.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Every cell in the DOM (the default windowing leaves cells far off screen unrendered, which
    # a DOM check or axe-core would miss), and no blank page after the last cell (a screenshot
    # is the notebook and nothing else).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "scrollPastEnd": False},
    # No news or update checks (no network; no toast covering the notebook in screenshots).
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}

#: The server's config: a contents manager that reads like the default one and refuses writes.
SERVER_CONFIG = '''
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web


class ReadOnlyContentsManager(AsyncLargeFileManager):
    """The browser tests run the course's notebooks; they never change its files."""

    def _refuse(self, *args, **kwargs):
        raise web.HTTPError(403, "read-only: the browser tests never write the course's files")

    save = rename_file = delete_file = new = new_untitled = copy = _refuse


# JupyterLab makes a checkpoint when it opens a notebook: in a private folder, not the course's.
c.FileCheckpoints.root_dir = c.AsyncFileCheckpoints.root_dir = {checkpoints!r}
c.ServerApp.contents_manager_class = ReadOnlyContentsManager
'''


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def launch_chromium(playwright, path: str):
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def marked_processes(marker: str) -> list:
    """Live processes whose environment carries ``MARKER_ENV=marker``."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if process.environ().get(MARKER_ENV) == marker and process.status() != "zombie":
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


class LabServer:
    """A JupyterLab server for one test session; :meth:`start`, then :meth:`stop`."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root = root
        self.home = Path(tempfile.mkdtemp(prefix="course-browser-lab-"))
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.marker = secrets.token_hex(12)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.home / "jupyterlab.log"
        self.env = self._environment(env)
        self.process: subprocess.Popen | None = None

    def _environment(self, runtime: dict[str, str]) -> dict[str, str]:
        names = (
            "JUPYTER_RUNTIME_DIR",
            "JUPYTER_CONFIG_DIR",
            "JUPYTER_DATA_DIR",
            "JUPYTERLAB_SETTINGS_DIR",
            "JUPYTERLAB_WORKSPACES_DIR",
            "IPYTHONDIR",
        )
        folders = {name: self.home / name.lower() for name in names}
        for folder in folders.values():
            folder.mkdir(parents=True)
        checkpoints = self.home / "checkpoints"
        (folders["JUPYTER_CONFIG_DIR"] / "jupyter_server_config.py").write_text(
            SERVER_CONFIG.replace("{checkpoints!r}", repr(str(checkpoints)))
        )
        for plugin, values in LAB_SETTINGS.items():
            package, name = plugin.rsplit("/", 1)
            target = folders["JUPYTERLAB_SETTINGS_DIR"] / package / f"{name}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = {
            k: v
            for k, v in os.environ.items()
            # pytest's variables make ipykernel stop capturing the process's stdout/stderr:
            # a learner's kernel captures them, so the test's must too.
            if not k.startswith(("PYTEST_", "JUPYTERHUB_", "JPY_"))
        }
        env |= {k: str(v) for k, v in folders.items()}
        env |= runtime
        env[MARKER_ENV] = self.marker
        return env

    def start(self, timeout: float = 120, attempts: int = 3) -> LabServer:
        """Start the server and wait for ``/api/status``; a port taken between choosing it and
        binding it means another random port."""
        for attempt in range(attempts):
            if self._start(timeout) or attempt == attempts - 1:
                break
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        if self.process.poll() is not None:
            raise RuntimeError(f"JupyterLab stopped at start-up:\n{self.log.read_text()}")
        return self

    def _start(self, timeout: float) -> bool:
        """False when the server exited because its port was taken."""
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.terminals_enabled=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # (containers, CI)
            command.append("--allow-root")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return "already in use" not in self.log.read_text()
            try:
                if self.api("GET", "/api/status").status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"JupyterLab did not answer within {timeout} s:\n{self.log.read_text()}")

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"token {self.token}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def lab_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={self.token}&reset"

    def sessions_for(self, path: str) -> list[dict]:
        return [s for s in self.api("GET", "/api/sessions").json() if s.get("path") == path]

    def kernel_state(self, kernel_id: str) -> str | None:
        answer = self.api("GET", f"/api/kernels/{kernel_id}")
        return answer.json().get("execution_state") if answer.status_code == 200 else None

    def shut_down_sessions(self, path: str | None = None) -> None:
        """End the sessions (and their kernels) of ``path``, or all of them."""
        for session in self.api("GET", "/api/sessions").json():
            if path is None or session.get("path") == path:
                self.api("DELETE", f"/api/sessions/{session['id']}")
        if path is None:
            for kernel in self.api("GET", "/api/kernels").json():
                self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def stop(self) -> list[str]:
        """Shut down every kernel, stop the server; returns the processes that were left behind
        (and have been killed)."""
        if self.process is None:
            return []
        if self.process.poll() is None:
            try:
                self.shut_down_sessions()
            except httpx.HTTPError:
                pass
            self.process.terminate()  # SIGTERM: jupyter_server shuts its kernels down
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        deadline = time.monotonic() + 15  # kernels' children may take a moment to exit
        while (left := marked_processes(self.marker)) and time.monotonic() < deadline:
            time.sleep(0.5)
        described = []
        for process in left:
            try:
                described.append(f"pid {process.pid}: {' '.join(process.cmdline())[:200]}")
                process.kill()
            except Exception:  # (gone in the meantime)
                continue
        if not described:  # (otherwise keep the server's log to read)
            shutil.rmtree(self.home, ignore_errors=True)
        return described

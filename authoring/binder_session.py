"""A learner's Binder session, driven the way JupyterLab drives it: the Jupyter server's REST API
starts a kernel per notebook, the kernel's websocket runs its cells, the REST API shuts it down.

Lesson 04's service is reached the way a learner's browser reaches it on Binder: through the
Jupyter server's ``/proxy/<port>/`` (jupyter-server-proxy), with the server's token.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nbformat
import websocket
from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session

#: What a service a lesson starts prints: the proxy path on Binder, the local URL elsewhere.
SERVICE_URL = re.compile(r"/proxy/(\d+)/docs|https?://(?:127\.0\.0\.1|localhost):(\d+)/docs")
CELL_TIMEOUT = 600.0


@dataclass(frozen=True)
class Cell:
    """What one executed cell produced: its text outputs and, if it failed, why."""

    text: str
    error: str | None = None


@dataclass
class LessonResult:
    number: str
    notebook: str
    seconds: float = 0.0
    cells: int = 0
    error: str | None = None
    service: str | None = None  # what the proxy check found, when the lesson started a service
    peak_rss: int = 0  # the session's sampled peak during the lesson
    peak_charge: int | None = None  # the memory group's peak during the lesson

    @property
    def passed(self) -> bool:
        return self.error is None


def service_port(text: str) -> int | None:
    """The port of the service a cell's output reports (its docs URL), if any."""
    match = SERVICE_URL.search(text)
    return int(match.group(1) or match.group(2)) if match else None


def starts_service(nb: nbformat.NotebookNode) -> bool:
    """Whether a notebook starts the course's web service (and so must be reached via the proxy)."""
    return any(c.cell_type == "code" and "BackgroundService.start(" in c.source for c in nb.cells)


def pick_kernel(nb: nbformat.NotebookNode, specs: dict) -> str:
    """The kernel JupyterLab starts for ``nb``: its kernelspec's name if the server has it, else
    the only kernel of its language, else the server's default (``GET /api/kernelspecs``)."""
    wanted = nb.metadata.get("kernelspec", {})
    if wanted.get("name") in specs["kernelspecs"]:
        return wanted["name"]
    language = [
        name
        for name, spec in specs["kernelspecs"].items()
        if spec["spec"].get("language") == wanted.get("language")
    ]
    return language[0] if len(language) == 1 else specs["default"]


def outcome(messages: list[dict]) -> Cell:
    """A cell's result from the iopub and shell messages answering its execute_request: text of
    its streams and results, and the first error (an ``error`` output or an error reply)."""
    texts, error = [], None
    for msg in messages:
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "stream":
            texts.append(content["text"])
        elif kind in ("execute_result", "display_data"):
            texts.append(content.get("data", {}).get("text/plain", ""))
        elif kind == "error" or (kind == "execute_reply" and content.get("status") == "error"):
            error = error or f"{content.get('ename')}: {content.get('evalue')}"
        elif kind == "execute_reply" and content.get("status") == "aborted":
            error = error or "execution aborted"
    return Cell("".join(texts), error)


class KernelSocket:
    """One kernel's websocket (``/api/kernels/<id>/channels``), Jupyter's JSON message protocol;
    messages are made by jupyter_client's :class:`~jupyter_client.session.Session`."""

    def __init__(self, url: str, token: str):
        self.session = Session(key=b"", username="binder-check")
        # A busy server (a class starting lessons at once) may take long to accept: wait up to a
        # minute for the connection, then read in 5 s slices against each call's own deadline.
        self.ws = websocket.create_connection(
            f"{url}?session_id={self.session.session}",
            header=[f"Authorization: token {token}"],
            timeout=60,
        )
        self.ws.settimeout(5)

    def send(self, msg_type: str, content: dict) -> str:
        msg = self.session.msg(msg_type, content)
        msg["channel"] = "shell"
        self.ws.send(json.dumps(msg, default=json_default))
        return msg["header"]["msg_id"]

    def receive(self, deadline: float) -> dict | None:
        """The next message, or None at the deadline."""
        while time.monotonic() < deadline:
            try:
                return json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
        return None

    def handshake(self, timeout: float = 180) -> None:
        """Wait for kernel_info_reply: the server ignores an execute_request sent before it."""
        deadline = time.monotonic() + timeout
        msg_id = self.send("kernel_info_request", {})
        while (msg := self.receive(deadline)) is not None:
            if (
                msg["header"]["msg_type"] == "kernel_info_reply"
                and msg["parent_header"].get("msg_id") == msg_id
            ):
                return
        raise TimeoutError(f"the kernel did not answer kernel_info within {timeout:.0f} s")

    def execute(self, code: str, timeout: float = CELL_TIMEOUT) -> Cell:
        """Run one cell; done when its reply and the kernel's idle status have both arrived."""
        deadline = time.monotonic() + timeout
        msg_id = self.send(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        answers, replied, idle = [], False, False
        while not (replied and idle):
            msg = self.receive(deadline)
            if msg is None:
                return Cell("", f"no answer within {timeout:.0f} s")
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") in ("restarting", "dead"):
                return Cell("", f"the kernel died ({content['execution_state']}): out of memory?")
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            answers.append(msg)
            replied = replied or kind == "execute_reply"
            idle = idle or (kind == "status" and content.get("execution_state") == "idle")
        return outcome(answers)

    def close(self) -> None:
        self.ws.close()


@dataclass
class Lab:
    """A running Jupyter server: ``url`` ends with its base URL (``.../user/learner/``)."""

    url: str
    token: str
    base: str
    headers: dict = field(init=False)

    def __post_init__(self) -> None:
        self.headers = {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        answer = httpx.request(method, self.url + path, headers=self.headers, timeout=60, **kwargs)
        answer.raise_for_status()
        return answer

    def ready(self) -> bool:
        """JupyterLab's page and the REST API both answer."""
        try:
            return (
                httpx.get(self.url + "lab", headers=self.headers, timeout=5).status_code == 200
                and httpx.get(self.url + "api/status", headers=self.headers, timeout=5).status_code
                == 200
            )
        except httpx.TransportError:
            return False

    def proxy_problem(self, port: int) -> str | None:
        """Reach a service through ``/proxy/<port>/`` as the learner's browser does: /health,
        the docs page and the schema the docs page loads (a path relative to it)."""
        root = f"{self.url}proxy/{port}/"
        try:
            health = httpx.get(root + "health", headers=self.headers, timeout=30)
            docs = httpx.get(root + "docs", headers=self.headers, timeout=30)
            schema = httpx.get(root + "openapi.json", headers=self.headers, timeout=30)
        except httpx.TransportError as error:
            return f"{root}: {error}"
        for name, answer in (("health", health), ("docs", docs), ("openapi.json", schema)):
            if answer.status_code != 200:
                return f"{root}{name} answered {answer.status_code}: {answer.text[:200]!r}"
        if health.json().get("status") != "ok" or "paths" not in schema.json():
            return f"{root}: unexpected answers {health.text[:100]!r}, {schema.text[:100]!r}"
        return None


def run_lesson(lab: Lab, home: Path, number: str, notebook: Path) -> LessonResult:
    """Open ``notebook`` (under ``home``, the server's root) in a new kernel, run every code cell
    in order (stopping at the first error), then shut the kernel down as the README tells
    learners to. A notebook that starts the service must be reachable through the proxy."""
    result = LessonResult(number, notebook.name)
    nb = nbformat.read(notebook, as_version=4)
    needs_service = starts_service(nb)
    relative = notebook.relative_to(home).as_posix()
    start = time.perf_counter()
    kernel = pick_kernel(nb, lab.api("GET", "api/kernelspecs").json())
    opened = lab.api(
        "POST",
        "api/sessions",
        json={
            "path": relative,
            "name": notebook.name,
            "type": "notebook",
            "kernel": {"name": kernel},
        },
    )
    session = opened.json()
    ws_url = lab.url.replace("http", "ws", 1) + f"api/kernels/{session['kernel']['id']}/channels"
    channel = KernelSocket(ws_url, lab.token)
    try:
        channel.handshake()
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            done = channel.execute(cell.source)
            result.cells += 1
            if done.error:
                result.error = f"cell {result.cells}: {done.error}"
                break
            port = service_port(done.text) if needs_service and result.service is None else None
            if port is not None:
                problem = lab.proxy_problem(port)
                result.service = f"port {port}: " + (
                    problem or "reached through /proxy/ (health, docs, openapi.json)"
                )
                if problem:
                    result.error = f"cell {result.cells}: service not reachable: {problem}"
                    break
    except (TimeoutError, websocket.WebSocketException, OSError) as error:
        result.error = f"cell {result.cells + 1}: {type(error).__name__}: {error}"
    finally:
        result.seconds = time.perf_counter() - start
        channel.close()
        try:
            lab.api("DELETE", f"api/sessions/{session['id']}")  # shuts the kernel down
        except httpx.HTTPError:
            pass  # (a dead kernel's session may already be gone)
    if result.passed and needs_service and result.service is None:
        result.error = "it starts the service but printed no port to reach it through /proxy/"
    return result

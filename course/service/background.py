"""The service in the background of a notebook (lesson 04): :class:`BackgroundService` starts
``course serve`` in a child process and waits for it; :func:`post_many` is a bounded load test.

This is the parent's side of the process boundary; the child's side (what ``course serve`` runs)
is :mod:`course.service.server`, which never imports this module.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from course.credit.numpy_model import ArtifactError
from course.service.server import DEFAULT_PORT, INSTANCE_ENV, READY_FILE_ENV, public_url


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """``preferred`` if nothing listens there, else any free port on 127.0.0.1.

    Only a hint: the port is released on return and anyone may take it next. Services bind
    their port themselves (:func:`course.service.server.listening_socket`)."""
    import socket

    for candidate in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")


class BackgroundService:
    """``course serve`` in a child process, for notebooks: started, waited for, stopped cleanly.

    >>> service = BackgroundService.start()   # builds the reference model first if needed;
    >>>                                        # a fresh usage log (and no keys) each time
    >>> service.url                            # http://127.0.0.1:8000 (another port if taken)
    >>> service.stop()                         # SIGTERM, wait, port free again

    The service is this caller's own, even when several start at once (two notebooks, two
    learners on one machine, a lesson run twice): the child binds its port itself (the
    preferred one if free, else one the OS picks) and reports it in a file, and the parent
    accepts only a ``/health`` that answers with the random instance id it gave that child.
    """

    def __init__(self, process, port: int, db: Path, instance: str = "", log: Path | None = None):
        self.process, self.port, self.db = process, port, db
        self.instance, self.log = instance, log
        self.url = f"http://127.0.0.1:{port}"

    @staticmethod
    def _command(port: int, db: Path) -> list[str]:
        return [sys.executable, "-m", "course", "serve", "--port", str(port), "--db", str(db)]

    @staticmethod
    def health_instance(url: str) -> str | None:
        """The instance id of the service answering ``/health`` at ``url`` (None: no answer)."""
        import httpx

        try:
            answer = httpx.get(f"{url}/health", timeout=1)
        except httpx.TransportError:
            return None
        if answer.status_code != 200:
            return None
        try:
            return answer.json().get("instance")
        except ValueError:
            return None

    @classmethod
    def start(cls, port: int = DEFAULT_PORT, db: Path | None = None, timeout: float = 120):
        import secrets
        import subprocess
        import tempfile
        import time

        from course.credit.reference import ensure_artifacts

        ensure_artifacts()  # before the clock starts: the first build trains the model (~15 s)
        folder = Path(tempfile.mkdtemp(prefix="course-service-"))  # private (mode 700)
        if db is None:  # a fresh log per session, so a lesson can be re-run (keys start empty)
            db = folder / "usage.sqlite"
        ready, log, instance = folder / "ready.json", folder / "service.log", secrets.token_hex(16)
        env = {**os.environ, READY_FILE_ENV: str(ready), INSTANCE_ENV: instance}
        with log.open("w") as stderr:  # a file, not a pipe: a pipe nobody reads fills and blocks
            process = subprocess.Popen(
                cls._command(port, db), env=env, stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline, bound, foreign = time.monotonic() + timeout, None, False
        try:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise ArtifactError(f"The service stopped at start-up:\n{log.read_text()}")
                if bound is None and ready.exists():
                    try:
                        report = json.loads(ready.read_text())
                    except ValueError:  # (the child replaces it whole; anyone else: read again)
                        report = {}
                    if report.get("instance") == instance:  # (its pid is there too, to read)
                        bound = int(report["port"])
                if bound is not None:
                    answer = cls.health_instance(f"http://127.0.0.1:{bound}")
                    if answer == instance:
                        return cls(process, bound, db, instance, log)
                    foreign = foreign or answer is not None
                time.sleep(0.02)
        except BaseException:
            process.kill()
            process.wait()
            raise
        process.kill()
        process.wait()
        where = f"on port {bound}" if bound is not None else "(it reported no port)"
        other = "; another service answered there instead" if foreign else ""
        raise TimeoutError(f"the service did not answer /health {where} within {timeout} s{other}")

    def create_key(self, name: str, timeout: float = 10) -> str:
        """Create an API key in the service's database, as ``course keys create NAME`` does, and
        return it once the service requires keys (it notices within a tenth of a second)."""
        import time

        import httpx

        from course.service.storage import Storage

        store = Storage(self.db)
        try:
            key = store.create_key(name)
        finally:
            store.close()
        deadline = time.monotonic() + timeout
        while httpx.get(f"{self.url}/v1/usage", timeout=5).status_code != 401:  # no side effect
            if time.monotonic() > deadline:
                raise TimeoutError(f"the service did not start requiring keys within {timeout} s")
            time.sleep(0.02)
        return key

    def docs_url(self) -> str:
        return public_url("127.0.0.1", self.port)

    def memory_mb(self) -> float:
        """The service process's resident memory now, in MB."""
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss / 1024**2

    def stop(self) -> bool:
        """Stop the process (SIGTERM, then kill after 10 s) and remove the private folder
        :meth:`start` made for it (its log, and the usage log with any keys when ``db`` was not
        given); True when its port is free again."""
        import shutil
        import signal
        import socket
        import subprocess

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None and self.log.parent.name.startswith("course-service-"):
            shutil.rmtree(self.log.parent, ignore_errors=True)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                return False
        return True


async def post_many(url: str, path: str, body: dict, total: int, connections: int) -> list[int]:
    """A bounded load test: POST ``body`` ``total`` times over ``connections`` concurrent
    connections (loopback only in this course); returns the status codes."""
    import asyncio

    import httpx

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as session:
        remaining = iter(range(total))
        statuses: list[int] = []

        async def worker() -> None:
            for _ in remaining:
                statuses.append((await session.post(path, json=body)).status_code)

        await asyncio.gather(*(worker() for _ in range(connections)))
        return statuses

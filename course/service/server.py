"""Run the service: ``course serve`` (uvicorn) and ``course keys create NAME``.

On Binder the service is reached through jupyter-server-proxy at
``<hub>/user/<name>/proxy/<port>/docs``; :func:`public_url` prints it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course import config
from course.credit.numpy_model import ArtifactError, NumpyCreditModel
from course.errors import CourseError

if TYPE_CHECKING:
    import socket

    import numpy as np

DEFAULT_PORT = 8000
USAGE_DB_ENV = "COURSE_USAGE_DB"
# Set by BackgroundService for its child `course serve` (never needed by hand): the file to write
# {"port", "pid", "instance"} to once the port is bound (taking any free port when --port is in
# use), and the instance id /health then answers with, so the parent knows the service is its own.
READY_FILE_ENV = "COURSE_SERVICE_READY_FILE"
INSTANCE_ENV = "COURSE_SERVICE_INSTANCE"


def usage_db_path() -> Path:
    """The SQLite file for usage and keys (``COURSE_USAGE_DB`` overrides)."""
    value = os.environ.get(USAGE_DB_ENV, "").strip()
    return Path(value) if value else config.artifacts_dir() / "usage.sqlite"


class SavedModelScorer:
    """The SavedModel backend: TensorFlow Serving's artifact, loaded with TensorFlow (~700 MB)."""

    def __init__(self, folder: Path):
        import tensorflow as tf

        path = folder / "credit_risk" / "1"
        card = folder / "model_card.json"
        if not (path / "saved_model.pb").exists() or not card.exists():
            raise ArtifactError(f"No SavedModel at {path}. Rebuild it with `course model build`.")
        self._tf = tf
        self._serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        self.metadata: dict[str, Any] = json.loads(card.read_text())

    @property
    def threshold(self) -> float:
        return float(self.metadata["threshold"])

    def predict_rows(self, rows) -> np.ndarray:
        """P(default) for rows of values in ``FEATURES`` order (the service's decoded bodies)."""
        from course.credit.features import CATEGORICAL, FEATURES, NUMERIC

        tf, columns = self._tf, dict(zip(FEATURES, zip(*rows)))
        fields = {c: tf.constant(columns[c], tf.float32) for c in NUMERIC}
        fields |= {c: tf.constant([str(v) for v in columns[c]]) for c in CATEGORICAL}
        return self._serve(**fields)["default_probability"].numpy().ravel()

    def predict_proba(self, records: list[dict]) -> np.ndarray:
        from course.credit.features import FEATURES

        return self.predict_rows([[r[c] for c in FEATURES] for r in records])


def load_scorer(backend: str = "numpy", folder: Path | None = None, build_if_missing: bool = False):
    """Load the model for serving; a missing or corrupt artifact is an :class:`ArtifactError`
    naming the file and the command that builds it (or is built first, when asked)."""
    from course.credit import reference

    folder = folder or reference.artifacts_folder()
    if build_if_missing:
        reference.ensure_artifacts(folder)
    if backend == "numpy":
        return NumpyCreditModel.load(reference.numpy_artifact_path(folder))
    if backend == "savedmodel":
        return SavedModelScorer(folder)
    raise ValueError(f"backend must be 'numpy' or 'savedmodel', got {backend!r}")


def proxy_root_path(port: int) -> str:
    """The path prefix behind jupyter-server-proxy (empty when not on a JupyterHub/Binder)."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "")
    return f"{prefix.rstrip('/')}/proxy/{port}" if prefix else ""


def public_url(host: str, port: int) -> str:
    """Where a learner opens the docs: the proxy path on Binder, Colab's port proxy on Colab
    (its browser cannot reach the runtime's loopback), else http://host:port/docs."""
    from course.kit.colab import proxied_url

    colab = proxied_url(port, "/docs")
    if colab:
        return f"{colab} (through Colab's proxy to port {port} of this runtime)"
    root = proxy_root_path(port)
    if root:
        return f"{root}/docs (relative to your Binder address)"
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/docs"  # IPv6 in brackets


def open_hosts(host: str, root_path: str) -> tuple[str, ...] | None:
    """The Host headers served while no key exists: this machine's names and the address bound,
    or any (None) behind a hub's proxy or when listening on every interface (``0.0.0.0``, ``::``),
    where the learner has chosen to be reached from elsewhere."""
    from course.service.app import LOCAL_HOSTS

    from course.kit.colab import on_real_colab

    # (on Colab the browser comes in through Colab's own proxy, which only lets the notebook's
    # signed-in owner through, under a Host name of Colab's)
    if root_path or host in ("0.0.0.0", "::", "") or on_real_colab():
        return None
    return tuple(dict.fromkeys((*LOCAL_HOSTS, host)))


def build_app(backend: str = "numpy", port: int = DEFAULT_PORT, build_if_missing: bool = False,
              db: Path | None = None, instance: str | None = None, host: str = "127.0.0.1"):  # fmt: skip
    from course.service.app import create_app
    from course.service.storage import Storage

    scorer = load_scorer(backend, build_if_missing=build_if_missing)
    root = proxy_root_path(port)
    return create_app(scorer, Storage(db or usage_db_path()), root_path=root, instance=instance,
                      open_hosts=open_hosts(host, root))  # fmt: skip


def listening_socket(host: str, port: int, fallback: bool = False) -> socket.socket:
    """A socket bound to ``host:port`` and already listening, so the port is this process's
    alone from here on (two services bound but not yet listening could share it). With
    ``fallback``, a port in use means any free port the OS picks (``port`` 0 always does)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    candidates = [port, 0] if fallback and port else [port]
    for candidate in candidates:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name != "nt":  # (on Windows it would let another socket share the port)
                # As uvicorn does: a stopped service's closing connections do not block a restart.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, candidate))
            sock.listen(2048)
        except OSError as error:
            sock.close()
            if candidate == candidates[-1]:
                raise CourseError(f"Cannot listen on {host}:{candidate} ({error.strerror}). Is "
                                  "another service running there? `--port 0` picks a free port."
                                  ) from None  # fmt: skip
            continue
        return sock
    raise AssertionError("unreachable")


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, backend: str = "numpy",
          build_if_missing: bool = False, db: Path | None = None, workers: int = 1) -> None:  # fmt: skip
    """Start uvicorn in this process (Ctrl+C stops it); ``port`` 0 means any free port.

    The port is bound here, before the model loads, and handed to uvicorn as an open socket:
    nothing can take it between choosing it and serving on it. With ``workers`` > 1, that
    many processes serve the socket and share the usage log (:mod:`course.service.workers`)."""
    import uvicorn

    from course.service.protocol import raise_open_files_limit, uvicorn_options

    ready_file = os.environ.pop(READY_FILE_ENV, "")  # popped: not inherited by any child
    instance = os.environ.pop(INSTANCE_ENV, "") or None
    if workers > 1:
        from course.service.workers import serve_workers

        if backend == "numpy":  # a missing artifact is one clear error here, not one per worker
            load_scorer(backend, build_if_missing=build_if_missing)
        elif build_if_missing:
            from course.credit.reference import ensure_artifacts

            ensure_artifacts()

        def bound(port: int) -> None:
            if ready_file:
                config.write_atomically(Path(ready_file), json.dumps(
                    {"port": port, "pid": os.getpid(), "instance": instance}))
            print(f"Credit risk API ({backend} backend, {workers} workers) on {host}:{port}; "
                  f"docs: {public_url(host, port)}", flush=True)  # fmt: skip

        status = serve_workers(host, port, backend, workers, db or usage_db_path(), instance,
                               on_bound=bound, fallback=bool(ready_file))  # fmt: skip
        if status:
            sys.exit(status)
        return
    sock = listening_socket(host, port, fallback=bool(ready_file))
    try:
        port = sock.getsockname()[1]
        app = build_app(backend, port, build_if_missing, db, instance, host)
        if ready_file:
            config.write_atomically(Path(ready_file), json.dumps(  # the parent never reads half
                {"port": port, "pid": os.getpid(), "instance": instance}))
        print(f"Credit risk API ({backend} backend) on {host}:{port}; docs: {public_url(host, port)}",
              flush=True)  # fmt: skip
        # Connection limits, timeouts and the class hub's account check: course/service/protocol.py
        raise_open_files_limit()
        server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options()))
        server.run(sockets=[sock])
    finally:
        sock.close()
    if not server.started:
        sys.exit(3)  # uvicorn's start-up failure status; it has logged why


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """``preferred`` if nothing listens there, else any free port on 127.0.0.1.

    Only a hint: the port is released on return and anyone may take it next. Services bind
    their port themselves (:func:`listening_socket`)."""
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
            process = subprocess.Popen(cls._command(port, db), env=env, stdout=subprocess.DEVNULL,
                                       stderr=stderr)  # fmt: skip
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

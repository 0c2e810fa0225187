"""Run the service: ``course serve`` (uvicorn) and ``course keys create NAME``.

On Binder the service is reached through jupyter-server-proxy at
``<hub>/user/<name>/proxy/<port>/docs``; :func:`public_url` prints it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course import config
from course.credit.numpy_model import ArtifactError, NumpyCreditModel

if TYPE_CHECKING:
    import numpy as np

DEFAULT_PORT = 8000
USAGE_DB_ENV = "COURSE_USAGE_DB"


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
    """Where a learner opens the docs: the proxy path on Binder, else http://host:port/docs."""
    root = proxy_root_path(port)
    return f"{root}/docs (relative to your Binder address)" if root else f"http://{host}:{port}/docs"


def build_app(backend: str = "numpy", port: int = DEFAULT_PORT, build_if_missing: bool = False,
              db: Path | None = None):  # fmt: skip
    from course.service.app import create_app
    from course.service.storage import Storage

    scorer = load_scorer(backend, build_if_missing=build_if_missing)
    return create_app(scorer, Storage(db or usage_db_path()), root_path=proxy_root_path(port))


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, backend: str = "numpy",
          build_if_missing: bool = False, db: Path | None = None) -> None:  # fmt: skip
    """Start uvicorn in this process (Ctrl+C stops it)."""
    import uvicorn

    app = build_app(backend, port, build_if_missing, db)
    print(f"Credit risk API ({backend} backend) on {host}:{port}; docs: {public_url(host, port)}",
          flush=True)  # fmt: skip
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """``preferred`` if nothing listens there, else any free port on 127.0.0.1."""
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
    >>> service.url                            # http://127.0.0.1:8000
    >>> service.stop()                         # SIGTERM, wait, port free again
    """

    def __init__(self, process, port: int, db: Path):
        self.process, self.port, self.db = process, port, db
        self.url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls, port: int = DEFAULT_PORT, db: Path | None = None, timeout: float = 120):
        import subprocess
        import sys
        import time

        import httpx

        from course.credit.reference import ensure_artifacts

        ensure_artifacts()  # before the clock starts: the first build trains the model (~15 s)
        port = free_port(port)
        if db is None:  # a fresh log per session, so a lesson can be re-run (keys start empty)
            import tempfile

            db = Path(tempfile.mkdtemp(prefix="course-service-")) / "usage.sqlite"
        process = subprocess.Popen([sys.executable, "-m", "course", "serve", "--port", str(port),
                                    "--db", str(db)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ArtifactError(f"The service stopped at start-up:\n{process.stderr.read()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return cls(process, port, db)
            except httpx.TransportError:
                time.sleep(0.1)
        process.kill()
        raise TimeoutError(f"the service did not answer /health within {timeout} s")

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

    def stop(self) -> bool:
        """Stop the process (SIGTERM, then kill after 10 s); True when its port is free again."""
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

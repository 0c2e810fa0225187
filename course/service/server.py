"""Run the service: ``course serve`` (uvicorn), in one process or several (``--workers N``);
``course keys create NAME`` finds the usage log with :func:`usage_db_path`.

This is the child's side of the process boundary: what ``course serve`` runs. A notebook starts
it in the background with :mod:`course.service.background`, which imports this module (never
the reverse). On Binder the service is reached through jupyter-server-proxy at
``<hub>/user/<name>/proxy/<port>/docs``; :func:`public_url` prints it.

Several workers: ``course serve --workers 2`` binds the port once, prepares the usage log, and
hands the open socket to uvicorn's process supervisor, which starts the workers (each a fresh
Python with its own event loop and its own SQLite connection). Each worker builds the app with
:func:`app_from_env` from ``COURSE_SERVICE_*`` variables, so plain uvicorn can run it too::

    COURSE_USAGE_DB=artifacts/usage.sqlite \\
        uvicorn course.service.server:app_from_env --factory --workers 2 --port 8000

(``course serve --workers`` also creates the usage log before the workers start; with plain
uvicorn, create it first, for example with ``course keys create NAME``.) Every worker writes its
buffered usage rows to the same file in WAL mode: one writer at a time, the others wait for it
(SQLite's busy timeout) and no row is lost or written twice (``tests/test_service_workers.py``
measures it under load). ``SIGTERM`` to the supervisor stops every worker gracefully, and each
writes what it still holds before it exits. A worker also stops (gracefully, by SIGTERM) when its
supervisor dies any other way, ``kill -9`` included: none is left serving the port as an orphan
(:func:`course.service.protocol.die_with_parent`).
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course import config
from course.credit.numpy_model import ArtifactError, NumpyCreditModel
from course.credit.signature import MODEL_NAME, OUTPUT, SIGNATURE
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
# Set by `course serve --workers` for each worker (read by app_from_env).
BACKEND_ENV = "COURSE_SERVICE_BACKEND"
HOST_ENV = "COURSE_SERVICE_HOST"
PORT_ENV = "COURSE_SERVICE_PORT"
#: The instance id every worker answers ``/health`` with (one service, however many processes).
WORKERS_INSTANCE_ENV = "COURSE_SERVICE_WORKERS_INSTANCE"
#: The supervisor's process id: each worker stops when that process ends, even by ``kill -9``.
SUPERVISOR_ENV = "COURSE_SERVICE_SUPERVISOR"


def usage_db_path() -> Path:
    """The SQLite file for usage and keys (``COURSE_USAGE_DB`` overrides)."""
    value = os.environ.get(USAGE_DB_ENV, "").strip()
    return Path(value) if value else config.artifacts_dir() / "usage.sqlite"


class SavedModelScorer:
    """The SavedModel backend: TensorFlow Serving's artifact, loaded with TensorFlow (~700 MB)."""

    def __init__(self, folder: Path):
        import tensorflow as tf

        path = folder / MODEL_NAME / "1"
        card = folder / "model_card.json"
        if not (path / "saved_model.pb").exists() or not card.exists():
            raise ArtifactError(f"No SavedModel at {path}. Rebuild it with `course model build`.")
        self._tf = tf
        self._serve = tf.saved_model.load(str(path)).signatures[SIGNATURE]
        self.metadata: dict[str, Any] = json.loads(card.read_text())

    @property
    def threshold(self) -> float:
        return float(self.metadata["threshold"])

    def predict_rows(self, rows) -> np.ndarray:
        """P(default) for rows of values in ``FEATURES`` order (the service's decoded bodies)."""
        from course.credit.features import CATEGORICAL, FEATURES, NUMERIC

        tf, columns = self._tf, dict(zip(FEATURES, zip(*rows, strict=True), strict=True))
        fields = {c: tf.constant(columns[c], tf.float32) for c in NUMERIC}
        fields |= {c: tf.constant([str(v) for v in columns[c]]) for c in CATEGORICAL}
        return self._serve(**fields)[OUTPUT].numpy().ravel()

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
    from course.setup.hosted import proxied_url

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
    from course.setup.hosted import on_real_colab

    # (on Colab the browser comes in through Colab's own proxy, which only lets the notebook's
    # signed-in owner through, under a Host name of Colab's)
    if root_path or host in ("0.0.0.0", "::", "") or on_real_colab():
        return None
    return tuple(dict.fromkeys((*LOCAL_HOSTS, host)))


def build_app(
    backend: str = "numpy",
    port: int = DEFAULT_PORT,
    build_if_missing: bool = False,
    db: Path | None = None,
    instance: str | None = None,
    host: str = "127.0.0.1",
):
    from course.service.app import create_app
    from course.service.storage import Storage

    scorer = load_scorer(backend, build_if_missing=build_if_missing)
    root = proxy_root_path(port)
    return create_app(
        scorer,
        Storage(db or usage_db_path()),
        root_path=root,
        instance=instance,
        open_hosts=open_hosts(host, root),
    )


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
                raise CourseError(
                    f"Cannot listen on {host}:{candidate} ({error.strerror}). Is "
                    "another service running there? `--port 0` picks a free port."
                ) from None
            continue
        return sock
    raise AssertionError("unreachable")


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    backend: str = "numpy",
    build_if_missing: bool = False,
    db: Path | None = None,
    workers: int = 1,
) -> None:
    """Start uvicorn in this process (Ctrl+C stops it); ``port`` 0 means any free port.

    The port is bound here, before the model loads, and handed to uvicorn as an open socket:
    nothing can take it between choosing it and serving on it. With ``workers`` > 1, that
    many processes serve the socket and share the usage log (:func:`serve_workers`)."""
    import uvicorn

    from course.service.protocol import raise_open_files_limit, uvicorn_options

    ready_file = os.environ.pop(READY_FILE_ENV, "")  # popped: not inherited by any child
    instance = os.environ.pop(INSTANCE_ENV, "") or None
    if workers > 1:
        if backend == "numpy":  # a missing artifact is one clear error here, not one per worker
            load_scorer(backend, build_if_missing=build_if_missing)
        elif build_if_missing:
            from course.credit.reference import ensure_artifacts

            ensure_artifacts()

        def bound(port: int) -> None:
            if ready_file:
                config.write_atomically(
                    Path(ready_file),
                    json.dumps({"port": port, "pid": os.getpid(), "instance": instance}),
                )
            print(
                f"Credit risk API ({backend} backend, {workers} workers) on {host}:{port}; "
                f"docs: {public_url(host, port)}",
                flush=True,
            )

        status = serve_workers(
            host,
            port,
            backend,
            workers,
            db or usage_db_path(),
            instance,
            on_bound=bound,
            fallback=bool(ready_file),
        )
        if status:
            sys.exit(status)
        return
    sock = listening_socket(host, port, fallback=bool(ready_file))
    try:
        port = sock.getsockname()[1]
        app = build_app(backend, port, build_if_missing, db, instance, host)
        if ready_file:
            config.write_atomically(
                Path(ready_file),
                json.dumps(  # the parent never reads half
                    {"port": port, "pid": os.getpid(), "instance": instance}
                ),
            )
        print(
            f"Credit risk API ({backend} backend) on {host}:{port}; docs: {public_url(host, port)}",
            flush=True,
        )
        # Connection limits, timeouts and the class hub's account check: course/service/protocol.py
        raise_open_files_limit()
        server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options()))
        server.run(sockets=[sock])
    finally:
        sock.close()
    if not server.started:
        sys.exit(3)  # uvicorn's start-up failure status; it has logged why


# --- several worker processes on one socket (`course serve --workers N`) ----------------------


def app_from_env():
    """The application for one worker, configured from the environment.

    Reads ``COURSE_SERVICE_BACKEND`` (``numpy``, the default, or ``savedmodel``),
    ``COURSE_USAGE_DB`` (the shared usage log), ``COURSE_SERVICE_HOST`` (the address bound,
    which decides the open hosts while no key exists) and ``COURSE_SERVICE_PORT`` (for the
    proxy path on a hub).

    Returns
    -------
    fastapi.FastAPI
        The service, as :func:`build_app` makes it.
    """
    from course.service.protocol import die_with_parent

    supervisor = os.environ.get(SUPERVISOR_ENV, "")
    die_with_parent(int(supervisor) if supervisor.isdigit() else None)  # no orphans (module docs)
    port = int(os.environ.get(PORT_ENV) or DEFAULT_PORT)
    return build_app(
        os.environ.get(BACKEND_ENV) or "numpy",
        port,
        db=None,
        instance=os.environ.get(WORKERS_INSTANCE_ENV) or None,
        host=os.environ.get(HOST_ENV) or "127.0.0.1",
    )


def prepare_usage_log(path: Path) -> None:
    """Create the usage log and switch it to WAL before any worker starts.

    Changing the journal mode needs the file to itself: done once here, the workers never race
    for it at start-up.

    Parameters
    ----------
    path
        The SQLite file the workers will share.
    """
    from course.service.storage import Storage

    Storage(path).close()


def serve_workers(
    host: str,
    port: int,
    backend: str,
    workers: int,
    db: Path,
    instance: str | None = None,
    on_bound: Callable[[int], None] | None = None,
    fallback: bool = False,
) -> int:
    """Serve with ``workers`` processes on one listening socket until SIGTERM or SIGINT.

    Parameters
    ----------
    host, port
        Where to listen (the socket is bound here, once, and shared by the workers).
    backend
        ``numpy`` or ``savedmodel`` (each worker loads its own copy).
    workers
        How many worker processes (at least 2; one is plain ``course serve``).
    db
        The shared usage log.
    instance
        What every worker answers ``/health`` with (random when None).
    on_bound
        Called with the bound port before the workers start (``course serve`` reports it).
    fallback
        Take any free port when ``port`` is in use (as ``course serve`` does for a notebook).

    Returns
    -------
    int
        0 after a clean stop, 3 when the workers could not start.
    """
    import secrets
    import signal

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from course.service.protocol import raise_open_files_limit, uvicorn_options

    if workers < 2:
        raise CourseError(f"--workers must be at least 2 here, got {workers}.")
    prepare_usage_log(db)
    sock = listening_socket(host, port, fallback=fallback)
    try:
        port = sock.getsockname()[1]
        os.environ.update(
            {
                BACKEND_ENV: backend,
                HOST_ENV: host,
                PORT_ENV: str(port),
                USAGE_DB_ENV: str(db),
                WORKERS_INSTANCE_ENV: instance or secrets.token_hex(16),
                SUPERVISOR_ENV: str(os.getpid()),
            }
        )
        if on_bound is not None:
            on_bound(port)
        raise_open_files_limit()  # (inherited by the workers)
        config = uvicorn.Config(
            "course.service.server:app_from_env", factory=True, workers=workers, **uvicorn_options()
        )  # as in serve
        if "target" in inspect.signature(Multiprocess).parameters:  # (uvicorn before 0.51)
            supervisor = Multiprocess(config, target=uvicorn.Server(config).run, sockets=[sock])
        else:  # (0.51 on: each worker makes its server from the config)
            supervisor = Multiprocess(config, sockets=[sock])
        supervisor.run()
    finally:
        sock.close()
    # A worker stops gracefully on SIGTERM or SIGINT, then re-raises it: a clean exit either way.
    clean = (0, None, -signal.SIGTERM, -signal.SIGINT)
    return 0 if all(p.process.exitcode in clean for p in supervisor.processes) else 3

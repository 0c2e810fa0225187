"""Several uvicorn worker processes serving one port and sharing one SQLite usage log.

``course serve --workers 2`` binds the port once, prepares the usage log, and hands the open
socket to uvicorn's process supervisor, which starts the workers (each a fresh Python with its
own event loop and its own SQLite connection). Each worker builds the app with
:func:`app_from_env` from ``COURSE_SERVICE_*`` variables, so plain uvicorn can run it too::

    COURSE_USAGE_DB=artifacts/usage.sqlite \\
        uvicorn course.service.workers:app_from_env --factory --workers 2 --port 8000

(``course serve --workers`` also creates the usage log before the workers start; with plain
uvicorn, create it first, for example with ``course keys create NAME``.) Every worker writes its
buffered usage rows to the same file in WAL mode: one writer at a time,
the others wait for it (SQLite's busy timeout) and no row is lost or written twice
(``tests/test_service_workers.py`` measures it under load). ``SIGTERM`` to the supervisor stops
every worker gracefully, and each writes what it still holds before it exits. A worker also stops
(gracefully, by SIGTERM) when its supervisor dies any other way, ``kill -9`` included: none is
left serving the port as an orphan (:func:`course.service.protocol.die_with_parent`).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path

from course.errors import CourseError

BACKEND_ENV = "COURSE_SERVICE_BACKEND"
HOST_ENV = "COURSE_SERVICE_HOST"
PORT_ENV = "COURSE_SERVICE_PORT"
#: The instance id every worker answers ``/health`` with (one service, however many processes).
WORKERS_INSTANCE_ENV = "COURSE_SERVICE_WORKERS_INSTANCE"
#: The supervisor's process id: each worker stops when that process ends, even by ``kill -9``.
SUPERVISOR_ENV = "COURSE_SERVICE_SUPERVISOR"


def app_from_env():
    """The application for one worker, configured from the environment.

    Reads ``COURSE_SERVICE_BACKEND`` (``numpy``, the default, or ``savedmodel``),
    ``COURSE_USAGE_DB`` (the shared usage log), ``COURSE_SERVICE_HOST`` (the address bound,
    which decides the open hosts while no key exists) and ``COURSE_SERVICE_PORT`` (for the
    proxy path on a hub).

    Returns
    -------
    fastapi.FastAPI
        The service, as :func:`course.service.server.build_app` makes it.
    """
    from course.service.protocol import die_with_parent
    from course.service.server import DEFAULT_PORT, build_app

    supervisor = os.environ.get(SUPERVISOR_ENV, "")
    die_with_parent(int(supervisor) if supervisor.isdigit() else None)  # no orphans (module docs)
    port = int(os.environ.get(PORT_ENV) or DEFAULT_PORT)
    return build_app(os.environ.get(BACKEND_ENV) or "numpy", port, db=None,
                     instance=os.environ.get(WORKERS_INSTANCE_ENV) or None,
                     host=os.environ.get(HOST_ENV) or "127.0.0.1")  # fmt: skip


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


def serve_workers(host: str, port: int, backend: str, workers: int, db: Path,
                  instance: str | None = None, on_bound: Callable[[int], None] | None = None,
                  fallback: bool = False) -> int:  # fmt: skip
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
    from course.service.server import USAGE_DB_ENV, listening_socket

    if workers < 2:
        raise CourseError(f"--workers must be at least 2 here, got {workers}.")
    prepare_usage_log(db)
    sock = listening_socket(host, port, fallback=fallback)
    try:
        port = sock.getsockname()[1]
        os.environ.update({BACKEND_ENV: backend, HOST_ENV: host, PORT_ENV: str(port),
                           USAGE_DB_ENV: str(db),
                           WORKERS_INSTANCE_ENV: instance or secrets.token_hex(16),
                           SUPERVISOR_ENV: str(os.getpid())})  # fmt: skip
        if on_bound is not None:
            on_bound(port)
        raise_open_files_limit()  # (inherited by the workers)
        config = uvicorn.Config("course.service.workers:app_from_env", factory=True,
                                workers=workers, **uvicorn_options())  # as in server.serve
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

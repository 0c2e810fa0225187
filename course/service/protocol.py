"""The service's HTTP connections: who may open one, how large a request head may be, how long
a request may take to arrive, and how long a stop waits.

uvicorn's httptools protocol (measured twice as fast as h11 here) sets none of these: it accepts
a header of any size (and joins its pieces in quadratic time: one 128 MiB header held the event
loop for half a minute), keeps a connection that sends nothing, or half a request, for ever, and
only looks at the caller's account once a whole request has arrived. :class:`GuardedProtocol`
is that protocol with these limits, checked as the bytes arrive:

- **Another account** (on a class hub, :mod:`course.service.peers`): refused when the connection
  is made, with a 403 and the connection closed, before any byte of a request is read.
- **Request head** (request line and headers) over :data:`MAX_HEAD_BYTES`: 431, connection closed.
- **A request that does not arrive in full** within :data:`READ_TIMEOUT` seconds of its first
  byte (or of the connection, for a silent one): 408, connection closed. Between requests uvicorn's
  keep-alive timeout (:data:`KEEP_ALIVE`) closes an idle connection.
- **At most** :data:`MAX_CONCURRENCY` connections and tasks at once: beyond, uvicorn answers 503.
- **A stop** (SIGTERM, Ctrl+C) waits at most :data:`GRACEFUL_SHUTDOWN` seconds for requests in
  progress, then cancels them; the usage log is written either way.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from course.service import peers

#: Bytes a request line and its headers may take (a browser's request with cookies: a few kB).
MAX_HEAD_BYTES = 64 * 1024
#: Seconds a request (head and body; 2 MB at most) may take to arrive, from its first byte.
READ_TIMEOUT = 10.0
#: Seconds an idle connection stays open between two requests (uvicorn's default).
KEEP_ALIVE = 5
#: Seconds a stop waits for requests in progress.
GRACEFUL_SHUTDOWN = 5
#: Connections plus requests in progress beyond which new requests get 503.
MAX_CONCURRENCY = 256
#: Seconds a refused connection (another account) is drained before it is closed.
REFUSED_LINGER = 1.0


def _response(status: int, reason: str, detail: str) -> bytes:
    """A complete HTTP/1.1 answer that closes the connection, with the service's error body."""
    body = json.dumps({"detail": detail}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


FOREIGN = _response(403, "Forbidden", peers.REFUSAL)
TOO_LARGE = _response(
    431,
    "Request Header Fields Too Large",
    f"The request line and headers take more than {MAX_HEAD_BYTES:,} bytes.",
)
TOO_SLOW = _response(
    408, "Request Timeout", f"The request did not arrive in full within {READ_TIMEOUT:g} s."
)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of the module docs."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_open, self._head_bytes, self._refused, self._reading = True, 0, False, False
        self._deadline: asyncio.TimerHandle | None = None
        if peers.required() and not peers.same_account(
            transport.get_extra_info("peername"), transport.get_extra_info("sockname")
        ):
            self._refuse(FOREIGN, linger=True)
            return
        self._start_deadline()

    def _start_deadline(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(READ_TIMEOUT, self._read_timed_out)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _read_timed_out(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self._refuse(TOO_SLOW if self.cycle is None or self.cycle.response_complete else b"")

    def _refuse(self, answer: bytes, linger: bool = False) -> None:
        """Answer and close. ``linger``: stop sending, and drain what the client still sends for
        a moment before closing (closing with unread bytes would reset the connection, and the
        client might never read the answer)."""
        self._refused = True
        self._stop_deadline()
        if answer:
            self.transport.write(answer)
        if linger and self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(REFUSED_LINGER, self.transport.close)
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def eof_received(self) -> bool | None:
        if self._refused:
            self.transport.close()
        return None

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # drained (see _refuse)
        if self._head_open:
            self._reading = True  # a request has begun (on_message_complete ends it)
            room = MAX_HEAD_BYTES - self._head_bytes
            if len(data) > room:
                # Parse only what a head may take: if the head is still open after it, refuse.
                super().data_received(data[:room])
                if self._head_open and not self._refused and not self.transport.is_closing():
                    self._refuse(TOO_LARGE)
                    return
                data = data[room:]
            else:
                self._head_bytes += len(data)
        if data and not self.transport.is_closing():
            super().data_received(data)
        if self._reading and not self._refused:
            # Still incomplete after these bytes: the clock runs from now. (A request that
            # arrives whole, the usual case, never pays for a timer.)
            self._start_deadline()

    def on_message_begin(self) -> None:
        self._reading = True  # (also a pipelined request that begins in the previous one's bytes)
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._head_open = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._stop_deadline()  # the whole request is here: the app takes over
        self._head_open, self._head_bytes, self._reading = True, 0, False
        super().on_message_complete()


def uvicorn_options() -> dict[str, Any]:
    """The ``uvicorn.Config`` options every ``course serve`` process runs with (module docs)."""
    return {
        "http": GuardedProtocol,
        "timeout_keep_alive": KEEP_ALIVE,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN,
        "limit_concurrency": MAX_CONCURRENCY,
        # proxy_headers off: the client address stays the connection's own, which the class
        # hub's same-account check (course/service/peers.py) looks up.
        "proxy_headers": False,
        "log_level": "warning",
        "access_log": False,
    }


def raise_open_files_limit(wanted: int = 65536) -> None:
    """Raise this process's soft limit on open files towards ``wanted`` (within the hard limit):
    the default 1,024 is a few hundred idle connections away from refusing everyone."""
    try:
        import resource
    except ImportError:  # Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


def die_with_parent(parent: int | None) -> None:
    """End this process (SIGTERM: a graceful stop) when ``parent`` ends, even by ``kill -9``.

    On Linux the kernel sends the signal (``PR_SET_PDEATHSIG``); elsewhere a thread watches the
    parent id. If the parent is already gone when this is called, the signal is sent at once."""
    import signal
    import sys

    if parent is None:
        return
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    else:
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, daemon=True, name="parent-watch").start()
    if os.getppid() != parent:  # it died before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)

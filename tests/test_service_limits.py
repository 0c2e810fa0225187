"""The service's connection limits (issue 27, 2.3 and 2.4), probed on loopback with raw sockets.

Each probe is bounded (socket timeouts a few times the service's own limit), never timed: it
checks what the service answered and whether it closed the connection, not how fast.
"""

from __future__ import annotations

import resource
import signal
import socket
import subprocess

import httpx
import pytest

from course.service import protocol
from course.service.background import BackgroundService
from tests.service_fixture import write_artifact

#: How long a probe waits for the service to act on a limit: well past the limit itself.
PATIENCE = protocol.READ_TIMEOUT * 3


@pytest.fixture
def service(tmp_path, monkeypatch):
    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))
    running = BackgroundService.start(port=0, db=tmp_path / "usage.sqlite", timeout=60)
    yield running
    running.stop()


def read_answer(sock: socket.socket) -> tuple[bytes, bool]:
    """What the service sent until it closed the connection (True) or the patience ran out."""
    sock.settimeout(PATIENCE)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        return data, False
    except ConnectionResetError:
        return data, True
    return data, True


def status(data: bytes) -> str:
    return data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1 ") else "none"


def test_a_request_head_over_the_limit_is_refused_before_it_is_parsed(service):
    """Before: any header size was read (a 128 MiB header took 32.8 s, joined in quadratic time);
    here a 1 MiB header is refused with 431 once 64 KiB have arrived, and the connection closed."""
    with socket.create_connection(("127.0.0.1", service.port), timeout=PATIENCE) as sock:
        head = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 2**20 + b"\r\n\r\n"
        try:
            sock.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before it was all sent: the answer is still there to read
        data, closed = read_answer(sock)
    assert (status(data), closed) == ("431", True), data[:200]
    big_but_allowed = {"X-Fine": "a" * (protocol.MAX_HEAD_BYTES // 2)}
    assert (
        httpx.get(service.url + "/health", headers=big_but_allowed, timeout=10).status_code == 200
    )


def test_silent_and_half_sent_requests_are_closed_and_do_not_lock_others_out(service):
    """Before: idle, partial-header and partial-body connections were held for ever, and 1,100
    of them (past 1,024 descriptors) locked every new client out. Now each is closed
    READ_TIMEOUT s after it started (408 when no answer had begun), and a client arriving while
    they are open is answered (503 past MAX_CONCURRENCY, not a hang)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1300 <= hard or hard == resource.RLIM_INFINITY:
        resource.setrlimit(
            resource.RLIMIT_NOFILE,
            (4096 if hard == resource.RLIM_INFINITY else min(4096, hard), hard),
        )
    elif soft < 1300:
        pytest.skip("this process may not open 1,100 connections")
    kinds = {
        "silent": b"",
        "half head": b"GET /health HTTP/1.1\r\nHost: localhost\r\n",
        "half body": b"POST /v1/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
        b'application/json\r\nContent-Length: 1000\r\n\r\n{"age": ',
    }
    held: list[tuple[str, socket.socket]] = []
    try:
        for number in range(1100):
            kind = list(kinds)[number % 3]
            sock = socket.create_connection(("127.0.0.1", service.port), timeout=PATIENCE)
            sock.sendall(kinds[kind])
            held.append((kind, sock))
        try:  # a new client, while 1,100 connections are held
            newcomer = httpx.get(service.url + "/health", timeout=PATIENCE).status_code
        except httpx.TransportError as error:
            newcomer = repr(error)
        assert newcomer in (200, 503), newcomer
        answers = {kind: set() for kind in kinds}
        for kind, sock in held:
            data, closed = read_answer(sock)
            answers[kind].add((status(data), closed))
    finally:
        for _, sock in held:
            sock.close()
    # A half body's head is complete: past MAX_CONCURRENCY it is answered 503 at once; within
    # it, the app is reading it when the read timeout closes the connection (no answer begun).
    assert answers["silent"] == answers["half head"] == {("408", True)}, answers
    assert answers["half body"] <= {("none", True), ("503", True)}, answers
    assert httpx.get(service.url + "/health", timeout=10).status_code == 200


def test_a_client_stalled_mid_body_does_not_keep_a_stop_waiting(service):
    """Before: one client stalled mid-body kept SIGTERM from stopping the service for 30 s and
    more. The stop now waits at most GRACEFUL_SHUTDOWN s (the read timeout closes it anyway)."""
    with socket.create_connection(("127.0.0.1", service.port), timeout=PATIENCE) as sock:
        sock.sendall(
            b"POST /v1/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/"
            b"json\r\nContent-Length: 1000\r\n\r\n{"
        )
        assert httpx.get(service.url + "/health", timeout=10).status_code == 200  # it is in
        service.process.send_signal(signal.SIGTERM)
        try:
            service.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"SIGTERM did not stop the service within {PATIENCE:g} s")
    assert service.process.returncode in (0, -signal.SIGTERM)


def test_the_limits_are_what_the_docs_say():
    options = protocol.uvicorn_options()
    assert options["http"] is protocol.GuardedProtocol
    assert options["limit_concurrency"] == protocol.MAX_CONCURRENCY
    assert options["timeout_graceful_shutdown"] == protocol.GRACEFUL_SHUTDOWN
    assert options["timeout_keep_alive"] == protocol.KEEP_ALIVE
    assert options["proxy_headers"] is False  # the account check needs the real peer address

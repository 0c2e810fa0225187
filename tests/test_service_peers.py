"""On a class hub a learner's service answers only that learner's account (issue 19)."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from course.service import peers

HEADER = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode"
)


def row(local: str, remote: str, state: str, uid: int) -> str:
    return (
        f"   0: {local} {remote} {state} 00000000:00000000 "
        f"00:00000000 00000000  {uid}        0 12345 1 0000000000000000 20 4 30 10 -1"
    )


def test_addresses_are_written_as_the_kernel_table_writes_them():
    if sys.byteorder != "little":
        pytest.skip("the table's words are in the host's byte order")
    assert peers.table_address("127.0.0.1", 8000) == "0100007F:1F40"
    assert peers.table_address("::1", 80) == "00000000000000000000000001000000:0050"
    assert peers.table_address("::ffff:127.0.0.5", 1) == "0000000000000000FFFF00000500007F:0001"


def test_the_owner_of_a_connection_is_read_from_the_kernel_table(tmp_path):
    a = peers.table_address
    table = tmp_path / "tcp"
    table.write_text(
        "\n".join(
            [
                HEADER,
                row(a("127.0.0.1", 8000), a("0.0.0.0", 0), "0A", 1001),
                row(a("127.0.0.1", 51000), a("127.0.0.1", 8000), "06", 0),  # closed
                row(a("127.0.0.1", 51000), a("127.0.0.1", 8000), "01", 1002),
                row(a("127.0.0.1", 8000), a("127.0.0.1", 51000), "01", 1001),
            ]
        )
        + "\n"
    )
    assert peers.socket_owner(("127.0.0.1", 51000), ("127.0.0.1", 8000), tables=[table]) == 1002
    assert peers.socket_owner(("127.0.0.1", 52000), ("127.0.0.1", 8000), tables=[table]) is None
    assert (
        peers.socket_owner(("127.0.0.1", 51000), ("127.0.0.1", 8000), tables=[tmp_path / "x"])
        is None
    )


def test_a_client_on_the_services_own_port_number_is_not_taken_for_the_service(tmp_path):
    """Issue 27, 2.1: another account binds its client socket to the service's port number on
    another loopback address (127.0.0.5:8000 -> 127.0.0.1:8000). Matched by ports alone, the
    service's own accepted socket (local port 8000, remote port 8000) answered for it."""
    a = peers.table_address
    table = tmp_path / "tcp"
    table.write_text(
        "\n".join(
            [
                HEADER,
                row(a("127.0.0.1", 8000), a("0.0.0.0", 0), "0A", 1001),
                row(a("127.0.0.1", 8000), a("127.0.0.5", 8000), "01", 1001),  # service
                row(a("127.0.0.5", 8000), a("127.0.0.1", 8000), "01", 65534),
            ]
        )
        + "\n"
    )
    assert peers.socket_owner(("127.0.0.5", 8000), ("127.0.0.1", 8000), tables=[table]) == 65534


def test_a_request_with_no_known_peer_is_refused():
    """The check fails closed: no client address (or no table) means no answer."""
    middleware = peers.SameAccountOnly(app=None, uid=os.getuid())
    assert not middleware.allowed({"client": None, "server": ("127.0.0.1", 8000)})
    assert not middleware.allowed({"client": ("127.0.0.1", 0), "server": ("127.0.0.1", 8000)})
    assert not peers.same_account(("not an address", 1), ("127.0.0.1", 8000))


@pytest.mark.skipif(
    os.geteuid() != 0 or not sys.platform.startswith("linux"),
    reason="needs root to call the service as another account (Linux)",
)
def test_another_account_is_refused_and_the_owner_served(tmp_path, monkeypatch):
    from course.service.background import BackgroundService
    from tests.service_fixture import write_artifact

    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))
    monkeypatch.setenv(peers.SAME_ACCOUNT_ENV, "1")
    service = BackgroundService.start(db=tmp_path / "usage.sqlite", timeout=60)
    try:
        assert httpx.get(service.url + "/health", timeout=10).status_code == 200
        call = (
            "import urllib.request, urllib.error\ntry:\n"
            f"    print(urllib.request.urlopen({service.url + '/v1/usage'!r}).status)\n"
            "except urllib.error.HTTPError as refused:\n    print(refused.code)"
        )
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        other = subprocess.run(
            [python, "-c", call], user="nobody", capture_output=True, text=True, timeout=60
        )
        assert other.returncode == 0, other.stderr[-300:]
        assert other.stdout.strip() == "403"
    finally:
        service.stop()


#: Run as another account (the system's Python: the course's may be unreadable to it). Argument:
#: the service's port. Prints a JSON object of what the service answered.
OTHER_ACCOUNT_PROBE = r"""
import json, socket, sys
port = int(sys.argv[1])
def answer(sock):
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data, True  # the service closed the connection
            data += chunk
    except socket.timeout:
        return data, False  # still open
statuses = []
for n in range(40):  # the bypass: the client socket on the service's own port number
    with socket.socket() as sock:
        sock.settimeout(10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((f"127.0.0.{5 + n}", port))  # (each address hashes to another table row)
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET /v1/usage HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data, _ = answer(sock)
        statuses.append(data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none")
partial, closed = [], 0
for _ in range(50):  # requests that never finish their headers
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /v1/usage HTTP/1.1\r\nHost: localhost\r\n")
    partial.append(sock)
for sock in partial:
    data, gone = answer(sock)
    closed += gone and b" 403 " in data[:20]
    sock.close()
print(json.dumps({"statuses": statuses, "partial_refused_and_closed": closed}))
"""


@pytest.mark.skipif(
    os.geteuid() != 0 or not sys.platform.startswith("linux"),
    reason="needs root to call the service as another account (Linux)",
)
def test_another_account_is_refused_at_connection_time_whatever_port_it_binds(
    tmp_path, monkeypatch
):
    """Issue 27, 2.1, a bounded probe: 40 requests from uid 65534 through a client socket bound
    to the service's own port number (before: 21 of 40 answered 200 with the owner's usage), and
    50 connections that never finish a request (before: all held open, unanswered)."""
    import json

    from course.service.background import BackgroundService
    from tests.service_fixture import write_artifact

    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))
    monkeypatch.setenv(peers.SAME_ACCOUNT_ENV, "1")
    service = BackgroundService.start(port=0, db=tmp_path / "usage.sqlite", timeout=60)
    try:
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        other = subprocess.run(
            [python, "-c", OTHER_ACCOUNT_PROBE, str(service.port)],
            user="nobody",
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert other.returncode == 0, other.stderr[-500:]
        seen = json.loads(other.stdout)
        assert seen["statuses"] == ["403"] * 40
        assert seen["partial_refused_and_closed"] == 50
        assert httpx.get(service.url + "/v1/usage", timeout=10).status_code == 200  # the owner
    finally:
        service.stop()

"""On a class hub a learner's service answers only that learner's account (issue 19)."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from course.service import peers

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"


def row(local_port: int, remote_port: int, state: str, uid: int) -> str:
    return (f"   0: 0100007F:{local_port:04X} 0100007F:{remote_port:04X} {state} 00000000:00000000 "
            f"00:00000000 00000000  {uid}        0 12345 1 0000000000000000 20 4 30 10 -1")


def test_the_owner_of_a_connection_is_read_from_the_kernel_table(tmp_path):
    table = tmp_path / "tcp"
    table.write_text("\n".join([HEADER, row(8000, 0, "0A", 1001),  # the service listening
                                row(51000, 8000, "06", 0),  # a closed connection (TIME_WAIT)
                                row(51000, 8000, "01", 1002),  # the caller's end, in use
                                row(8000, 51000, "01", 1001)]) + "\n")  # fmt: skip
    assert peers.socket_owner(51000, 8000, tables=[table]) == 1002
    assert peers.socket_owner(52000, 8000, tables=[table]) is None
    assert peers.socket_owner(51000, 8000, tables=[tmp_path / "absent"]) is None


def test_a_request_with_no_known_peer_is_refused():
    """The check fails closed: no client address (or no table) means no answer."""
    middleware = peers.SameAccountOnly(app=None, uid=os.getuid())
    assert not middleware.allowed({"client": None, "server": ("127.0.0.1", 8000)})
    assert not middleware.allowed({"client": ("127.0.0.1", 0), "server": ("127.0.0.1", 8000)})


@pytest.mark.skipif(os.geteuid() != 0 or not sys.platform.startswith("linux"),
                    reason="needs root to call the service as another account (Linux)")
def test_another_account_is_refused_and_the_owner_served(tmp_path, monkeypatch):
    from course.service.server import BackgroundService
    from tests.service_fixture import write_artifact

    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))
    monkeypatch.setenv(peers.SAME_ACCOUNT_ENV, "1")
    service = BackgroundService.start(db=tmp_path / "usage.sqlite", timeout=60)
    try:
        assert httpx.get(service.url + "/health", timeout=10).status_code == 200
        call = ("import urllib.request, urllib.error\ntry:\n"
                f"    print(urllib.request.urlopen({service.url + '/v1/usage'!r}).status)\n"
                "except urllib.error.HTTPError as refused:\n    print(refused.code)")  # fmt: skip
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        other = subprocess.run([python, "-c", call], user="nobody", capture_output=True,
                               text=True, timeout=60)  # fmt: skip
        assert other.returncode == 0, other.stderr[-300:]
        assert other.stdout.strip() == "403"
    finally:
        service.stop()

"""What a refusal costs and says, and the small leaks of issue 27 (2.2, 2.6, section 3), each
probed in-process (or on loopback where only a real server shows it)."""

from __future__ import annotations

import json
import os
import re
import stat

import httpx
import pytest

from course.service import decoding
from course.service.background import BackgroundService
from course.service.server import public_url
from course.service.storage import KeyNameError, Storage
from tests.service_fixture import APPLICANT, client, storage, synthetic_model, write_artifact  # noqa: F401  (fixtures)

JSON = {"content-type": "application/json"}


def test_a_refusal_lists_at_most_twenty_problems_and_counts_the_rest(client):
    """Before: a 1,989,997-byte object of 205,990 unknown keys was answered with 206,010 errors
    (17,646,802 bytes). Now: 20 errors and one entry counting the rest, a few kB."""
    body = json.dumps({f"{i:x}": 1 for i in range(205_990)}, separators=(",", ":")).encode()
    assert len(body) < 2_000_000
    refused = client.post("/v1/score", content=body, headers=JSON)
    assert refused.status_code == 422
    assert len(refused.content) < 10_000, len(refused.content)
    errors = refused.json()["errors"]
    assert len(errors) == decoding.MAX_ERRORS + 1
    assert errors[0] == {
        "field": "0",
        "problem": "Extra inputs are not permitted",
        "type": "extra_forbidden",
    }
    assert errors[-1]["type"] == "more_errors" and "205,990 more" in errors[-1]["problem"]
    batch = {"applicants": [{**APPLICANT, **{f"x{i}": 1 for i in range(40)}}] * 1000}
    refused = client.post("/v1/score/batch", json=batch)
    assert refused.status_code == 422 and len(refused.json()["errors"]) == decoding.MAX_ERRORS + 1
    long_key = client.post("/v1/score", json={**APPLICANT, "k" * 100_000: 1})
    assert long_key.status_code == 422 and len(long_key.content) < 2_000


def test_the_yardstick_route_checks_the_key_once_keys_exist(client, storage):
    assert client.post("/v1/noop", json=APPLICANT).status_code == 200  # open: no key yet
    key = storage.create_key("lender-a")
    assert client.post("/v1/noop", json=APPLICANT).status_code == 401
    assert client.post("/v1/noop", json=APPLICANT, headers={"X-API-Key": key}).status_code == 200


def test_a_keys_request_ids_count_its_own_requests_only(client, storage):
    a, b = storage.create_key("lender-a"), storage.create_key("lender-b")

    def request_id(key: str) -> str:
        return client.post("/v1/score", json=APPLICANT, headers={"X-API-Key": key}).json()[
            "request_id"
        ]

    first = request_id(a)
    for _ in range(5):
        request_id(b)
    second = request_id(a)
    assert second[:16] == first[:16] and int(second[16:], 16) == int(first[16:], 16) + 1
    assert request_id(b)[:16] != first[:16]


@pytest.mark.parametrize(
    "name, problem",
    [
        ("\uff41\uff4e\uff4f\uff4e\uff59\uff4d\uff4f\uff55\uff53", "reserved"),  # fullwidth
        ("\u0430nonymous", "Invalid key name"),  # a Cyrillic a
        ("ANONYMOUS", "reserved"),
        ("a" * 100_000, "at most 64 characters"),
        ("lender\u00a0a", "Invalid key name"),
    ],
)
def test_key_names_that_look_alike_are_one_name_or_refused(storage, name, problem):
    with pytest.raises(KeyNameError, match=problem):
        storage.create_key(name)


def test_names_differing_only_in_case_are_one_name(storage):
    storage.create_key("lender-a")
    with pytest.raises(KeyNameError, match="already exists"):
        storage.create_key("Lender-A")
    storage.create_key("\uff2c\uff45\uff4e\uff44\uff45\uff52-b")  # fullwidth: lender-b
    assert set(storage._keys.values()) == {"lender-a", "lender-b"}


def test_disagreeing_or_repeated_credentials_are_refused(client, storage):
    a, b = storage.create_key("lender-a"), storage.create_key("lender-b")
    for headers in (
        [("X-API-Key", a), ("Authorization", f"Bearer {b}")],
        [("X-API-Key", a), ("X-API-Key", b)],
        [("X-API-Key", a), ("X-API-Key", a)],
        [("Authorization", f"Bearer {a}"), ("Authorization", f"Bearer {b}")],
    ):
        refused = client.post("/v1/score", json=APPLICANT, headers=headers)
        assert refused.status_code == 400 and "one API key" in refused.json()["detail"], headers
        assert client.get("/v1/usage", headers=headers).status_code == 400
    same = [("X-API-Key", a), ("Authorization", f"Bearer {a}")]
    assert client.post("/v1/score", json=APPLICANT, headers=same).status_code == 200
    assert storage.usage_by_key_and_day("lender-b") == []


def test_an_unknown_key_does_not_reread_the_key_table(client, storage):
    storage.create_key("lender-a")
    reads = []
    storage._db.set_trace_callback(lambda sql: reads.append(sql) if "api_keys" in sql else None)
    for number in range(50):
        assert (
            client.post(
                "/v1/score", json=APPLICANT, headers={"X-API-Key": f"ck_bogus{number}"}
            ).status_code
            == 401
        )
    assert reads == []  # before: one full read of the key table per bogus key
    other = Storage(storage.path)  # a key made by another process still counts at once
    fresh = other.create_key("lender-b")
    other.close()
    assert client.post("/v1/score", json=APPLICANT, headers={"X-API-Key": fresh}).status_code == 200


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_the_usage_log_and_its_wal_are_private(tmp_path, client, storage):
    client.post("/v1/score", json=APPLICANT)
    storage.flush()
    for path in (storage.path, storage.path.with_name(storage.path.name + "-wal")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    loose = tmp_path / "old.sqlite"
    Storage(loose).close()
    loose.chmod(0o644)
    Storage(loose).close()  # an existing log is made private when opened
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600


def test_head_is_answered_on_get_routes(client):
    for path in ("/health", "/v1/model", "/v1/usage", "/openapi.json", "/docs"):
        head, get = client.head(path), client.get(path)
        assert head.status_code == get.status_code == 200, path
        assert (
            head.content == b"" and head.headers["content-length"] == get.headers["content-length"]
        )
    assert client.head("/v1/score").status_code == 405


def test_an_ipv6_host_is_printed_in_brackets():
    assert public_url("::1", 8000) == "http://[::1]:8000/docs"
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/docs"


def test_a_client_gone_mid_body_leaves_no_traceback_in_the_log(tmp_path, monkeypatch):
    import socket

    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))
    service = BackgroundService.start(port=0, db=tmp_path / "usage.sqlite", timeout=60)
    try:
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", service.port), timeout=10) as sock:
                sock.sendall(
                    b"POST /v1/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    b'application/json\r\nContent-Length: 1000\r\n\r\n{"age": '
                )
        assert httpx.get(service.url + "/health", timeout=10).status_code == 200
        service.process.terminate()  # (the log is read once the process has written all of it;
        service.process.wait(timeout=10)  # stop() then removes it with the service's folder)
        log = service.log.read_text()
    finally:
        service.stop()
    assert "Traceback" not in log, log[-2000:]


def test_duplicate_keys_are_described_as_the_code_treats_them():
    """The README said duplicate JSON keys get a 4xx; the service (deliberately, as JSON parsers
    do) takes the last one (tests/test_service_hostile.py). The README now says so."""
    from course.config import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    assert re.search(r"duplicate keys[^.]*the last", readme), "README: duplicate keys"


def test_the_schema_gives_every_answer_a_schema_and_a_pep440_version(client):
    from packaging.version import Version

    schema = client.get("/openapi.json").json()
    Version(schema["info"]["version"])  # raises for credit_risk/1
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                assert content.get("schema"), (method, path, code)
                assert content["schema"] != {}, (method, path, code)
            if method == "post" or path == "/v1/usage":
                assert {"400", "401"} <= set(operation["responses"]), (method, path)
    assert set(schema["components"]["schemas"]["ErrorBody"]["properties"]) == {"detail", "errors"}

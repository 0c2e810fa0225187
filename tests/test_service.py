"""The web service: every endpoint and status code, API keys, the usage log, bad requests,
property-based fuzzing, a real uvicorn process, and bounded concurrent load on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.service.storage import Storage
from tests.service_fixture import APPLICANT, client, storage, synthetic_model, write_artifact  # noqa: F401  (fixtures)


def test_score_endpoints_and_metadata(client, storage):
    from course.service import schemas

    one = client.post("/v1/score", json=APPLICANT)
    assert one.status_code == 200
    body = one.json()
    schemas.ScoreResponse.model_validate(body)  # the documented schema holds
    p = synthetic_model().predict_proba([APPLICANT])[0]
    assert body["probability_of_default"] == pytest.approx(p)
    assert body["decision"] == ("reject" if p >= 0.5 else "approve")
    assert body["model_version"] == "credit_risk/1" and len(body["request_id"]) == 32
    batch = client.post(
        "/v1/score/batch", json={"applicants": [APPLICANT, {**APPLICANT, "age": 70}]}
    )
    assert batch.status_code == 200 and len(batch.json()["scores"]) == 2
    schemas.BatchResponse.model_validate(batch.json())
    served = client.post("/v1/models/credit_risk:predict", json={"instances": [APPLICANT] * 3})
    assert served.json() == {"predictions": [pytest.approx(p)] * 3}
    health = client.get("/health").json()
    assert health == {
        "status": "ok",
        "model_version": "credit_risk/1",
        "instance": health["instance"],
    }
    assert len(health["instance"]) == 32  # random per service: who started it can tell it apart
    info = client.get("/v1/model").json()
    assert info["threshold"] == 0.5 and info["limits"] == ["synthetic test model"]
    usage = client.get("/v1/usage").json()["usage"]
    assert usage[0]["key_id"] == "anonymous" and usage[0]["requests"] == 3 and usage[0]["rows"] == 6
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/v1/models/credit_risk:predict" in schema["paths"] and "/v1/noop" not in schema["paths"]
    # msgspec reads the bodies, yet the docs show pydantic's schemas and the error answers
    score = schema["paths"]["/v1/score"]["post"]
    body = score["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Applicant"} and "422" in score["responses"]
    components = schema["components"]["schemas"]
    assert components["Applicant"]["properties"]["purpose"]["enum"][0] == "retraining"
    assert components["Batch"]["properties"]["applicants"]["maxItems"] == 1000
    assert components["ServingRequest"]["properties"]["instances"]["items"] == body


def test_api_keys_are_required_once_one_exists_and_stored_hashed(client, storage):
    key = storage.create_key("lender-a")
    assert client.post("/v1/score", json=APPLICANT).json()["detail"].startswith("Missing API key")
    assert client.post("/v1/score", json=APPLICANT).status_code == 401
    wrong = client.post("/v1/score", json=APPLICANT, headers={"X-API-Key": "ck_guess"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Invalid API key."
    assert client.post("/v1/score", json=APPLICANT, headers={"X-API-Key": key}).status_code == 200
    bearer = client.post("/v1/score", json=APPLICANT, headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 200
    assert client.get("/v1/usage").status_code == 401
    usage = client.get("/v1/usage", headers={"X-API-Key": key}).json()["usage"]
    assert [(u["key_id"], u["requests"]) for u in usage] == [("lender-a", 2)]
    assert key.encode() not in storage.path.read_bytes()
    unread = client.post(
        "/v1/score", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert unread.status_code == 401  # the key is checked before the body is read
    with pytest.raises(ValueError):
        storage.create_key("bad name!")


def test_each_key_sees_only_its_own_usage(client, storage):
    from course.errors import CourseError

    assert client.post("/v1/score", json=APPLICANT).status_code == 200  # open access, no key yet
    for reserved in ("anonymous", "Anonymous"):  # the usage log's name for open access
        with pytest.raises(ValueError, match=f"{reserved!r} is reserved.*another name") as refused:
            storage.create_key(reserved)
        assert isinstance(refused.value, CourseError)  # the CLI prints it as one line
    assert not storage.has_keys()  # nothing was created: access is still open
    keys = {name: storage.create_key(name) for name in ("lender-a", "lender-b")}
    for name, calls in (("lender-a", 2), ("lender-b", 3)):
        for _ in range(calls):
            scored = client.post("/v1/score", json=APPLICANT, headers={"X-API-Key": keys[name]})
            assert scored.status_code == 200
    batch, headers = {"instances": [APPLICANT] * 4}, {"X-API-Key": keys["lender-b"]}
    assert (
        client.post("/v1/models/credit_risk:predict", json=batch, headers=headers).status_code
        == 200
    )
    for name, requests, rows in (("lender-a", 2, 2), ("lender-b", 4, 7)):
        usage = client.get("/v1/usage", headers={"X-API-Key": keys[name]}).json()["usage"]
        # its own rows only: neither the other key's nor the open access before the first key
        assert [(u["key_id"], u["requests"], u["rows"]) for u in usage] == [(name, requests, rows)]
    everything = {u["key_id"]: u["requests"] for u in storage.usage_by_key_and_day()}
    assert everything == {"anonymous": 1, "lender-a": 2, "lender-b": 4}


def test_an_old_key_named_anonymous_sees_only_its_own_rows(client, storage):
    import sqlite3

    from course.service.storage import hash_key

    assert client.post("/v1/score", json=APPLICANT).status_code == 200  # open access
    with sqlite3.connect(storage.path) as db:  # as `course keys create anonymous` once could
        db.execute("INSERT INTO api_keys VALUES ('anonymous', ?, 'before')", (hash_key("ck_old"),))
    db.close()
    key = storage.create_key("lender-a")
    assert client.post("/v1/score", json=APPLICANT, headers={"X-API-Key": key}).status_code == 200
    usage = client.get("/v1/usage", headers={"X-API-Key": "ck_old"}).json()["usage"]
    # "show every row" follows from no key existing, not from the caller's key id: lender-a's
    # rows stay out of sight (the open access rows logged under that name cannot be told apart)
    assert [u["key_id"] for u in usage] == ["anonymous"]


def test_keys_cli_says_what_is_wrong_in_one_line_without_a_traceback(tmp_path):
    db = tmp_path / "keys.sqlite"
    store = Storage(db)
    store.create_key("lender-a")
    store.close()
    (tmp_path / "notes.sqlite").write_text("not a database")
    mistakes = [
        ("lender-a", db, "A key named 'lender-a' already exists"),
        ("bad name!", db, "Invalid key name 'bad name!': use only letters, digits"),
        ("anonymous", db, "The key name 'anonymous' is reserved"),
        ("lender-b", tmp_path / "notes.sqlite", "Cannot open the key database"),
    ]
    for name, path, named in mistakes:
        command = [sys.executable, "-m", "course", "keys", "create", name, "--db", str(path)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1 and result.stdout == "", (name, result.stdout)
        assert "Traceback" not in result.stderr and named in result.stderr, (name, result.stderr)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    store = Storage(db)
    assert list(store._keys.values()) == ["lender-a"]  # nothing created by the mistakes
    store.close()


BAD_REQUESTS = [
    ("malformed JSON", "/v1/score", b'{"duration": 12,', "application/json", 422, "JSON"),
    (
        "missing field",
        "/v1/score",
        {k: v for k, v in APPLICANT.items() if k != "age"},
        None,
        422,
        "age",
    ),
    ("extra field", "/v1/score", {**APPLICANT, "salary": 1}, None, 422, "salary"),
    ("wrong type", "/v1/score", {**APPLICANT, "age": "35"}, None, 422, "age"),
    ("boolean for a number", "/v1/score", {**APPLICANT, "duration": True}, None, 422, "duration"),
    (
        "NaN",
        "/v1/score",
        json.dumps(APPLICANT).replace('"age": 35', '"age": NaN').encode(),
        "application/json",
        422,
        "age",
    ),
    (
        "Infinity",
        "/v1/score",
        json.dumps(APPLICANT).replace('"age": 35', '"age": Infinity').encode(),
        "application/json",
        422,
        "age",
    ),
    ("unknown category", "/v1/score", {**APPLICANT, "purpose": "yacht"}, None, 422, "purpose"),
    (
        "negative amount",
        "/v1/score",
        {**APPLICANT, "credit_amount": -100.0},
        None,
        422,
        "credit_amount",
    ),
    ("empty batch", "/v1/score/batch", {"applicants": []}, None, 422, "applicants"),
    (
        "batch over the limit",
        "/v1/score/batch",
        {"applicants": [APPLICANT] * 1001},
        None,
        422,
        "applicants",
    ),
    (
        "oversize body",
        "/v1/score",
        b'{"x": "' + b"a" * 2_100_000 + b'"}',
        "application/json",
        413,
        "Too Large",
    ),
    ("wrong content type", "/v1/score", json.dumps(APPLICANT).encode(), "text/plain", 415, "JSON"),
    (
        "not an object",
        "/v1/models/credit_risk:predict",
        {"instances": [1, 2]},
        None,
        422,
        "instances.0",
    ),
    # the explanation's json.loads raised RecursionError, msgspec UnicodeDecodeError: both were 500s
    ("arrays 1,000 deep", "/v1/score", b"[" * 1000, "application/json", 422, "nested too deeply"),
    (
        "objects 1,000 deep",
        "/v1/score/batch",
        b'{"a":' * 1000 + b"1" + b"}" * 1000,
        "application/json",
        422,
        "nested too deeply",
    ),
    (
        "invalid UTF-8 in a value",
        "/v1/models/credit_risk:predict",
        b'{"purpose":"\xff"}',
        "application/json",
        422,
        "invalid UTF-8",
    ),
    (
        "invalid UTF-8 in a key",
        "/v1/score",
        b'{"\xff":1}',
        "application/json",
        422,
        "invalid UTF-8",
    ),
]


@pytest.mark.parametrize(
    ("case", "path", "body", "kind", "status", "named"),
    BAD_REQUESTS,
    ids=[c[0] for c in BAD_REQUESTS],
)
def test_bad_requests_are_4xx_naming_the_problem_and_the_server_keeps_serving(
    client, storage, case, path, body, kind, status, named
):
    if isinstance(body, bytes):
        response = client.post(path, content=body, headers={"content-type": kind})
    else:
        response = client.post(path, json=body)
    assert response.status_code == status, response.text
    assert named in response.text
    assert storage.count_rows() == 0  # nothing scored, nothing billed
    assert client.post("/v1/score", json=APPLICANT).status_code == 200


def test_chunked_oversize_body_is_refused(client):
    def chunks():
        for _ in range(30):
            yield b"a" * 100_000

    response = client.post(
        "/v1/score", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "Too Large" in response.text


json_values = st.recursive(
    # NaN and Infinity are not JSON the test client can send; raw-byte tests above cover them.
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
mutated_applicant = (
    st.fixed_dictionaries({})
    .flatmap(
        lambda _: st.dictionaries(
            st.sampled_from(list(APPLICANT) + ["extra"]), json_values, max_size=6
        )
    )
    .map(lambda changes: {**APPLICANT, **changes})
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        json_values,
        mutated_applicant,
        st.builds(lambda a: {"applicants": a}, st.lists(mutated_applicant, max_size=3)),
        st.builds(lambda a: {"instances": a}, st.lists(json_values, max_size=3)),
    ),
    path=st.sampled_from(["/v1/score", "/v1/score/batch", "/v1/models/credit_risk:predict"]),
)
def test_fuzzed_bodies_never_cause_a_server_error(client, body, path):
    response = client.post(path, json=body)
    assert response.status_code < 500, response.text


def _eventually(condition, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


class LiveServer:
    """A real `course serve` process (via the notebooks' BackgroundService) on 127.0.0.1."""

    def __init__(self, folder, monkeypatch):
        from course.service.background import BackgroundService

        write_artifact(folder)
        monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(folder))
        self.folder = folder
        self.service = BackgroundService.start(port=0, db=folder / "usage.sqlite", timeout=30)
        self.url, self.process = self.service.url, self.service.process

    def stop(self) -> None:
        # uvicorn shuts down gracefully, then re-raises the signal: -SIGTERM is a clean exit.
        assert self.service.stop(), "the port is still in use after stopping"
        assert self.process.returncode in (0, -signal.SIGTERM)

    def rows_on_disk(self) -> int:
        store = Storage(self.folder / "usage.sqlite")
        try:
            return store.count_rows()
        finally:
            store.close()


@pytest.fixture
def live_server(tmp_path, monkeypatch):
    server = LiveServer(tmp_path, monkeypatch)
    yield server
    server.stop()


def test_real_server_scores_logs_and_flushes_the_log_on_stop(live_server):
    response = httpx.post(f"{live_server.url}/v1/score", json=APPLICANT, timeout=5)
    assert response.status_code == 200 and response.json()["model_version"] == "credit_risk/1"
    assert httpx.post(f"{live_server.url}/v1/score", json={"age": 1}, timeout=5).status_code == 422
    assert _eventually(lambda: live_server.rows_on_disk() == 1)  # written within 0.1 s, unasked
    key = live_server.service.create_key("lender-a")  # from another process, as in a terminal
    assert httpx.post(f"{live_server.url}/v1/score", json=APPLICANT, timeout=5).status_code == 401
    scored = httpx.post(f"{live_server.url}/v1/score", json=APPLICANT, headers={"X-API-Key": key})
    assert scored.status_code == 200
    live_server.stop()
    assert live_server.rows_on_disk() == 2


def test_concurrent_load_loses_no_usage_rows(live_server):
    from course.service.background import post_many

    total = 2000
    statuses = asyncio.run(
        post_many(live_server.url, "/v1/score", APPLICANT, total, connections=16)
    )
    assert len(statuses) == total and set(statuses) == {200}
    usage = httpx.get(f"{live_server.url}/v1/usage", timeout=5).json()["usage"]
    assert sum(day["requests"] for day in usage) == total  # reads flush the buffer first
    live_server.stop()
    assert live_server.rows_on_disk() == total  # and a graceful stop writes everything


def test_usage_rows_are_buffered_then_written_by_reads_and_at_close(tmp_path):
    store, reader = Storage(tmp_path / "u.sqlite"), Storage(tmp_path / "u.sqlite")
    store.record("a", "score", 1, 0.1, "v", "r1")
    assert reader.count_rows() == 0  # buffered: no database work on the request path
    assert store.count_rows() == 1  # a read writes the buffer first
    assert reader.count_rows() == 1
    store.record("a", "score", 1, 0.1, "v", "r2")
    store.close()
    store.close()  # idempotent
    assert reader.count_rows() == 2
    assert reader.usage_by_key_and_day()[0]["day"] == time.strftime("%Y-%m-%d", time.gmtime())
    reader.close()


def test_keys_from_another_process_count_without_a_database_read_per_request(tmp_path):
    from course.service.storage import keep_written

    service = Storage(tmp_path / "u.sqlite")
    terminal = Storage(tmp_path / "u.sqlite")  # what `course keys create` does
    assert not service.has_keys()
    key = terminal.create_key("lender-a")
    assert service.key_id_for(key) == "lender-a"  # a new key works at once (read on a miss)
    assert service.key_id_for("ck_guess") is None

    async def writer_notices_keys_and_writes_rows() -> None:
        other, reader = Storage(tmp_path / "v.sqlite"), Storage(tmp_path / "v.sqlite")
        task = asyncio.create_task(keep_written(other, every=0.02))
        other.record("a", "score", 1, 0.1, "v", "r1")
        Storage(tmp_path / "v.sqlite").create_key("lender-b")
        assert not other.has_keys()
        await asyncio.sleep(0.2)
        task.cancel()
        assert other.has_keys() and reader.count_rows() == 1
        for handle in (other, reader):
            handle.close()

    asyncio.run(writer_notices_keys_and_writes_rows())
    for handle in (service, terminal):
        handle.close()


def test_missing_or_corrupt_artifact_refuses_to_start(tmp_path):
    env = {**os.environ, "COURSE_ARTIFACTS_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "course", "serve", "--port", "0"]  # 0: any free port
    missing = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert missing.returncode == 1 and "course model build" in missing.stderr
    assert str(tmp_path / "credit_risk_numpy.json") in missing.stderr
    (tmp_path / "credit_risk_numpy.json").write_text("{not json")
    corrupt = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert (
        corrupt.returncode == 1
        and "corrupt" in corrupt.stderr
        and "Traceback" not in corrupt.stderr
    )


def test_service_process_is_light(tmp_path):
    write_artifact(tmp_path)
    # VmHWM, not ru_maxrss: the latter survives execve and would include pytest's own peak.
    code = (
        "import re, sys, time; t = time.perf_counter()\n"
        "from course.service.server import build_app\n"
        f"build_app(db={str(tmp_path / 'u.sqlite')!r})\n"
        "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "print(time.perf_counter() - t, peak, 'tensorflow' in sys.modules, 'pandas' in sys.modules)"
    )
    env = {**os.environ, "COURSE_ARTIFACTS_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    seconds, rss_kb, tf_loaded, pandas_loaded = float(out[0]), int(out[1]), out[2], out[3]
    assert tf_loaded == "False" and pandas_loaded == "False"
    assert rss_kb < 150 * 1024, f"service process peaked at {rss_kb // 1024} MB"
    assert seconds < 10


def test_binder_proxy_paths(monkeypatch):
    from course.service import server

    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert (
        server.proxy_root_path(8000) == ""
        and server.public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/docs"
    )
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert server.proxy_root_path(8000) == "/user/ada/proxy/8000"
    assert server.public_url("127.0.0.1", 8000).startswith("/user/ada/proxy/8000/docs")

"""Two uvicorn workers sharing one SQLite usage log, under concurrent load from many clients.

Every answered request must be in the log exactly once (matched by request id), under the key
that made it, whichever worker served it; neither worker may log "database is locked" or any
traceback; and SIGTERM to the supervisor must stop both workers with every row written.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest

from course.service.server import INSTANCE_ENV, READY_FILE_ENV
from course.service.storage import Storage
from tests.service_fixture import APPLICANT, write_artifact

WORKERS = 2
THREADS = 8
REQUESTS_PER_THREAD = 400  # 3,200 requests in all: about 5-10 s on 2 busy CPUs
NEW_CONNECTION_EVERY = 25  # fresh connections, so the kernel hands them to both workers


class Workers:
    """``course serve --workers 2`` in a child process, its stderr in a file."""

    def __init__(self, folder: Path):
        self.folder, self.db, self.log = folder, folder / "usage.sqlite", folder / "service.log"
        ready, instance = folder / "ready.json", "workers-test-instance"
        env = {
            **os.environ,
            "COURSE_ARTIFACTS_DIR": str(folder),
            READY_FILE_ENV: str(ready),
            INSTANCE_ENV: instance,
        }
        command = [
            sys.executable,
            "-m",
            "course",
            "serve",
            "--workers",
            str(WORKERS),
            "--port",
            "0",
            "--db",
            str(self.db),
        ]
        with self.log.open("w") as stderr:
            self.process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "the supervisor reported no port in 30 s"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{json.loads(ready.read_text())['port']}"
        while True:  # both workers answer with the supervisor's instance id once they serve
            try:
                if httpx.get(f"{self.url}/health", timeout=1).json()["instance"] == instance:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no /health in 30 s:\n{self.log.read_text()}"
            time.sleep(0.05)

    def worker_pids(self) -> list[int]:
        children = psutil.Process(self.process.pid).children(recursive=True)
        return [
            c.pid
            for c in children
            if "multiprocessing" in " ".join(c.cmdline()) and "spawn_main" in " ".join(c.cmdline())
        ]

    def stop(self) -> tuple[int, list[int]]:
        """SIGTERM to the supervisor; its exit status and the workers still alive after it."""
        workers = [psutil.Process(pid) for pid in self.worker_pids()]
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        _, alive = psutil.wait_procs(workers, timeout=5)
        return status, [p.pid for p in alive]


@pytest.fixture
def workers(tmp_path):
    write_artifact(tmp_path)
    store = Storage(tmp_path / "usage.sqlite")
    keys = {name: store.create_key(name) for name in ("lender-a", "lender-b")}
    store.close()
    service = Workers(tmp_path)
    service.keys = keys
    yield service
    if service.process.poll() is None:
        service.stop()


def _load(url: str, key: str, answered: list, failures: list) -> None:
    """One client thread: scoring requests (one, batch, TF-Serving form) and usage reads."""
    headers, client = {"X-API-Key": key}, None
    try:
        for i in range(REQUESTS_PER_THREAD):
            if i % NEW_CONNECTION_EVERY == 0:
                if client is not None:
                    client.close()
                client = httpx.Client(base_url=url, headers=headers, timeout=30)
            kind = ("score", "batch", "tf-serving", "usage")[i % 4]
            if kind == "score":
                response = client.post("/v1/score", json=APPLICANT)
            elif kind == "batch":
                response = client.post("/v1/score/batch", json={"applicants": [APPLICANT] * 3})
            elif kind == "tf-serving":
                response = client.post(
                    "/v1/models/credit_risk:predict", json={"instances": [APPLICANT] * 2}
                )
            else:
                response = client.get("/v1/usage")  # a read: it writes the worker's buffer first
            if response.status_code != 200:
                failures.append((kind, response.status_code, response.text[:200]))
            elif kind != "usage":
                answered.append((key, kind, response.json().get("request_id")))
    except Exception as error:  # noqa: BLE001 (reported by the test, not lost in a thread)
        failures.append(("exception", repr(error)))
    finally:
        if client is not None:
            client.close()


def test_two_workers_log_every_answered_request_exactly_once(workers):
    pids = workers.worker_pids()
    assert len(pids) == WORKERS, f"expected {WORKERS} worker processes, found {pids}"
    answered: list[tuple] = []
    failures: list[tuple] = []
    threads = [
        threading.Thread(target=_load, args=(workers.url, key, answered, failures))
        for key in (workers.keys["lender-a"], workers.keys["lender-b"])
        for _ in range(THREADS // 2)
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - start
    assert failures == [], failures[:5]
    status, alive = workers.stop()
    assert status == 0 and alive == [], (status, alive, workers.log.read_text())

    log = workers.log.read_text()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    with sqlite3.connect(workers.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT key_id, endpoint, request_id FROM usage").fetchall()
    names = {key: name for name, key in workers.keys.items()}
    expected = Counter((names[key], kind) for key, kind, _ in answered)
    assert Counter((key_id, endpoint) for key_id, endpoint, _ in rows) == expected
    assert len(rows) == len(answered) == THREADS * REQUESTS_PER_THREAD * 3 // 4
    ids = [request_id for _, _, request_id in rows]
    assert len(set(ids)) == len(ids)  # none written twice
    answered_ids = {request_id for _, _, request_id in answered if request_id}
    assert answered_ids <= set(ids)  # each answer's own id is in the log
    served_by = Counter(request_id[:16] for request_id in ids)  # a random prefix per worker
    assert len(served_by) == WORKERS * len(workers.keys), served_by  # and per key (issue 27)
    print(
        f"\n{len(answered)} scoring requests answered 200 and {len(rows)} rows logged, "
        f"{THREADS * REQUESTS_PER_THREAD} requests in all in {seconds:.1f} s "
        f"({THREADS * REQUESTS_PER_THREAD / seconds:.0f} req/s); per worker: "
        f"{sorted(served_by.values())}"
    )


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's writer, in the middle of a transaction: the file is locked for writes."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_write_that_finds_the_file_locked_keeps_its_rows_for_the_next(tmp_path):
    store = Storage(tmp_path / "usage.sqlite")
    store._db.execute("PRAGMA busy_timeout = 50")  # give up quickly instead of after 30 s
    for i in range(3):
        store.record("lender-a", "score", 1, 0.1, "v", f"r{i}")
    holder = _hold_write_lock(store.path)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        store.flush()
    assert store.pending() == 3  # kept, in order
    store.record("lender-a", "score", 1, 0.1, "v", "r3")
    holder.execute("ROLLBACK")
    holder.close()
    store.flush()
    assert store.pending() == 0
    ids = [r for (r,) in store._db.execute("SELECT request_id FROM usage ORDER BY id")]
    assert ids == ["r0", "r1", "r2", "r3"]  # each once, in the order answered
    store.close()


def test_the_writer_task_survives_a_locked_file_and_writes_later(tmp_path, caplog):
    import asyncio

    from course.service.storage import keep_written

    store = Storage(tmp_path / "usage.sqlite")
    store._db.execute("PRAGMA busy_timeout = 20")
    holder = _hold_write_lock(store.path)

    async def scenario() -> None:
        writer = asyncio.create_task(keep_written(store, every=0.01))
        store.record("lender-a", "score", 1, 0.1, "v", "r0")
        await asyncio.sleep(0.2)  # several failed writes
        assert not writer.done() and store.pending() == 1
        holder.execute("ROLLBACK")
        await asyncio.sleep(0.2)
        assert not writer.done() and store.pending() == 0
        writer.cancel()

    with caplog.at_level("WARNING", logger="uvicorn.error"):
        asyncio.run(scenario())
    holder.close()
    assert "not written yet (database is locked): 1 rows kept" in caplog.text
    assert store.count_rows() == 1
    store.close()


def test_workers_stop_when_their_supervisor_is_killed(tmp_path):
    """Issue 27, 2.5: ``kill -9`` of the supervisor left both workers serving (orphans of PID 1)
    and the port taken. Now each worker stops (gracefully) when its supervisor dies, and its
    buffered rows are written: a bounded probe, up to 30 s for the workers to go."""
    write_artifact(tmp_path)
    service = Workers(tmp_path)
    pids = service.worker_pids()
    assert len(pids) == WORKERS
    assert httpx.post(f"{service.url}/v1/score", json=APPLICANT, timeout=10).status_code == 200
    service.process.kill()
    service.process.wait()
    _, alive = psutil.wait_procs([psutil.Process(pid) for pid in pids], timeout=30)
    assert alive == [], f"{len(alive)} worker(s) still running after their supervisor was killed"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{service.url}/health", timeout=2)
    with sqlite3.connect(service.db) as db:  # the graceful stop wrote the answered request's row
        assert db.execute("SELECT COUNT(*) FROM usage").fetchone() == (1,)

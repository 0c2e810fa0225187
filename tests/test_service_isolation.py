"""A service a notebook starts is its own (issue 12).

Several ``BackgroundService.start()`` calls at once, from threads and from other processes (two
pytest workers, two learners on one hub machine, a lesson run twice), each get their own
process, port, usage log and keys; a foreign service on the preferred port is never taken for
one's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from course.service.background import BackgroundService
from tests.service_fixture import APPLICANT, write_artifact

# Another process, as a second notebook would: start a service (preferring port 8000, as the
# lesson does), say which one it got, keep it until told to stop.
STARTER = textwrap.dedent("""
    import json, sys
    from course.service.background import BackgroundService
    service = BackgroundService.start(timeout=60)
    try:
        print(json.dumps({"url": service.url, "port": service.port, "instance": service.instance,
                          "health": BackgroundService.health_instance(service.url)}), flush=True)
        sys.stdin.readline()
    finally:
        print(json.dumps({"stopped": service.stop()}), flush=True)
""")


@pytest.fixture
def artifacts(tmp_path, monkeypatch):
    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))  # inherited by the starters
    return tmp_path


def _usage_requests(url: str, key: str | None = None) -> int:
    headers = {"X-API-Key": key} if key else {}
    usage = httpx.get(f"{url}/v1/usage", headers=headers, timeout=5).json()["usage"]
    return sum(day["requests"] for day in usage)


def test_services_started_at_once_from_threads_and_processes_are_each_their_own(artifacts):
    starters: list[subprocess.Popen] = []
    services: list[BackgroundService] = []
    try:
        for _ in range(2):  # first, so they race the threads for port 8000
            starters.append(
                subprocess.Popen(
                    [sys.executable, "-c", STARTER],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(BackgroundService.start, timeout=60) for _ in range(4)]
            failures = []
            for future in futures:  # collect every one, so all are stopped whatever fails
                try:
                    services.append(future.result())
                except Exception as error:  # noqa: BLE001 - re-raised below, after collecting
                    failures.append(error)
        if failures:
            raise failures[0]
        others = [json.loads(starter.stdout.readline()) for starter in starters]

        # Every start got its own process, port and instance, and its /health is its own.
        ports = [s.port for s in services] + [o["port"] for o in others]
        instances = [s.instance for s in services] + [o["instance"] for o in others]
        assert len(set(ports)) == 6, ports
        assert len(set(instances)) == 6 and all(len(i) == 32 for i in instances)
        assert len({s.process.pid for s in services}) == 4
        for service in services:
            assert BackgroundService.health_instance(service.url) == service.instance
        for other in others:
            assert other["health"] == other["instance"]  # what its own starter saw
            assert BackgroundService.health_instance(other["url"]) == other["instance"]  # and we
        assert len({s.db for s in services}) == 4  # a fresh usage log each

        # Usage logs and keys do not cross: service i is called i + 1 times, one has a key.
        urls = [s.url for s in services] + [o["url"] for o in others]
        for i, url in enumerate(urls):
            for _ in range(i + 1):
                assert httpx.post(f"{url}/v1/score", json=APPLICANT, timeout=5).status_code == 200
        key = services[0].create_key("lender-a")
        assert httpx.post(f"{urls[0]}/v1/score", json=APPLICANT, timeout=5).status_code == 401
        for url in urls[1:]:  # the others still answer without a key
            assert httpx.post(f"{url}/v1/score", json=APPLICANT, timeout=5).status_code == 200
        headers = {"X-API-Key": key}
        assert httpx.post(f"{urls[0]}/v1/score", json=APPLICANT, headers=headers).status_code == 200
        assert _usage_requests(urls[0], key) == 1  # a key's usage is its own calls
        for i, url in enumerate(urls[1:], start=1):
            assert _usage_requests(url) == i + 2, url  # i + 1 calls, then one more above
    finally:
        stopped = [service.stop() for service in services]
        outcomes = []
        for starter in starters:
            try:
                out, _ = starter.communicate("\n", timeout=20)
                outcomes.append(json.loads(out.strip().splitlines()[-1])["stopped"])
            except Exception:  # noqa: BLE001 - a starter that did not answer is a failure below
                starter.kill()
                starter.wait()
                outcomes.append(False)
    assert all(stopped) and all(outcomes), (stopped, outcomes)


def test_a_foreign_service_on_the_preferred_port_is_not_taken_for_ours(artifacts, tmp_path):
    # A plain `course serve --port 0`, as another learner might have started on port 8000.
    env = {**os.environ, "COURSE_USAGE_DB": str(tmp_path / "foreign.sqlite")}
    foreign = subprocess.Popen(
        [sys.executable, "-m", "course", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    ours = None
    try:
        banner = foreign.stdout.readline()  # "Credit risk API (...) on 127.0.0.1:PORT; ..."
        port = int(banner.split(" on 127.0.0.1:")[1].split(";")[0])
        assert port != 0
        foreign_url = f"http://127.0.0.1:{port}"
        foreign_instance = BackgroundService.health_instance(foreign_url)
        assert foreign_instance is not None  # it answers /health: uvicorn got the bound socket

        ours = BackgroundService.start(port=port, timeout=60)
        assert ours.port != port  # the preferred port was taken: the child took another itself
        assert BackgroundService.health_instance(ours.url) == ours.instance != foreign_instance
    finally:
        if ours is not None:
            assert ours.stop()
        foreign.terminate()
        foreign.wait(timeout=10)


def test_the_parent_accepts_only_the_health_of_the_child_it_started(
    artifacts, tmp_path, monkeypatch
):
    """A child that reports a port on which another service answers (say the child died and the
    port was re-used): that service's /health is refused, and start times out clearly."""
    foreign = BackgroundService.start(port=0, db=tmp_path / "foreign.sqlite", timeout=60)
    pid_file = tmp_path / "impostor.pid"
    impostor = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        import json
        from course.config import write_atomically
        from course.service.server import INSTANCE_ENV, READY_FILE_ENV
        Path({str(pid_file)!r}).write_text(str(os.getpid()))
        write_atomically(Path(os.environ[READY_FILE_ENV]), json.dumps({{"port": {foreign.port},
                         "pid": os.getpid(), "instance": os.environ[INSTANCE_ENV]}}))
        time.sleep(60)
    """)
    monkeypatch.setattr(
        BackgroundService,
        "_command",
        staticmethod(lambda port, db: [sys.executable, "-c", impostor]),
    )
    try:
        with pytest.raises(TimeoutError, match=f"port {foreign.port}.*another service answered"):
            BackgroundService.start(port=foreign.port, timeout=3)
        with pytest.raises(ProcessLookupError):  # the child was killed (and reaped)
            os.kill(int(pid_file.read_text()), 0)
        assert BackgroundService.health_instance(foreign.url) == foreign.instance  # untouched
    finally:
        assert foreign.stop()


def test_a_child_that_stops_at_start_up_is_an_artifact_error(artifacts, monkeypatch):
    from course.credit.numpy_model import ArtifactError

    failing = [sys.executable, "-c", "import sys; sys.exit('model file is corrupt: rebuild it')"]
    monkeypatch.setattr(BackgroundService, "_command", staticmethod(lambda port, db: failing))
    with pytest.raises(ArtifactError, match="stopped at start-up:\nmodel file is corrupt"):
        BackgroundService.start(timeout=30)


def test_the_port_is_bound_by_the_service_itself(tmp_path):
    """`course serve` listens before it loads the model, and refuses a port in use clearly."""
    from course.errors import CourseError
    from course.service.server import listening_socket

    held = listening_socket("127.0.0.1", 0)
    try:
        port = held.getsockname()[1]
        with pytest.raises(CourseError, match=f"127.0.0.1:{port}.*--port 0"):
            listening_socket("127.0.0.1", port)
        other = listening_socket("127.0.0.1", port, fallback=True)  # BackgroundService's child
        assert other.getsockname()[1] not in (0, port)
        other.close()
    finally:
        held.close()
    env = {**os.environ, "COURSE_ARTIFACTS_DIR": str(tmp_path)}
    write_artifact(tmp_path)
    held = listening_socket("127.0.0.1", 0)
    try:
        port = held.getsockname()[1]
        taken = subprocess.run(
            [sys.executable, "-m", "course", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        held.close()
    assert taken.returncode == 1 and f"Cannot listen on 127.0.0.1:{port}" in taken.stderr
    assert "Traceback" not in taken.stderr


def test_a_hard_crash_loses_at_most_the_last_write_interval(tmp_path):
    """kill -9 under load: every request answered more than a few write intervals before the
    kill is in the usage log, and the log is intact (the figures: benchmarks/crash_loss.py)."""
    from course.service.crash import kill_under_load
    from tests.service_fixture import APPLICANT

    count = kill_under_load(APPLICANT, tmp_path, seconds=1.5, connections=4)
    assert count.integrity == "ok"
    assert count.answered > 50, count  # the load really ran up to the kill
    # 0.5 s: 25 of the writer's intervals, above its period even on a busy machine; a writer
    # that stopped, or rows written only at shutdown, would lose the whole 1.5 s.
    assert count.lost_window_ms < 500, count

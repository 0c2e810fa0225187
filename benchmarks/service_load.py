"""Benchmark: the scoring API under load, against a no-op endpoint of the same app and body.

    python benchmarks/service_load.py [--rounds 10] [--seconds 1]  # needs wrk (apt-get install wrk)

Starts `course serve` on 127.0.0.1 (loopback only) with the reference model (built first if
missing) and measures with wrk, in rounds that alternate the endpoints so that a slow spell of a
shared machine hits both alike:

- POST /v1/noop (same key check, body, decoding and validation; no model, no usage log) and
  POST /v1/score at 1 and 8 connections: requests/s, p50 and p99 latency;
- POST /v1/score/batch with 1,000 applicants per request: rows/s with wrk, and with one Python
  client (httpx) end to end;
- the service process's peak memory.

With two or more CPUs the service is pinned to CPU 0 and wrk to CPU 1, so that they do not take
turns on one core. Prints medians over the rounds; goals are shown next to them, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

import course  # noqa: F401  (runtime environment)
from course.credit.reference import ensure_artifacts
from course.service.background import BackgroundService

BATCH = 1000


def sample_applicants(n: int) -> list[dict]:
    from course.credit.data import FEATURES, split_data

    test = split_data().test[FEATURES]
    return json.loads(test.iloc[[i % len(test) for i in range(n)]].to_json(orient="records"))


def pin(cpu: int):
    """A preexec_fn that runs the child on one CPU (Linux with 2+ CPUs; else does nothing)."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def wrk(
    url: str, body: str, connections: int, seconds: int, script_dir: Path, server_pid: int
) -> dict[str, float]:
    script = script_dir / f"post-{abs(hash(body))}.lua"
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    cpu_before = cpu_seconds(server_pid)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=pin(1),
    ).stdout
    cpu = cpu_seconds(server_pid) - cpu_before

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "cpu_us": cpu / requests * 1e6,
        "errors": int(errors.group(1)) if errors else 0,
    }


def python_client_rows_per_second(url: str, body: str, requests: int = 20) -> float:
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=url, timeout=30) as client:
        client.post("/v1/score/batch", content=body, headers=headers).raise_for_status()
        start = time.perf_counter()
        for _ in range(requests):
            client.post("/v1/score/batch", content=body, headers=headers).raise_for_status()
        return requests * BATCH / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=1, help="per wrk run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`.")
        return 2
    artifact = ensure_artifacts()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        service = BackgroundService.start(port=0, db=Path(tmp) / "usage.sqlite")
        startup = time.perf_counter() - started
        if pin(0):
            os.sched_setaffinity(service.process.pid, {0})
        try:
            report(service, startup, artifact.name, args.rounds, args.seconds, Path(tmp))
        finally:
            service.stop()
    return 0


def report(
    service: BackgroundService, startup: float, model: str, rounds: int, seconds: int, tmp: Path
) -> None:
    one = json.dumps(sample_applicants(1)[0])
    batch = json.dumps({"applicants": sample_applicants(BATCH)})
    pinned = "service on CPU 0, wrk on CPU 1" if pin(0) else "not pinned"
    print(
        f"Service started in {startup:.2f} s (model: {model}); wrk, {rounds} rounds of "
        f"{seconds} s per run, {pinned}; medians over the rounds\n"
    )
    runs: dict[tuple, list[dict]] = {}
    pid = service.process.pid
    for _ in range(rounds):
        for connections in (1, 8):
            for name in ("noop", "score"):
                result = wrk(f"{service.url}/v1/{name}", one, connections, seconds, tmp, pid)
                runs.setdefault((name, connections), []).append(result)
        result = wrk(f"{service.url}/v1/score/batch", batch, 1, seconds, tmp, pid)
        runs.setdefault(("batch", 1), []).append(result)

    def median(key: tuple, field: str) -> float:
        return statistics.median(r[field] for r in runs[key])

    print(
        f"{'endpoint':<12} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'CPU us/req':>10} {'non-2xx':>8}"
    )
    for key in [("noop", 1), ("score", 1), ("noop", 8), ("score", 8), ("batch", 1)]:
        errors = sum(r["errors"] for r in runs[key])
        print(
            f"{key[0]:<12} {key[1]:>5} {median(key, 'rps'):>9.0f} {median(key, 'p50'):>8.2f} "
            f"{median(key, 'p99'):>8.2f} {median(key, 'cpu_us'):>10.0f} {errors:>8}"
        )
    pairs = list(zip(runs[("score", 8)], runs[("noop", 8)], strict=True))
    by_rps = [score["rps"] / noop["rps"] for score, noop in pairs]
    by_cpu = [noop["cpu_us"] / score["cpu_us"] for score, noop in pairs]
    print(
        f"\n/v1/score throughput = {statistics.median(by_rps):.2f} x no-op at 8 connections "
        f"(rounds {min(by_rps):.2f}-{max(by_rps):.2f}); by the service's CPU time per request "
        f"{statistics.median(by_cpu):.2f} (rounds {min(by_cpu):.2f}-{max(by_cpu):.2f}); "
        f"goal >= 0.80"
    )
    print(f"/v1/score p99 at 8 connections = {median(('score', 8), 'p99'):.2f} ms (goal <= 10 ms)")
    print(
        f"batch: {median(('batch', 1), 'rps') * BATCH:,.0f} rows/s with wrk, "
        f"{python_client_rows_per_second(service.url, batch):,.0f} rows/s with one Python client; "
        f"{BATCH:,} applicants per request (goal >= 200,000)"
    )
    status = Path(f"/proc/{service.process.pid}/status")
    peak = re.search(r"VmHWM:\s+(\d+) kB", status.read_text()) if status.exists() else None
    if peak:
        print(f"service process peak RSS: {int(peak.group(1)) / 1024:.0f} MB (goal <= 150 MB)")


if __name__ == "__main__":
    sys.exit(main())

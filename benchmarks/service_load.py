"""Benchmark: the scoring API under load, against a no-op endpoint of the same app and body.

    python benchmarks/service_load.py              # needs wrk (Debian/Ubuntu: apt-get install wrk)

Starts `course serve` on 127.0.0.1 (loopback only) with the reference model (built first if
missing), then measures with wrk, for 1 and 8 connections, 5 seconds each: requests/s and p50/p99
latency of POST /v1/noop (same body and validation, no model, no usage log) and POST /v1/score.
Then batch throughput (rows/s) of POST /v1/score/batch with 1,000 applicants per request, and the
service process's memory. Prints figures; goals are shown next to them, never asserted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

import course  # noqa: F401  (runtime environment)
from course.credit.reference import ensure_artifacts
from course.service.server import BackgroundService

SECONDS = 5


def sample_applicant() -> dict:
    from course.credit.data import FEATURES, split_data

    return split_data().test.iloc[0][FEATURES].to_dict()


def wrk(url: str, body: str, connections: int, script_dir: Path) -> dict[str, float]:
    script = script_dir / "post.lua"
    script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                      'wrk.headers["Content-Type"] = "application/json"\n')  # fmt: skip
    threads = min(connections, 2)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{SECONDS}s",
                          "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": latency("50%"), "p99": latency("99%"),
            "errors": int(errors.group(1)) if errors else 0}  # fmt: skip


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`.")
        return 2
    artifact = ensure_artifacts()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        service = BackgroundService.start(port=0, db=Path(tmp) / "usage.sqlite")
        startup = time.perf_counter() - started
        url, server = service.url, service.process
        try:
            body = json.dumps(sample_applicant())
            print(f"Service started in {startup:.2f} s (model: {artifact.name}); wrk, {SECONDS} s per run\n")
            print(f"{'endpoint':<12} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
            results = {}
            for connections in (1, 8):
                for name in ("noop", "score"):
                    r = wrk(f"{url}/v1/{name}", body, connections, Path(tmp))
                    results[(name, connections)] = r
                    print(f"{name:<12} {connections:>5} {r['rps']:>9.0f} {r['p50']:>8.2f} "
                          f"{r['p99']:>8.2f} {r['errors']:>8}")
            ratio = results[("score", 8)]["rps"] / results[("noop", 8)]["rps"]
            print(f"\n/v1/score throughput = {ratio:.2f} x no-op at 8 connections (goal >= 0.80); "
                  f"p99 {results[('score', 8)]['p99']:.2f} ms (goal <= 10 ms)")
            batch = json.dumps({"applicants": [sample_applicant()] * 1000})
            with httpx.Client(base_url=url, timeout=30) as client:
                client.post("/v1/score/batch", content=batch, headers={"content-type": "application/json"})
                start, n = time.perf_counter(), 20
                for _ in range(n):
                    client.post("/v1/score/batch", content=batch,
                                headers={"content-type": "application/json"}).raise_for_status()  # fmt: skip
                rows_per_s = n * 1000 / (time.perf_counter() - start)
            print(f"batch: {rows_per_s:,.0f} rows/s end to end, 1,000 applicants per request "
                  f"(goal >= 200,000)")
            rss = Path(f"/proc/{server.pid}/status").read_text() if Path("/proc").exists() else ""
            peak = re.search(r"VmHWM:\s+(\d+) kB", rss)
            if peak:
                print(f"service process peak RSS: {int(peak.group(1)) / 1024:.0f} MB (goal <= 150 MB)")
        finally:
            service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

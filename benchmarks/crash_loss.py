"""Benchmark: what a hard crash loses from the usage log (``kill -9`` under load).

    python benchmarks/crash_loss.py [--runs 5] [--seconds 2] [--connections 8]

Each run starts `course serve` on 127.0.0.1 (loopback only) on a fresh usage log, scores one real
applicant over several connections with a Python client, kills the service with SIGKILL mid-load
and looks every answered request up in the log by its request id. Prints, per run, the answered
requests, the lost ones and the window they were answered in, and SQLite's integrity check.
The service writes usage every WRITE_EVERY seconds: the loss window should stay below it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile

import course  # noqa: F401  (runtime environment)
from course.credit.reference import ensure_artifacts
from course.service.crash import kill_under_load
from course.service.storage import WRITE_EVERY

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from service_load import sample_applicants  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="load before each kill")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    ensure_artifacts()
    body = sample_applicants(1)[0]
    print(
        f"usage written every {WRITE_EVERY * 1000:.0f} ms; {args.runs} runs, kill -9 after "
        f"{args.seconds:g} s of load over {args.connections} connections\n"
    )
    print(
        f"{'run':>3} {'answered':>9} {'req/s':>7} {'lost':>5} {'window ms':>10} {'integrity':>10}"
    )
    counts = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            count = kill_under_load(body, folder, args.seconds, args.connections)
        counts.append(count)
        print(
            f"{run:>3} {count.answered:>9} {count.rate:>7.0f} {count.lost:>5} "
            f"{count.lost_window_ms:>10.1f} {count.integrity:>10}"
        )
    lost = [c.lost for c in counts]
    windows = [c.lost_window_ms for c in counts]
    print(
        f"\nlost per crash: median {statistics.median(lost):g}, max {max(lost)} requests; "
        f"window median {statistics.median(windows):.1f} ms, max {max(windows):.1f} ms "
        f"(bound: {WRITE_EVERY * 1000:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How many learners one server holds: k learners run the heaviest lesson at once on a class hub.

    sudo .venv/bin/python benchmarks/hub_capacity.py            # k = 1, 2, 4, 8; lesson 03
    sudo .venv/bin/python benchmarks/hub_capacity.py --k 1 2 --lesson 02

For each k it starts k learners' servers on one hub (classroom/class_hub.py, the real set-up with
its per-learner limits), runs the student notebook in every server at once through the kernel
API, and prints each learner's wall time and the memory of the whole class: the sum, over
learners, of the peak their cgroup recorded (kernel, server and service together), plus the hub's
own processes. The last lines turn the figures into learners per server size.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from authoring.binder_session import Lab, run_lesson
from classroom.hub_client import ClassHub, temporary_hub
from classroom.hub_spawner import account_name, cgroup_paths, cgroups_available
from course.lessons import LESSONS

MB = 2**20


def peak_mb(account: str) -> float | None:
    path = cgroup_paths(account)["memory"] / "memory.max_usage_in_bytes"
    return int(path.read_text()) / MB if path.exists() else None


def hub_rss_mb(hub: ClassHub) -> float:
    """The hub's own processes: JupyterHub, its proxy and its services (before any learner)."""
    root = psutil.Process(hub.process.pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / MB


def run_class(hub: ClassHub, k: int, lesson: str) -> dict:
    names = [f"b{k}{secrets.token_hex(2)}{i}" for i in range(k)]
    for name in names:
        hub.add_learner(name)
    start = time.monotonic()
    with ThreadPoolExecutor(k) as pool:
        list(pool.map(hub.start_server, names))
        list(pool.map(hub.wait_server, names))
    spawn_s = time.monotonic() - start
    tokens = {n: hub.token_for(n) for n in names}
    file = next(
        p
        for p in sorted(
            (Path(hub.settings.home_root) / account_name(names[0]) / "ai-business-course").glob(
                f"{lesson}_*.ipynb"
            )
        )
    )

    def one(name: str):
        folder = Path(hub.settings.home_root) / account_name(name) / "ai-business-course"
        lab = Lab(url=hub.server_url(name), token=tokens[name], base=f"/user/{name}/")
        return run_lesson(lab, folder, lesson, folder / file.name)

    with ThreadPoolExecutor(k) as pool:
        results = list(pool.map(one, names))
    peaks = [peak_mb(account_name(n)) for n in names]
    for name in names:
        hub.api("DELETE", f"users/{name}/server")
    failed = [f"{r.notebook}: {r.error}" for r in results if not r.passed]
    return {
        "k": k,
        "spawn_s": spawn_s,
        "times": [r.seconds for r in results],
        "peaks": [p for p in peaks if p is not None],
        "failed": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--lesson", default="03", choices=[lesson.number for lesson in LESSONS])
    args = parser.parse_args()
    if not cgroups_available():
        print("note: no writable cgroups here: memory is not measured per learner")
    rows = []
    with temporary_hub() as hub:
        base = hub_rss_mb(hub)
        for k in args.k:
            rows.append(run_class(hub, k, args.lesson))
            row = rows[-1]
            print(
                f"k={k}: spawn {row['spawn_s']:.0f} s, lesson {args.lesson} "
                f"{min(row['times']):.0f}-{max(row['times']):.0f} s, "
                f"class peak {sum(row['peaks']):,.0f} MB"
                + (f", FAILED {row['failed']}" if row["failed"] else ""),
                flush=True,
            )
    print(
        "\n| learners | wall time per learner, median (s) | slowest (s) | class memory peak (MB) |"
    )
    print("|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['k']} | {statistics.median(row['times']):.0f} | {max(row['times']):.0f} | "
            f"{sum(row['peaks']) + base:,.0f} |"
        )
    per = max(max(r["peaks"]) for r in rows if r["peaks"]) if any(r["peaks"] for r in rows) else 0
    print(f"\nhub, proxy and services: {base:.0f} MB; the heaviest learner peaked at {per:.0f} MB")
    one = next((r for r in rows if r["k"] == 1), None)
    fits = [
        r["k"] for r in rows if one and not r["failed"] and max(r["times"]) <= 2 * one["times"][0]
    ]
    per_cpu = max(fits) / (os.cpu_count() or 1) if fits else 0
    if one:
        print(
            f"at once within twice one learner's {one['times'][0]:.0f} s: up to {max(fits or [0])} "
            f"learners on this machine's {os.cpu_count()} CPUs ({per_cpu:.1f} per CPU)"
        )
    for memory_gb, cpus in ((8, 2), (16, 4), (32, 8), (64, 16)):
        by_memory = int((memory_gb * 1024 - base) // per) if per else 0
        print(
            f"{memory_gb} GB / {cpus} CPUs: {by_memory} learners by memory; "
            f"{int(per_cpu * cpus)} running lesson {args.lesson} at the same moment by CPU"
        )


if __name__ == "__main__":
    main()

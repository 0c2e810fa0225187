"""Binder's limits, enforced on a whole session: one CPU and a 2 GB memory ceiling.

The CPU is ``taskset -c 0`` on every process of the session. The memory ceiling is, by
preference, a cgroup v1 memory group (the kernel's OOM killer then takes a process over the
limit, as on Binder, whose Kubernetes limit is a cgroup); where no memory group can be made, a
watchdog samples the session's resident memory and, over the ceiling, kills its biggest process
(what the OOM killer does: the kernel dies without a word).
``prlimit --as``/``ulimit -v`` are not used: they cap address space per process, not memory
per session, and TensorFlow reserves far more address space than it uses.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

#: mybinder.org's memory per session (its "2 GB" is 2 GiB).
BINDER_MEMORY = 2 * 1024**3
CGROUP_MOUNT = Path("/sys/fs/cgroup/memory")


@dataclass(frozen=True)
class LimitChoice:
    """How the memory ceiling is enforced (``cgroup`` or ``watchdog``), where, and why."""

    kind: str
    reason: str
    parent: Path | None = None


def own_memory_cgroup(proc_cgroup: str, mount: Path = CGROUP_MOUNT) -> Path | None:
    """The folder of this process's cgroup v1 memory group, from ``/proc/self/cgroup``'s text."""
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return mount / path.lstrip("/")
    return None


def choose_limit(parent: Path | None, can_create: bool) -> LimitChoice:
    """A child memory group of ``parent`` when one can be created there, else the watchdog."""
    if parent is None:
        return LimitChoice(
            "watchdog",
            "no cgroup v1 memory controller for this process (cgroups "
            "v2 or none): the session's RSS is sampled, over 2 GB its biggest "
            "process is killed",
        )
    if not can_create:
        return LimitChoice(
            "watchdog",
            f"cannot create a memory group under {parent} (not "
            "writable): the session's RSS is sampled, over 2 GB its biggest "
            "process is killed",
        )
    return LimitChoice(
        "cgroup",
        f"cgroup v1 memory group under {parent} is writable: the kernel "
        "enforces 2 GB (memory and memory+swap) and OOM-kills as Binder's does",
        parent,
    )


def detect() -> LimitChoice:
    """:func:`choose_limit` for this machine (it tries to create and remove a group)."""
    try:
        parent = own_memory_cgroup(Path("/proc/self/cgroup").read_text())
    except OSError:
        parent = None
    if parent is None or not (parent / "memory.limit_in_bytes").exists():
        return choose_limit(None, False)
    probe = parent / f"course-binder-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError:
        return choose_limit(parent, False)
    return choose_limit(parent, True)


class MemoryGroup:
    """A cgroup v1 memory group limited to ``limit`` bytes; processes join it at their start
    (:meth:`wrap`), so everything they start (server, kernels, services) is inside too."""

    def __init__(self, parent: Path, limit: int = BINDER_MEMORY):
        self.path = parent / f"course-binder-{os.getpid()}"
        self.path.mkdir()
        (self.path / "memory.limit_in_bytes").write_text(str(limit))
        swap = self.path / "memory.memsw.limit_in_bytes"
        if swap.exists():  # Binder has no swap: memory plus swap gets the same ceiling
            swap.write_text(str(limit))

    def wrap(self, command: list[str]) -> list[str]:
        """``command``, started inside the group (the shell joins it, then becomes the command)."""
        procs = str(self.path / "cgroup.procs")
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', procs, *command]

    def read(self, name: str) -> str:
        return (self.path / name).read_text()

    def peak(self) -> int:
        """The group's peak charge in bytes (resident memory plus page cache, as Binder counts)."""
        return int(self.read("memory.max_usage_in_bytes"))

    def reset_peak(self) -> None:
        (self.path / "memory.max_usage_in_bytes").write_text("0")

    def oom_kills(self) -> int:
        for line in self.read("memory.oom_control").splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return int(self.read("memory.failcnt") != "0\n")

    def remove(self, attempts: int = 50) -> None:
        """Kill what is left inside, then remove the group (the kernel may answer EBUSY briefly)."""
        for _ in range(attempts):
            for pid in filter(None, self.read("cgroup.procs").split()):
                try:
                    os.kill(int(pid), 9)
                except ProcessLookupError:
                    pass
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def tree_rss(root: psutil.Process) -> int:
    """Resident memory of ``root`` and all its descendants, in bytes (shared pages counted in
    every process: an upper bound)."""
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def kill_biggest(root: psutil.Process) -> None:
    """Kill the process of the tree with the most resident memory, as the OOM killer would."""
    sizes = []
    for process in [root, *root.children(recursive=True)]:
        try:
            sizes.append((process.memory_info().rss, process))
        except psutil.Error:
            pass
    if sizes:
        try:
            max(sizes, key=lambda pair: pair[0])[1].kill()
        except psutil.Error:
            pass


def kill_tree(root: psutil.Process) -> None:
    try:
        processes = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass


@dataclass
class Sampler:
    """Samples the session's tree RSS every ``every`` seconds in a thread; records the peak
    overall and since :meth:`mark`; with ``kill_over`` set, it is the watchdog: over that, it
    kills the session's biggest process and counts it in ``kills``."""

    root: psutil.Process
    kill_over: int | None = None
    every: float = 0.2
    peak: int = 0
    window_peak: int = 0
    kills: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Sampler:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def mark(self) -> None:
        self.window_peak = 0

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            rss = tree_rss(self.root)
            self.peak, self.window_peak = max(self.peak, rss), max(self.window_peak, rss)
            if self.kill_over is not None and rss > self.kill_over:
                self.kills += 1
                kill_biggest(self.root)

"""What a hard crash costs the usage log: ``kill -9`` under load, then count.

The service buffers usage rows and writes them every
:data:`~course.service.storage.WRITE_EVERY` seconds (a commit per request cost a quarter of its
throughput). :func:`kill_under_load` measures what that leaves unbilled: it scores applicants
over several connections, noting every answer's request id and when it arrived, kills the
service with SIGKILL mid-load, then looks each answered request up in the usage log. Used by
``benchmarks/crash_loss.py`` (the figures) and by the tests (the bound).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CrashCount:
    """Answered requests against the usage log after a ``kill -9``."""

    answered: int  #: requests answered with 200 before the kill
    seconds: float  #: how long the load ran before the kill
    lost: int  #: answered requests with no usage row
    lost_window_ms: float  #: from the first lost answer to the kill (0 when none was lost)
    integrity: str  #: SQLite's ``PRAGMA integrity_check`` of the log after the crash

    @property
    def rate(self) -> float:
        """Answered requests per second during the load."""
        return self.answered / self.seconds


async def _score_until(
    url: str, body: dict, stop: float, connections: int
) -> list[tuple[float, str]]:
    """POST ``body`` to /v1/score until ``stop`` (a monotonic time); (arrival, request id) of
    each 200. Requests cut off by the kill are simply not answered."""
    import httpx

    answers: list[tuple[float, str]] = []
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=5) as session:

        async def worker() -> None:
            while time.monotonic() < stop:
                try:
                    answer = await session.post("/v1/score", json=body)
                except httpx.TransportError:
                    return  # the service is gone
                if answer.status_code == 200:
                    answers.append((time.monotonic(), answer.json()["request_id"]))

        await asyncio.gather(*(worker() for _ in range(connections)))
    return answers


def kill_under_load(
    body: dict, folder: Path, seconds: float = 1.5, connections: int = 8
) -> CrashCount:
    """Start the service on a fresh log in ``folder``, score ``body`` for ``seconds``, kill it
    with SIGKILL while requests are in flight, and count the answered requests it did not log."""
    from course.service.background import BackgroundService

    db = Path(folder) / "usage.sqlite"
    service = BackgroundService.start(port=0, db=db)
    try:
        start = time.monotonic()

        async def load_then_kill() -> tuple[list[tuple[float, str]], float]:
            stop = start + seconds + 5  # (the workers stop when the service is gone)
            load = asyncio.ensure_future(_score_until(service.url, body, stop, connections))
            await asyncio.sleep(seconds)
            killed = time.monotonic()
            os.kill(service.process.pid, signal.SIGKILL)  # mid-load: requests are in flight
            return await load, killed

        answers, killed = asyncio.run(load_then_kill())
        service.process.wait()
    finally:
        service.stop()
    answered = [(arrived, rid) for arrived, rid in answers if arrived <= killed]
    with sqlite3.connect(db) as log:
        logged = {rid for (rid,) in log.execute("SELECT request_id FROM usage")}
        integrity = log.execute("PRAGMA integrity_check").fetchone()[0]
    lost = [arrived for arrived, rid in answered if rid not in logged]
    window = (killed - min(lost)) * 1000 if lost else 0.0
    return CrashCount(len(answered), killed - start, len(lost), window, integrity)

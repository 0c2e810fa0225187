"""The usage log and API keys, in one SQLite file.

One row per scoring request (time, key id, endpoint, rows scored, latency, model version, request
id): lesson 05 bills from it. Keys are stored as SHA-256 hashes, never in clear; a key is shown
once, when it is created. WAL mode and a busy timeout let several processes share the file.

Usage rows are buffered in memory and written in one transaction every ``flush_seconds`` (or
every ``flush_rows`` rows): a commit per request cost more than scoring. Every read flushes first
and so does :meth:`Storage.close` (called at server shutdown), so reads and graceful stops see
every row; a hard crash (power loss, SIGKILL) can lose at most the last ``flush_seconds``.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    key_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    rows INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    model_version TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_key_day ON usage (key_id, substr(time, 1, 10));
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
"""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Storage:
    """A thread-safe handle on the SQLite file (one connection, one lock)."""

    def __init__(self, path: Path | str, flush_seconds: float = 0.1, flush_rows: int = 200):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._pending: list[tuple] = []
        self._flush_rows = flush_rows
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_periodically, args=(flush_seconds,),
                                         name="usage-log-flush", daemon=True)  # fmt: skip
        self._flusher.start()

    def _flush_periodically(self, every: float) -> None:
        while not self._stop.wait(every):
            self.flush()

    def flush(self) -> None:
        """Write buffered usage rows in one transaction."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._pending:
            rows, self._pending = self._pending, []
            with self._db:
                self._db.executemany(
                    "INSERT INTO usage (time, key_id, endpoint, rows, latency_ms, model_version, "
                    "request_id) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip

    def close(self) -> None:
        """Flush and close (idempotent)."""
        self._stop.set()
        with self._lock:
            if self._db is not None:
                self._flush_locked()
                self._db.close()
                self._db = None

    # --- keys ---------------------------------------------------------------------------------

    def create_key(self, key_id: str) -> str:
        """Create a key for ``key_id`` and return it (the only time it is shown in clear)."""
        if not key_id or not key_id.replace("-", "").replace("_", "").isalnum():
            raise ValueError("key id must be letters, digits, '-' or '_'")
        key = "ck_" + secrets.token_urlsafe(24)
        with self._lock, self._db:
            self._db.execute("INSERT INTO api_keys VALUES (?, ?, ?)",
                             (key_id, hash_key(key), _now()))  # fmt: skip
        return key

    def key_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM api_keys").fetchone()[0]

    def key_id_for(self, key: str) -> str | None:
        """The id of the key, or None if it is not a valid key."""
        with self._lock:
            row = self._db.execute("SELECT key_id FROM api_keys WHERE key_hash = ?",
                                   (hash_key(key),)).fetchone()  # fmt: skip
        return row[0] if row else None

    # --- usage --------------------------------------------------------------------------------

    def record(self, key_id: str, endpoint: str, rows: int, latency_ms: float,
               model_version: str, request_id: str) -> None:  # fmt: skip
        """Buffer one usage row (written within ``flush_seconds``, or at once when many wait)."""
        with self._lock:
            self._pending.append((_now(), key_id, endpoint, rows, latency_ms, model_version,
                                  request_id))  # fmt: skip
            if len(self._pending) >= self._flush_rows:
                self._flush_locked()

    def usage_by_key_and_day(self, key_id: str | None = None) -> list[dict]:
        """Requests and rows per key and UTC day (all keys, or one)."""
        query = ("SELECT key_id, substr(time, 1, 10) AS day, COUNT(*) AS requests, "
                 "SUM(rows) AS rows, ROUND(AVG(latency_ms), 3) AS mean_latency_ms FROM usage "
                 + ("WHERE key_id = ? " if key_id else "") + "GROUP BY key_id, day ORDER BY day, key_id")  # fmt: skip
        with self._lock:
            self._flush_locked()
            cursor = self._db.execute(query, (key_id,) if key_id else ())
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def count_rows(self) -> int:
        with self._lock:
            self._flush_locked()
            return self._db.execute("SELECT COUNT(*) FROM usage").fetchone()[0]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")

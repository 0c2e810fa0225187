"""The usage log and API keys, in one SQLite file.

One row per scoring request (time, key id, endpoint, rows scored, latency, model version, request
id): lesson 05 bills from it. Keys are stored as SHA-256 hashes, never in clear; a key is shown
once, when it is created. WAL mode and a busy timeout let several processes share the file.

The request path never touches the database: a commit per request cost a quarter of the
service's throughput (writing each row before answering, alone or in one transaction for all
the requests waiting at that moment, was measured and refused for that).

- Usage rows are appended to an in-memory queue. The service writes them in one transaction every
  :data:`WRITE_EVERY` seconds (:func:`keep_written`, a task on its event loop); every read writes
  them first, and so does :meth:`Storage.close` (called at server shutdown). Reads and graceful
  stops see every row; a hard crash (``kill -9``, power loss) loses the rows of the last
  interval, which ``benchmarks/crash_loss.py`` measures. With WAL and ``synchronous=NORMAL`` a
  written row survives the process being killed. Writing happens on the event loop's own thread
  on purpose: a writer thread had to win Python's GIL back from the request thread for every
  row, which stalled requests by milliseconds (p99 tripled).
- Key hashes are held in memory. A key created through this handle counts at once; one created
  by another process (``course keys create``) counts when first used, and ends anonymous access
  within :data:`WRITE_EVERY` seconds (:func:`keep_written` watches SQLite's ``data_version``).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path

from course.errors import CourseError

#: The key id the usage log records for open access (scoring while no key exists). No key may
#: take it, nor any other name the service reserves: a customer's rows must be theirs alone.
OPEN_ACCESS = "anonymous"
RESERVED_KEY_IDS = frozenset({OPEN_ACCESS})

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

#: A Unix time as UTC ISO 8601 with milliseconds, e.g. 2026-11-22T08:15:30.123+00:00, computed by
#: SQLite itself (formatting in Python cost more than the insert).
UTC_TIME = "strftime('%Y-%m-%dT%H:%M:%f', ?, 'unixepoch') || '+00:00'"


class KeyNameError(CourseError, ValueError):
    """A key cannot be created under this name: invalid, reserved or already taken."""


#: The longest key name (a name appears in every usage row and bill).
MAX_KEY_NAME = 64


def key_name(name: str) -> str:
    """A key name as stored: NFKC-normalised and case-folded, then only ASCII letters, digits,
    '-' and '_', at most :data:`MAX_KEY_NAME` characters; a :class:`KeyNameError` otherwise.

    So ``Lender-A`` and ``lender-a`` are one name, a fullwidth ``ａｎｏｎｙｍｏｕｓ`` is
    ``anonymous`` (reserved), and a Cyrillic look-alike is refused."""
    import re
    import unicodedata

    if len(name) > MAX_KEY_NAME:
        raise KeyNameError(
            f"A key name has at most {MAX_KEY_NAME} characters, this one {len(name):,}."
        )
    normal = unicodedata.normalize("NFKC", name).casefold()
    if not re.fullmatch(rf"[a-z0-9_-]{{1,{MAX_KEY_NAME}}}", normal):
        raise KeyNameError(
            f"Invalid key name {name!r}: use only letters, digits, '-' "
            "and '_' (ASCII; for example lender-a)."
        )
    return normal


def private(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only (0600), or make it so: the usage
    log holds the keys' hashes and every customer's usage. SQLite gives the file's -wal and -shm
    companions the same mode."""
    import os

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.name == "posix" and os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Storage:
    """A handle on the SQLite file: one connection behind one lock, so that tests and notebooks
    may share it between threads; in the service, only the event loop's thread uses it."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private(self.path)  # before SQLite opens it: its -wal and -shm files take its mode
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = sqlite3.connect(
            self.path, check_same_thread=False, timeout=30
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._pending: deque[tuple] = deque()  # usage rows not written yet
        self._keys: dict[str, str] = {}  # key hash -> key id: the service's view of api_keys
        self._keys_version = -1
        self.reload_keys()

    def flush(self) -> None:
        """Write buffered usage rows in one transaction."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._db is None or not self._pending:
            return
        rows = [self._pending.popleft() for _ in range(len(self._pending))]
        try:
            with self._db:  # one transaction: all these rows are written, or none
                self._db.executemany(
                    "INSERT INTO usage (time, key_id, endpoint, rows, latency_ms, model_version, "
                    f"request_id) VALUES ({UTC_TIME}, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error:
            # Not written (another process held the file past the busy timeout, the disk is
            # full): back to the front of the queue, in order, for the next write. Never lost,
            # and never written twice, since the failed transaction was rolled back.
            if self._db.in_transaction:
                self._db.rollback()
            self._pending.extendleft(reversed(rows))
            raise

    def pending(self) -> int:
        """How many usage rows are buffered, not written yet."""
        return len(self._pending)

    def close(self) -> None:
        """Flush and close (idempotent)."""
        with self._lock:
            if self._db is not None:
                try:
                    self._flush_locked()
                finally:
                    self._db.close()
                    self._db = None

    # --- keys ---------------------------------------------------------------------------------

    def create_key(self, key_id: str) -> str:
        """Create a key for ``key_id`` and return it (the only time it is shown in clear); a
        :class:`KeyNameError` (also a ValueError) says why a name cannot be used.

        The name is stored as :func:`key_name` normalises it (``Lender-A`` becomes ``lender-a``),
        so two names that look alike are one name."""
        given, key_id = key_id, key_name(key_id)
        if key_id in RESERVED_KEY_IDS:
            raise KeyNameError(
                f"The key name {given!r} is reserved: the usage log records open "
                "access (while no key exists) under it. Choose another name, for "
                "example lender-a."
            )
        key = "ck_" + secrets.token_urlsafe(24)
        try:
            with self._lock, self._db:
                self._db.execute(
                    f"INSERT INTO api_keys VALUES (?, ?, {UTC_TIME})",
                    (key_id, hash_key(key), time.time()),
                )
        except sqlite3.IntegrityError:  # the key id is the primary key (a hash collision: never)
            raise KeyNameError(
                f"A key named {key_id!r} already exists in {self.path}. Keys are "
                "shown only once, when created: choose another name."
            ) from None
        self.reload_keys()
        return key

    def has_keys(self) -> bool:
        """Whether any key exists, so that scoring requires one (no database read)."""
        return bool(self._keys)

    def key_id_for(self, key: str) -> str | None:
        """The id of the key, or None if it is not a valid key."""
        digest = hash_key(key)
        key_id = self._keys.get(digest)
        if key_id is None:  # perhaps created by another process a moment ago: re-read the keys
            self.reload_keys(only_if_changed=True)  # only if the file changed (one cheap query)
            key_id = self._keys.get(digest)
        return key_id

    def reload_keys(self, only_if_changed: bool = False) -> None:
        """Read the keys again; with ``only_if_changed``, only when another connection (such
        as ``course keys create`` in a terminal) has committed since the last read."""
        with self._lock:
            if self._db is None:
                return
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            if only_if_changed and version == self._keys_version:
                return
            self._keys = dict(self._db.execute("SELECT key_hash, key_id FROM api_keys").fetchall())
            self._keys_version = version

    # --- usage --------------------------------------------------------------------------------

    def record(
        self,
        key_id: str,
        endpoint: str,
        rows: int,
        latency_ms: float,
        model_version: str,
        request_id: str,
    ) -> None:
        """Buffer one usage row: an append, with no lock and no database work."""
        self._pending.append(
            (time.time(), key_id, endpoint, rows, latency_ms, model_version, request_id)
        )

    def usage_by_key_and_day(self, key_id: str | None = None) -> list[dict]:
        """Requests and rows per key and UTC day: of every key (``key_id`` None), or of one."""
        one = key_id is not None
        query = (
            "SELECT key_id, substr(time, 1, 10) AS day, COUNT(*) AS requests, "
            "SUM(rows) AS rows, ROUND(AVG(latency_ms), 3) AS mean_latency_ms FROM usage "
            + ("WHERE key_id = ? " if one else "")
            + "GROUP BY key_id, day ORDER BY day, key_id"
        )
        with self._lock:
            self._flush_locked()
            cursor = self._db.execute(query, (key_id,) if one else ())
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count_rows(self) -> int:
        with self._lock:
            self._flush_locked()
            return self._db.execute("SELECT COUNT(*) FROM usage").fetchone()[0]


#: Seconds between writes of the buffered usage rows: what a hard crash can lose at most. A
#: commit per request would lose none, and cost a quarter of the service's throughput (measured:
#: lesson 04 and ``benchmarks/crash_loss.py`` print the figures); a write every 20 ms costs no
#: throughput that can be measured.
WRITE_EVERY = 0.02


async def keep_written(storage: Storage, every: float = WRITE_EVERY) -> None:
    """Write buffered usage rows and notice keys created elsewhere (``course keys create``),
    every ``every`` seconds: the service runs this on its event loop for as long as it serves.

    A write that fails (another worker held the file past the busy timeout) keeps its rows for
    the next one and is logged as a warning; the task itself never stops on it, so later rows
    and new keys are still noticed."""
    import logging

    log = logging.getLogger("uvicorn.error")
    while True:
        await asyncio.sleep(every)
        try:
            storage.flush()
            storage.reload_keys(only_if_changed=True)
        except sqlite3.Error as error:  # the rows wait for the next write; this task goes on
            log.warning(
                "usage log %s not written yet (%s): %d rows kept for the next write",
                storage.path,
                error,
                storage.pending(),
            )

"""Open SQLite connections kept for reuse, and WAL checkpoints kept off the request path.

Opening a connection per request costs a cold page cache, and the last connection to close
runs a WAL checkpoint inside someone's request. The pool keeps connections open; a background
thread checkpoints the WAL once a second (and fully at shutdown).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio
import sqlite_utils

from server.db import connect

log = logging.getLogger("recap.pool")
T = TypeVar("T")


class ConnectionPool:
    """Up to `size` idle connections to one database, handed out one request at a time."""

    def __init__(self, path: Path, busy_timeout_ms: int, size: int = 8) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._idle: queue.LifoQueue[sqlite_utils.Database] = queue.LifoQueue(maxsize=size)
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None

    def acquire(self) -> sqlite_utils.Database:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            db = connect(self.path, self.busy_timeout_ms)
            db.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer thread does it
            return db

    def release(self, db: sqlite_utils.Database) -> None:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")  # never hand on a half-done transaction
        try:
            self._idle.put_nowait(db)
        except queue.Full:
            db.close()

    def start(self) -> None:
        self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="recap-checkpoint", daemon=True)
        self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        db = connect(self.path, self.busy_timeout_ms)
        try:
            while not self._stop.wait(1.0):
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except Exception:  # a checkpoint can always be tried again next second
                    log.exception("WAL checkpoint failed")
        finally:
            db.close()

    def close(self) -> None:
        self._stop.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=5)
        while True:
            try:
                db = self._idle.get_nowait()
            except queue.Empty:
                break
            db.close()
        final = connect(self.path, self.busy_timeout_ms)
        try:
            final.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            final.close()


async def in_thread(pool: ConnectionPool, work: Callable[[sqlite_utils.Database], T]) -> T:
    """Run `work(db)` on a pooled connection in a worker thread, off the event loop (for the
    form handlers, which read their form on the loop first)."""

    def run() -> T:
        db = pool.acquire()
        try:
            return work(db)
        finally:
            pool.release(db)

    return await anyio.to_thread.run_sync(run)

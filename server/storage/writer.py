"""The one writer of sync: a thread that owns the write lock and commits pushes in groups.

Every sync write (a push, a pull's enrollment or counter) is a job: a function of a database
connection that reads what it needs and writes, all inside the writer's transaction. The
writer takes the jobs in arrival order and runs as many as are waiting in ONE transaction
(group commit), each inside its own savepoint, so a job that fails changes nothing and does not
disturb the others. Only after the COMMIT is each job's caller answered: an acknowledgement is
never given for something not yet on disk (synchronous=FULL). One COMMIT (one fsync of the WAL)
then serves a whole group, which is most of what a small push used to cost.

If the COMMIT itself fails (disk full, the database locked by another process past the busy
timeout), every job of the group gets the error and nothing of the group was applied: devices
retry, as for any 503.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from server.db import connect

log = logging.getLogger("recap.writer")
T = TypeVar("T")


class WriterStopped(RuntimeError):
    """The server is shutting down: the job was not run."""


@dataclass
class _Job:
    work: Callable[[sqlite_utils.Database], Any]
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None
    # For a caller on an event loop: its future, resolved from the writer thread.
    future: asyncio.Future[Any] | None = None

    def finish(self) -> None:
        self.done.set()
        if self.future is not None:
            self.future.get_loop().call_soon_threadsafe(self._resolve)

    def _resolve(self) -> None:
        assert self.future is not None
        if self.future.cancelled():
            return
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.value)


class Writer:
    """Runs write jobs one group at a time on its own connection."""

    def __init__(self, path: Path, busy_timeout_ms: int, max_group: int = 64) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.max_group = max_group
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopped = False
        # Groups and jobs committed, for bench/sync_push.py.
        self.groups = 0
        self.jobs = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="recap-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped = True
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)
        # One line for operators and bench/sync_push.py: how much group commit saved.
        log.info("writer: %d job(s) committed in %d transaction(s)", self.jobs, self.groups)

    def submit(self, work: Callable[[sqlite_utils.Database], T]) -> T:
        """Run `work` in the writer's transaction; return its value once committed, or raise its error."""
        if self._stopped or self._thread is None:
            raise WriterStopped("the server is stopping: nothing was applied")
        job = _Job(work)
        self._jobs.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.value  # type: ignore[no-any-return]

    async def run(self, work: Callable[[sqlite_utils.Database], T]) -> T:
        """`submit` for a caller on an event loop: no thread of its own is held while it waits."""
        if self._stopped or self._thread is None:
            raise WriterStopped("the server is stopping: nothing was applied")
        job = _Job(work, future=asyncio.get_running_loop().create_future())
        self._jobs.put(job)
        value: T = await job.future  # type: ignore[misc]
        return value

    def _take_group(self) -> list[_Job] | None:
        first = self._jobs.get()
        if first is None:
            return None
        group = [first]
        while len(group) < self.max_group:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self._jobs.put(None)  # stop after this group
                break
            group.append(job)
        return group

    def _run(self) -> None:
        db = connect(self.path, self.busy_timeout_ms)
        try:
            while (group := self._take_group()) is not None:
                self._commit(db, group)
        finally:
            db.close()
            while True:  # anything submitted while stopping is refused, not left waiting
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job.error = WriterStopped("the server is stopping: nothing was applied")
                    job.finish()

    def _commit(self, db: sqlite_utils.Database, group: list[_Job]) -> None:
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._fail(group, exc)
            return
        for job in group:
            db.conn.execute("SAVEPOINT job")
            try:
                job.value = job.work(db)
            except BaseException as exc:  # the job's own error: its savepoint is undone, the group goes on
                db.conn.execute("ROLLBACK TO job")
                job.error = exc
            db.conn.execute("RELEASE job")
        try:
            db.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            self._fail(group, exc)
            return
        self.groups += 1
        self.jobs += len(group)
        for job in group:
            job.finish()

    @staticmethod
    def _fail(group: list[_Job], exc: sqlite3.OperationalError) -> None:
        log.warning("a write group of %d job(s) failed: %s", len(group), exc)
        for job in group:
            job.value = None
            job.error = exc
            job.finish()

"""Which server process writes an upload, when several `recap serve` processes share one database.

Within a process, Transfers queues the bodies of one upload (an asyncio lock per upload). Across
processes, each upload has one byte of one lock file under the data folder
(`<var>/uploads/.writers.lock`), held with a POSIX record lock while a process writes, finishes
or terminates the upload; a process that finds it held answers `423` and the client retries. The
kernel releases the locks of a process that dies, so a crash never leaves an upload locked.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
from pathlib import Path


def slot(upload_id: str) -> int:
    """The byte of the lock file that stands for an upload (48 bits of its id's SHA-256: two
    uploads sharing one only ever cost a retry)."""
    return int.from_bytes(hashlib.sha256(upload_id.encode()).digest()[:6], "big")


class WriterLocks:
    """One process's side of the lock file. POSIX record locks belong to the process, and closing
    any descriptor of the file drops them all: the file is opened once, here, and never elsewhere."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None  # opened at the first write: an app that takes no upload makes no file

    def _file(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    def try_acquire(self, upload_id: str) -> bool:
        """Take the upload's byte, or say that another process holds it."""
        try:
            fcntl.lockf(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot(upload_id), os.SEEK_SET)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise
        return True

    def release(self, upload_id: str) -> None:
        fcntl.lockf(self._file(), fcntl.LOCK_UN, 1, slot(upload_id), os.SEEK_SET)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

"""One upload from creation to a stored video: the rules decide, the store and the files keep.

Database writes go through the app's one writer (server/storage/writer.py), reads through the
pool; file work that can take long (fsync, hashing 200 MiB) runs in a worker thread. The
recorded offset in the database is the truth: bytes on disk past it were never acknowledged
and are cut off before the next write.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import hmac
import logging
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import BinaryIO, TypeVar

import anyio
import sqlite_utils

from server.pitches import store as pitches
from server.pool import ConnectionPool, in_thread
from server.settings import Settings
from server.storage.writer import Writer, WriterStopped
from server.uploads import errors, files, protocol, sniff, store
from server.uploads.protocol import Creation, Upload
from server.uploads.writers import WriterLocks

log = logging.getLogger("recap.uploads")
T = TypeVar("T")


class Dropped(Exception):
    """The client went away in the middle of a body (what was received is dealt with)."""


class Transfers:
    """The uploads of one server: created, written, finished, terminated."""

    def __init__(self, settings: Settings, pool: ConnectionPool, writer: Writer) -> None:
        self.layout = files.Layout(settings.var_dir)
        self.max_bytes = settings.max_video_bytes
        self.expiry_hours = settings.upload_expiry_hours
        self.pool = pool
        self.writer = writer
        # One body at a time per upload: a client that reconnects waits for its old request to end.
        # Each lock lives while someone holds or awaits it (with how many do), so unknown ids leave nothing.
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        # And across the server processes on one database: the one writing it holds its lock byte.
        self.writers = WriterLocks(self.layout.uploads / ".writers.lock")

    @contextlib.asynccontextmanager
    async def _only(self, upload_id: str, *, writing: bool = True) -> AsyncIterator[None]:
        """This upload to this request alone: in this process, after the requests before it; across
        processes, or `423` (`writing=False`, for HEAD: the database's offset is the answer)."""
        lock, users = self._locks.get(upload_id, (asyncio.Lock(), 0))
        self._locks[upload_id] = (lock, users + 1)
        try:
            async with lock:
                if not writing:
                    yield
                    return
                if not self.writers.try_acquire(upload_id):
                    raise errors.WrittenElsewhere(
                        "another server process is writing this upload: ask with HEAD and resume shortly"
                    )
                try:
                    yield
                finally:
                    self.writers.release(upload_id)
        finally:
            lock, users = self._locks[upload_id]
            if users == 1:
                del self._locks[upload_id]
            else:
                self._locks[upload_id] = (lock, users - 1)

    def close(self) -> None:
        self.writers.close()

    async def _written(self, job: Callable[[sqlite_utils.Database], T]) -> T:
        """A job of the one writer; a busy database or a stopping server is a 503 (retry)."""
        try:
            return await self.writer.run(job)
        except (sqlite3.OperationalError, WriterStopped) as exc:
            raise errors.Busy(f"the server is busy ({exc}): nothing was recorded, retry shortly") from None

    async def create(self, user_id: str, asked: Creation, now: datetime.datetime) -> Upload:
        """A new upload, or the one this person already has for this pitch's file (idempotent)."""

        def job(db: sqlite_utils.Database) -> tuple[Upload, str | None]:
            existing = store.find(db, user_id, asked.pitch_id, asked.sha256)
            if existing is not None and not protocol.expired(existing, now):
                protocol.same_creation(existing, asked)
                return existing, None
            if existing is not None:
                store.delete(db, existing.id)  # expired before it was finished: start afresh
            made = Upload(
                id=secrets.token_urlsafe(24), user_id=user_id, pitch_id=asked.pitch_id, sha256=asked.sha256,
                length=asked.length, offset=0, content_type=asked.content_type, created_at=now,
                expires_at=protocol.expires_at(now, self.expiry_hours), completed_at=None,
            )  # fmt: skip
            store.insert(db, made)
            return made, existing.id if existing else None

        made, stale = await self._written(job)
        if stale is not None:
            files.remove(self.layout.partial(stale))
        return made

    async def status(self, user_id: str, upload_id: str, now: datetime.datetime) -> Upload:
        protocol.known_id(upload_id)
        found = await in_thread(self.pool, lambda db: store.get(db, upload_id))
        return protocol.visible(found, user_id, now)

    async def settled(self, user_id: str, upload_id: str, now: datetime.datetime) -> Upload:
        """`status` once no body is being written to it: a client asking right after its connection
        dropped hears where the dropped body left the upload, not where it was before."""
        async with self._only(protocol.known_id(upload_id), writing=False):
            return await self.status(user_id, upload_id, now)

    async def receive(
        self,
        user_id: str,
        upload_id: str,
        headers: dict[str, str | None],
        body: AsyncIterator[bytes],
        now: datetime.datetime,
    ) -> Upload:
        """Write one PATCH body at the upload's offset; return the upload as it now stands."""
        protocol.known_id(upload_id)
        offset = protocol.parse_count("Upload-Offset", headers.get("upload-offset"))
        digest = protocol.parse_checksum(headers.get("upload-checksum"))
        length_header = headers.get("content-length")
        content_length = protocol.parse_count("Content-Length", length_header) if length_header is not None else None
        async with self._only(upload_id):
            upload = await self.status(user_id, upload_id, now)
            protocol.check_patch(upload, headers.get("content-type"), offset, content_length)
            if upload.complete:
                return upload  # an empty PATCH at the end of a finished upload: nothing to do
            if await self._placed_unrecorded(upload):
                return await self._completed(upload, now)
            try:
                written = await self._write(upload, digest, body)
            except DroppedAfter as dropped:
                if dropped.written:  # kept: the client resumes after them (HEAD tells it where)
                    await self._record(upload, dropped.written, now)
                raise
            return await self._record(upload, written, now)

    async def _write(self, upload: Upload, digest: bytes | None, body: AsyncIterator[bytes]) -> int:
        """Stream the body to the partial file; return how many bytes were kept."""
        path = self.layout.partial(upload.id)
        stands, handle = await anyio.to_thread.run_sync(files.open_at, path, upload.offset)
        try:
            if stands < upload.offset:  # bytes lost from the disk: the client must resume earlier
                await self._written(lambda db: store.move_offset(db, upload.id, upload.offset, stands))
                raise errors.OffsetMismatch(
                    f"the server holds {stands} bytes of this upload: resume there", offset=stands
                )
            return await _stream(handle, upload, digest, body)
        finally:
            await anyio.to_thread.run_sync(handle.close)

    async def _record(self, upload: Upload, written: int, now: datetime.datetime) -> Upload:
        after = upload.offset + written
        if written and upload.offset < sniff.HEAD_BYTES:
            await self._check_container(upload, after)
        if after == upload.length:
            return await self._finish(upload, now)
        if written and not await self._written(lambda db: store.move_offset(db, upload.id, upload.offset, after)):
            raise errors.OffsetMismatch("this upload moved on meanwhile: ask with HEAD and resume there")
        return _moved(upload, after)

    async def _check_container(self, upload: Upload, after: int) -> None:
        """As soon as the first bytes arrive: WebM or MP4 as declared, or the upload is refused and removed."""
        head = await anyio.to_thread.run_sync(files.head, self.layout.partial(upload.id), sniff.HEAD_BYTES)
        verdict = sniff.sniff(head, whole=after == upload.length)
        if verdict.decided and verdict.kind != upload.content_type:
            await self.discard(upload)
            found = verdict.kind or "neither WebM nor MP4"
            raise errors.NotAVideo(f"the file is {found}, not the {upload.content_type} declared: it was not kept")

    async def _finish(self, upload: Upload, now: datetime.datetime) -> Upload:
        """The last byte is in: the whole file must hash as declared; then it moves to its address."""
        partial = self.layout.partial(upload.id)
        actual = await anyio.to_thread.run_sync(files.sha256_of, partial)
        if not hmac.compare_digest(actual, upload.sha256):
            await self.discard(upload)
            raise errors.ChecksumMismatch("the whole file does not hash to the declared sha256: it was not kept")
        await anyio.to_thread.run_sync(files.place, partial, self.layout.video(upload.sha256))
        return await self._completed(upload, now)

    async def _completed(self, upload: Upload, now: datetime.datetime) -> Upload:
        """Record a finished upload whose checked file is at its content address."""

        def job(db: sqlite_utils.Database) -> None:
            store.complete(db, upload, now)
            pitches.video_arrived(db, upload.sha256)  # coaches' devices learn video_uploaded

        await self._written(job)
        log.info("upload %s finished: video %s (%d bytes)", upload.id, upload.sha256, upload.length)
        return _moved(upload, upload.length, completed_at=now)

    async def _placed_unrecorded(self, upload: Upload) -> bool:
        """Whether a crash came between `_finish` placing this upload's checked file and recording
        it: the partial file is gone, the file is at the upload's content address, and no video
        row names it. Then the upload is finished without its bytes again. (A file some other
        upload recorded is not taken as this one's: its sender proved nothing.)"""
        if upload.offset == 0:
            return False
        partial, placed = self.layout.partial(upload.id), self.layout.video(upload.sha256)
        if partial.exists() or not placed.exists():
            return False
        return await in_thread(self.pool, lambda db: store.video(db, upload.sha256) is None)

    async def discard(self, upload: Upload) -> None:
        """Forget an upload and its bytes (refused, terminated or expired)."""
        await self._written(lambda db: store.delete(db, upload.id))
        files.remove(self.layout.partial(upload.id))

    async def terminate(self, user_id: str, upload_id: str, now: datetime.datetime) -> None:
        """tus termination: an unfinished upload and its bytes go. A finished one stays (its video
        belongs to a pitch)."""
        async with self._only(protocol.known_id(upload_id)):
            upload = await self.status(user_id, upload_id, now)
            if upload.complete:
                raise errors.OffsetMismatch("this upload is finished: its video stays with its pitch")
            await self.discard(upload)


async def _stream(handle: BinaryIO, upload: Upload, digest: bytes | None, body: AsyncIterator[bytes]) -> int:
    """Copy the body to the file from the upload's offset. A checksummed chunk is kept whole or
    not at all (460 on a mismatch, nothing kept when the client drops); without a checksum, the
    bytes received before a dropped connection are kept."""
    hasher = hashlib.sha256() if digest is not None else None
    room = upload.length - upload.offset
    written = 0
    try:
        async for chunk in body:
            if written + len(chunk) > room:
                await _cut(handle, upload.offset)
                raise errors.TooLarge(
                    f"the body goes past Upload-Length {upload.length:,}: nothing of it was kept", limit=upload.length
                )
            handle.write(chunk)
            written += len(chunk)
            if hasher is not None:
                hasher.update(chunk)
    except Dropped:
        if hasher is not None:
            await _cut(handle, upload.offset)
            raise
        await anyio.to_thread.run_sync(files.sync_file, handle)
        raise DroppedAfter(written) from None
    if hasher is not None and digest is not None and not hmac.compare_digest(hasher.digest(), digest):
        await _cut(handle, upload.offset)
        raise errors.ChecksumMismatch("the chunk does not hash to its Upload-Checksum: it was not kept, send it again")
    await anyio.to_thread.run_sync(files.sync_file, handle)
    return written


class DroppedAfter(Dropped):
    """The client went away after `written` bytes, which are on disk and to be recorded."""

    def __init__(self, written: int) -> None:
        super().__init__(f"dropped after {written} bytes")
        self.written = written


async def _cut(handle: BinaryIO, offset: int) -> None:
    handle.flush()
    handle.truncate(offset)
    await anyio.to_thread.run_sync(files.sync_file, handle)


def _moved(upload: Upload, offset: int, completed_at: datetime.datetime | None = None) -> Upload:
    return Upload(
        id=upload.id, user_id=upload.user_id, pitch_id=upload.pitch_id, sha256=upload.sha256, length=upload.length,
        offset=offset, content_type=upload.content_type, created_at=upload.created_at, expires_at=upload.expires_at,
        completed_at=completed_at or upload.completed_at,
    )  # fmt: skip

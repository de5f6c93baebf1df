"""The interrupted-upload check can fail: run in-process against deliberately broken variants of
the upload module (one that does not verify chunk checksums, one that counts bytes a dropped
connection never delivered), it catches each; against the real module it passes."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import hashlib
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from server import migrations
from server.db import connect
from server.pool import ConnectionPool
from server.settings import Settings
from server.storage.writer import Writer
from server.uploads import protocol
from server.uploads.errors import UploadError
from server.uploads.protocol import Upload
from server.uploads.transfer import Dropped, DroppedAfter, Transfers, _stream
from tests.support import tus, videos
from tests.support.interrupted import interrupted_upload
from tests.support.tus import new_pitch_id

USER = "dev:rep@example.com"
CHUNK = 64 * 1024


class IgnoresChecksums(Transfers):
    """Broken: writes every chunk as if no Upload-Checksum had been sent."""

    async def _write(self, upload: Upload, digest: bytes | None, body: AsyncIterator[bytes]) -> int:
        return await super()._write(upload, None, body)


class CountsUndeliveredBytes(Transfers):
    """Broken: after a dropped connection, records the whole rest of the file as received."""

    async def _write(self, upload: Upload, digest: bytes | None, body: AsyncIterator[bytes]) -> int:
        try:
            return await super()._write(upload, digest, body)
        except Dropped:
            raise DroppedAfter(upload.length - upload.offset) from None


def run_apart(work: Any) -> Any:
    """`asyncio.run` in a thread of its own: the session's Playwright (sync API) keeps an event
    loop running in the main thread once a browser test has run, and asyncio.run refuses to
    start inside a running loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


class InProcess:
    """The check's driver, calling a Transfers directly with bodies that may drop part-way."""

    def __init__(self, transfers: Transfers) -> None:
        self.transfers = transfers
        self.now = datetime.datetime.now(datetime.UTC)

    def _run(self, work: object) -> object:
        return run_apart(work)

    def create(self, data: bytes) -> str:
        asked = protocol.Creation(len(data), new_pitch_id(), hashlib.sha256(data).hexdigest(), "video/webm")
        upload = self._run(self.transfers.create(USER, asked, self.now))
        assert isinstance(upload, Upload)
        return upload.id

    def offset(self, location: str) -> int:
        try:
            upload = self._run(self.transfers.settled(USER, location, self.now))
        except UploadError as error:
            raise AssertionError(f"HEAD answered {error.status_code}: {error.detail}") from None
        assert isinstance(upload, Upload)
        return upload.offset

    def _send(self, location: str, offset: int, body: bytes, checksum: bytes | None, drop_after: int | None) -> int:
        async def chunks() -> AsyncIterator[bytes]:
            end = len(body) if drop_after is None else drop_after
            for at in range(0, end, 4096):
                yield body[at : min(at + 4096, end)]
            if drop_after is not None:
                raise Dropped("the connection went away")

        headers: dict[str, str | None] = {"content-type": protocol.OFFSET_STREAM, "upload-offset": str(offset)}
        if checksum is not None:
            headers["upload-checksum"] = tus.checksum(checksum)
        try:
            self._run(self.transfers.receive(USER, location, headers, chunks(), self.now))
        except UploadError as error:
            return error.status_code
        except Dropped:
            return 0
        return 204

    def patch(self, location: str, offset: int, body: bytes, digest_of: bytes | None) -> int:
        return self._send(location, offset, body, digest_of, None)

    def drop(self, location: str, offset: int, body: bytes, sent: int, with_checksum: bool) -> None:
        self._send(location, offset, body, body if with_checksum else None, sent)

    def stored(self, sha256: str) -> bytes | None:
        path = self.transfers.layout.video(sha256)
        return path.read_bytes() if path.exists() else None

    def after_interruption(self, number: int) -> None:
        return None


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[Settings, ConnectionPool, Writer]]:
    settings = Settings(db_path=tmp_path / "var" / "recap.db")
    db = connect(settings.db_path)
    migrations.apply(db)
    db.close()
    pool, writer = ConnectionPool(settings.db_path, 5000), Writer(settings.db_path, 5000)
    writer.start()
    yield settings, pool, writer
    writer.stop()
    pool.close()


def test_the_check_passes_against_the_real_module(parts: tuple[Settings, ConnectionPool, Writer]) -> None:
    rng = random.Random(15)
    data = videos.video("webm", 600_000, rng)
    report = interrupted_upload(InProcess(Transfers(*parts)), data, rng, interruptions=50, chunk=CHUNK)
    assert report.interruptions == 50 and report.kept_after_drop > 0


@pytest.mark.parametrize("broken", [IgnoresChecksums, CountsUndeliveredBytes])
def test_the_check_catches_a_broken_module(
    parts: tuple[Settings, ConnectionPool, Writer], broken: type[Transfers]
) -> None:
    rng = random.Random(15)
    data = videos.video("webm", 600_000, rng)
    with pytest.raises(AssertionError):
        interrupted_upload(InProcess(broken(*parts)), data, rng, interruptions=50, chunk=CHUNK)


def test_the_body_is_streamed_never_read_whole(tmp_path: Path) -> None:
    """A body is written as it arrives: at most one network read is held (here 4 KiB of 1 MiB)."""
    held: list[int] = []
    real = (tmp_path / "part").open("w+b")

    class Recorder:
        def write(self, chunk: bytes) -> int:
            held.append(len(chunk))
            return real.write(chunk)

        def flush(self) -> None:
            real.flush()

        def fileno(self) -> int:
            return real.fileno()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(256):
            yield b"x" * 4096

    upload = Upload(
        "u" * 32,
        USER,
        new_pitch_id(),
        "a" * 64,
        2**20,
        0,
        "video/webm",
        *[datetime.datetime.now(datetime.UTC)] * 2,
        None,
    )
    written = run_apart(_stream(Recorder(), upload, None, body()))
    real.close()
    assert written == 2**20 and max(held) == 4096 and (tmp_path / "part").stat().st_size == 2**20

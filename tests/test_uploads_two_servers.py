"""Two `recap serve` processes on one database never write one upload at once (docs/uploads.md:
server/uploads/writers.py): while one receives a body, the other answers `423` to a PATCH or a
DELETE of that upload and the recorded offset to a HEAD; the file ends byte-identical; a process
killed mid-body leaves no lock behind."""

from __future__ import annotations

import hashlib
import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import videos
from tests.support.server import LiveServer
from tests.support.tus import STREAM, TusClient, checksum, new_pitch_id

ENV = {"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"}
USER = "rep@example.com"


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    db_path = tmp_path / "var" / "recap.db"
    first = LiveServer(db_path, env=ENV, log_name="first.log")  # migrates the new database
    second = LiveServer(db_path, env=ENV, log_name="second.log")
    yield first, second
    second.stop()
    first.stop()


def open_body(server: LiveServer, location: str, data: bytes, sent: int) -> socket.socket:
    """A PATCH of all of `data` (with its checksum) of which only the first `sent` bytes are sent yet."""
    where = urlsplit(server.url)
    head = (
        f"PATCH {location} HTTP/1.1\r\nHost: {where.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: Bearer dev:{USER}\r\nContent-Type: {STREAM}\r\nUpload-Offset: 0\r\n"
        f"Upload-Checksum: {checksum(data)}\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    conn = socket.create_connection((where.hostname or "127.0.0.1", where.port or 80), timeout=30)
    conn.sendall(head.encode() + data[:sent])
    return conn


def being_written(db_path: Path, location: str) -> None:
    """Wait until the bytes of an open body reach the partial file: its server holds the upload."""
    partial = db_path.parent / "uploads" / f"{location.rsplit('/', 1)[1]}.part"
    deadline = time.monotonic() + 15
    while not (partial.exists() and partial.stat().st_size > 0):
        assert time.monotonic() < deadline, "the body never reached the disk"
        time.sleep(0.05)


def test_while_one_server_writes_an_upload_the_other_refuses_to(two_servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = two_servers
    via_first, via_second = TusClient(first.url, USER), TusClient(second.url, USER)
    data = videos.video("webm", 600_000, random.Random(23))
    sha = hashlib.sha256(data).hexdigest()
    location = via_first.create(len(data), new_pitch_id(), sha).headers["location"]
    try:
        with open_body(first, location, data, 300_000) as body:
            being_written(first.db_path, location)
            refused = via_second.patch(location, 0, data, digest_of=data)
            assert refused.status_code == 423 and refused.json()["error"] == "locked", refused.text
            assert refused.headers["tus-resumable"] == "1.0.0"
            assert via_second.delete(location).status_code == 423, "nor terminated from elsewhere"
            assert via_second.offset(location) == 0, "HEAD answers what is recorded"
            body.sendall(data[300_000:])
            answer = body.recv(4096).decode()
        assert answer.startswith("HTTP/1.1 204") and f"upload-offset: {len(data)}" in answer.lower(), answer
        assert via_second.offset(location) == len(data)
        stored = first.db_path.parent / "videos" / sha[:2] / sha
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
        # Done: the other server answers it as finished, never as locked.
        again = via_second.patch(location, len(data), b"")
        assert again.status_code == 204 and again.headers["upload-offset"] == str(len(data)), again.text
    finally:
        via_first.close()
        via_second.close()


def test_a_server_killed_mid_body_leaves_no_lock(two_servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = two_servers
    via_first = TusClient(first.url, USER)
    data = videos.video("mp4", 400_000, random.Random(24))
    location = via_first.create(len(data), new_pitch_id(), hashlib.sha256(data).hexdigest(), "video/mp4").headers[
        "location"
    ]
    try:
        with open_body(second, location, data, 200_000):
            being_written(second.db_path, location)
            assert via_first.patch(location, 0, data, digest_of=data).status_code == 423
            second.process.kill()  # the kernel drops a dead process's locks
            second.process.wait()
        assert via_first.offset(location) == 0, "a checksummed chunk cut short keeps nothing"
        done = via_first.patch(location, 0, data, digest_of=data)
        assert done.status_code == 204 and done.headers["upload-offset"] == str(len(data)), done.text
    finally:
        via_first.close()

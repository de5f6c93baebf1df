"""A resumable upload interrupted at 50 random offsets ends byte-identical, server restarts
included (issue 15): the real `recap serve` over HTTP, connections dropped mid-body on a raw
socket, chunks corrupted in transit, the server stopped and started (once killed mid-body)."""

from __future__ import annotations

import hashlib
import os
import random
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import videos
from tests.support.interrupted import interrupted_upload
from tests.support.server import LiveServer
from tests.support.tus import STREAM, TusClient, new_pitch_id

ENV = {"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"}
USER = "rep@example.com"


class HttpDriver:
    """The check's driver for a real server, restarted after some interruptions (hard: killed mid-body)."""

    def __init__(self, db_path: Path, restarts: dict[int, str], filetype: str) -> None:
        self.db_path = db_path
        self.filetype = filetype
        self.restarts = restarts
        self.starts = 0
        self.server = self._start()
        self.client = TusClient(self.server.url, USER)
        self.pitch_id = new_pitch_id()
        self.location = ""

    def _start(self) -> LiveServer:
        self.starts += 1
        return LiveServer(self.db_path, env=ENV, log_name=f"server-{self.starts}.log")

    def create(self, data: bytes) -> str:
        response = self.client.create(len(data), self.pitch_id, hashlib.sha256(data).hexdigest(), self.filetype)
        assert response.status_code == 201, response.text
        self.location = response.headers["location"]
        return self.location

    def offset(self, location: str) -> int:
        return self.client.offset(location)

    def patch(self, location: str, offset: int, body: bytes, digest_of: bytes | None) -> int:
        return self.client.patch(location, offset, body, digest_of).status_code

    def drop(self, location: str, offset: int, body: bytes, sent: int, with_checksum: bool) -> None:
        self.client.dropped_patch(location, offset, body, sent, with_checksum)

    def stored(self, sha256: str) -> bytes | None:
        response = self.client.http.get(f"{self.client.base}/videos/{sha256}", headers=self.client.auth)
        on_disk = self.db_path.parent / "videos" / sha256[:2] / sha256
        assert on_disk.read_bytes() == response.content
        return response.content if response.status_code == 200 else None

    def after_interruption(self, number: int) -> None:
        how = self.restarts.get(number)
        if how is None:
            return
        if how == "kill":
            self._kill_mid_body()
        else:
            self.server.stop()
        self.server = self._start()
        self.client.base = self.server.url

    def _kill_mid_body(self) -> None:
        """SIGKILL while a PATCH body is arriving: bytes may be on disk past the recorded offset."""
        offset = self.offset(self.location)
        where = urlsplit(self.server.url)
        head = (
            f"PATCH {self.location} HTTP/1.1\r\nHost: {where.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer dev:{USER}\r\nContent-Type: {STREAM}\r\nUpload-Offset: {offset}\r\n"
            f"Content-Length: 1000000\r\n\r\n"
        )
        with socket.create_connection((where.hostname, where.port)) as conn:
            conn.sendall(head.encode() + b"\x00" * 300_000)  # not the file's bytes: must never count
            time.sleep(0.5)
            self.server.process.kill()
            self.server.process.wait()
        self.server.stop()

    def close(self) -> None:
        self.client.close()
        self.server.stop()


@pytest.mark.parametrize("kind", ["webm", "mp4"])
def test_an_upload_interrupted_at_50_random_offsets_ends_byte_identical(tmp_path: Path, kind: str) -> None:
    seed = int(os.environ.get("RECAP_UPLOAD_SEED") or random.SystemRandom().randrange(2**32))
    print(f"seed {seed} (RECAP_UPLOAD_SEED={seed} repeats this run)")
    rng = random.Random(seed)
    data = videos.video(kind, 3 * 1024 * 1024 + rng.randrange(1, 1024 * 1024), rng)
    driver = HttpDriver(
        tmp_path / "var" / "recap.db", restarts={12: "stop", 25: "kill", 38: "stop"}, filetype=f"video/{kind}"
    )
    try:
        report = interrupted_upload(driver, data, rng, interruptions=50)
    finally:
        driver.close()
    assert driver.starts == 4, "the server was restarted three times"
    assert report.kept_after_drop > 0, f"seed {seed}: no dropped body kept a byte: {report}"
    assert set(report.modes) == {"drop", "drop_checksum", "corrupt"}, f"seed {seed}: {report}"
    assert not list((tmp_path / "var" / "uploads").glob("*.part")), "a partial file was left behind"


def test_a_body_that_falls_silent_counts_as_dropped(tmp_path: Path) -> None:
    """A phone that lost its network mid-chunk often never closes the connection: after
    RECAP_UPLOAD_IDLE_SECONDS the server keeps what came and frees the upload for the resume."""
    server = LiveServer(tmp_path / "var" / "recap.db", env={**ENV, "RECAP_UPLOAD_IDLE_SECONDS": "1"})
    client = TusClient(server.url, USER)
    try:
        data = videos.video("webm", 200_000, random.Random(4))
        location = client.create(len(data), new_pitch_id(), hashlib.sha256(data).hexdigest()).headers["location"]
        where = urlsplit(server.url)
        head = (
            f"PATCH {location} HTTP/1.1\r\nHost: {where.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer dev:{USER}\r\nContent-Type: {STREAM}\r\nUpload-Offset: 0\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        with socket.create_connection((where.hostname, where.port)) as silent:
            silent.sendall(head.encode() + data[:70_000])
            started = time.monotonic()
            # A HEAD waits for the silent body to be given up; one that reaches the server before
            # the PATCH does (a loaded machine) still sees 0, so ask again until 10 s have passed.
            offset = client.offset(location)
            while offset != 70_000 and time.monotonic() - started < 10:
                time.sleep(0.1)
                offset = client.offset(location)
            assert offset == 70_000 and time.monotonic() - started < 10
            answer = silent.recv(4096).decode()
            assert answer.startswith("HTTP/1.1 400") and "body_dropped" in answer, answer
        assert client.patch(location, 70_000, data[70_000:], data[70_000:]).status_code == 204
        assert (
            client.http.get(f"{server.url}/videos/{hashlib.sha256(data).hexdigest()}", headers=client.auth).content
            == data
        )
    finally:
        client.close()
        server.stop()

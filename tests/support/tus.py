"""A small tus 1.0.0 client for tests and bench/upload.py: plain HTTP through httpx, and a raw
socket for a PATCH whose connection drops part-way through its body."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import uuid
from urllib.parse import urlsplit

import httpx

TUS = {"Tus-Resumable": "1.0.0"}
STREAM = "application/offset+octet-stream"


def metadata(**values: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


def checksum(data: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


def new_pitch_id() -> str:
    return str(uuid.uuid4())


class TusClient:
    """One person's uploads to one server (`base` may change when the server restarts)."""

    def __init__(self, base: str, user: str) -> None:
        self.base = base.rstrip("/")
        self.auth = {"Authorization": f"Bearer dev:{user}"}
        self.http = httpx.Client(timeout=60)

    def headers(self, **extra: str) -> dict[str, str]:
        return {**TUS, **self.auth, **extra}

    def create(
        self, length: int, pitch_id: str, sha256: str, filetype: str = "video/webm", **extra: str
    ) -> httpx.Response:
        meta = metadata(pitch_id=pitch_id, sha256=sha256, filetype=filetype)
        return self.http.post(
            self.base + "/uploads/",
            headers=self.headers(**{"Upload-Length": str(length), "Upload-Metadata": meta, **extra}),
        )

    def head(self, location: str) -> httpx.Response:
        return self.http.head(self.base + location, headers=self.headers())

    def offset(self, location: str) -> int:
        response = self.head(location)
        assert response.status_code == 200, (response.status_code, response.text)
        return int(response.headers["upload-offset"])

    def patch(
        self, location: str, offset: int, body: bytes, digest_of: bytes | None = None, **extra: str
    ) -> httpx.Response:
        """PATCH `body` at `offset`; with `digest_of`, an Upload-Checksum of those bytes."""
        headers = self.headers(**{"Content-Type": STREAM, "Upload-Offset": str(offset), **extra})
        if digest_of is not None:
            headers["Upload-Checksum"] = checksum(digest_of)
        return self.http.patch(self.base + location, headers=headers, content=body)

    def delete(self, location: str) -> httpx.Response:
        return self.http.delete(self.base + location, headers=self.headers())

    def dropped_patch(self, location: str, offset: int, body: bytes, sent: int, with_checksum: bool) -> None:
        """Announce the whole `body`, send only its first `sent` bytes, then close the connection."""
        where = urlsplit(self.base)
        lines = [
            f"PATCH {location} HTTP/1.1", f"Host: {where.netloc}", *(f"{k}: {v}" for k, v in self.headers().items()),
            f"Content-Type: {STREAM}", f"Upload-Offset: {offset}", f"Content-Length: {len(body)}",
        ]  # fmt: skip
        if with_checksum:
            lines.append(f"Upload-Checksum: {checksum(body)}")
        with socket.create_connection((where.hostname or "127.0.0.1", where.port or 80), timeout=30) as conn:
            conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body[:sent])
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(5)
            with contextlib.suppress(TimeoutError, ConnectionError):
                conn.recv(1024)  # wait until the server has seen the end of the stream (or closes)

    def close(self) -> None:
        self.http.close()

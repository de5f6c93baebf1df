"""Malformed and hostile uploads are refused with the tus status a client acts on, and leave
nothing behind: no row, no partial file, no video (issue 15). The real server over HTTP."""

from __future__ import annotations

import base64
import hashlib
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import videos
from tests.support.server import LiveServer, run_recap
from tests.support.tus import STREAM, TUS, TusClient, metadata, new_pitch_id
from tests.support.uploads import nothing_of, partials, rows, stored_videos, upload_whole

ENV = {"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"}
RNG = random.Random(15)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("uploads") / "var" / "recap.db", env=ENV)
    yield live
    live.stop()


def client_of(server: LiveServer, user: str) -> TusClient:
    return TusClient(server.url, user)


def video_of(size: int = 300_000, kind: str = "webm") -> tuple[bytes, str]:
    data = videos.video(kind, size, RNG)
    return data, hashlib.sha256(data).hexdigest()


def test_options_tells_what_the_server_speaks(server: LiveServer) -> None:
    answer = httpx.options(server.url + "/uploads/")
    assert answer.status_code == 204
    assert answer.headers["tus-resumable"] == "1.0.0" and answer.headers["tus-version"] == "1.0.0"
    assert answer.headers["tus-extension"] == "creation,expiration,checksum,termination"
    assert answer.headers["tus-max-size"] == str(200 * 1024 * 1024)
    assert answer.headers["tus-checksum-algorithm"] == "sha256"


def test_a_wrong_offset_is_409_and_changes_nothing(server: LiveServer) -> None:
    client = client_of(server, "offset@example.com")
    data, sha = video_of()
    location = client.create(len(data), new_pitch_id(), sha).headers["location"]
    assert client.patch(location, 0, data[:1000], data[:1000]).status_code == 204
    for wrong in (0, 500, 2000):
        answer = client.patch(location, wrong, data[wrong : wrong + 100])
        assert answer.status_code == 409, answer.text
        assert answer.json()["offset"] == 1000
    # Out of order: a later chunk before an earlier one is refused; in order, both are taken.
    assert client.patch(location, 200_000, data[200_000:]).status_code == 409
    assert client.offset(location) == 1000
    assert client.patch(location, 1000, data[1000:200_000], data[1000:200_000]).status_code == 204
    assert client.patch(location, 200_000, data[200_000:], data[200_000:]).status_code == 204
    assert client.offset(location) == len(data)
    assert sha in stored_videos(server.db_path)


def test_a_wrong_checksum_is_460_and_the_chunk_is_not_kept(server: LiveServer) -> None:
    client = client_of(server, "checksum@example.com")
    data, sha = video_of()
    location = client.create(len(data), new_pitch_id(), sha).headers["location"]
    assert client.patch(location, 0, data[:5000], data[:5000]).status_code == 204
    spoiled = data[5000:9000] + b"x"
    answer = client.patch(location, 5000, spoiled[:4000], data[5001:9001])
    assert answer.status_code == 460 and answer.json()["error"] == "checksum_mismatch"
    assert client.offset(location) == 5000
    upload_id = location.rsplit("/", 1)[1]
    assert (server.db_path.parent / "uploads" / f"{upload_id}.part").stat().st_size == 5000
    for bad in (
        "md5 " + base64.b64encode(b"x" * 16).decode(),
        "sha256 !!notbase64",
        "sha256",
        "sha256 " + base64.b64encode(b"short").decode(),
    ):
        refused = client.patch(location, 5000, data[5000:6000], **{"Upload-Checksum": bad})
        assert refused.status_code == 400, (bad, refused.text)
    assert client.offset(location) == 5000
    assert client.delete(location).status_code == 204
    nothing_of(server.db_path, "checksum@example.com")


def test_oversized_uploads_are_413_and_leave_nothing(server: LiveServer) -> None:
    user = "big@example.com"
    client = client_of(server, user)
    data, sha = video_of(2000)
    too_big = client.create(200 * 1024 * 1024 + 1, new_pitch_id(), sha)
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
    location = client.create(len(data), new_pitch_id(), sha).headers["location"]
    # Past Upload-Length, announced by Content-Length, or streamed without one (chunked).
    assert client.patch(location, 0, data + b"more").status_code == 413
    chunked = client.http.patch(
        client.base + location, headers=client.headers(**{"Content-Type": STREAM, "Upload-Offset": "0"}),
        content=iter([data[:1500], data[1500:], b"and more"]),
    )  # fmt: skip
    assert chunked.status_code == 413, chunked.text
    assert client.offset(location) == 0
    assert client.delete(location).status_code == 204
    nothing_of(server.db_path, user)


@pytest.mark.parametrize(
    ("declared", "body"),
    [
        ("video/webm", b"GIF89a" + bytes(5000)),  # an image
        ("video/webm", b"\x1a\x45\xdf\xa3\x88\x42\x82\x85matro" + bytes(5000)),  # EBML, but Matroska's DocType
        ("video/mp4", videos.webm_header() + bytes(5000)),  # a WebM declared as MP4
        ("video/mp4", videos.mp4_header(b"M4A ", (b"M4A ", b"isom")) + bytes(5000)),  # audio in an MP4 box
        ("video/webm", b"#!/bin/sh\nrm -rf /\n" + bytes(5000)),
    ],
)
def test_what_is_not_the_declared_video_is_refused_and_deleted(server: LiveServer, declared: str, body: bytes) -> None:
    user = "sniff@example.com"
    client = client_of(server, user)
    location = client.create(len(body), new_pitch_id(), hashlib.sha256(body).hexdigest(), declared).headers["location"]
    answer = client.patch(location, 0, body[:2048], body[:2048])
    assert answer.status_code == 415, answer.text
    assert client.head(location).status_code == 404
    nothing_of(server.db_path, user)


def test_a_file_type_we_do_not_keep_is_refused_at_creation(server: LiveServer) -> None:
    client = client_of(server, "types@example.com")
    for filetype in ("image/png", "text/html", "video/quicktime", "application/octet-stream"):
        answer = client.create(1000, new_pitch_id(), "a" * 64, filetype)
        assert answer.status_code == 415, (filetype, answer.text)
    assert client.create(1000, new_pitch_id(), "a" * 64, "video/webm;codecs=vp8,opus").status_code == 201
    assert client.delete(client.create(1000, new_pitch_id(), "b" * 64).headers["location"]).status_code == 204


def test_a_whole_file_that_is_not_the_declared_one_is_refused_and_deleted(server: LiveServer) -> None:
    user = "whole@example.com"
    client = client_of(server, user)
    data, _ = video_of(50_000)
    other = hashlib.sha256(b"another file").hexdigest()
    location = client.create(len(data), new_pitch_id(), other).headers["location"]
    assert client.patch(location, 0, data[:20_000], data[:20_000]).status_code == 204
    answer = client.patch(location, 20_000, data[20_000:], data[20_000:])
    assert answer.status_code == 460 and "whole file" in answer.json()["detail"]
    assert client.head(location).status_code == 404
    nothing_of(server.db_path, user)
    assert other not in stored_videos(server.db_path)


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/../x", "/uploads/%2e%2e", "/uploads/%2e%2e%2fvar%2frecap.db", "/uploads/..%2F..%2Fetc%2Fpasswd",
        "/uploads//etc/passwd", "/uploads/%00", "/uploads/" + "A" * 31 + "%00", "/uploads/" + "A" * 33,
        "/uploads/" + "A" * 31 + "/", "/videos/..%2F..%2Frecap.db", "/videos/" + "0" * 63 + "%00", "/videos/%2Fetc%2Fpasswd",
    ],
)  # fmt: skip
def test_path_tricks_find_nothing_and_touch_nothing(server: LiveServer, path: str) -> None:
    client = client_of(server, "paths@example.com")
    before = sorted(p.name for p in server.db_path.parent.iterdir())
    for method in ("HEAD", "GET", "PATCH", "DELETE"):
        headers = client.headers(**{"Content-Type": STREAM, "Upload-Offset": "0"})
        answer = client.http.request(
            method, client.base + path, headers=headers, content=b"x" * 10 if method == "PATCH" else None
        )
        assert answer.status_code in (404, 405), (method, path, answer.status_code)
    assert sorted(p.name for p in server.db_path.parent.iterdir()) == before
    assert (server.db_path.parent / "recap.db").exists()


@pytest.mark.parametrize(
    "sha256",
    ["../../../etc/passwd", "/etc/passwd", "ab/" + "c" * 61, "A" * 64, "a" * 63, "a" * 65, "a" * 63 + "\x00", "g" * 64],
)
def test_a_sha256_that_is_not_one_is_refused(server: LiveServer, sha256: str) -> None:
    client = client_of(server, "shas@example.com")
    answer = client.create(1000, new_pitch_id(), sha256)
    assert answer.status_code == 400, answer.text
    nothing_of(server.db_path, "shas@example.com")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": "1000"}, 400),  # no metadata
        ({"Upload-Length": "1000", "Upload-Metadata": "pitch_id !!!,sha256 x"}, 400),  # not base64
        ({"Upload-Length": "1000", "Upload-Metadata": metadata(pitch_id=str(new_pitch_id()), filetype="video/webm")}, 400),
        ({"Upload-Length": "1000", "Upload-Metadata": metadata(pitch_id="../x", sha256="a" * 64, filetype="video/webm")}, 400),
        ({"Upload-Length": "1000", "Upload-Metadata": "sha256 " + base64.b64encode(b"a" * 64).decode() + ",sha256 eA=="}, 400),
        ({"Upload-Length": "1000", "Upload-Metadata": "a b c"}, 400),
        ({"Upload-Length": "1000", "Upload-Metadata": "x" * 5000}, 400),
        ({"Upload-Length": "-5", "Upload-Metadata": metadata(pitch_id=new_pitch_id(), sha256="a" * 64, filetype="video/webm")}, 400),
        ({"Upload-Length": "0", "Upload-Metadata": metadata(pitch_id=new_pitch_id(), sha256="a" * 64, filetype="video/webm")}, 400),
        ({"Upload-Length": "1e3", "Upload-Metadata": metadata(pitch_id=new_pitch_id(), sha256="a" * 64, filetype="video/webm")}, 400),
        ({"Upload-Metadata": metadata(pitch_id=new_pitch_id(), sha256="a" * 64, filetype="video/webm")}, 400),
        ({"Upload-Length": "10", "Upload-Metadata": metadata(pitch_id=new_pitch_id(), sha256="a" * 64, filetype="video/webm"), "Tus-Resumable": "0.2.2"}, 412),
    ],
)  # fmt: skip
def test_missing_or_garbled_creation_headers_are_refused(
    server: LiveServer, headers: dict[str, str], status: int
) -> None:
    client = client_of(server, "garbled@example.com")
    answer = client.http.post(client.base + "/uploads/", headers={**client.headers(), **headers})
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]
    nothing_of(server.db_path, "garbled@example.com")


def test_another_persons_upload_is_not_found(server: LiveServer) -> None:
    owner, stranger = client_of(server, "owner@example.com"), client_of(server, "stranger@example.com")
    data, sha = video_of(5000)
    location = owner.create(len(data), new_pitch_id(), sha).headers["location"]
    assert stranger.head(location).status_code == 404
    assert stranger.patch(location, 0, data, data).status_code == 404
    assert stranger.delete(location).status_code == 404
    assert owner.offset(location) == 0
    anonymous = httpx.head(server.url + location, headers=TUS)
    assert anonymous.status_code == 401
    assert owner.delete(location).status_code == 204


def test_creating_again_answers_the_same_upload(server: LiveServer) -> None:
    client = client_of(server, "again@example.com")
    data, sha = video_of(40_000)
    pitch = new_pitch_id()
    first = client.create(len(data), pitch, sha)
    again = client.create(len(data), pitch, sha)
    assert first.status_code == again.status_code == 201
    assert first.headers["location"] == again.headers["location"]
    assert client.create(len(data) + 1, pitch, sha).status_code == 409  # the same file cannot change length
    other_pitch = client.create(len(data), new_pitch_id(), sha)
    assert other_pitch.headers["location"] != first.headers["location"]
    assert client.delete(other_pitch.headers["location"]).status_code == 204
    location = first.headers["location"]
    assert client.patch(location, 0, data, data).status_code == 204
    finished = client.create(len(data), pitch, sha)
    assert finished.headers["location"] == location and finished.headers["upload-offset"] == str(len(data))
    assert client.patch(location, len(data), b"").status_code == 204  # nothing more to send
    assert client.delete(location).status_code == 409  # a finished upload stays with its pitch
    assert len(rows(server.db_path, "SELECT id FROM uploads WHERE user_id = 'dev:again@example.com'")) == 1


def test_the_same_file_from_two_people_is_stored_once(server: LiveServer) -> None:
    data, sha = video_of(30_000)
    upload_whole(client_of(server, "twin1@example.com"), data, new_pitch_id(), sha)
    upload_whole(client_of(server, "twin2@example.com"), data, new_pitch_id(), sha)
    assert stored_videos(server.db_path).count(sha) == 1
    assert rows(server.db_path, "SELECT uploaded_by FROM videos WHERE sha256 = ?", sha) == [("dev:twin1@example.com",)]
    assert (server.db_path.parent / "videos" / sha[:2] / sha).read_bytes() == data


def test_termination_deletes_the_bytes(server: LiveServer) -> None:
    user = "quit@example.com"
    client = client_of(server, user)
    data, sha = video_of(5000)
    location = client.create(len(data), new_pitch_id(), sha).headers["location"]
    assert client.patch(location, 0, data[:3000], data[:3000]).status_code == 204
    assert partials(server.db_path)
    assert client.delete(location).status_code == 204
    assert client.head(location).status_code == 404
    nothing_of(server.db_path, user)


def test_a_patch_needs_the_offset_stream_type(server: LiveServer) -> None:
    client = client_of(server, "ctype@example.com")
    data, sha = video_of(5000)
    location = client.create(len(data), new_pitch_id(), sha).headers["location"]
    for content_type in ("application/json", "text/plain", "video/webm"):
        answer = client.http.patch(
            client.base + location,
            headers=client.headers(**{"Content-Type": content_type, "Upload-Offset": "0"}),
            content=data,
        )
        assert answer.status_code == 415, answer.text
    missing = client.http.patch(
        client.base + location, headers=client.headers(**{"Content-Type": STREAM}), content=data
    )
    assert missing.status_code == 400
    assert client.offset(location) == 0
    assert client.delete(location).status_code == 204


def test_an_expired_upload_is_410_and_its_bytes_are_swept(tmp_path: Path) -> None:
    live = LiveServer(tmp_path / "var" / "recap.db", env=ENV)
    try:
        user = "late@example.com"
        client = client_of(live, user)
        data, sha = video_of(5000)
        location = client.create(len(data), new_pitch_id(), sha).headers["location"]
        assert client.patch(location, 0, data[:2000], data[:2000]).status_code == 204
        conn = sqlite3.connect(live.db_path)
        conn.execute("UPDATE uploads SET expires_at = '2020-01-01T00:00:00Z'")
        conn.commit()
        conn.close()
        assert client.head(location).status_code == 410
        assert client.patch(location, 2000, data[2000:], data[2000:]).status_code == 410
        dry = run_recap("videos", "prune", "--dry-run", db_path=live.db_path)
        assert "would delete 0 video(s)" in dry.stdout and "1 expired upload(s)" in dry.stdout, dry.stdout
        assert partials(live.db_path)
        swept = run_recap("videos", "prune", db_path=live.db_path)
        assert swept.returncode == 0 and "deleted 0 video(s) past 180 days" in swept.stdout, swept.stdout + swept.stderr
        assert client.head(location).status_code == 404
        nothing_of(live.db_path, user)
        fresh = client.create(len(data), new_pitch_id(), sha)  # the same file again starts afresh
        assert fresh.status_code == 201 and fresh.headers["location"] != location
    finally:
        live.stop()


def test_one_patch_larger_than_the_apps_other_body_limits_streams_through(server: LiveServer) -> None:
    """12 MiB in a single PATCH: past Litestar's default 10 MB request body limit, through the app's
    request log and security headers, written as it streams."""
    client = client_of(server, "large@example.com")
    data, sha = video_of(12 * 1024 * 1024)
    location = client.create(len(data), new_pitch_id(), sha).headers["location"]
    answer = client.patch(location, 0, data, data)
    assert answer.status_code == 204, answer.text
    assert answer.headers["upload-offset"] == str(len(data))
    assert (server.db_path.parent / "videos" / sha[:2] / sha).read_bytes() == data

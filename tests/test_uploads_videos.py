"""A stored video served with range requests, as a download, and only to whoever may watch it
(docs/uploads.md "Watching"). The real server over HTTP."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

import httpx
import pytest

from tests.support import videos
from tests.support.server import LiveServer
from tests.support.tus import TusClient, new_pitch_id
from tests.support.uploads import upload_whole

ENV = {"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"}
SIZE = 100_000


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, TusClient, bytes, str]]:
    live = LiveServer(tmp_path_factory.mktemp("videos") / "var" / "recap.db", env=ENV)
    client = TusClient(live.url, "watcher@example.com")
    data = videos.video("mp4", SIZE, random.Random(7))
    sha = hashlib.sha256(data).hexdigest()
    upload_whole(client, data, new_pitch_id(), sha, "video/mp4")
    yield live, client, data, sha
    client.close()
    live.stop()


def fetch(stored: tuple[LiveServer, TusClient, bytes, str], suffix: str = "", **headers: str) -> httpx.Response:
    live, client, _, sha = stored
    return client.http.get(f"{live.url}/videos/{sha}{suffix}", headers={**client.auth, **headers})


def test_the_whole_video(stored: tuple[LiveServer, TusClient, bytes, str]) -> None:
    answer = fetch(stored)
    assert answer.status_code == 200 and answer.content == stored[2]
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["content-type"] == "video/mp4"
    assert answer.headers["content-length"] == str(SIZE)
    assert answer.headers["cache-control"].startswith("private")
    assert "content-disposition" not in answer.headers


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),  # the first bytes
        ("bytes=99000-", 99000, SIZE - 1),  # from an offset to the end
        ("bytes=-500", SIZE - 500, SIZE - 1),  # the last 500 (suffix)
        ("bytes=99990-200000", 99990, SIZE - 1),  # past the end: cut at the end
        ("bytes=0-9,50-59", 0, 59),  # several ranges: the one range spanning them
        ("bytes=-0,10-19", 10, 19),  # an empty suffix among real ones
    ],
)
def test_ranges(stored: tuple[LiveServer, TusClient, bytes, str], header: str, first: int, last: int) -> None:
    answer = fetch(stored, Range=header)
    assert answer.status_code == 206, answer.text
    assert answer.headers["content-range"] == f"bytes {first}-{last}/{SIZE}"
    assert answer.content == stored[2][first : last + 1]
    assert answer.headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}", "bytes=-0"])
def test_unsatisfiable_ranges_are_416(stored: tuple[LiveServer, TusClient, bytes, str], header: str) -> None:
    answer = fetch(stored, Range=header)
    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize("header", ["items=0-5", "bytes=5-1", "bytes=abc", "bytes="])
def test_malformed_ranges_are_ignored(stored: tuple[LiveServer, TusClient, bytes, str], header: str) -> None:
    answer = fetch(stored, Range=header)
    assert answer.status_code == 200 and answer.content == stored[2]


def test_a_download_is_an_attachment(stored: tuple[LiveServer, TusClient, bytes, str]) -> None:
    answer = fetch(stored, "?download=1")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="pitch-{stored[3][:12]}.mp4"'


def test_head_gives_the_headers_only(stored: tuple[LiveServer, TusClient, bytes, str]) -> None:
    live, client, _, sha = stored
    answer = client.http.head(f"{live.url}/videos/{sha}", headers=client.auth)
    assert answer.status_code == 200 and answer.headers["content-length"] == str(SIZE) and answer.content == b""


def test_who_may_not_watch_gets_404_or_401(stored: tuple[LiveServer, TusClient, bytes, str]) -> None:
    live, _, _, sha = stored
    stranger = {"Authorization": "Bearer dev:stranger@example.com"}
    assert httpx.get(f"{live.url}/videos/{sha}", headers=stranger).status_code == 404
    assert httpx.get(f"{live.url}/videos/{sha}", headers={**stranger, "Range": "bytes=0-1"}).status_code == 404
    assert httpx.get(f"{live.url}/videos/{sha}").status_code == 401
    owner = stored[1].auth
    assert httpx.get(f"{live.url}/videos/{'0' * 64}", headers=owner).status_code == 404
    assert httpx.get(f"{live.url}/videos/{sha.upper()}", headers=owner).status_code == 404

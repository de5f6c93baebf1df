"""A pitch's video reaches its coach: the rep's record syncs first, the file uploads later, and on
its last byte the coach's next pull brings the pitch once more with `video_uploaded` true; from
then on the coach may watch it and a rep of another team may not. The real app, demo accounts."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from tests.support import videos
from tests.support.server import demo_database
from tests.support.tus import STREAM, TUS, metadata
from tests.test_pitches import DAY, a_prompt, devices, pull, record_pitch, results


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    path = demo_database(tmp_path / "var" / "recap.db")
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as c:
        c.db_path = path  # type: ignore[attr-defined]  # as tests/test_pitches.py's helpers read it
        yield c


def test_the_coach_learns_once_that_the_video_arrived_and_may_then_watch_it(client: TestClient) -> None:  # type: ignore[type-arg]
    d = devices(client)
    data = videos.video("webm", 400_000, random.Random(3))
    sha = hashlib.sha256(data).hexdigest()
    created = {"video_sha256": sha, "video_size": len(data), "video_type": "video/webm"}
    pitch_id = record_pitch(d["rep"], a_prompt(client), **created)
    assert [r["status"] for r in results(d["rep"], client)] == ["applied"]
    pull(d["coach"], client)
    assert d["coach"].pitches[pitch_id]["video_uploaded"] is False
    coach = {"Authorization": "Bearer dev:coach@example.com"}
    assert client.get(f"/videos/{sha}", headers=coach).status_code == 404, "nothing to watch yet"

    rep = {**TUS, "Authorization": "Bearer dev:rep@example.com"}
    meta = metadata(pitch_id=pitch_id, sha256=sha, filetype="video/webm")
    location = client.post(
        "/uploads/", headers={**rep, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
    ).headers["location"]
    half = len(data) // 2
    assert (
        client.patch(
            location, headers={**rep, "Content-Type": STREAM, "Upload-Offset": "0"}, content=data[:half]
        ).status_code
        == 204
    )
    pull(d["coach"], client)
    assert d["coach"].pitches[pitch_id]["video_uploaded"] is False, "half a video is no video"
    last = client.patch(
        location, headers={**rep, "Content-Type": STREAM, "Upload-Offset": str(half)}, content=data[half:]
    )
    assert last.status_code == 204 and last.headers["upload-offset"] == str(len(data))

    page = pull(d["coach"], client)
    arrived = [c for c in page["changes"] if c["kind"] == "pitch" and c["data"]["id"] == pitch_id]
    assert len(arrived) == 1 and arrived[0]["data"]["video_uploaded"] is True
    again = pull(d["coach"], client)
    assert not [c for c in again["changes"] if c["kind"] == "pitch"], "told once, not at every pull"
    watched = client.get(f"/videos/{sha}", headers={**coach, "Range": "bytes=0-99"})
    assert watched.status_code == 206 and watched.content == data[:100]
    assert client.get(f"/videos/{sha}", headers={"Authorization": "Bearer dev:rep2@example.com"}).status_code == 404
    # The same file sent again (a device that lost the answer) changes nothing and tells no one twice.
    again_created = client.post("/uploads/", headers={**rep, "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    assert again_created.headers["location"] == location and again_created.headers["upload-offset"] == str(len(data))
    assert not [c for c in pull(d["coach"], client, DAY)["changes"] if c["kind"] == "pitch"]

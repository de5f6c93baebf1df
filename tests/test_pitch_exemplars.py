"""Good examples (docs/coaching.md "Good examples"): a coach proposes a pitch, its rep consents,
and the rep's team — not another team — receives it in the pull's `exemplars` and may watch its
video; withdrawing consent takes it from the list at the next pull and the video from the team at
once. The real app, the demo accounts, a real upload."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
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
    db = sqlite_utils.Database(path)
    try:  # a second team: rep2 is a rep of `north` and, here, also of `demo`, beside Robin
        db.execute("INSERT INTO team_members (team_id, user_id, role) SELECT 'demo', id, 'rep' FROM users WHERE email = 'rep2@example.com'")
        db.conn.commit()
    finally:
        db.close()
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as c:
        c.db_path = path  # type: ignore[attr-defined]
        yield c


def upload(client: TestClient, pitch_id: str, data: bytes) -> None:  # type: ignore[type-arg]
    rep = {**TUS, "Authorization": "Bearer dev:rep@example.com"}
    meta = metadata(pitch_id=pitch_id, sha256=hashlib.sha256(data).hexdigest(), filetype="video/webm")
    location = client.post("/uploads/", headers={**rep, "Upload-Length": str(len(data)), "Upload-Metadata": meta}).headers["location"]
    assert client.patch(location, headers={**rep, "Content-Type": STREAM, "Upload-Offset": "0"}, content=data).status_code == 204


def test_a_consented_example_reaches_the_team_and_a_withdrawn_one_leaves_it(client: TestClient) -> None:  # type: ignore[type-arg]
    d = devices(client)
    data = videos.video("webm", 200_000, random.Random(7))
    sha = hashlib.sha256(data).hexdigest()
    pitch_id = record_pitch(d["rep"], a_prompt(client), video_sha256=sha, video_size=len(data), video_type="video/webm")
    results(d["rep"], client)
    upload(client, pitch_id, data)
    watch = {name: {"Authorization": f"Bearer dev:{name}@example.com"} for name in ("rep2", "manager")}

    pull(d["coach"], client)
    d["coach"].edit(pitch_id, {"reviewed": True, "feedback": "Textbook opening.", "exemplar_proposed": True}, DAY, kind="pitch")
    results(d["coach"], client)
    pull(d["rep2"], client)
    assert d["rep2"].exemplars == [] and d["rep2"].pitches == {}, "proposed is not enough: the rep consents first"
    assert client.get(f"/videos/{sha}", headers=watch["rep2"]).status_code == 404

    pull(d["rep"], client)
    d["rep"].edit(pitch_id, {"exemplar_consent": True}, DAY, kind="pitch")
    assert [r["status"] for r in results(d["rep"], client)] == ["applied"]
    pull(d["rep2"], client)
    assert d["rep2"].exemplars is not None
    assert [(e["pitch_id"], e["rep_name"], e["video_sha256"], e["video_size"]) for e in d["rep2"].exemplars] == [
        (pitch_id, "Robin Rep", sha, len(data))
    ]
    assert d["rep2"].pitches == {}, "a team mate gets the example, never the review"
    seen = client.get(f"/videos/{sha}", headers={**watch["rep2"], "Range": "bytes=0-9"})
    assert seen.status_code == 206 and seen.content == data[:10]

    outsider = {"Authorization": "Bearer dev:editor@example.com"}
    assert client.get(f"/videos/{sha}", headers=outsider).status_code == 404, "nobody outside the rep's teams"

    pull(d["rep"], client)
    d["rep"].edit(pitch_id, {"exemplar_consent": False}, DAY, kind="pitch")
    results(d["rep"], client)
    assert client.get(f"/videos/{sha}", headers=watch["rep2"]).status_code == 404, "withdrawn: at once"
    assert client.get(f"/videos/{sha}", headers=watch["manager"]).status_code == 200, "the rep's manager still reads the pitch"
    pull(d["rep2"], client)
    assert d["rep2"].exemplars == [], "gone from the list at the next pull"

"""Video pitches as records (sync/kinds/pitch.py): the pure rule, and through the real app on the
demo library and accounts — who may create, review and acknowledge a pitch, who receives it, what
a low score assigns, and who sees a good example (docs/sync.md "Pitch payload v1")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from sync import edits, practice
from sync.kinds import pitch
from tests.support.device import Device
from tests.support.ids import uuid7
from tests.support.server import demo_database

DAY = 20_788  # 2026-12-01
SHA = hashlib.sha256(b"a pitch").hexdigest()
CREATED = {"prompt_id": "p", "recorded_on": "2026-12-01", "video_sha256": SHA, "video_size": 1000, "video_type": "video/webm", "duration_ms": 60_000}


def edit(base: int = 0, resolve: tuple[str, ...] = (), **values: object) -> pitch.PitchEditV1:
    return pitch.PitchEditV1(id=uuid7(), base_rev=base, set=dict(values), resolve=list(resolve), at="2026-12-01T10:00:00.000Z", local_day=DAY)


def held(**values: object) -> edits.Record:
    stamp = edits.Stamp(rev=1, at="2026-12-01T10:00:00.000Z", device="d", by="rep")
    return edits.Record(id="x", rev=1, fields={k: edits.Value(value=v, stamp=stamp) for k, v in {**CREATED, **values}.items()})


def facts(record: edits.Record | None = None, coached: frozenset[str] = frozenset()) -> pitch.Facts:
    return pitch.Facts(record=record, rep="rep", coached_reps=coached, prompts=frozenset({"p"}), behaviours=frozenset({("r", "b")}))


COACH = frozenset({"rep"})


@pytest.mark.parametrize(
    ("who", "patch", "known", "reason"),
    [
        ("rep", edit(**CREATED), facts(), None),
        ("rep", edit(**{**CREATED, "exemplar_consent": False}), facts(), None),
        ("rep", edit(**{k: v for k, v in CREATED.items() if k != "video_sha256"}), facts(), "a new pitch needs `video_sha256`"),
        ("rep", edit(**{**CREATED, "prompt_id": "gone"}), facts(), "there is no pitch prompt 'gone'"),
        ("rep", edit(**{**CREATED, "reviewed": True}), facts(), "a new pitch holds only the rep's fields"),
        ("rep", edit(base=3, **CREATED), facts(), "this pitch does not exist"),
        ("rep", edit(**{**CREATED, "video_sha256": SHA.upper()}), facts(), "pitch field 'video_sha256'"),
        ("rep", edit(**{**CREATED, "video_type": "video/x-matroska"}), facts(), "pitch field 'video_type'"),
        ("rep", edit(**{**CREATED, "video_size": 0}), facts(), "pitch field 'video_size'"),
        ("rep", edit(**{**CREATED, "duration_ms": 10**9}), facts(), "pitch field 'duration_ms'"),
        ("rep", edit(**{**CREATED, "recorded_on": "2026-02-30"}), facts(), "is not a date"),
        ("rep", edit(**{**CREATED, "title": "x"}), facts(), "a pitch has no field 'title'"),
        ("rep", edit(base=1, exemplar_consent=True), facts(held()), None),
        ("rep", edit(base=1, feedback="great"), facts(held()), "only a coach of your team can review your pitch"),
        ("rep", edit(base=1, video_sha256="0" * 64), facts(held()), "a pitch's `video_sha256` cannot change"),
        ("coach", edit(base=1, **{"score:r:b": 2, "feedback": "Ask first.", "reviewed": True}), facts(held(), COACH), None),
        ("coach", edit(base=1, comments=[{"t_ms": 12_000, "text": "Good pause"}]), facts(held(), COACH), None),
        ("coach", edit(base=1, comments=[{"t_ms": -1, "text": "x"}]), facts(held(), COACH), "pitch field 'comments'"),
        ("coach", edit(base=1, comments=[{"t_ms": 1, "text": ""}]), facts(held(), COACH), "pitch field 'comments'"),
        ("coach", edit(base=1, comments=[{"t_ms": 1, "text": "x", "extra": 1}]), facts(held(), COACH), "pitch field 'comments'"),
        ("coach", edit(base=1, comments=[{"t_ms": 1, "text": "x"}] * 101), facts(held(), COACH), "pitch field 'comments'"),
        ("coach", edit(base=1, **{"score:r:nope": 2}), facts(held(), COACH), "score:r:nope: no published rubric has this behaviour"),
        ("coach", edit(base=1, **{"score:r:b": 5}), facts(held(), COACH), "pitch field 'score:r:b'"),
        ("coach", edit(base=1, exemplar_consent=True), facts(held(), COACH), "only the rep can write the rep's fields"),
        ("coach", edit(base=1, resolve=("exemplar_consent",)), facts(held(), COACH), "only the rep can write the rep's fields"),
        ("manager", edit(base=1, feedback="x"), facts(held()), "you can review only the pitches of reps in the teams you coach"),
        ("coach", edit(**CREATED), pitch.Facts(record=None, rep="coach", coached_reps=COACH, prompts=frozenset({"p"})), None),
    ],
)
def test_pitch_rules(who: str, patch: pitch.PitchEditV1, known: pitch.Facts, reason: str | None) -> None:
    decided = pitch.decide(patch, who, known)
    if reason is None:
        assert decided is None
    else:
        assert decided is not None and decided.status == "rejected" and reason in (decided.reason or ""), decided


def test_feedback_is_long_text_and_every_other_field_short() -> None:
    assert [name for name in pitch.FIELDS if pitch.is_long(name)] == ["feedback"]
    assert not pitch.is_long("score:r:b")
    with pytest.raises(pitch.Rejected):
        pitch.spec("score:R:b")


def test_a_shared_review_assigns_practice_from_the_day_it_was_shared() -> None:
    fields = {**CREATED, "score:r:b": 2, "score:r:c": 4, "reviewed": True}
    found = practice.reviewed_pitch("p1", fields, "2026-12-03")
    assert found is not None and found.source == "pitch" and found.observed_day == DAY + 2 and dict(found.ratings) == {("r", "b"): 2, ("r", "c"): 4}
    assert practice.reviewed_pitch("p1", {**fields, "reviewed": False}, "2026-12-03") is None, "not shared yet"
    assert practice.reviewed_pitch("p1", fields, "") is None
    links = practice.Links(rubrics={"r": practice.RubricLinks(competency="c", language="en", behaviours={"b": (("q1",), ()), "c": (("q2",), ())})})
    assert [(i.item_id, i.source, i.observation_id) for i in practice.assigned([found], links)] == [("q1", "pitch", "p1")]


# ---- through the real app --------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    path = demo_database(tmp_path / "pitches.db")
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as c:
        c.db_path = path  # type: ignore[attr-defined]
        yield c


def database(client: TestClient) -> sqlite_utils.Database:  # type: ignore[type-arg]
    return sqlite_utils.Database(client.db_path)  # type: ignore[attr-defined]


def a_prompt(client: TestClient) -> dict[str, Any]:  # type: ignore[type-arg]
    """A published pitch prompt of the demo library and its rubric's first behaviour it judges."""
    db = database(client)
    try:
        row = db.execute("SELECT item_id, data FROM item_versions WHERE kind = 'pitch_prompt' AND data IS NOT NULL ORDER BY item_id LIMIT 1").fetchone()
    finally:
        db.close()
    assert row is not None, "the demo library has pitch prompts"
    data: dict[str, Any] = json.loads(row[1])
    return {"id": row[0], "rubric": data["rubric"], "behaviours": data["behaviours"]}


def results(device: Device, client: TestClient) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    body = {"protocol": 1, "device_id": device.device_id, "sent_at": device._now(), "mutations": device.outbox}
    response = client.post("/sync/push", json=body, headers=device._auth())
    assert response.status_code == 200, response.text
    device._acked(response.json()["acked_through"])
    found: list[dict[str, Any]] = response.json()["results"]
    return found


def pull(device: Device, client: TestClient, local_day: int = DAY) -> dict[str, Any]:  # type: ignore[type-arg]
    body = {"protocol": 1, "device_id": device.device_id, "cursors": device.cursors, "local_day": local_day}
    response = client.post("/sync/pull", json=body, headers=device._auth())
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    device._apply_page(data)
    return data


def devices(client: TestClient) -> dict[str, Device]:  # type: ignore[type-arg]
    return {name: Device(f"{name}@example.com", client) for name in ("rep", "rep2", "coach", "manager")}  # type: ignore[arg-type]


def record_pitch(rep: Device, prompt: dict[str, Any], **extra: object) -> str:
    pitch_id = uuid7()
    rep.edit(pitch_id, {**CREATED, "prompt_id": prompt["id"], **extra}, DAY, kind="pitch")
    return pitch_id


def test_a_pitch_reaches_the_reps_coaches_and_managers_and_nobody_else(client: TestClient) -> None:  # type: ignore[type-arg]
    d = devices(client)
    prompt = a_prompt(client)
    pitch_id = record_pitch(d["rep"], prompt)
    assert [r["status"] for r in results(d["rep"], client)] == ["applied"]
    for name in ("rep", "coach", "manager"):
        pull(d[name], client)
        got = d[name].pitches[pitch_id]
        assert got["fields"]["video_sha256"] == SHA and got["video_uploaded"] is False and got["rev"] == 1, name
    pull(d["rep2"], client)
    assert d["rep2"].pitches == {}, "a rep of another team never receives it"


def test_a_coach_reviews_the_rep_acknowledges_and_a_low_score_assigns_practice(client: TestClient) -> None:  # type: ignore[type-arg]
    d = devices(client)
    prompt = a_prompt(client)
    pitch_id = record_pitch(d["rep"], prompt)
    results(d["rep"], client)
    behaviour = prompt["behaviours"][0]
    early = d["rep"].acknowledge("pitch", pitch_id, DAY, version=4)
    assert "only a pitch's rep can acknowledge its review" in (results(d["rep"], client)[0]["reason"] or ""), "not reviewed yet"
    assert early in d["rep"].acks

    pull(d["coach"], client)
    review = {f"score:{prompt['rubric']}:{behaviour}": 1, "comments": [{"t_ms": 4_500, "text": "Ask before you show."}],
              "feedback": "Lead with their goal.", "reviewed": True}  # fmt: skip
    d["coach"].edit(pitch_id, review, DAY, kind="pitch")
    assert [r["status"] for r in results(d["coach"], client)] == ["applied"]
    d["manager"].edit(pitch_id, {"feedback": "me too"}, DAY, kind="pitch")
    assert "teams you coach" in (results(d["manager"], client)[0]["reason"] or ""), "managers read, never review"

    data = pull(d["rep"], client, DAY + 1)
    fields = d["rep"].pitches[pitch_id]["fields"]
    assert fields["comments"] == [{"t_ms": 4_500, "text": "Ask before you show."}] and fields["reviewed"] is True
    from_pitch = [p for p in data["plan"]["practice"] if p["source"] == "pitch"]
    assert from_pitch and all(p["observation_id"] == pitch_id and p["behaviour_id"] == behaviour for p in from_pitch)

    d["rep"].acknowledge("pitch", pitch_id, DAY + 1, comment="Will do.", version=4)
    assert [r["status"] for r in results(d["rep"], client)] == ["applied"]
    pull(d["coach"], client)
    assert [(a["item_kind"], a["comment"]) for a in d["coach"].pulled_acks.values()] == [("pitch", "Will do.")]
    d["rep2"].acknowledge("pitch", pitch_id, DAY, version=4)
    assert "only a pitch's rep" in (results(d["rep2"], client)[0]["reason"] or "")
    d["rep"].acknowledge("pitch", pitch_id, DAY, version=3)
    assert results(d["rep"], client)[0]["status"] == "rejected", "payload v3 does not know pitches"


def test_comments_added_on_two_devices_at_once_both_reach_the_rep(client: TestClient) -> None:  # type: ignore[type-arg]
    """The coach comments on a laptop and on a phone, each offline from the same revision: both
    comments stay (a joined list, sync/edits.py), whichever arrives last; nothing is lost."""
    d = devices(client)
    pitch_id = record_pitch(d["rep"], a_prompt(client))
    results(d["rep"], client)
    laptop, phone = d["coach"], Device("coach@example.com", client)  # type: ignore[arg-type]
    for device in (laptop, phone):
        pull(device, client)
    opening, close = {"t_ms": 1_000, "text": "Strong opening."}, {"t_ms": 9_000, "text": "Ask for the next step."}
    laptop.edit(pitch_id, {"comments": [opening]}, DAY, kind="pitch")
    phone.edit(pitch_id, {"comments": [close]}, DAY, kind="pitch")
    assert [r["status"] for r in results(phone, client)] == ["applied"]
    assert [r["status"] for r in results(laptop, client)] == ["applied"]
    pull(d["rep"], client)
    assert d["rep"].pitches[pitch_id]["fields"]["comments"] == [close, opening]
    db = database(client)
    try:
        outcome = db.execute("SELECT outcome FROM pitch_revisions WHERE pitch_id = ? AND rev = 3", [pitch_id]).fetchone()[0]
    finally:
        db.close()
    assert json.loads(outcome)["joined"] == ["comments"]


def test_only_the_rep_consents_and_a_pitch_without_its_video_is_no_example_yet(client: TestClient) -> None:  # type: ignore[type-arg]
    d = devices(client)
    pitch_id = record_pitch(d["rep"], a_prompt(client))
    results(d["rep"], client)
    pull(d["coach"], client)
    d["coach"].edit(pitch_id, {"exemplar_proposed": True, "exemplar_consent": True}, DAY, kind="pitch")
    assert "only the rep can write the rep's fields" in (results(d["coach"], client)[0]["reason"] or "")
    d["coach"].edit(pitch_id, {"exemplar_proposed": True}, DAY, kind="pitch")
    results(d["coach"], client)
    pull(d["rep"], client)
    d["rep"].edit(pitch_id, {"exemplar_consent": True}, DAY, kind="pitch")
    assert [r["status"] for r in results(d["rep"], client)] == ["applied"]
    db = database(client)
    try:
        assert db.execute("SELECT exemplar FROM pitches WHERE id = ?", [pitch_id]).fetchone()[0] == 1
    finally:
        db.close()
    pull(d["manager"], client)
    assert d["manager"].exemplars == [], "listed only once the server holds the video"


def test_malformed_duplicated_and_replayed_pitch_patches_lose_nothing(client: TestClient) -> None:  # type: ignore[type-arg]
    d = devices(client)
    prompt = a_prompt(client)
    pitch_id = record_pitch(d["rep"], prompt)
    entry = dict(d["rep"].outbox[0])
    assert [r["status"] for r in results(d["rep"], client)] == ["applied"]
    body = {"protocol": 1, "device_id": d["rep"].device_id, "sent_at": d["rep"]._now(), "mutations": [entry]}
    again = client.post("/sync/push", json=body, headers=d["rep"]._auth())
    assert again.status_code == 200 and again.json()["results"][0]["status"] == "applied", "a repeat gets its stored result"
    db = database(client)
    try:
        assert db.execute("SELECT rev FROM pitches WHERE id = ?", [pitch_id]).fetchone()[0] == 1, "and changes nothing"
        assert db.execute("SELECT count(*) FROM pitch_revisions WHERE pitch_id = ?", [pitch_id]).fetchone()[0] == 1
    finally:
        db.close()
    d["rep"].edit(uuid7(), {**CREATED, "prompt_id": prompt["id"], "comments": "not a list"}, DAY, kind="pitch")
    d["rep"]._enqueue({"id": "not-a-uuid", "base_rev": 0, "set": {}, "at": d["rep"]._now(), "local_day": DAY}, "pitch", 1)
    statuses = [(r["status"], r["reason"] or "") for r in results(d["rep"], client)]
    assert statuses[0][0] == "rejected" and "comments" in statuses[0][1]
    assert statuses[1][0] == "rejected" and "invalid pitch" in statuses[1][1]
    d["rep"]._enqueue({**entry["payload"], "id": uuid7()}, "pitch", 2)
    body = {"protocol": 1, "device_id": d["rep"].device_id, "sent_at": d["rep"]._now(), "mutations": d["rep"].outbox}
    newer = client.post("/sync/push", json=body, headers=d["rep"]._auth())
    assert newer.status_code == 400 and newer.json()["error"] == "payload_unsupported", "a newer payload version: kept, retried later"
    assert newer.json()["supported"]["pitch"] == [1]
    pull(d["rep"], client)
    assert list(d["rep"].pitches) == [pitch_id]


def test_erasing_the_rep_removes_their_pitches_and_erasing_the_coach_pseudonymises_the_review(client: TestClient) -> None:  # type: ignore[type-arg]
    from server import privacy

    d = devices(client)
    prompt = a_prompt(client)
    pitch_id = record_pitch(d["rep"], prompt)
    results(d["rep"], client)
    pull(d["coach"], client)
    d["coach"].edit(pitch_id, {"feedback": "Clear.", "reviewed": True}, DAY, kind="pitch")
    results(d["coach"], client)
    d["rep"].acknowledge("pitch", pitch_id, DAY, version=4)
    results(d["rep"], client)
    coach_id = d["coach"].user_id
    db = database(client)
    try:
        coach_uid = db.execute("SELECT id FROM users WHERE email = ?", [coach_id]).fetchone()[0]
        removed = privacy.erase(db, "coach@example.com")
        assert removed["pitches (pseudonymised)"] == 1
        state = db.execute("SELECT state FROM pitches WHERE id = ?", [pitch_id]).fetchone()[0]
        assert coach_uid not in state and "erased-" in state
        assert db.execute("SELECT count(*) FROM pitch_revisions WHERE user_id = ?", [coach_uid]).fetchone()[0] == 0
        removed = privacy.erase(db, "rep@example.com")
        assert removed["pitches"] == 1 and removed["pitch_revisions"] == 2 and removed["acknowledgements of pitches"] == 1
        assert db.execute("SELECT count(*) FROM feed WHERE kind = 'pitch'").fetchone()[0] == 0
    finally:
        db.close()

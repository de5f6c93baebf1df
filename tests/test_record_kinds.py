"""Acknowledgements and observations through the real app (docs/sync.md "Record kinds"), and one
id per person: a new email address keeps a person's history, devices and progress.

The demo accounts: rep@example.com in team demo, rep2@example.com in north, coach@example.com
coaching demo.
"""

from __future__ import annotations

import datetime
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.db import connect
from server.library.publish import publish
from server.settings import Settings
from tests.support.device import Device
from tests.support.ids import uuid7
from tests.support.paths import DEMO_ACCOUNTS, FIXTURE_LIBRARY
from tests.support.server import run_recap

REP, REP2, COACH, MANAGER = "rep@example.com", "rep2@example.com", "coach@example.com", "manager@example.com"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "kinds.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()
    assert run_recap("users", "import", str(DEMO_ACCOUNTS), db_path=path).returncode == 0
    return path


@pytest.fixture
def client(db_file: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(Settings(db_path=db_file, dev_auth=True))) as c:
        yield c


def user_id(db_file: Path, email: str) -> str:
    db = sqlite_utils.Database(db_file)
    try:
        return str(db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0])
    finally:
        db.close()


def results(device: Device, client: TestClient) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """Push the device's outbox once; the per-mutation results."""
    body = {"protocol": 1, "device_id": device.device_id, "sent_at": device._now(), "mutations": device.outbox}
    answer = client.post("/sync/push", json=body, headers=device._auth())
    assert answer.status_code == 200, answer.text
    device._acked(answer.json()["acked_through"])
    found: list[dict[str, Any]] = answer.json()["results"]
    return found


# --- acknowledgements -------------------------------------------------------------------------


def test_a_nugget_read_on_one_device_is_read_on_the_others(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    phone, laptop = Device(REP, client), Device(REP, client)
    read = phone.acknowledge("nugget", "ask-first", 20_000)
    phone.acknowledge("nugget", "no-such-nugget", 20_000)
    outcome = results(phone, client)
    assert [r["status"] for r in outcome] == ["applied", "rejected"]
    assert "there is no nugget 'no-such-nugget'" in outcome[1]["reason"]
    laptop.sync()
    assert set(laptop.pulled_acks) == {read} and laptop.pulled_acks[read]["acknowledged"] is True
    assert laptop.pulled_acks[read]["user_id"] == user_id(db_file, REP)
    # Taken back on the laptop: both devices end with the later event.
    undo = laptop.acknowledge("nugget", "ask-first", 20_001, acknowledged=False)
    laptop.sync()
    phone.sync()
    assert set(phone.pulled_acks) == {read, undo} and phone.pulled_acks[undo]["acknowledged"] is False
    # The same event sent again (another push, another mutation id) is a duplicate, not a second event.
    phone._enqueue(dict(phone.acks[read]), "acknowledgement")
    assert [r["status"] for r in results(phone, client)] == ["duplicate"]
    # Nobody else sees a rep's reading.
    other = Device(REP2, client)
    other.sync()
    assert other.pulled_acks == {}


# --- observations -------------------------------------------------------------------------------


def test_an_observation_travels_from_coach_to_rep_and_back(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    coach, rep, rep2 = Device(COACH, client), Device(REP, client), Device(REP2, client)
    rep_id, rep2_id = user_id(db_file, REP), user_id(db_file, REP2)
    obs, stranger = uuid7(), uuid7()
    coach.edit(obs, {"rep_id": rep_id, "observed_on": "2026-12-01", "meeting_type": "first meeting", "rating:asks-first": 2,
                     "strengths": "Opened with the customer's goals."}, 20_000)  # fmt: skip
    coach.edit(stranger, {"rep_id": rep2_id, "observed_on": "2026-12-01"}, 20_000)  # rep2 is in another team
    outcome = results(coach, client)
    assert [r["status"] for r in outcome] == ["applied", "rejected"]
    assert "only reps of the teams you coach" in outcome[1]["reason"]
    coach.sync()
    assert coach.observations[obs]["rev"] == 1 and coach.observations[obs]["fields"]["rating:asks-first"] == 2
    rep.sync()
    assert obs not in rep.observations  # not shared yet
    mine = f"/coaching/reps/{rep_id}/observations"
    assert client.get(mine, headers=rep._auth()).json() == []  # nor listed to the rep
    assert [o["id"] for o in client.get(mine, headers=coach._auth()).json()] == [obs]
    team = client.get("/coaching/teams/demo/observations", headers=Device(MANAGER, client)._auth()).json()
    assert [o["id"] for o in team] == [obs]  # the team's manager reads it (read-only)
    assert client.get(mine, headers=rep2._auth()).status_code == 403  # another rep's feedback
    # Shared: the rep receives it, acknowledges it with a comment, and answers in their field.
    coach.edit(obs, {"shared": True, "next_step": "Ask who else decides, in the next meeting."}, 20_001)
    coach.sync()
    rep.sync()
    assert rep.observations[obs]["shared"] is True and rep.observations[obs]["rev"] == 2
    seen = rep.acknowledge("observation", obs, 20_002, comment="Thanks, will do.")
    rep.edit(obs, {"rep_response": "I will ask at the demo.", "next_step_done": False}, 20_002)
    rep.edit(obs, {"notes": "trying the coach's field"}, 20_002)
    outcome = results(rep, client)
    assert [r["status"] for r in outcome] == ["applied", "applied", "rejected"]
    coach.sync()
    assert coach.pulled_acks[seen]["comment"] == "Thanks, will do." and coach.pulled_acks[seen]["user_id"] == rep_id
    assert coach.observations[obs]["fields"]["rep_response"] == "I will ask at the demo."
    # Another rep can neither acknowledge nor see it.
    rep2.acknowledge("observation", obs, 20_002)
    assert results(rep2, client)[0]["status"] == "rejected"
    rep2.sync()
    assert rep2.observations == {}
    assert [o["fields"]["rep_response"] for o in client.get(mine, headers=rep._auth()).json()] == ["I will ask at the demo."]


def test_concurrent_edits_on_two_devices_merge_by_the_rule(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    phone, tablet = Device(COACH, client), Device(COACH, client)
    obs = uuid7()
    phone.edit(obs, {"rep_id": user_id(db_file, REP), "observed_on": "2026-12-01", "notes": "start", "meeting_type": "demo"}, 20_000)
    phone.sync()
    tablet.sync()
    # Both offline, both change the notes (long) and the meeting type (short); the tablet edits later.
    phone.edit(obs, {"notes": "Listened well.", "meeting_type": "first meeting"}, 20_001)
    time.sleep(0.02)  # effective times are clock-corrected: "later" must be really later
    tablet.clock_skew = datetime.timedelta(hours=-3)  # a wrong clock changes nothing
    tablet.edit(obs, {"notes": "Pitched too early.", "meeting_type": "negotiation"}, 20_001)
    tablet.sync()  # the later edit arrives first
    phone.sync()
    tablet.sync()
    held = phone.observations[obs]
    assert held == tablet.observations[obs] and held["rev"] == 3
    assert held["fields"]["meeting_type"] == "negotiation"  # short: the later edit, though it arrived first
    assert held["fields"]["notes"] == "Pitched too early."  # long: the stored value stays...
    assert [c["value"] for c in held["conflicts"]["notes"]] == ["Listened well."]  # ...and the other is flagged
    # The coach settles it, having seen both.
    phone.edit(obs, {"notes": "Listened well, then pitched too early."}, 20_002)
    phone.sync()
    tablet.sync()
    assert tablet.observations[obs]["conflicts"] == {} and tablet.observations[obs]["fields"]["notes"].startswith("Listened")
    db = sqlite_utils.Database(db_file)
    outcomes = [r[0] for r in db.execute("SELECT outcome FROM observation_revisions WHERE observation_id = ? ORDER BY rev", [obs])]
    db.close()
    assert len(outcomes) == 4 and '"conflicted":["notes"]' in outcomes[2] and '"lost":["meeting_type"]' in outcomes[2]


RUBRIC = """id: discovery
competency: discovery
title: Discovery
behaviours:
  - id: asks-goals
    text: Asks about goals first
    levels: {1: Pitches first., 2: One question., 3: Asks without a follow-up., 4: Asks and follows up.}
  - id: listens
    text: Listens
    levels: {1: Talks over., 2: Interrupts., 3: Listens., 4: Builds on answers.}
  - id: maps
    text: Maps who decides
    levels: {1: Never asks., 2: Asks once., 3: Asks and notes., 4: Maps everyone.}
"""


def test_an_observation_v2_names_ratings_by_rubric_and_behaviour(client: TestClient, db_file: Path, tmp_path: Path) -> None:  # type: ignore[type-arg]
    coach, manager = Device(COACH, client), Device(MANAGER, client)
    # A rating must name a behaviour of a published rubric: refused before the rubric exists.
    early = uuid7()
    coach.edit(early, {"rep_id": user_id(db_file, REP), "observed_on": "2026-12-01", "rating:discovery:asks-goals": 1}, 20_000, version=2)
    refused = results(coach, client)[0]
    assert refused["status"] == "rejected" and "rating:discovery:asks-goals: no published rubric has this behaviour" in refused["reason"]
    library = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, library)
    (library / "rubrics").mkdir()
    (library / "rubrics" / "discovery.yaml").write_text(RUBRIC, encoding="utf-8")
    db = connect(db_file)
    publish(db, library)
    db.close()
    obs = uuid7()
    coach.edit(obs, {"rep_id": user_id(db_file, REP), "observed_on": "2026-12-01", "customer": "Acme", "opportunity": "Q3 renewal",
                     "phase": "evaluation", "competencies": ["discovery"], "rating:discovery:asks-goals": 1,
                     "evidence:discovery:asks-goals": "Opened with the price list.", "strengths": "Calm.",
                     "next_step": "Ask two goal questions first.", "next_step_due": "2026-12-15", "shared": True}, 20_000, version=2)  # fmt: skip
    coach.edit(obs, {"rating:discovery:asks-goals": 2}, 20_000, version=3)  # a version this server does not know
    body = {"protocol": 1, "device_id": coach.device_id, "sent_at": coach._now(), "mutations": coach.outbox}
    unsupported = client.post("/sync/push", json=body, headers=coach._auth())
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "payload_unsupported"
    assert unsupported.json()["supported"]["observation"] == [1, 2]
    coach.outbox.pop()
    coach.next_seq -= 1  # as if never recorded
    assert [r["status"] for r in results(coach, client)] == ["applied"]
    coach.sync()
    assert coach.observations[obs]["fields"]["rating:discovery:asks-goals"] == 1
    coach.edit(obs, {"evidence:discovery:no-such-behaviour": "x"}, 20_000, version=2)
    assert "no published rubric has this behaviour" in results(coach, client)[0]["reason"]
    # A manager of the team does not write observations (they read them: tests/test_access.py).
    manager.edit(uuid7(), {"rep_id": user_id(db_file, REP), "observed_on": "2026-12-01"}, 20_000)
    assert "only reps of the teams you coach" in results(manager, client)[0]["reason"]


# --- intervision sessions -----------------------------------------------------------------------


def test_a_session_reaches_its_team_and_its_stage_only_moves_forward(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    phone, tablet = Device(COACH, client), Device(COACH, client)
    owner, manager, outsider = Device(REP, client), Device(MANAGER, client), Device(REP2, client)
    session, elsewhere, stranger = uuid7(), uuid7(), uuid7()
    new = {"team_id": "demo", "case_owner_id": user_id(db_file, REP), "held_on": "2026-12-01"}
    phone.edit(session, {**new, "question": "What can I do differently when the buyer won't meet?"}, 20_000, kind="session")
    phone.edit(elsewhere, {**new, "team_id": "north", "case_owner_id": user_id(db_file, REP2)}, 20_000, kind="session")
    phone.edit(stranger, {**new, "case_owner_id": user_id(db_file, REP2)}, 20_000, kind="session")
    outcome = results(phone, client)
    assert [r["status"] for r in outcome] == ["applied", "rejected", "rejected"]
    assert "only in the teams you coach" in outcome[1]["reason"] and "must be a member" in outcome[2]["reason"]
    phone.sync()
    tablet.sync()
    assert tablet.sessions[session]["stage"] == 1 and tablet.sessions[session]["moderator_id"] == user_id(db_file, COACH)
    # Both devices offline: the phone runs on to stage 4, the tablet (later) only to stage 2.
    for stage in (2, 3, 4):
        phone.edit(session, {"stage": stage}, 20_000, kind="session")
    phone.edit(session, {"commitment": "Call two ward managers before Friday.", "follow_up_on": "2026-12-08"}, 20_000, kind="session")
    time.sleep(0.02)
    tablet.edit(session, {"stage": 2, "ideas": "Try the ward managers."}, 20_000, kind="session")
    tablet.edit(session, {"stage": 4}, 20_000, kind="session")  # a skip from the tablet's view, but the server is at 4 already
    phone.sync()
    tablet_outcome = results(tablet, client)
    assert [r["status"] for r in tablet_outcome] == ["applied", "applied"]
    tablet.sync()
    phone.sync()
    held = phone.sessions[session]
    assert held == tablet.sessions[session] and held["stage"] == 4 and held["rev"] == 7
    assert held["fields"]["ideas"] == "Try the ward managers." and held["fields"]["follow_up_on"] == "2026-12-08"
    # Having seen stage 4, going back is refused; so is skipping a stage on a fresh session.
    phone.edit(session, {"stage": 3}, 20_001, kind="session")
    fresh = uuid7()
    phone.edit(fresh, {**new, "stage": 3}, 20_001, kind="session")
    refused = results(phone, client)
    assert "never goes back" in refused[0]["reason"] and "stages run in order" in refused[1]["reason"]
    # The case stays in the room: its team's members (the owner, the team's manager) receive it; nobody else.
    owner.sync()
    manager.sync()
    outsider.sync()
    assert owner.sessions[session]["fields"]["commitment"].startswith("Call two") and session in manager.sessions
    assert outsider.sessions == {}
    # Only the moderator edits it.
    owner.edit(session, {"reflection": "I will call them."}, 20_001, kind="session")
    assert "only the session's moderator" in results(owner, client)[0]["reason"]
    db = sqlite_utils.Database(db_file)
    outcomes = [r[0] for r in db.execute("SELECT outcome FROM intervision_revisions WHERE session_id = ? ORDER BY rev", [session])]
    db.close()
    # The tablet's stage 2 lost to the phone's 4 (its ideas were taken), its 4 changed nothing.
    assert '"applied":["ideas"]' in outcomes[5] and '"lost":["stage"]' in outcomes[5] and '"unchanged":["stage"]' in outcomes[6]


def test_a_rep_opening_a_refresher_is_recorded_and_reaches_only_their_own_devices(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    phone, laptop, coach = Device(REP, client), Device(REP, client), Device(COACH, client)
    opened = phone.acknowledge("refresher", "how-to-ask-who-else", 20_007, version=3)
    phone.acknowledge("refresher", "how-to-ask-who-else", 20_007, version=2)  # v2 knows no refreshers: refused, the field named
    phone.acknowledge("refresher", "how-to-fly", 20_007, version=3)  # no such refresher
    phone.acknowledge("refresher", "how-to-ask-who-else", 20_007, acknowledged=False, version=3)  # nothing to take back
    outcome = results(phone, client)
    assert [r["status"] for r in outcome] == ["applied", "rejected", "rejected", "rejected"]
    assert "item_kind" in outcome[1]["reason"] and "no refresher" in outcome[2]["reason"] and "only opened" in outcome[3]["reason"]
    laptop.sync()
    coach.sync()
    assert list(laptop.pulled_acks) == [opened] and coach.pulled_acks == {}
    db = sqlite_utils.Database(db_file)
    assert db.execute("SELECT item_kind, item_id, local_day FROM acknowledgements").fetchall() == [("refresher", "how-to-ask-who-else", 20_007)]


def test_a_rep_opening_a_reminder_sent_to_them_is_recorded(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    db = sqlite_utils.Database(db_file)
    rep = user_id(db_file, REP)
    with db.conn:
        for who, day, outcome in ((rep, "2026-12-01", "sent"), (rep, "2026-11-30", "failed: no device took it"), (user_id(db_file, REP2), "2026-11-29", "sent")):
            db.execute(
                "INSERT INTO reminders_sent (user_id, local_date, channel, claimed_at, outcome) VALUES (?, ?, 'push', '2026-12-01T08:00:00.000Z', ?)",
                [who, day, outcome],
            )
    phone = Device(REP, client)
    opened = phone.acknowledge("reminder", "2026-12-01", 20_788, version=3)
    phone.acknowledge("reminder", "2026-11-30", 20_788, version=3)  # it failed: nothing was opened
    phone.acknowledge("reminder", "2026-11-29", 20_788, version=3)  # another rep's reminder
    phone.acknowledge("reminder", "2026-12-01", 20_788, acknowledged=False, version=3)
    outcome = results(phone, client)
    assert [r["status"] for r in outcome] == ["applied", "rejected", "rejected", "rejected"]
    assert "no reminder '2026-11-30'" in outcome[1]["reason"] and "only opened" in outcome[3]["reason"]
    assert db.execute("SELECT id, item_kind, item_id FROM acknowledgements").fetchall() == [(opened, "reminder", "2026-12-01")]


# --- one id per person ------------------------------------------------------------------------


def test_a_case_owner_marks_their_commitment_done_and_the_moderator_hears_it(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    moderator, owner, member = Device(COACH, client), Device(REP, client), Device(MANAGER, client)
    session = uuid7()
    moderator.edit(session, {"team_id": "demo", "case_owner_id": user_id(db_file, REP), "held_on": "2026-12-01"}, 20_000, kind="session")
    assert [r["status"] for r in results(moderator, client)] == ["applied"]
    done = owner.acknowledge("session", session, 20_007, version=2)
    owner.acknowledge("session", session, 20_007)  # v1 knows no sessions: refused for good, with the field named
    owner.acknowledge("session", uuid7(), 20_007, version=2)  # no such session
    outcome = results(owner, client)
    assert [r["status"] for r in outcome] == ["applied", "rejected", "rejected"]
    assert "item_kind" in outcome[1]["reason"] and "no session" in outcome[2]["reason"]
    member.acknowledge("session", session, 20_007, version=2)
    assert "only a session's case owner" in results(member, client)[0]["reason"]
    moderator.sync()
    assert [a["id"] for a in moderator.pulled_acks.values()] == [done]


def test_a_new_email_address_keeps_history_devices_and_progress(db_file: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_file)), base_url="http://testserver.local") as client:
        from tests.test_auth import latest_code

        assert client.post("/auth/code", json={"email": REP}).status_code == 200
        device_id = "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77"
        token = client.post("/auth/verify", json={"email": REP, "code": latest_code(db_file, REP), "device_id": device_id}).json()["device_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        phone = Device(REP, client, device_id=device_id)
        phone._auth = lambda: bearer  # type: ignore[method-assign]
        first = phone.answer("who-else", [2], True, 20_000)
        phone.acknowledge("nugget", "ask-first", 20_000)
        phone.sync()
        before = dict(phone.server_progress)
        changed = run_recap("users", "set-email", REP, "robin@example.org", db_path=db_file)
        assert changed.returncode == 0 and changed.stdout.strip() == f"{REP} is now robin@example.org"
        # The same device credential keeps syncing; history and progress are still theirs.
        second = phone.answer("who-else", [2], True, 20_004)
        phone.sync()
        fresh = Device("robin@example.org", client)
        fresh._auth = lambda: bearer  # type: ignore[method-assign]
        fresh.device_id = device_id
        fresh.pull_records_from_zero()
        assert {first, second} <= set(fresh.answers) and len(fresh.pulled_acks) == 1
        assert fresh.server_progress["who-else"]["reps"] == before["who-else"]["reps"] + 1
        # Signing in now takes the new address; the old one is nobody's.
        assert client.post("/auth/code", json={"email": "robin@example.org"}).status_code == 200
        assert client.post("/auth/verify", json={"email": "robin@example.org", "code": latest_code(db_file, "robin@example.org")}).status_code == 200
    listed = run_recap("users", "list", db_path=db_file).stdout
    assert "robin@example.org" in listed and REP not in listed
    audit = run_recap("audit", "list", "--email", "robin@example.org", db_path=db_file).stdout
    assert "email-change" in audit and "sign-in" in audit  # the sign-in under the old address is theirs too
    refused = run_recap("users", "set-email", "robin@example.org", REP2, db_path=db_file)
    assert refused.returncode == 1 and "someone else has the address" in refused.stderr

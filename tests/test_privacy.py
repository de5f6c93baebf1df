"""A person's data: `recap users export` writes all of it, `recap users erase` leaves no trace."""

from __future__ import annotations

import json
from pathlib import Path

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
from tests.support.paths import FIXTURE_LIBRARY, ROOT
from tests.support.server import run_recap


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A server database where rep and rep2 have signed in, answered on a device and synced."""
    path = tmp_path / "privacy.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()
    assert run_recap("users", "import", str(ROOT / "server" / "demo" / "accounts.csv"), db_path=path).returncode == 0
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as client:
        for email in ("rep@example.com", "rep2@example.com"):
            assert client.post("/auth/code", json={"email": email}).status_code == 200
            device = Device(email, client)
            device.answer("who-else", [2], True, 20_000)
            device.answer("next-step", [1], False, 20_001)
            device.acknowledge("nugget", "ask-first", 20_001)
            device.sync()
    return path


def dump(path: Path) -> str:
    db = sqlite_utils.Database(path)
    try:
        return "\n".join(db.conn.iterdump())
    finally:
        db.close()


def test_export_writes_everything_held_about_a_person(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep.json"
    result = run_recap("users", "export", "REP@example.com", "--out", str(out), db_path=db_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    tables = document["tables"]
    assert document["email"] == "rep@example.com"
    assert tables["users"][0]["email"] == "rep@example.com"
    assert {r["role"] for r in tables["user_roles"]} == {"rep"}
    assert len(tables["answers"]) == 2 and len(tables["devices"]) == 1 and len(tables["mutations"]) == 3
    user_id = tables["users"][0]["id"]
    assert tables["progress"] and len(tables["acknowledgements"]) == 1 and len(tables["enrollments"]) == 1
    assert all(r["user_id"] == user_id for table in ("answers", "progress", "devices", "acknowledgements") for r in tables[table])
    assert "code_hash" not in json.dumps(document) and "token_hash" not in json.dumps(document)
    audit = run_recap("audit", "list", "--email", "rep@example.com", db_path=db_path).stdout
    assert "\texport\t" in audit


def test_erase_leaves_no_row_that_refers_to_the_person(db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    user_id = db.execute("SELECT id FROM users WHERE email = 'rep@example.com'").fetchone()[0]
    device_id = db.execute("SELECT id FROM devices WHERE user_id = ?", [user_id]).fetchone()[0]
    answer_ids = [r[0] for r in db.execute("SELECT id FROM answers WHERE user_id = ?", [user_id])]
    ack_ids = [r[0] for r in db.execute("SELECT id FROM acknowledgements WHERE user_id = ?", [user_id])]
    assert len(ack_ids) == 1
    db.close()
    before = dump(db_path)
    assert "rep@example.com" in before and user_id in before

    refused = run_recap("users", "erase", "rep@example.com", db_path=db_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    result = run_recap("users", "erase", "rep@example.com", "--yes", db_path=db_path)
    assert result.returncode == 0, result.stderr
    assert "2 answers" in result.stdout

    after = dump(db_path)
    for trace in ("rep@example.com", user_id, device_id, *answer_ids, *ack_ids):
        assert trace not in after, f"{trace} is still in the database"
    assert "rep2@example.com" in after  # everyone else is untouched
    db = sqlite_utils.Database(db_path)
    assert db.execute(
        "SELECT count(*) FROM answers WHERE user_id = (SELECT id FROM users WHERE email = 'rep2@example.com')"
    ).fetchone()[0] == 2
    erase_entry = db.execute("SELECT email FROM audit_log WHERE event = 'erase'").fetchone()[0]
    assert erase_entry.startswith("erased-")
    with pytest.raises(Exception, match="immutable"):
        db.execute("UPDATE audit_log SET detail = 'x'")  # the log's guard is back
    db.close()
    again = run_recap("users", "erase", "rep@example.com", "--yes", db_path=db_path)
    assert again.returncode == 1 and "no one has the address rep@example.com" in again.stderr


def test_unknown_and_malformed_addresses_are_refused(db_path: Path) -> None:
    unknown = run_recap("users", "export", "nobody@example.com", db_path=db_path)
    assert unknown.returncode == 1 and "no one has the address" in unknown.stderr
    malformed = run_recap("users", "erase", "not-an-address", "--yes", db_path=db_path)
    assert malformed.returncode == 1 and "not an email address" in malformed.stderr


# --- coaching records: observations and intervision sessions --------------------------------------


@pytest.fixture
def coached(db_path: Path) -> dict[str, str]:
    """The coach observes rep (shared, acknowledged) and moderates two sessions in team demo: rep's
    case and the manager's. Returns the ids involved."""
    db = sqlite_utils.Database(db_path)
    ids = {e.split("@")[0]: str(db.execute("SELECT id FROM users WHERE email = ?", [e]).fetchone()[0])
           for e in ("rep@example.com", "coach@example.com", "manager@example.com")}  # fmt: skip
    db.close()
    with TestClient(create_app(Settings(db_path=db_path, dev_auth=True))) as client:
        coach, rep = Device("coach@example.com", client), Device("rep@example.com", client)
        ids["observation"], ids["rep_case"], ids["manager_case"] = uuid7(), uuid7(), uuid7()
        coach.edit(ids["observation"], {"rep_id": ids["rep"], "observed_on": "2026-12-01", "strengths": "Good questions.", "shared": True}, 20_000)
        for case, owner in (("rep_case", "rep"), ("manager_case", "manager")):
            coach.edit(ids[case], {"team_id": "demo", "case_owner_id": ids[owner], "held_on": "2026-12-01", "question": f"{owner}'s case"}, 20_000, kind="session")
        coach.sync()
        rep.sync()
        ids["ack"] = rep.acknowledge("observation", ids["observation"], 20_001, comment="Thanks")
        rep.edit(ids["observation"], {"rep_response": "Will do."}, 20_001)
        rep.sync()
        assert rep.outbox == [] and coach.outbox == []
    return ids


def test_export_lists_the_coaching_records_a_person_wrote_or_is_about(db_path: Path, coached: dict[str, str], tmp_path: Path) -> None:
    for email, observations, sessions, revisions in (("coach@example.com", 1, 2, 3), ("rep@example.com", 1, 1, 1)):
        out = tmp_path / f"{email}.json"
        assert run_recap("users", "export", email, "--out", str(out), db_path=db_path).returncode == 0
        tables = json.loads(out.read_text())["tables"]
        assert len(tables["observations"]) == observations and len(tables["intervision_sessions"]) == sessions
        assert len(tables["observation_revisions"]) + len(tables["intervision_revisions"]) == revisions


def test_erasing_a_rep_removes_the_observations_and_the_cases_about_them(db_path: Path, coached: dict[str, str]) -> None:
    assert run_recap("users", "erase", "rep@example.com", "--yes", db_path=db_path).returncode == 0
    after = dump(db_path)
    for trace in (coached["rep"], coached["observation"], coached["rep_case"], coached["ack"], "Good questions.", "rep's case"):
        assert trace not in after, f"{trace} is still in the database"
    # The manager's case stays, as the coach wrote it.
    db = sqlite_utils.Database(db_path)
    assert [r[0] for r in db.execute("SELECT id FROM intervision_sessions")] == [coached["manager_case"]]
    assert db.execute("SELECT moderator_id FROM intervision_sessions").fetchone()[0] == coached["coach"]
    db.close()


def test_erasing_a_coach_keeps_their_observations_and_sessions_pseudonymised(db_path: Path, coached: dict[str, str]) -> None:
    assert run_recap("users", "erase", "coach@example.com", "--yes", db_path=db_path).returncode == 0
    after = dump(db_path)
    assert coached["coach"] not in after and "coach@example.com" not in after
    db = sqlite_utils.Database(db_path)
    author, state = db.execute("SELECT author_id, state FROM observations WHERE id = ?", [coached["observation"]]).fetchone()
    moderators = {r[0] for r in db.execute("SELECT moderator_id FROM intervision_sessions")}
    revision_authors = {r[0] for r in db.execute("SELECT user_id FROM observation_revisions UNION SELECT user_id FROM intervision_revisions")}
    db.close()
    assert author.startswith("erased-") and moderators == {author} and revision_authors == {author, coached["rep"]}
    assert json.loads(state)["fields"]["strengths"]["by"] == author
    with pytest.raises(Exception, match="kept as they were"):
        sqlite_utils.Database(db_path).execute("UPDATE observation_revisions SET user_id = 'x'")  # the guard is back
    # The rep still has the observation, their answer in it and their acknowledgement; a fresh
    # pull brings the pseudonymised state, and their device pulls it without starting over.
    with TestClient(create_app(Settings(db_path=db_path, dev_auth=True))) as client:
        rep = Device("rep@example.com", client)
        rep.sync()
        held = rep.observations[coached["observation"]]
        assert held["author_id"] == author and held["fields"]["rep_response"] == "Will do."
        assert coached["ack"] in rep.pulled_acks and rep.sessions[coached["rep_case"]]["moderator_id"] == author

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

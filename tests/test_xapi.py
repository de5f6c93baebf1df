"""xAPI 1.0.3 export: statements checked against the specification, the download, the push."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.db import connect
from server.settings import Settings
from server.xapi import export, store
from server.xapi.push import push
from server.xapi.statements import (
    AnswerRow,
    Identity,
    ObservationRow,
    ReadRow,
    answered,
    experienced,
    iso_duration,
    observed,
)
from tests.support.results import results_database
from tests.support.server import run_recap
from tests.support.xapi import FakeLrs, statement_problems

WHO = Identity("https://recap.example.com", b"k" * 32)
ACK_ID = "01890a5d-ac96-774b-bcce-b302099a8057"
OBSERVATION_ID = "01890a5d-ac96-774b-bcce-b302099a8058"
DRAFT_ID = "01890a5d-ac96-774b-bcce-b302099a8059"


def test_durations_are_iso_8601_to_the_hundredth() -> None:
    assert [iso_duration(ms) for ms in (0, 4230, 4200, 60_000, 3_725_500, 5)] == ["PT0S", "PT4.23S", "PT4.20S", "PT1M", "PT1H2M5.50S", "PT0.01S"]


def test_an_answer_becomes_a_valid_answered_statement_with_a_pseudonymous_actor() -> None:
    row = AnswerRow("0189c0de-0000-7000-8000-000000000001", "user-1", "who else?", True, "2026-10-01T08:00:00.000Z", 4230, 3)
    made = answered(row, WHO)
    assert statement_problems(made) == []
    assert made["id"] == row.id and made["version"] == "1.0.3" and made["timestamp"] == row.answered_at
    assert made["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert made["result"] == {"success": True, "duration": "PT4.23S"}
    assert made["object"]["id"] == "https://recap.example.com/xapi/activities/questions/who%20else%3F"
    account = made["actor"]["account"]
    assert account["homePage"] == "https://recap.example.com" and "user-1" not in json.dumps(made)
    assert len(account["name"]) == 64
    assert answered(row, WHO)["actor"] == made["actor"]  # stable
    other = answered(AnswerRow(row.id, "user-2", "q", False, row.answered_at, None, 3), WHO)
    assert other["actor"] != made["actor"] and "duration" not in other["result"]
    assert answered(row, Identity(WHO.base_url, b"another secret"))["actor"] != made["actor"]


def test_reading_and_observations_become_valid_statements() -> None:
    read = experienced(ReadRow(ACK_ID, "user-1", "ask-first", "2026-10-01T08:00:00.000Z"), WHO)
    seen = observed(ObservationRow(OBSERVATION_ID, "user-1", "coach-1", "2026-10-02T10:00:00.000Z"), WHO)
    assert statement_problems(read) == [] and statement_problems(seen) == []
    assert read["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert seen["verb"]["id"] == "https://recap.example.com/xapi/verbs/observed"
    assert seen["context"]["instructor"] == WHO.agent("coach-1") and seen["actor"] == WHO.agent("user-1")


def test_the_checker_catches_what_the_specification_forbids() -> None:
    good = answered(AnswerRow(ACK_ID, "u", "q", True, "2026-10-01T08:00:00Z", 10, 1), WHO)
    broken = [
        {**good, "id": "42"},
        {**good, "actor": {"account": {"homePage": "recap", "name": "x"}}},
        {**good, "actor": {"mbox": "mailto:a@b.c", "account": {"homePage": "https://x", "name": "x"}}},
        {**good, "verb": {"id": "answered"}},
        {**good, "object": {"id": "question 1"}},
        {**good, "timestamp": "2026-10-01 08:00"},
        {**good, "timestamp": "2026-10-01T08:00:00"},
        {**good, "version": "2.0.0"},
        {**good, "result": {"success": "yes"}},
        {**good, "result": {"duration": "4.2s"}},
        {**good, "score": 1},
    ]
    assert all(statement_problems(s) for s in broken)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = results_database(tmp_path)
    db = connect(path)
    with db.conn:
        rep = str(db.execute("SELECT id FROM users WHERE email = 'rep@example.com'").fetchone()[0])
        coach = str(db.execute("SELECT id FROM users WHERE email = 'coach@example.com'").fetchone()[0])
        db.execute(
            "INSERT INTO acknowledgements (id, user_id, device_id, mutation_id, item_kind, item_id, acknowledged, at,"
            " device_time, local_day, received_at, seq) VALUES (?, ?, 'dev-1', 'm-ack', 'nugget', 'ask-first', 1, ?, ?, 105, ?, 1)",
            [ACK_ID, rep, "2026-10-05T08:00:00.000Z", "2026-10-05T08:00:00.000Z", "2026-10-05T08:00:01.000Z"],
        )
        for obs_id, shared in ((OBSERVATION_ID, 1), (DRAFT_ID, 0)):
            db.execute(
                "INSERT INTO observations (id, author_id, rep_id, rev, shared, state, created_at, updated_at, seq)"
                " VALUES (?, ?, ?, 1, ?, '{}', '2026-10-06T10:00:00.000Z', '2026-10-06T10:05:00.000Z', 2)",
                [obs_id, coach, rep, shared],
            )
    db.close()
    return path


ANSWERS = 6 * (1 + 24 * 2) + 3  # tests/support/results.py
EXPECTED = ANSWERS + 2  # every answer, the nugget read, the shared observation (not the draft)


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_export_command_writes_every_event_once_as_a_valid_statement(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "statements.jsonl"
    result = run_recap("xapi", "export", "--out", str(out), "--base-url", "https://recap.example.com", db_path=db_path)
    assert result.returncode == 0, result.stderr
    statements = _lines(out.read_text())
    assert len(statements) == EXPECTED and result.stderr.strip() == f"{EXPECTED} statement(s) written to {out}"
    assert [p for s in statements for p in statement_problems(s)] == []
    db = connect(db_path)
    answer_ids = {str(r[0]) for r in db.execute("SELECT id FROM answers")}
    db.close()
    ids = [s["id"] for s in statements]
    assert len(set(ids)) == len(ids) and answer_ids | {ACK_ID, OBSERVATION_ID} == set(ids) and DRAFT_ID not in ids
    verbs = Counter(s["verb"]["id"] for s in statements)  # type: ignore[index]
    assert verbs["http://adlnet.gov/expapi/verbs/answered"] == ANSWERS and verbs["http://adlnet.gov/expapi/verbs/experienced"] == 1

    later = run_recap("xapi", "export", "--since", "2026-10-05", "--array", db_path=db_path)
    assert later.returncode == 0
    array = json.loads(later.stdout)
    assert all(s["timestamp"] >= "2026-10-05" for s in array) and len(array) == 6 * 20 * 2 + 3 + 2
    assert run_recap("xapi", "export", "--since", "last week", db_path=db_path).returncode == 2


def test_admins_download_the_statements(db_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_path, dev_auth=True))) as client:
        response = client.get("/admin/xapi?since=2026-10-06", headers={"Authorization": "Bearer dev:admin@example.com"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
        assert 'filename="statements.jsonl"' in response.headers["content-disposition"]
        statements = _lines(response.text)
        assert statements and all(not statement_problems(s) and s["timestamp"] >= "2026-10-06" for s in statements)
        assert statements[0]["actor"]["account"]["homePage"] == "http://testserver.local"  # type: ignore[index]
        assert client.get("/admin/xapi", headers={"Authorization": "Bearer dev:manager@example.com"}).status_code == 403
        assert client.get("/admin/xapi?since=soon", headers={"Authorization": "Bearer dev:admin@example.com"}).status_code == 400


def test_a_push_survives_failures_and_timeouts_and_delivers_each_statement_once(db_path: Path) -> None:
    db = connect(db_path)
    who = export.identity(db, Settings(db_path=db_path, public_url="https://recap.example.com"), export.datetime.datetime.now(export.datetime.UTC))
    items = list(export.statements(export.using(db), who))
    # Read a page at a time, the same statements in the same order.
    assert [s['id'] for _, s in export.statements(export.using(db), who, page=7)] == [s['id'] for _, s in items]
    delivered: list[tuple[str, int]] = []
    waits: list[float] = []
    # Two 503s, then a batch the store saves but answers too late for the client: sent again.
    with FakeLrs(fail_first=2, hang_once=1.0) as lrs:
        result = push(items, lrs.endpoint, ("lrs-user", "secret"), lambda at, n: delivered.append((at, n)), batch=40, timeout=0.5, sleep=waits.append)
        assert result.error == "" and result.sent == EXPECTED and result.batches == 8
        assert set(lrs.stored) == {s["id"] for _, s in items} and len(lrs.stored) == EXPECTED
        assert len(lrs.received) == EXPECTED + 40  # the batch that timed out arrived twice, kept once
        assert waits == [0.5, 1.0, 2.0]  # backoff doubles
        assert all(r["x-experience-api-version"] == "1.0.3" and r["authorization"].startswith("Basic ") for r in lrs.requests)
        assert [n for _, n in delivered] == [40] * 7 + [EXPECTED - 280] and delivered[-1][0] == items[-1][0]
    db.close()


def test_a_push_that_keeps_failing_stops_and_keeps_its_place(db_path: Path) -> None:
    db = connect(db_path)
    items = list(export.statements(export.using(db), WHO))
    db.close()
    with FakeLrs(fail_first=100) as lrs:
        result = push(items, lrs.endpoint, None, lambda at, n: None, tries=3, sleep=lambda s: None)
    assert result.sent == 0 and result.attempts == 3 and "gave up after 3 tries (HTTP 503" in result.error


def test_the_push_command_remembers_its_position_and_repeats_are_harmless(db_path: Path) -> None:
    with FakeLrs(fail_first=1) as lrs:
        first = run_recap("xapi", "push", "--endpoint", lrs.endpoint, "--batch", "50", db_path=db_path, env={"RECAP_LRS_USER": "u", "RECAP_LRS_PASSWORD": "p"})
        assert first.returncode == 0, first.stderr
        assert first.stdout.strip() == f"delivered {EXPECTED} statement(s) in 6 batch(es), 7 request(s) to {lrs.endpoint}"
        assert len(lrs.stored) == EXPECTED
        db = connect(db_path)
        assert store.position(db, lrs.endpoint) == "2027-01-06T08:00:00.000Z"
        db.close()
        # Nothing new: only the few minutes of overlap go again, and the store keeps one of each.
        second = run_recap("xapi", "push", "--endpoint", lrs.endpoint, db_path=db_path)
        assert second.returncode == 0 and "delivered 1 statement(s) in 1 batch(es)" in second.stdout
        assert len(lrs.stored) == EXPECTED
        again = run_recap("xapi", "push", "--endpoint", lrs.endpoint, "--again", db_path=db_path)
        assert f"delivered {EXPECTED} statement(s)" in again.stdout and len(lrs.stored) == EXPECTED
    assert run_recap("xapi", "push", db_path=db_path).returncode == 2  # no endpoint

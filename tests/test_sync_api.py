"""The sync rules over the real app and a real SQLite file (docs/sync.md)."""

from __future__ import annotations

import datetime
import json
import shutil
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
from sync import kinds
from sync.progress import RecordedAnswer, progress
from sync.scheduler import settings_for
from tests.support.device import Device, uuid7
from tests.support.paths import FIXTURE_LIBRARY, ROOT

AUTH = {"Authorization": "Bearer dev:alice"}


@pytest.fixture
def server_db(tmp_path: Path) -> Path:
    path = tmp_path / "sync.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()
    return path


@pytest.fixture
def client(server_db: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(Settings(db_path=server_db, dev_auth=True, busy_timeout_ms=200))) as c:
        yield c


def rows(db_path: Path, sql: str) -> list[Any]:
    db = sqlite_utils.Database(db_path)
    try:
        return list(db.execute(sql).fetchall())
    finally:
        db.close()


def answer_count(db_path: Path) -> int:
    return int(rows(db_path, "SELECT count(*) FROM answers")[0][0])


def mutation(seq: int, question: str = "who-else", choice: list[int] | None = None, **payload: Any) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "client_seq": seq,
        "kind": "answer",
        "payload_version": 1,
        "payload": {
            "id": uuid7(),
            "question_id": question,
            "content_version": 1,
            "choice": choice or [2],
            "correct": True,
            "answered_at": "2026-12-01T09:00:00.000Z",
            "local_day": 20423 + seq,
            "duration_ms": 4000,
            **payload,
        },
    }


def push_body(device: str, mutations: list[dict[str, Any]], sent_at: str | None = None) -> dict[str, Any]:
    sent = sent_at or datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"protocol": 1, "device_id": device, "sent_at": sent, "mutations": mutations}


DEVICE = "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77"


def test_a_repeated_push_returns_its_stored_results_and_changes_nothing(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    body = push_body(DEVICE, [mutation(1), mutation(2), mutation(3, choice=[1])])
    first = client.post("/sync/push", json=body, headers=AUTH)
    assert first.status_code == 200
    assert first.json()["acked_through"] == 3
    seq_before = rows(server_db, "SELECT value FROM seq_counter")[0][0]
    again = client.post("/sync/push", json=body, headers=AUTH)
    assert again.status_code == 200
    assert again.json()["results"] == first.json()["results"]
    assert answer_count(server_db) == 3
    assert rows(server_db, "SELECT value FROM seq_counter")[0][0] == seq_before  # nothing new reached any feed


def test_a_gap_is_refused_with_the_expected_seq_and_nothing_is_applied(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    assert client.post("/sync/push", json=push_body(DEVICE, [mutation(1)]), headers=AUTH).status_code == 200
    gap = client.post("/sync/push", json=push_body(DEVICE, [mutation(2), mutation(4)]), headers=AUTH)
    assert gap.status_code == 409
    assert gap.json()["error"] == "seq_gap" and gap.json()["expected_seq"] == 2
    assert answer_count(server_db) == 1  # mutation 2 was rolled back with the push


def test_a_rejected_mutation_does_not_block_the_ones_after_it(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    body = push_body(
        DEVICE,
        [mutation(1, question="no-such-question"), mutation(2, choice=[4]), mutation(3, content_version=99), mutation(4)],
    )
    response = client.post("/sync/push", json=body, headers=AUTH).json()
    assert response["acked_through"] == 4
    statuses = [(r["status"], r["reason"]) for r in response["results"]]
    assert statuses[0] == ("rejected", "question 'no-such-question' is not in content version 1")
    assert statuses[1] == ("rejected", "option 4 does not exist: the question has 3 options")
    assert statuses[2] == ("rejected", "content version 99 has not been published (latest is 1)")
    assert statuses[3] == ("applied", None)
    assert answer_count(server_db) == 1


def test_a_pull_reports_the_rejections_among_the_queued_entries_it_acknowledges(client: TestClient) -> None:  # type: ignore[type-arg]
    """A device whose push response was lost names its first queued entry (`outbox_from`); the
    pull lists the rejected ones from there to `acked_through`, with the ledger's mutation ids."""
    sent = [mutation(1), mutation(2, choice=[4]), mutation(3), mutation(4, question="no-such-question")]
    assert client.post("/sync/push", json=push_body(DEVICE, sent), headers=AUTH).status_code == 200

    def pulled(**extra: Any) -> Any:
        response = client.post("/sync/pull", json={"protocol": 1, "device_id": DEVICE, **extra}, headers=AUTH)
        assert response.status_code == 200, response.text
        return response.json()

    page = pulled(outbox_from=1)
    assert page["acked_through"] == 4
    assert [(r["client_seq"], r["id"], r["status"]) for r in page["rejected"]] == [
        (2, sent[1]["id"], "rejected"), (4, sent[3]["id"], "rejected"),
    ]  # fmt: skip
    assert "option 4 does not exist" in page["rejected"][0]["reason"]
    assert [r["client_seq"] for r in pulled(outbox_from=3)["rejected"]] == [4]
    assert pulled()["rejected"] == []  # nothing queued: nothing to report
    assert pulled(outbox_from=5)["rejected"] == []  # beyond what was acknowledged
    for bad in (0, -1, "1", 1.5):
        response = client.post("/sync/pull", json={"protocol": 1, "device_id": DEVICE, "outbox_from": bad}, headers=AUTH)
        assert response.status_code == 400 and "outbox_from" in response.text


def test_an_invalid_payload_is_rejected_with_its_reason(client: TestClient) -> None:  # type: ignore[type-arg]
    bad = mutation(1)
    bad["payload"]["local_day"] = "yesterday"
    result = client.post("/sync/push", json=push_body(DEVICE, [bad]), headers=AUTH).json()["results"][0]
    assert result["status"] == "rejected" and "local_day" in result["reason"]


def test_the_same_answer_twice_is_a_duplicate_not_a_second_row(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    first = mutation(1)
    copy = mutation(2)
    copy["payload"] = dict(first["payload"])
    results = client.post("/sync/push", json=push_body(DEVICE, [first, copy]), headers=AUTH).json()["results"]
    assert [r["status"] for r in results] == ["applied", "duplicate"]
    assert answer_count(server_db) == 1


def test_the_server_decides_whether_an_answer_was_right(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    wrong_but_claimed_right = mutation(1, choice=[1], correct=True)
    client.post("/sync/push", json=push_body(DEVICE, [wrong_but_claimed_right]), headers=AUTH)
    assert rows(server_db, "SELECT correct, device_correct FROM answers") == [(0, 1)]
    assert client.get("/sync/info").json()["correct_overruled"] == 1


def test_limits_give_413_with_the_limit(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    too_many = client.post("/sync/push", json=push_body(DEVICE, [mutation(i + 1) for i in range(501)]), headers=AUTH)
    assert too_many.status_code == 413
    assert too_many.json()["limit"] == {"max_mutations": 500, "max_push_bytes": 1048576}
    huge = mutation(1)
    huge["payload"]["padding"] = "x" * (1024 * 1024)
    too_big = client.post("/sync/push", json=push_body(DEVICE, [huge]), headers=AUTH)
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
    assert answer_count(server_db) == 0


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b'{"protocol": 1, "device_id": "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77", "sent_at": "2026', 400, "malformed"),
        (b"not json at all", 400, "malformed"),
        (b"", 400, "malformed"),
        (b'{"protocol": 2, "device_id": "x", "mutations": []}', 400, "protocol_unsupported"),
        (b'{"device_id": "x"}', 400, "malformed"),
        (b'{"protocol": 1, "device_id": "not-a-uuid", "sent_at": "2026-12-01T09:00:00Z", "mutations": []}', 400, "malformed"),
        (b'{"protocol": 1, "device_id": "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77", "sent_at": "noon", "mutations": []}', 400, "malformed"),
        (b'[1, 2, 3]', 400, "malformed"),
    ],
)
def test_malformed_truncated_and_wrong_version_pushes_change_nothing(
    client: TestClient, server_db: Path, body: bytes, status: int, error: str  # type: ignore[type-arg]
) -> None:
    response = client.post("/sync/push", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert answer_count(server_db) == 0
    assert rows(server_db, "SELECT count(*) FROM devices")[0][0] == 0


def test_a_newer_payload_version_is_refused_whole_so_the_device_keeps_it(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    future = mutation(2)
    future["payload_version"] = 9
    response = client.post("/sync/push", json=push_body(DEVICE, [mutation(1), future]), headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error"] == "payload_unsupported" and response.json()["supported"] == kinds.payload_versions()
    assert answer_count(server_db) == 0


def test_sync_needs_a_credential_and_a_device_stays_with_its_user(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    body = push_body(DEVICE, [mutation(1)])
    assert client.post("/sync/push", json=body).status_code == 401
    assert client.post("/sync/push", json=body, headers=AUTH).status_code == 200
    other = client.post("/sync/push", json=push_body(DEVICE, [mutation(2)]), headers={"Authorization": "Bearer dev:mallory"})
    assert other.status_code == 403 and other.json()["error"] == "device_bound"
    pulled = client.post("/sync/pull", json={"protocol": 1, "device_id": DEVICE}, headers={"Authorization": "Bearer dev:mallory"})
    assert pulled.status_code == 403
    assert rows(server_db, "SELECT DISTINCT user_id FROM answers") == [("dev:alice",)]  # no account: a dev user id


def test_dev_credentials_are_refused_unless_enabled(server_db: Path) -> None:
    with TestClient(create_app(Settings(db_path=server_db))) as plain:
        assert plain.post("/sync/push", json=push_body(DEVICE, [mutation(1)]), headers=AUTH).status_code == 401


def test_a_locked_database_is_a_503_and_nothing_is_applied(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    blocker = connect(server_db)
    blocker.conn.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/sync/push", json=push_body(DEVICE, [mutation(1)]), headers=AUTH)
        assert response.status_code == 503 and response.json()["error"] == "unavailable"
    finally:
        blocker.conn.execute("ROLLBACK")
        blocker.close()
    assert answer_count(server_db) == 0
    retry = client.post("/sync/push", json=push_body(DEVICE, [mutation(1)]), headers=AUTH)
    assert retry.status_code == 200 and answer_count(server_db) == 1


def test_pull_pages_cursors_and_acked_through(client: TestClient) -> None:  # type: ignore[type-arg]
    device = Device("alice", client)
    for day in range(5):
        device.answer("who-else", [2], True, 20_000 + day)
        device.answer("next-step", [1], False, 20_000 + day)
    device.push_once()
    assert device.outbox == [] and device.acked_through == 10
    other = Device("alice", client)
    response = client.post(
        "/sync/pull", json={"protocol": 1, "device_id": other.device_id, "cursors": {}, "limit": 3}, headers=AUTH
    ).json()
    assert response["has_more"] is True and response["digest"] is None
    # `limit` counts every change of the page, the content change included (docs/sync.md).
    assert [c["stream"] for c in response["changes"]] == ["content", "records", "records"]
    one = client.post(
        "/sync/pull", json={"protocol": 1, "device_id": other.device_id, "cursors": {}, "limit": 1}, headers=AUTH
    ).json()
    assert [c["stream"] for c in one["changes"]] == ["content"] and one["has_more"] is True
    assert one["cursors"]["records"] == 0  # nothing of the records stream was sent: its cursor stays
    other.pull_all(limit=3)
    assert set(other.answers) == set(device.answers)
    assert other.server_progress["who-else"]["reps"] == 5
    cursors = [v for k, v in other.history if k == "cursor:records"]
    assert cursors == sorted(cursors)


def test_two_offline_devices_of_one_learner_converge(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    phone, tablet = Device("alice", client), Device("alice", client)
    phone.answer("who-else", [2], True, 20_100)
    tablet.answer("who-else", [1], False, 20_100)  # same question, same local day, other device
    tablet.answer("who-else", [2], True, 20_104)
    for device in (phone, tablet, phone, tablet):
        device.sync()
    assert answer_count(server_db) == 3
    assert set(phone.answers) == set(tablet.answers)
    server_state = phone.server_progress["who-else"]
    assert tablet.server_progress["who-else"] == server_state
    for device in (phone, tablet):
        local = device.progress_of("who-else", epoch=1)
        assert (local.stability, local.due_day, local.reps) == (server_state["stability"], server_state["due_day"], server_state["reps"])
    assert server_state["reps"] == 2  # only the first answer of day 20100 counts


def test_clock_offset_is_corrected_and_clamped(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    skewed = Device("alice", client, clock_skew=datetime.timedelta(hours=3))
    skewed.answer("who-else", [2], True, 20_000)
    skewed.push_once()
    effective, raw, received = rows(server_db, "SELECT answered_at, device_time, received_at FROM answers")[0]
    assert raw > received  # the device's clock was 3 hours ahead
    gap = datetime.datetime.fromisoformat(received) - datetime.datetime.fromisoformat(effective)
    assert datetime.timedelta(0) <= gap < datetime.timedelta(seconds=30)
    # An answer the device dates in the future even after correction is clamped to its receipt,
    # and one dated before the device's previous answer is moved up to it.
    future = mutation(2, answered_at="2099-01-01T00:00:00.000Z")
    past = mutation(3, answered_at="2001-01-01T00:00:00.000Z")
    sent = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    client.post("/sync/push", json=push_body(skewed.device_id, [future, past], sent_at=sent), headers=AUTH)
    times = dict(rows(server_db, "SELECT id, answered_at FROM answers"))
    received_future = rows(server_db, f"SELECT received_at FROM answers WHERE id = '{future['payload']['id']}'")[0][0]
    assert times[future["payload"]["id"]] == received_future
    assert times[past["payload"]["id"]] == times[future["payload"]["id"]]


def test_server_progress_equals_an_independent_replay(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    device = Device("alice", client)
    for day, correct in [(10, True), (10, False), (12, False), (13, True), (40, True), (41, True)]:
        device.answer("who-else", [2] if correct else [1], correct, 20_000 + day)
    device.sync()
    recorded = [
        RecordedAnswer(id=i, day=d, answered_at=t, correct=bool(c), rev=r)
        for i, d, t, c, r in rows(server_db, "SELECT id, local_day, answered_at, correct, rev FROM answers")
    ]
    expected = progress(recorded, 1, settings_for("fsrs"))
    stored = json.loads(rows(server_db, "SELECT state FROM progress")[0][0])
    assert (stored["stability"], stored["difficulty"], stored["due_day"], stored["reps"]) == (
        expected.stability, expected.difficulty, expected.due_day, expected.reps,
    )  # fmt: skip
    assert stored["reps"] == 5


def test_a_server_restored_from_backup_is_healed_by_the_devices(server_db: Path, tmp_path: Path) -> None:
    def start() -> TestClient:  # type: ignore[type-arg]
        client = TestClient(create_app(Settings(db_path=server_db, dev_auth=True)))
        client.__enter__()
        return client

    client = start()
    device = Device("alice", client)
    device.answer("who-else", [2], True, 20_000)
    device.sync()
    client.__exit__(None, None, None)  # a backup is taken of a stopped server's file
    backup = tmp_path / "backup.db"
    shutil.copy(server_db, backup)
    client = start()
    device.http = client
    lost = device.answer("next-step", [2], True, 20_001)
    device.sync()
    assert answer_count(server_db) == 2
    client.__exit__(None, None, None)
    for suffix in ("-wal", "-shm"):
        Path(str(server_db) + suffix).unlink(missing_ok=True)
    shutil.copy(backup, server_db)  # restored: the server loses the second answer and its device record
    assert answer_count(server_db) == 1
    client = start()
    device.http = client
    try:
        device.sync()  # reset (cursor ahead of the server), renumbered outbox, digest mismatch: heal
        device.sync()
    finally:
        client.__exit__(None, None, None)
    assert lost in {r[0] for r in rows(server_db, "SELECT id FROM answers")}
    assert answer_count(server_db) == 2
    assert any(what == "heal" for what, _ in device.history)


def test_a_cursor_beyond_anything_the_server_holds_resets_the_records_stream(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    """The server was restored from an older backup: the device's cursor is ahead of it."""
    device = Device("alice", client)
    device.answer("who-else", [2], True, 20_000)
    device.sync()
    ahead = device.cursors["records"] + 1_000
    page = client.post(
        "/sync/pull", json={"protocol": 1, "device_id": device.device_id, "cursors": {"records": ahead}}, headers=AUTH
    ).json()
    assert page["reset"] == ["records"]
    assert [c["kind"] for c in page["changes"] if c["stream"] == "records"] == ["answer", "progress"]
    assert page["cursors"]["records"] == device.cursors["records"]


def test_the_committed_json_schema_is_current() -> None:
    from sync import schema

    assert (ROOT / "docs" / "sync-schema.json").read_text() == schema.render(), "run: python -m sync.schema"


def test_impossible_dates_never_block_the_outbox(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    """Dates that match the pattern but do not exist: the answer is rejected, the push goes on."""
    feb30 = mutation(1, answered_at="2026-02-30T10:00:00.000Z")
    far_future = mutation(2, answered_at="9999-12-31T23:59:59.999Z")
    fine = mutation(3)
    ancient = "0001-01-01T00:00:00.000Z"  # a device clock off by two thousand years
    response = client.post("/sync/push", json=push_body(DEVICE, [feb30, far_future, fine], sent_at=ancient), headers=AUTH)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[0]["status"] == "rejected" and "answered_at" in results[0]["reason"]
    assert [r["status"] for r in results[1:]] == ["applied", "applied"]
    month13 = client.post("/sync/push", json=push_body(DEVICE, [mutation(4)], sent_at="2026-13-01T00:00:00.000Z"), headers=AUTH)
    assert month13.status_code == 400 and month13.json()["error"] == "malformed" and "sent_at" in month13.json()["detail"]
    assert answer_count(server_db) == 2


@pytest.mark.parametrize("path", ["/sync/push", "/sync/pull"])
def test_a_well_formed_request_of_another_protocol_is_told_so(client: TestClient, path: str) -> None:  # type: ignore[type-arg]
    body = push_body(DEVICE, [mutation(1)]) if path == "/sync/push" else {"protocol": 1, "device_id": DEVICE}
    answer = client.post(path, json={**body, "protocol": 2}, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"] == "protocol_unsupported"
    assert answer.json()["supported"] == [1]


def test_a_resent_seq_with_the_same_id_but_another_payload_is_seq_reused(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    original = mutation(1, choice=[2])
    assert client.post("/sync/push", json=push_body(DEVICE, [original]), headers=AUTH).status_code == 200
    changed = {**original, "payload": {**original["payload"], "choice": [1]}}
    for body in (push_body(DEVICE, [changed]), push_body(DEVICE, [changed, mutation(2)])):
        refused = client.post("/sync/push", json=body, headers=AUTH)
        assert refused.status_code == 409 and refused.json()["error"] == "seq_reused", refused.text
        assert refused.json()["expected_seq"] == 2
    assert rows(server_db, "SELECT choice FROM answers") == [("[2]",)]  # the stored answer is untouched
    # The very same mutation, keys in another order, is still a harmless repeat.
    same = {"payload": dict(reversed(list(original["payload"].items()))), **{k: v for k, v in original.items() if k != "payload"}}
    repeat = client.post("/sync/push", json=push_body(DEVICE, [same]), headers=AUTH)
    assert repeat.status_code == 200 and repeat.json()["results"][0]["status"] == "applied"
    # Within one batch too: the same seq twice with different content is refused, and nothing applies.
    twice = push_body(DEVICE, [mutation(2), {**mutation(2), "payload": mutation(2)["payload"]}])
    twice["mutations"][1]["id"] = twice["mutations"][0]["id"]
    assert client.post("/sync/push", json=twice, headers=AUTH).status_code == 409
    assert rows(server_db, "SELECT count(*) FROM answers") == [(1,)]


def test_a_batch_with_a_hole_or_out_of_order_is_refused_whole(client: TestClient, server_db: Path) -> None:  # type: ignore[type-arg]
    for seqs in ([1, 3], [2, 1]):
        refused = client.post("/sync/push", json=push_body(DEVICE, [mutation(s) for s in seqs]), headers=AUTH)
        assert refused.status_code == 409 and refused.json() | {"detail": ""} == {"error": "seq_gap", "detail": "", "expected_seq": 1}
    assert rows(server_db, "SELECT count(*) FROM answers") == [(0,)]

"""Migrations move existing data: m007 gives every sync record its person's user id, serves
answers by their old change seqs (so devices' cursors stay valid) and packs the mutation ledger;
m009 gives everyone the organisation's daily limit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server import migrations
from server.db import connect
from server.storage import people as people_store
from server.storage import sync as sync_store
from tests.support.ids import uuid7

NOW = "2026-11-30T09:00:00.000Z"


def test_m007_moves_sync_data_to_user_ids_and_keeps_cursors_valid(tmp_path: Path) -> None:
    db = connect(tmp_path / "old.db")
    migrations.migrations.apply(db, stop_before="m007_sync_v2")
    ann, device, mutation_ok, mutation_dup, answer = "u-ann", "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77", uuid7(), uuid7(), uuid7()
    with db.conn:
        db.execute("INSERT INTO users (id, email, name, created_at, updated_at) VALUES (?, 'ann@example.com', 'Ann', ?, ?)", [ann, NOW, NOW])
        db.execute("INSERT INTO devices (id, user_id, last_seq, first_seen_at, last_seen_at) VALUES (?, 'ann@example.com', 2, ?, ?)", [device, NOW, NOW])
        db.execute("INSERT INTO devices (id, user_id, last_seq, first_seen_at, last_seen_at) VALUES ('d-dev', 'alice', 0, ?, ?)", [NOW, NOW])
        db.execute(
            "INSERT INTO answers (id, user_id, device_id, mutation_id, question_id, content_version, rev, choice, correct,"
            " device_correct, answered_at, device_time, local_day, duration_ms, received_at)"
            " VALUES (?, 'ann@example.com', ?, ?, 'who-else', 1, 1, '[2]', 1, 1, ?, ?, 20000, 100, ?)",
            [answer, device, mutation_ok, NOW, NOW, NOW],
        )
        for kind, entity in (("answer", answer), ("progress", "who-else"), ("progress", "who-else")):
            db.execute("INSERT INTO changes (user_id, kind, entity_id, data) VALUES ('ann@example.com', ?, ?, '{}')", [kind, entity])
        db.execute("INSERT INTO progress (user_id, question_id, state, seq) VALUES ('ann@example.com', 'who-else', '{}', 3)")
        db.execute("INSERT INTO user_digests (user_id, answers, hash) VALUES ('ann@example.com', 1, 7)")
        db.execute(
            "INSERT INTO mutations (device_id, client_seq, id, kind, status, reason, hash) VALUES (?, 1, ?, 'answer', 'applied', NULL, ?)",
            [device, mutation_ok, "ab" * 32],
        )
        db.execute(
            "INSERT INTO mutations (device_id, client_seq, id, kind, status, reason, hash) VALUES (?, 2, ?, 'answer', 'duplicate', NULL, NULL)",
            [device, mutation_dup],
        )
        db.execute("INSERT INTO audit_log (at, event, email) VALUES (?, 'sign-in', 'ann@example.com')", [NOW])
    migrations.apply(db)
    try:
        rows = lambda sql: [tuple(r) for r in db.execute(sql).fetchall()]  # noqa: E731
        assert rows("SELECT user_id, seq FROM answers") == [(ann, 1)]  # the seq of its old change
        assert rows("SELECT user_id, seq FROM progress") == [(ann, 3)]
        assert rows("SELECT id, user_id FROM devices ORDER BY id") == [(device, ann), ("d-dev", "dev:alice")]
        assert rows("SELECT user_id FROM user_digests") == [(ann,)]
        assert rows("SELECT user_id FROM audit_log") == [(ann,)]
        assert sync_store.newest_seq(db) == 3  # new seqs continue after the old ones
        ledger = sync_store.get_mutations(db, device, [1, 2])
        assert (ledger[1].id, ledger[1].hash, ledger[1].status) == (mutation_ok, "ab" * 16, "applied")
        assert (ledger[2].id, ledger[2].hash, ledger[2].status) == (mutation_dup, None, "duplicate")
        assert not rows("SELECT name FROM sqlite_master WHERE name IN ('changes', 'change_floors', 'mutations')")
    finally:
        db.close()


def test_m009_gives_everyone_the_organisations_daily_limit_of_3_and_keeps_limits_in_range(tmp_path: Path) -> None:
    db = connect(tmp_path / "old.db")
    migrations.migrations.apply(db, stop_before="m009_daily_limit")
    with db.conn:
        db.execute("INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u-ann', 'ann@example.com', 'Ann', ?, ?)", [NOW, NOW])
    assert migrations.apply(db)[0] == "m009_daily_limit"
    assert people_store.daily_limit_of(db, "u-ann") == 3
    assert people_store.all_people(db)["ann@example.com"].daily_limit is None
    for statement in ("UPDATE users SET daily_limit = 0", "UPDATE users SET daily_limit = 21", "UPDATE organisation SET daily_limit = 0",
                      "INSERT INTO organisation (id) VALUES (2)"):  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError), db.conn:
            db.execute(statement)
    with db.conn:
        db.execute("UPDATE organisation SET daily_limit = 5")
    assert people_store.daily_limit_of(db, "u-ann") == 5
    db.close()


def test_the_steps_register_in_the_order_of_their_numbers() -> None:
    # server/migrations/__init__.py imports the step modules in order; a reordered import would
    # apply a migration before the one it builds on.
    names = [m.name for m in migrations.migrations.pending(connect(":memory:"))]
    assert names == sorted(names) and names[0] == "m001_content_library"

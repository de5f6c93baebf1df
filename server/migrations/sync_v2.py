"""m007: one id per person in every sync table, and the packed mutation ledger."""

from __future__ import annotations

import uuid

import sqlite_utils

from server.migrations.registry import migrations


def _person_key(column: str) -> str:
    """SQL for a sync user key (a normalised email until m007) as a users.id; keys of no user
    (development sign-ins) become `dev:<key>`, as server/auth.py now names them."""
    return f"coalesce((SELECT u.id FROM users AS u WHERE u.email = {column}), 'dev:' || {column})"


@migrations()
def m007_sync_v2(db: sqlite_utils.Database) -> None:
    # 1. One id per person: every sync table refers to users.id; the email is an attribute.
    db.execute("DROP TRIGGER answers_no_update")
    for table in ("answers", "devices", "progress", "user_digests", "enrollments"):
        db.execute(f"UPDATE {table} SET user_id = {_person_key(table + '.user_id')}")
    # 2. Answers and progress are served to pulls from their own tables by seq: the change feed
    #    no longer copies them. Seqs keep their numbers, so devices' cursors stay valid.
    db.executescript(
        """
        ALTER TABLE answers ADD COLUMN seq INTEGER;
        UPDATE answers SET seq = (SELECT c.seq FROM changes AS c WHERE c.kind = 'answer' AND c.entity_id = answers.id);
        CREATE TABLE seq_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
        INSERT INTO seq_counter (id, value)
            VALUES (1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0));
        """
    )
    # An answer whose change was lost (never expected) gets a new seq, after every other.
    missing = [row[0] for row in db.execute("SELECT id FROM answers WHERE seq IS NULL ORDER BY received_at, id")]
    for answer_id in missing:
        db.execute("UPDATE seq_counter SET value = value + 1")
        db.execute("UPDATE answers SET seq = (SELECT value FROM seq_counter) WHERE id = ?", [answer_id])
    db.executescript(
        """
        CREATE UNIQUE INDEX answers_by_seq ON answers(user_id, seq);
        CREATE TRIGGER answers_no_update BEFORE UPDATE ON answers
        BEGIN SELECT RAISE(ABORT, 'answers are immutable: record a new answer instead'); END;
        ALTER TABLE progress ADD COLUMN basis TEXT;  -- JSON: what the stored state was replayed from
        CREATE INDEX progress_by_seq ON progress(user_id, seq);
        DROP TABLE changes;
        DROP TABLE change_floors;
        -- Records shared with several people (acknowledgements, observations) reach each of
        -- them through this feed: one row per (recipient, record), holding the record's latest seq.
        CREATE TABLE feed (
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (user_id, kind, entity_id)
        ) WITHOUT ROWID;
        CREATE INDEX feed_by_seq ON feed(user_id, seq);
        CREATE TABLE acknowledgements (
            id TEXT PRIMARY KEY,            -- UUIDv7 made on the device
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            item_kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            acknowledged INTEGER NOT NULL,
            comment TEXT,
            at TEXT NOT NULL,               -- effective time
            device_time TEXT NOT NULL,
            local_day INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        CREATE INDEX acknowledgements_by_item ON acknowledgements(item_kind, item_id);
        CREATE INDEX acknowledgements_by_user ON acknowledgements(user_id, item_kind, item_id);
        CREATE TRIGGER acknowledgements_no_update BEFORE UPDATE ON acknowledgements
        BEGIN SELECT RAISE(ABORT, 'acknowledgements are immutable: record a new one instead'); END;
        CREATE TABLE observations (
            id TEXT PRIMARY KEY,            -- UUIDv7 made by the creating device
            author_id TEXT NOT NULL,
            rep_id TEXT NOT NULL,
            rev INTEGER NOT NULL,
            shared INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL,            -- JSON: every field's value and stamp, open conflicts
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        CREATE INDEX observations_by_rep ON observations(rep_id);
        CREATE INDEX observations_by_author ON observations(author_id);
        CREATE TABLE observation_revisions (
            observation_id TEXT NOT NULL REFERENCES observations(id),
            rev INTEGER NOT NULL,
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            patch TEXT NOT NULL,            -- JSON: base_rev, set, resolve
            outcome TEXT NOT NULL,          -- JSON: applied, unchanged, lost, conflicted, resolved
            at TEXT NOT NULL,               -- effective time
            received_at TEXT NOT NULL,
            PRIMARY KEY (observation_id, rev)
        ) WITHOUT ROWID;
        CREATE TRIGGER observation_revisions_no_update BEFORE UPDATE ON observation_revisions
        BEGIN SELECT RAISE(ABORT, 'revisions are kept as they were'); END;
        """
    )
    # 3. The audit log names the person by id too (its email column keeps the address as typed).
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("ALTER TABLE audit_log ADD COLUMN user_id TEXT")
    db.execute("UPDATE audit_log SET user_id = (SELECT u.id FROM users AS u WHERE u.email = audit_log.email)")
    db.execute("CREATE INDEX audit_log_by_user ON audit_log(user_id, id)")
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log rows are immutable'); END"
    )
    # 4. The push path writes less: a learner's answers are found by (user, seq) for the rare full
    #    replay, and the mutation ledger keeps one row per push (the ids and content hashes of
    #    its mutations, packed) plus a row only for each mutation that was not applied.
    db.executescript(
        """
        DROP INDEX answers_by_user;
        CREATE TABLE mutation_batches (
            device_id TEXT NOT NULL REFERENCES devices(id),
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            entries BLOB NOT NULL,         -- per mutation, in seq order: 16 bytes of id, 16 of hash
            PRIMARY KEY (device_id, first_seq)
        ) WITHOUT ROWID;
        CREATE TABLE mutation_results (
            device_id TEXT NOT NULL REFERENCES devices(id),
            client_seq INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('duplicate', 'rejected')),
            reason TEXT,
            PRIMARY KEY (device_id, client_seq)
        ) WITHOUT ROWID;
        INSERT INTO mutation_results (device_id, client_seq, status, reason)
            SELECT device_id, client_seq, status, reason FROM mutations WHERE status != 'applied';
        """
    )
    # Each old ledger row becomes a batch of one; its hash (if any) keeps its first 128 bits.
    for device_id, seq, mutation_id, hash_ in db.execute("SELECT device_id, client_seq, id, hash FROM mutations").fetchall():
        db.execute(
            "INSERT INTO mutation_batches (device_id, first_seq, last_seq, entries) VALUES (?, ?, ?, ?)",
            [device_id, seq, seq, pack_entry(mutation_id, hash_)],
        )
    db.execute("DROP TABLE mutations")


def pack_entry(mutation_id: str, content_hash: str | None) -> bytes:
    """One ledger entry: the mutation id's 16 bytes, then 16 bytes of its content hash (zeros
    when it was stored without one). server/storage/sync.py reads them."""
    return uuid.UUID(mutation_id).bytes + (bytes.fromhex(content_hash[:32]) if content_hash else bytes(16))

"""SQL for sync's own bookkeeping: devices, the mutation ledger, the seq counter, the shared-record
feed, digests and metrics. The records themselves live in their kind's storage module.

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec
import sqlite_utils

from sync.sequencing import Stored


class DeviceRow(msgspec.Struct, frozen=True):
    id: str
    user_id: str
    last_seq: int
    last_answer_at: str | None


class FeedRow(msgspec.Struct, frozen=True):
    seq: int
    kind: str
    entity_id: str


def get_device(db: sqlite_utils.Database, device_id: str) -> DeviceRow | None:
    row = db.execute("SELECT id, user_id, last_seq, last_answer_at FROM devices WHERE id = ?", [device_id]).fetchone()
    return DeviceRow(*row) if row else None


def create_device(db: sqlite_utils.Database, device_id: str, user_id: str, now: str) -> DeviceRow:
    db.execute(
        "INSERT INTO devices (id, user_id, last_seq, first_seen_at, last_seen_at) VALUES (?, ?, 0, ?, ?)",
        [device_id, user_id, now, now],
    )
    return DeviceRow(device_id, user_id, 0, None)


def update_device(
    db: sqlite_utils.Database, device_id: str, last_seq: int, last_answer_at: str | None, offset_ms: int, now: str, answers: int
) -> None:
    """After a push: its last applied seq, clock, and `answers` more that it may report on."""
    db.execute(
        "UPDATE devices SET last_seq = ?, last_answer_at = ?, clock_offset_ms = ?, last_seen_at = ?,"
        " unreported_answers = unreported_answers + ? WHERE id = ?",
        [last_seq, last_answer_at, offset_ms, now, answers, device_id],
    )


def take_unreported(db: sqlite_utils.Database, device_id: str, reported: int) -> int:
    """Credit a device's reported disagreements, at most one per answer it pushed since its last report."""
    row = db.execute("SELECT unreported_answers FROM devices WHERE id = ?", [device_id]).fetchone()
    credited = min(reported, int(row[0])) if row else 0
    if credited:
        db.execute("UPDATE devices SET unreported_answers = unreported_answers - ? WHERE id = ?", [credited, device_id])
    return credited


def acked_through(db: sqlite_utils.Database, device_id: str) -> int:
    row = db.execute("SELECT last_seq FROM devices WHERE id = ?", [device_id]).fetchone()
    return int(row[0]) if row else 0


def device_owner(db: sqlite_utils.Database, device_id: str) -> str | None:
    row = db.execute("SELECT user_id FROM devices WHERE id = ?", [device_id]).fetchone()
    return str(row[0]) if row else None


# ---- the mutation ledger: what each device's client_seq was, for repeats ---------------------


def get_mutations(db: sqlite_utils.Database, device_id: str, seqs: Sequence[int]) -> dict[int, Stored]:
    if not seqs:
        return {}
    rows = db.execute(
        "SELECT client_seq, id, hash, status, reason FROM mutations WHERE device_id = ? AND client_seq BETWEEN ? AND ?",
        [device_id, min(seqs), max(seqs)],
    ).fetchall()
    return {r[0]: Stored(client_seq=r[0], id=r[1], hash=r[2], status=r[3], reason=r[4]) for r in rows}


def insert_mutations(db: sqlite_utils.Database, device_id: str, rows: Iterable[tuple[int, str, str, str, str | None, str]]) -> None:
    """Rows of (client_seq, id, kind, status, reason, hash)."""
    db.conn.executemany(
        "INSERT INTO mutations (device_id, client_seq, id, kind, status, reason, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(device_id, *row) for row in rows],
    )


# ---- seqs: commit order, one counter for every record of every kind ------------------------


def reserve_seqs(db: sqlite_utils.Database, count: int) -> int:
    """Reserve `count` consecutive seqs; return the first. Inside the write transaction, so seq
    order is commit order."""
    row = db.execute("UPDATE seq_counter SET value = value + ? WHERE id = 1 RETURNING value", [count]).fetchone()
    return int(row[0]) - count + 1


def newest_seq(db: sqlite_utils.Database) -> int:
    """The highest seq ever given."""
    row = db.execute("SELECT value FROM seq_counter WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


# ---- the feed of shared records --------------------------------------------------------------


def feed(db: sqlite_utils.Database, rows: Iterable[tuple[str, str, str, int]]) -> None:
    """(recipient user id, kind, entity id, seq): the record reaches the recipient at that seq."""
    db.conn.executemany(
        "INSERT INTO feed (user_id, kind, entity_id, seq) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id, kind, entity_id) DO UPDATE SET seq = excluded.seq",
        list(rows),
    )


def feed_after(db: sqlite_utils.Database, user_id: str, cursor: int, limit: int) -> list[FeedRow]:
    rows = db.execute(
        "SELECT seq, kind, entity_id FROM feed WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?", [user_id, cursor, limit]
    ).fetchall()
    return [FeedRow(*r) for r in rows]


# ---- digests and metrics ----------------------------------------------------------------------


def bump_digest(db: sqlite_utils.Database, user_id: str, count: int, xor: int) -> None:
    db.execute(
        "INSERT INTO user_digests (user_id, answers, hash) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET answers = answers + excluded.answers,"
        " hash = (hash | excluded.hash) - (hash & excluded.hash)",  # XOR: SQLite has no ^
        [user_id, count, xor],
    )


def get_digest(db: sqlite_utils.Database, user_id: str) -> tuple[int, int]:
    row = db.execute("SELECT answers, hash FROM user_digests WHERE user_id = ?", [user_id]).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def add_metric(db: sqlite_utils.Database, name: str, amount: int) -> None:
    if amount:
        db.execute(
            "INSERT INTO metrics (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            [name, amount],
        )


def metrics(db: sqlite_utils.Database) -> dict[str, int]:
    return {name: int(value) for name, value in db.execute("SELECT name, value FROM metrics")}

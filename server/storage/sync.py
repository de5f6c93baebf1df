"""SQL for sync's own bookkeeping: devices, the mutation ledger, the seq counter, the shared-record
feed, digests and metrics. The records themselves live in their kind's storage module.

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import uuid
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


MAX_REPORTED_REJECTIONS = 500


def rejected_between(db: sqlite_utils.Database, device_id: str, low: int, high: int) -> list[Stored]:
    """The device's rejected mutations with client_seq in [low, high], oldest first (at most 500)."""
    seqs = [
        int(r[0])
        for r in db.execute(
            "SELECT client_seq FROM mutation_results WHERE device_id = ? AND status = 'rejected' AND client_seq BETWEEN ? AND ?"
            " ORDER BY client_seq LIMIT ?",
            [device_id, low, high, MAX_REPORTED_REJECTIONS],
        )
    ]
    out: list[Stored] = []
    for seq in seqs:  # one lookup each: the range between them may hold many batches
        out.extend(get_mutations(db, device_id, [seq]).values())
    return out


def device_owner(db: sqlite_utils.Database, device_id: str) -> str | None:
    row = db.execute("SELECT user_id FROM devices WHERE id = ?", [device_id]).fetchone()
    return str(row[0]) if row else None


# ---- the mutation ledger: what each device's client_seq was, for repeats ---------------------
# One row per push holds, for its consecutive seqs, each mutation's id and the first 128 bits of
# its content hash (32 bytes a mutation, packed); a mutation that was not applied also gets a
# row with its status and reason. An applied mutation thus costs a few bytes, not a row.

_ENTRY = 32
_NO_HASH = bytes(16)


def get_mutations(db: sqlite_utils.Database, device_id: str, seqs: Sequence[int]) -> dict[int, Stored]:
    """What the ledger holds at these client_seqs (those it has)."""
    if not seqs:
        return {}
    low, high = min(seqs), max(seqs)
    wanted = set(seqs)
    results = {
        r[0]: (r[1], r[2])
        for r in db.execute(
            "SELECT client_seq, status, reason FROM mutation_results WHERE device_id = ? AND client_seq BETWEEN ? AND ?",
            [device_id, low, high],
        )
    }
    found: dict[int, Stored] = {}
    for first, last, entries in db.execute(
        "SELECT first_seq, last_seq, entries FROM mutation_batches WHERE device_id = ? AND first_seq <= ? AND last_seq >= ?",
        [device_id, high, low],
    ):
        for seq in range(max(first, low), min(last, high) + 1):
            if seq not in wanted:
                continue
            entry = entries[(seq - first) * _ENTRY : (seq - first + 1) * _ENTRY]
            status, reason = results.get(seq, ("applied", None))
            digest = entry[16:]
            found[seq] = Stored(
                client_seq=seq, id=str(uuid.UUID(bytes=entry[:16])), hash=None if digest == _NO_HASH else digest.hex(),
                status=status, reason=reason,
            )  # fmt: skip
    return found


def insert_mutations(db: sqlite_utils.Database, device_id: str, rows: Sequence[tuple[int, str, str, str, str | None, str]]) -> None:
    """Rows of (client_seq, id, kind, status, reason, hash), consecutive seqs in order: one push's."""
    if not rows:
        return
    entries = b"".join(uuid.UUID(mutation_id).bytes + bytes.fromhex(digest[:32]) for _, mutation_id, _, _, _, digest in rows)
    db.execute(
        "INSERT INTO mutation_batches (device_id, first_seq, last_seq, entries) VALUES (?, ?, ?, ?)",
        [device_id, rows[0][0], rows[-1][0], entries],
    )
    db.conn.executemany(
        "INSERT INTO mutation_results (device_id, client_seq, status, reason) VALUES (?, ?, ?, ?)",
        [(device_id, seq, status, reason) for seq, _, _, status, reason, _ in rows if status != "applied"],
    )


def ledger_of(db: sqlite_utils.Database, device_ids: Sequence[str]) -> list[dict[str, object]]:
    """Every ledger entry of these devices, one per mutation (for a person's export)."""
    out: list[dict[str, object]] = []
    for device_id in device_ids:
        for first, last in db.execute("SELECT first_seq, last_seq FROM mutation_batches WHERE device_id = ?", [device_id]).fetchall():
            for seq, stored in sorted(get_mutations(db, device_id, list(range(first, last + 1))).items()):
                out.append({"device_id": device_id, "client_seq": seq, "id": stored.id, "status": stored.status, "reason": stored.reason})
    return out


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

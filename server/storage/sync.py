"""SQL for sync: devices, the mutation log, answers, the change feed, progress and digests.

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
import sqlite_utils

from sync.progress import RecordedAnswer

_encode = msgspec.json.Encoder().encode


class DeviceRow(msgspec.Struct, frozen=True):
    id: str
    user_id: str
    last_seq: int
    last_answer_at: str | None


class MutationRow(msgspec.Struct, frozen=True):
    client_seq: int
    id: str
    status: str
    reason: str | None
    hash: str | None  # None for mutations stored before hashes were kept

    def matches(self, mutation_id: str, content_hash: str) -> bool:
        """True when a resent mutation is this one: same id, and the same content when known."""
        return self.id == mutation_id and (self.hash is None or self.hash == content_hash)


class ChangeRow(msgspec.Struct, frozen=True):
    seq: int
    kind: str
    data: str


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


def get_mutations(db: sqlite_utils.Database, device_id: str, seqs: Sequence[int]) -> dict[int, MutationRow]:
    if not seqs:
        return {}
    rows = db.execute(
        "SELECT client_seq, id, status, reason, hash FROM mutations WHERE device_id = ? AND client_seq BETWEEN ? AND ?",
        [device_id, min(seqs), max(seqs)],
    ).fetchall()
    return {r[0]: MutationRow(*r) for r in rows}


def mutation_ids_taken(db: sqlite_utils.Database, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in db.execute(f"SELECT id FROM mutations WHERE id IN ({marks})", chunk))
    return found


def insert_mutations(db: sqlite_utils.Database, device_id: str, rows: Iterable[tuple[int, str, str, str, str | None, str]]) -> None:
    """Rows of (client_seq, id, kind, status, reason, hash)."""
    db.conn.executemany(
        "INSERT INTO mutations (device_id, client_seq, id, kind, status, reason, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(device_id, *row) for row in rows],
    )


def answer_owners(db: sqlite_utils.Database, ids: Sequence[str]) -> dict[str, str]:
    """Which of these answer ids exist already, and whose they are."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(db.execute(f"SELECT id, user_id FROM answers WHERE id IN ({marks})", chunk).fetchall())
    return found


ANSWER_COLUMNS = (
    "id", "user_id", "device_id", "mutation_id", "question_id", "content_version", "rev", "choice", "correct",
    "device_correct", "answered_at", "device_time", "local_day", "duration_ms", "received_at",
)  # fmt: skip


def insert_answers(db: sqlite_utils.Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows in ANSWER_COLUMNS order. Callers have checked the ids are new."""
    marks = ",".join("?" * len(ANSWER_COLUMNS))
    db.conn.executemany(f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES ({marks})", rows)


def answers_for(db: sqlite_utils.Database, user_id: str, question_ids: Sequence[str]) -> dict[str, list[RecordedAnswer]]:
    """Every answer of a learner to these questions, for replay."""
    found: dict[str, list[RecordedAnswer]] = {qid: [] for qid in question_ids}
    for start in range(0, len(question_ids), 500):
        chunk = list(question_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for qid, aid, day, at, correct, rev in db.execute(
            f"SELECT question_id, id, local_day, answered_at, correct, rev FROM answers"
            f" WHERE user_id = ? AND question_id IN ({marks})",
            [user_id, *chunk],
        ):
            found[qid].append(RecordedAnswer(id=aid, day=day, answered_at=at, correct=bool(correct), rev=rev))
    return found


def add_changes(db: sqlite_utils.Database, user_id: str, changes: Sequence[tuple[str, str, dict[str, Any]]]) -> int:
    """Append (kind, entity id, data) changes to a user's feed; return the last seq written."""
    db.conn.executemany(
        "INSERT INTO changes (user_id, kind, entity_id, data) VALUES (?, ?, ?, ?)",
        [(user_id, kind, entity, _encode(data).decode()) for kind, entity, data in changes],
    )
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    return int(row[0]) if row else 0


def upsert_progress(db: sqlite_utils.Database, user_id: str, rows: Sequence[tuple[str, dict[str, Any], int]]) -> None:
    """Rows of (question id, state, seq of the change that carries it)."""
    db.conn.executemany(
        "INSERT INTO progress (user_id, question_id, state, seq) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id, question_id) DO UPDATE SET state = excluded.state, seq = excluded.seq",
        [(user_id, qid, _encode(state).decode(), seq) for qid, state, seq in rows],
    )


def progress_of(db: sqlite_utils.Database, user_id: str) -> dict[str, dict[str, Any]]:
    return {qid: json.loads(state) for qid, state in db.execute("SELECT question_id, state FROM progress WHERE user_id = ?", [user_id])}


def bump_digest(db: sqlite_utils.Database, user_id: str, count: int, xor: int) -> None:
    row = db.execute("SELECT answers, hash FROM user_digests WHERE user_id = ?", [user_id]).fetchone()
    if row is None:
        db.execute("INSERT INTO user_digests (user_id, answers, hash) VALUES (?, ?, ?)", [user_id, count, xor])
    else:
        db.execute("UPDATE user_digests SET answers = ?, hash = ? WHERE user_id = ?", [row[0] + count, row[1] ^ xor, user_id])


def get_digest(db: sqlite_utils.Database, user_id: str) -> tuple[int, int]:
    row = db.execute("SELECT answers, hash FROM user_digests WHERE user_id = ?", [user_id]).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def changes_after(db: sqlite_utils.Database, user_id: str, cursor: int, limit: int) -> list[ChangeRow]:
    rows = db.execute(
        "SELECT seq, kind, data FROM changes WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?", [user_id, cursor, limit]
    ).fetchall()
    return [ChangeRow(*r) for r in rows]


def change_floor(db: sqlite_utils.Database, user_id: str) -> int:
    row = db.execute("SELECT floor FROM change_floors WHERE user_id = ?", [user_id]).fetchone()
    return int(row[0]) if row else 0


def prune_changes(db: sqlite_utils.Database, user_id: str, through_seq: int) -> int:
    """Drop a user's superseded progress changes up to `through_seq`; return how many.

    Answer changes are never dropped: the feed is how every device gets every answer, and a
    device pulling from 0 must be able to rebuild the full set (its digest depends on it).
    A device whose cursor is below the new floor is told to reset and pull from 0.
    """
    deleted = db.execute(
        """
        DELETE FROM changes WHERE user_id = ? AND seq <= ? AND kind = 'progress'
          AND seq < (SELECT p.seq FROM progress AS p WHERE p.user_id = changes.user_id AND p.question_id = changes.entity_id)
        """,
        [user_id, through_seq],
    ).rowcount
    db.execute(
        "INSERT INTO change_floors (user_id, floor) VALUES (?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET floor = max(floor, excluded.floor)",
        [user_id, through_seq],
    )
    return int(deleted)


def add_metric(db: sqlite_utils.Database, name: str, amount: int) -> None:
    if amount:
        db.execute(
            "INSERT INTO metrics (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            [name, amount],
        )


def metrics(db: sqlite_utils.Database) -> dict[str, int]:
    return {name: int(value) for name, value in db.execute("SELECT name, value FROM metrics")}


def newest_change_seq(db: sqlite_utils.Database) -> int:
    """The highest seq ever given to a change (even if since pruned)."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    return int(row[0]) if row else 0

"""SQL for answers and the progress replayed from them. Pulls read both by seq, from here.

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlite_utils

from sync.progress import RecordedAnswer

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode

ANSWER_COLUMNS = (
    "id", "user_id", "device_id", "mutation_id", "question_id", "content_version", "rev", "choice", "correct",
    "device_correct", "answered_at", "device_time", "local_day", "duration_ms", "received_at", "seq",
)  # fmt: skip
_INSERT = f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES ({','.join('?' * len(ANSWER_COLUMNS))})"


class StoredProgress(msgspec.Struct, frozen=True):
    state: dict[str, Any]
    basis: dict[str, Any] | None


def _chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def owners(db: sqlite_utils.Database, ids: Sequence[str]) -> dict[str, str]:
    """Which of these answer ids exist already, and whose they are."""
    found: dict[str, str] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        found.update(db.execute(f"SELECT id, user_id FROM answers WHERE id IN ({marks})", list(chunk)).fetchall())
    return found


def insert(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    """Rows in ANSWER_COLUMNS order. Callers have checked the ids are new."""
    db.conn.executemany(_INSERT, rows)


def for_replay(db: sqlite_utils.Database, user_id: str, question_ids: Sequence[str]) -> dict[str, list[RecordedAnswer]]:
    """Every answer of a learner to these questions, for a full replay."""
    found: dict[str, list[RecordedAnswer]] = {qid: [] for qid in question_ids}
    for chunk in _chunks(list(question_ids)):
        marks = ",".join("?" * len(chunk))
        for qid, aid, day, at, correct, rev in db.execute(
            f"SELECT question_id, id, local_day, answered_at, correct, rev FROM answers"
            f" WHERE user_id = ? AND question_id IN ({marks})",
            [user_id, *chunk],
        ):
            found[qid].append(RecordedAnswer(id=aid, day=day, answered_at=at, correct=bool(correct), rev=rev))
    return found


@dataclass(frozen=True, kw_only=True)
class HistoryAnswer(RecordedAnswer):
    """A stored answer with the content version it was given at (what the dashboards' aggregates need)."""

    version: int


class History:
    """A learner's answers to the questions a push touched, read once per push and shared by the
    progress replay and the dashboards' aggregates (server/syncing/kinds/answers.py). Reads, on
    first use, only the questions not read yet; call it after the push's answers are inserted."""

    def __init__(self, db: sqlite_utils.Database, user_id: str) -> None:
        self.db = db
        self.user_id = user_id
        self.held: dict[str, list[HistoryAnswer]] = {}

    def get(self, question_ids: Sequence[str]) -> dict[str, list[HistoryAnswer]]:
        missing = sorted({q for q in question_ids if q not in self.held})
        for chunk in _chunks(missing):
            for qid in chunk:
                self.held[qid] = []
            marks = ",".join("?" * len(chunk))
            for qid, aid, day, at, correct, rev, version in self.db.execute(
                f"SELECT question_id, id, local_day, answered_at, correct, rev, content_version FROM answers"
                f" WHERE user_id = ? AND question_id IN ({marks})",
                [self.user_id, *chunk],
            ):
                self.held[qid].append(
                    HistoryAnswer(id=aid, day=day, answered_at=at, correct=bool(correct), rev=rev, version=version)
                )
        return {q: self.held[q] for q in question_ids}


def after(db: sqlite_utils.Database, user_id: str, cursor: int, limit: int) -> list[tuple[Any, ...]]:
    """(seq, id, question_id, content_version, rev, choice, correct, answered_at, local_day,
    duration_ms, device_id) of a learner's answers after `cursor`, in seq order."""
    return db.execute(
        "SELECT seq, id, question_id, content_version, rev, choice, correct, answered_at, local_day, duration_ms, device_id"
        " FROM answers WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        [user_id, cursor, limit],
    ).fetchall()


# ---- progress ----------------------------------------------------------------------------------


def progress_for(db: sqlite_utils.Database, user_id: str, question_ids: Sequence[str]) -> dict[str, StoredProgress]:
    found: dict[str, StoredProgress] = {}
    for chunk in _chunks(list(question_ids)):
        marks = ",".join("?" * len(chunk))
        for qid, state, basis in db.execute(
            f"SELECT question_id, state, basis FROM progress WHERE user_id = ? AND question_id IN ({marks})",
            [user_id, *chunk],
        ):
            found[qid] = StoredProgress(_decode(state), _decode(basis) if basis else None)
    return found


def upsert_progress(
    db: sqlite_utils.Database, user_id: str, rows: Sequence[tuple[str, dict[str, Any], dict[str, Any], int]]
) -> None:
    """Rows of (question id, state, basis, seq)."""
    db.conn.executemany(
        "INSERT INTO progress (user_id, question_id, state, basis, seq) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, question_id) DO UPDATE SET state = excluded.state, basis = excluded.basis, seq = excluded.seq",
        [(user_id, qid, _encode(state).decode(), _encode(basis).decode(), seq) for qid, state, basis, seq in rows],
    )


def progress_of(db: sqlite_utils.Database, user_id: str) -> dict[str, dict[str, Any]]:
    return {
        qid: json.loads(state)
        for qid, state in db.execute("SELECT question_id, state FROM progress WHERE user_id = ?", [user_id])
    }


def progress_after(db: sqlite_utils.Database, user_id: str, cursor: int, limit: int) -> list[tuple[int, str]]:
    """(seq, state JSON) of a learner's progress rows changed after `cursor`, in seq order."""
    return db.execute(
        "SELECT seq, state FROM progress WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?", [user_id, cursor, limit]
    ).fetchall()


def days_answered(
    db: sqlite_utils.Database, user_id: str, question_ids: Sequence[str]
) -> dict[str, list[tuple[int, bool]]]:
    """Per question, the (local day, right) of each of the user's answers, oldest first."""
    out: dict[str, list[tuple[int, bool]]] = {}
    for chunk in _chunks(sorted(set(question_ids))):
        marks = ",".join("?" * len(chunk))
        for qid, day, correct in db.execute(
            f"SELECT question_id, local_day, correct FROM answers WHERE user_id = ? AND question_id IN ({marks}) ORDER BY local_day, answered_at, id",
            [user_id, *chunk],
        ):
            out.setdefault(str(qid), []).append((int(day), bool(correct)))
    return out

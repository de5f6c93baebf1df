"""SQL for observations (sync/kinds/observation.py, sync/edits.py); their revisions: server/storage/revisions.py.

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlite_utils

_encode = msgspec.json.Encoder().encode


class StoredObservation(msgspec.Struct, frozen=True):
    id: str
    author_id: str
    rep_id: str
    rev: int
    shared: bool
    state: dict[str, Any]  # sync/edits.py Record, as JSON (see server/syncing/kinds/observations.py)
    created_at: str
    updated_at: str


_COLUMNS = "id, author_id, rep_id, rev, shared, state, created_at, updated_at"


def _row(r: Sequence[Any]) -> StoredObservation:
    return StoredObservation(r[0], r[1], r[2], r[3], bool(r[4]), json.loads(r[5]), r[6], r[7])


def by_ids(db: sqlite_utils.Database, ids: Sequence[str]) -> dict[str, StoredObservation]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: _row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM observations WHERE id IN ({marks})", list(ids))}


def save(db: sqlite_utils.Database, o: StoredObservation, seq: int) -> None:
    db.execute(
        f"INSERT INTO observations ({_COLUMNS}, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, shared = excluded.shared, state = excluded.state,"
        " updated_at = excluded.updated_at, seq = excluded.seq",
        [o.id, o.author_id, o.rep_id, o.rev, int(o.shared), _encode(o.state).decode(), o.created_at, o.updated_at, seq],
    )


def coached_reps(db: sqlite_utils.Database, user_id: str) -> frozenset[str]:
    """The reps of every team this user coaches (a manager reads their teams' observations and
    pitches, but does not write or review them: docs/security.md "Coaching", "Pitches")."""
    rows = db.execute(
        "SELECT DISTINCT r.user_id FROM team_members AS c JOIN team_members AS r ON r.team_id = c.team_id"
        " WHERE c.user_id = ? AND c.role = 'coach' AND r.role = 'rep'",
        [user_id],
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)


def about(db: sqlite_utils.Database, rep_id: str, shared_only: bool = False) -> list[StoredObservation]:
    """The observations of one rep (only those shared with them, if asked), oldest first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM observations WHERE rep_id = ? AND (shared OR NOT ?) ORDER BY created_at, id", [rep_id, int(shared_only)]
    )
    return [_row(r) for r in rows]


def of_team(db: sqlite_utils.Database, team_id: str) -> list[StoredObservation]:
    """The observations of the team's reps, oldest first."""
    rows = db.execute(
        f"SELECT {', '.join('o.' + c for c in _COLUMNS.split(', '))} FROM observations AS o"
        " JOIN team_members AS m ON m.user_id = o.rep_id AND m.team_id = ? AND m.role = 'rep' ORDER BY o.created_at, o.id",
        [team_id],
    )
    return [_row(r) for r in rows]

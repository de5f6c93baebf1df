"""SQL for intervision sessions (sync/kinds/session.py, sync/edits.py); their revisions: server/storage/revisions.py.

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlite_utils

_encode = msgspec.json.Encoder().encode


class StoredSession(msgspec.Struct, frozen=True):
    id: str
    moderator_id: str
    team_id: str
    case_owner_id: str
    rev: int
    state: dict[str, Any]  # sync/edits.py Record, as JSON (server/syncing/kinds/edited.py state_of)
    created_at: str
    updated_at: str


_COLUMNS = "id, moderator_id, team_id, case_owner_id, rev, state, created_at, updated_at"


def _row(r: Sequence[Any]) -> StoredSession:
    return StoredSession(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])


def by_ids(db: sqlite_utils.Database, ids: Sequence[str]) -> dict[str, StoredSession]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: _row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM intervision_sessions WHERE id IN ({marks})", list(ids))}


def of_team(db: sqlite_utils.Database, team_id: str) -> list[StoredSession]:
    return [_row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM intervision_sessions WHERE team_id = ? ORDER BY created_at, id", [team_id])]


def save(db: sqlite_utils.Database, s: StoredSession, seq: int) -> None:
    db.execute(
        f"INSERT INTO intervision_sessions ({_COLUMNS}, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, state = excluded.state, updated_at = excluded.updated_at,"
        " seq = excluded.seq",
        [s.id, s.moderator_id, s.team_id, s.case_owner_id, s.rev, _encode(s.state).decode(), s.created_at, s.updated_at, seq],
    )


def coached_teams(db: sqlite_utils.Database, user_id: str) -> frozenset[str]:
    """The teams this user coaches."""
    rows = db.execute("SELECT team_id FROM team_members WHERE user_id = ? AND role = 'coach'", [user_id]).fetchall()
    return frozenset(str(r[0]) for r in rows)


def members(db: sqlite_utils.Database, team_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """Each team's members (any role), by team id."""
    found: dict[str, set[str]] = {t: set() for t in team_ids}
    if team_ids:
        marks = ",".join("?" * len(team_ids))
        for team_id, user_id in db.execute(f"SELECT team_id, user_id FROM team_members WHERE team_id IN ({marks})", list(team_ids)):
            found[str(team_id)].add(str(user_id))
    return {t: frozenset(m) for t, m in found.items()}

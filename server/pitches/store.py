"""SQL for pitches (sync/kinds/pitch.py, sync/edits.py), and who receives them; their revisions: server/storage/revisions.py.

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlite_utils

from server.storage import sync as sync_store

_encode = msgspec.json.Encoder().encode
KIND = "pitch"


class StoredPitch(msgspec.Struct, frozen=True):
    id: str
    rep_id: str
    prompt_id: str
    video_sha256: str
    video_size: int
    video_type: str
    reviewed: bool
    exemplar: bool  # proposed by a coach AND consented to by the rep
    rev: int
    state: dict[str, Any]  # sync/edits.py Record, as JSON (server/syncing/kinds/edited.py)
    created_at: str
    updated_at: str

    def values(self) -> dict[str, Any]:
        return {name: v.get("value") for name, v in self.state.get("fields", {}).items()}

    def stamp_at(self, name: str) -> str | None:
        """The effective time of the edit that last set a field, or None."""
        found = self.state.get("fields", {}).get(name)
        return str(found["at"]) if found else None


_COLUMNS = "id, rep_id, prompt_id, video_sha256, video_size, video_type, reviewed, exemplar, rev, state, created_at, updated_at"


def _row(r: Sequence[Any]) -> StoredPitch:
    return StoredPitch(r[0], r[1], r[2], r[3], int(r[4]), r[5], bool(r[6]), bool(r[7]), int(r[8]), json.loads(r[9]), r[10], r[11])


def by_ids(db: sqlite_utils.Database, ids: Sequence[str]) -> dict[str, StoredPitch]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: _row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM pitches WHERE id IN ({marks})", list(ids))}


def save(db: sqlite_utils.Database, p: StoredPitch, seq: int) -> None:
    db.execute(
        f"INSERT INTO pitches ({_COLUMNS}, seq) VALUES ({', '.join('?' * 13)})"
        " ON CONFLICT (id) DO UPDATE SET reviewed = excluded.reviewed, exemplar = excluded.exemplar, rev = excluded.rev,"
        " state = excluded.state, updated_at = excluded.updated_at, seq = excluded.seq",
        [p.id, p.rep_id, p.prompt_id, p.video_sha256, p.video_size, p.video_type, int(p.reviewed), int(p.exemplar), p.rev,
         _encode(p.state).decode(), p.created_at, p.updated_at, seq],
    )  # fmt: skip


def of_rep(db: sqlite_utils.Database, rep_id: str) -> list[StoredPitch]:
    """A rep's pitches, oldest first."""
    return [_row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM pitches WHERE rep_id = ? ORDER BY created_at, id", [rep_id])]


def with_video(db: sqlite_utils.Database, sha256: str) -> list[StoredPitch]:
    return [_row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM pitches WHERE video_sha256 = ? ORDER BY id", [sha256])]


def audience(db: sqlite_utils.Database, rep_ids: Sequence[str]) -> dict[str, list[str]]:
    """Who receives each rep's pitches: the rep and every coach and manager of their teams."""
    found: dict[str, set[str]] = {r: {r} for r in rep_ids}
    if rep_ids:
        marks = ",".join("?" * len(rep_ids))
        rows = db.execute(
            "SELECT r.user_id, c.user_id FROM team_members AS r JOIN team_members AS c ON c.team_id = r.team_id"
            f" WHERE r.user_id IN ({marks}) AND c.role IN ('coach', 'manager')",
            list(rep_ids),
        )
        for rep_id, reader in rows:
            found[str(rep_id)].add(str(reader))
    return {r: sorted(people) for r, people in found.items()}


def exemplars_for(db: sqlite_utils.Database, user_id: str) -> list[tuple[StoredPitch, str]]:
    """The good examples (proposed and consented) whose rep shares a team with this person, with
    the rep's name; newest first, at most 100."""
    rows = db.execute(
        f"SELECT DISTINCT {', '.join('p.' + c for c in _COLUMNS.split(', '))}, u.name FROM pitches AS p"
        " JOIN team_members AS r ON r.user_id = p.rep_id"
        " JOIN team_members AS me ON me.team_id = r.team_id AND me.user_id = ?"
        " JOIN users AS u ON u.id = p.rep_id"
        " WHERE p.exemplar = 1 ORDER BY p.created_at DESC, p.id LIMIT 100",
        [user_id],
    ).fetchall()
    return [(_row(r[:12]), str(r[12] or "")) for r in rows]


def video_arrived(db: sqlite_utils.Database, sha256: str) -> None:
    """A pitch's video is now on the server: every pitch naming it reaches its audience again
    under a new seq, so devices learn `video_uploaded` (called by server/uploads/ in the write
    transaction that records the finished file)."""
    pitches = with_video(db, sha256)
    if not pitches:
        return
    first = sync_store.reserve_seqs(db, len(pitches))
    readers = audience(db, sorted({p.rep_id for p in pitches}))
    feed: list[tuple[str, str, str, int]] = []
    for seq, pitch in enumerate(pitches, start=first):
        db.execute("UPDATE pitches SET seq = ? WHERE id = ?", [seq, pitch.id])
        feed.extend((user_id, KIND, pitch.id, seq) for user_id in readers[pitch.rep_id])
    sync_store.feed(db, feed)


def videos_held(db: sqlite_utils.Database, shas: Sequence[str]) -> set[str]:
    """Which of these videos the server holds (the `videos` table of server/uploads/, m018)."""
    if not shas:
        return set()
    marks = ",".join("?" * len(shas))
    return {str(r[0]) for r in db.execute(f"SELECT sha256 FROM videos WHERE sha256 IN ({marks})", list(shas))}

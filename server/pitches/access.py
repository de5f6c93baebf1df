"""Who may watch a pitch's video (docs/security.md "Pitches"): whoever receives a pitch that
names it — its rep, the coaches and managers of the rep's teams — and, for a good example
(proposed and consented), everybody in a team with its rep. The uploader may always fetch what
they sent. Consent withdrawn: the team loses access at once, not at the next sync."""

from __future__ import annotations

import sqlite_utils

from server.pitches import store


def may_watch(db: sqlite_utils.Database, user_id: str, sha256: str) -> bool:
    if db.execute("SELECT 1 FROM videos WHERE sha256 = ? AND uploaded_by = ?", [sha256, user_id]).fetchone():
        return True
    for pitch in store.with_video(db, sha256):
        if pitch.rep_id == user_id:
            return True
        if user_id in store.audience(db, [pitch.rep_id])[pitch.rep_id]:
            return True
        if pitch.exemplar and db.execute(
            "SELECT 1 FROM team_members AS r JOIN team_members AS me ON me.team_id = r.team_id WHERE r.user_id = ? AND me.user_id = ?",
            [pitch.rep_id, user_id],
        ).fetchone():
            return True
    return False

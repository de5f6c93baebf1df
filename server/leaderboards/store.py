"""SQL for leaderboards: the organisation's reps, their teams and their scores in a window.

Scores come from the retention aggregates (`retention_days`, m012), read through their covering
index by day, so a leaderboard never scans answers.
"""

from __future__ import annotations

import sqlite_utils

from sync.leaderboard import Rep, Team


def reps(db: sqlite_utils.Database, first_day: int, last_day: int) -> list[Rep]:
    """Every enabled person who is a rep in some team, with their score in the window (0 if none)."""
    rows = db.execute(
        """
        WITH scores AS (
            SELECT user_id, SUM(n_right) AS score FROM retention_days
            WHERE local_day BETWEEN ? AND ? GROUP BY user_id
        )
        SELECT u.id, u.name, COALESCE(s.score, 0) FROM users u
        LEFT JOIN scores s ON s.user_id = u.id
        WHERE u.disabled = 0 AND EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.role = 'rep')
        """,
        [first_day, last_day],
    ).fetchall()
    return [Rep(user_id=uid, name=name, score=max(0, int(score))) for uid, name, score in rows]


def teams(db: sqlite_utils.Database) -> list[Team]:
    """Every team with its enabled reps."""
    found: dict[str, tuple[str, list[str]]] = {tid: (name, []) for tid, name in db.execute("SELECT id, name FROM teams")}
    for tid, uid in db.execute(
        "SELECT m.team_id, m.user_id FROM team_members m JOIN users u ON u.id = m.user_id"
        " WHERE m.role = 'rep' AND u.disabled = 0"
    ):
        found[tid][1].append(uid)
    return [Team(team_id=tid, name=name, rep_ids=tuple(ids)) for tid, (name, ids) in found.items()]

"""SQL for enrollments: the day each learner started each campaign (sync/enrollment.py).

Every write here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from sync.enrollment import Enrollment


def enrolled_campaigns(db: sqlite_utils.Database, user_id: str) -> set[str]:
    return {str(r[0]) for r in db.execute("SELECT campaign_id FROM enrollments WHERE user_id = ?", [user_id])}


def add(db: sqlite_utils.Database, user_id: str, rows: Sequence[Enrollment], now: str) -> None:
    """Record enrollments; one that exists already (a concurrent pull) is kept as it was."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO enrollments (user_id, campaign_id, enrolled_day, start_day, enrolled_at) VALUES (?, ?, ?, ?, ?)",
        [(user_id, e.campaign_id, e.enrolled_day, e.start_day, now) for e in rows],
    )


def of(db: sqlite_utils.Database, user_id: str) -> list[Enrollment]:
    return [
        Enrollment(campaign_id=r[0], enrolled_day=r[1], start_day=r[2])
        for r in db.execute(
            "SELECT campaign_id, enrolled_day, start_day FROM enrollments WHERE user_id = ? ORDER BY campaign_id", [user_id]
        )
    ]

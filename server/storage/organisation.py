"""SQL for organisation-wide settings: one row in `organisation` (m009).

Every write here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import sqlite_utils


def daily_limit(db: sqlite_utils.Database) -> int:
    """The total number of questions a day a learner gets across campaigns, unless they have their own."""
    return int(db.execute("SELECT daily_limit FROM organisation WHERE id = 1").fetchone()[0])


def set_daily_limit(db: sqlite_utils.Database, limit: int, now: str) -> None:
    db.execute("UPDATE organisation SET daily_limit = ?, updated_at = ? WHERE id = 1", [limit, now])


def leaderboards(db: sqlite_utils.Database) -> bool:
    """Whether reps see leaderboards in the app (m016; off unless an admin turned them on)."""
    return bool(db.execute("SELECT leaderboards FROM organisation WHERE id = 1").fetchone()[0])


def set_leaderboards(db: sqlite_utils.Database, on: bool, now: str) -> None:
    db.execute("UPDATE organisation SET leaderboards = ?, updated_at = ? WHERE id = 1", [int(on), now])

"""SQL for results (m014) and for the answers the results page sets beside them.

Every write here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlite_utils

Key = tuple[str, str, str]  # (user_id, period, metric)


def values_of(db: sqlite_utils.Database, user_ids: Sequence[str]) -> dict[Key, float]:
    """The stored value of every result of these people."""
    found: dict[Key, float] = {}
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for user_id, period, metric, value in db.execute(
            f"SELECT user_id, period, metric, value FROM results WHERE user_id IN ({marks})", chunk
        ):
            found[(str(user_id), str(period), str(metric))] = float(value)
    return found


def upsert(db: sqlite_utils.Database, values: Iterable[tuple[Key, float]], stamp: str) -> None:
    db.conn.executemany(
        "INSERT INTO results (user_id, period, metric, value, imported_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, period, metric) DO UPDATE SET value = excluded.value, imported_at = excluded.imported_at",
        [(user_id, period, metric, value, stamp) for (user_id, period, metric), value in values],
    )


def periods(db: sqlite_utils.Database) -> list[str]:
    return [str(row[0]) for row in db.execute("SELECT DISTINCT period FROM results")]


def of_period(db: sqlite_utils.Database, period: str) -> dict[str, dict[str, float]]:
    """user_id -> metric -> value for one period."""
    found: dict[str, dict[str, float]] = {}
    for user_id, metric, value in db.execute("SELECT user_id, metric, value FROM results WHERE period = ?", [period]):
        found.setdefault(str(user_id), {})[str(metric)] = float(value)
    return found


def campaigns(db: sqlite_utils.Database) -> list[str]:
    """Campaigns anyone has been enrolled in."""
    return [str(r[0]) for r in db.execute("SELECT DISTINCT campaign_id FROM enrollments ORDER BY 1")]


def team_starts(db: sqlite_utils.Database, team_ids: Sequence[str], campaign_id: str) -> dict[str, int | None]:
    """Per team, the first local day any of its reps started the campaign (None: none has)."""
    found: dict[str, int | None] = dict.fromkeys(team_ids)
    marks = ",".join("?" * len(team_ids))
    if not team_ids:
        return found
    for team_id, start in db.execute(
        f"SELECT m.team_id, MIN(e.start_day) FROM team_members AS m"
        f" LEFT JOIN enrollments AS e ON e.user_id = m.user_id AND e.campaign_id = ?"
        f" WHERE m.role = 'rep' AND m.team_id IN ({marks}) GROUP BY m.team_id",
        [campaign_id, *team_ids],
    ):
        found[str(team_id)] = None if start is None else int(start)
    return found

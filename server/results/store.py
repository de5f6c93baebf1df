"""SQL for results (m014) and for the answers the results page sets beside them.

Every write here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

import json
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


def question_options(db: sqlite_utils.Database) -> dict[str, int]:
    """question id -> its number of options, as last published."""
    found: dict[str, int] = {}
    for item_id, data in db.execute(
        "SELECT item_id, data FROM item_versions AS iv WHERE kind = 'question' AND data IS NOT NULL"
        " AND rev = (SELECT max(rev) FROM item_versions WHERE kind = iv.kind AND item_id = iv.item_id)"
    ):
        try:
            options = json.loads(data).get("options") or []
        except (TypeError, ValueError, AttributeError):
            continue
        found[str(item_id)] = len(options)
    return found


def answers_of(db: sqlite_utils.Database, user_ids: Sequence[str], until: str) -> list[tuple[str, str, int, str, str, bool]]:
    """(user_id, question_id, local_day, answered_at, id, correct) of these people's answers up to
    `until` (an answered-at prefix bound, exclusive), in replay order per person and question."""
    found: list[tuple[str, str, int, str, str, bool]] = []
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        found.extend(
            (str(u), str(q), int(d), str(at), str(i), bool(c))
            for u, q, d, at, i, c in db.execute(
                f"SELECT user_id, question_id, local_day, answered_at, id, correct FROM answers"
                f" WHERE user_id IN ({marks}) AND answered_at < ? ORDER BY user_id, question_id, local_day, answered_at, id",
                [*chunk, until],
            )
        )
    return found

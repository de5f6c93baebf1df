"""A rep's proficiency in a result period, for setting beside their results.

It is the **retention** of docs/measures.md (`sync/measures.py retention`: the guess-corrected
share right of first-of-day repeat answers, with its 95 % Wilson interval and n, greyed below
MIN_ANSWERS) over the counted answers whose local day falls in the period, read from the
`retention_days` aggregates that every push keeps up to date. Pure apart from `of_reps`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

import sqlite_utils

from sync.measures import MIN_ANSWERS, Retention, retention

__all__ = ["MIN_ANSWERS", "Retention", "day_number", "of_reps", "pooled"]

EPOCH = datetime.date(1970, 1, 1)  # local day numbers count days from here (docs/scheduler.md §1)


def day_number(day: datetime.date) -> int:
    return (day - EPOCH).days


def pooled(parts: Iterable[tuple[int, int, int]]) -> Retention:
    """Retention of several reps' counted answers together: (n, right, guess ppm) summed."""
    items = list(parts)
    return retention(sum(p[0] for p in items), sum(p[1] for p in items), sum(p[2] for p in items))


def of_reps(
    db: sqlite_utils.Database, rep_ids: Sequence[str], first: datetime.date, last: datetime.date
) -> dict[str, tuple[int, int, int]]:
    """(n, right, guess ppm) of each rep's counted answers from `first` to `last` (local days)."""
    found: dict[str, tuple[int, int, int]] = {}
    for start in range(0, len(rep_ids), 500):
        chunk = list(rep_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for user_id, n, right, guess in db.execute(
            f"SELECT user_id, SUM(n), SUM(n_right), SUM(guess_ppm) FROM retention_days"
            f" WHERE user_id IN ({marks}) AND local_day BETWEEN ? AND ? GROUP BY user_id",
            [*chunk, day_number(first), day_number(last)],
        ):
            found[str(user_id)] = (int(n), int(right), int(guess))
    return found

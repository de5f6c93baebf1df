"""The leaderboard a rep's pull carries (docs/sync.md "Leaderboard"): loaded, ranked by the pure
rules (sync/leaderboard.py), cut to what this person may see."""

from __future__ import annotations

import threading
import time

import sqlite_utils

from server.leaderboards import store
from server.storage import organisation as organisation_store
from sync import leaderboard as rules
from sync import practice
from sync.protocol import Leaderboard, LeaderboardPosition, LeaderboardRow, LeaderboardTeam


def today_for(local_day: int | None, server_day: int) -> int:
    """The last day of the window: the device's local day (as the plan uses it), else the server's.
    Whatever day a device names, it is shown no more than the top 10 and its own place."""
    return local_day if local_day is not None else server_day


# The organisation's whole ranking is the same for every rep: it is computed at most once every
# MAX_AGE_SECONDS per database file and window, and each pull cuts its own view from it
# (bench/leaderboard.py: ~75 ms to rank 3,000 reps, ~0 ms to reuse).
MAX_AGE_SECONDS = 30.0
MAX_KEPT = 8  # rankings kept at once: a device naming many local days cannot grow memory
_boards: dict[tuple[str, int], tuple[float, rules.Board]] = {}
_lock = threading.Lock()


def _whole(db: sqlite_utils.Database, today: int) -> rules.Board:
    key = (str(db.execute("PRAGMA database_list").fetchone()[2]), today)
    now = time.monotonic()
    with _lock:
        kept = _boards.get(key)
    if kept is not None and now - kept[0] < MAX_AGE_SECONDS:
        return kept[1]
    first, last = rules.window(today)
    whole = rules.board(store.reps(db, first, last), store.teams(db))
    with _lock:
        for old in [k for k, (at, _) in _boards.items() if now - at >= MAX_AGE_SECONDS]:
            del _boards[old]
        while len(_boards) >= MAX_KEPT:
            del _boards[min(_boards, key=lambda k: _boards[k][0])]
        _boards[key] = (now, whole)
    return whole


def forget_kept() -> None:
    """Drop every kept ranking (tests and benchmarks that change the data between pulls)."""
    with _lock:
        _boards.clear()


def for_person(db: sqlite_utils.Database, user_id: str, today: int) -> Leaderboard | None:
    """What `user_id` is shown, or None when the organisation has leaderboards off. Runs inside
    the caller's read transaction; the ranking may be up to MAX_AGE_SECONDS old."""
    if not organisation_store.leaderboards(db):
        return None
    last = rules.window(today)[1]
    seen = rules.view_for(_whole(db, today), user_id)
    return Leaderboard(
        as_of=practice.date_of(last),
        window_days=rules.WINDOW_DAYS,
        top=[LeaderboardRow(rank=r.rank, name=r.name, score=r.score) for r in seen.top],
        me=LeaderboardPosition(rank=seen.me.rank, of=seen.me.of, score=seen.me.score) if seen.me else None,
        teams=[
            LeaderboardTeam(rank=t.rank, team_id=t.team_id, name=t.name, average=rules.average_shown(t.average), reps=t.reps)
            for t in seen.teams
        ],
    )

"""The leaderboard a rep's pull carries (docs/sync.md "Leaderboard"): loaded, ranked by the pure
rules (sync/leaderboard.py), cut to what this person may see."""

from __future__ import annotations

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


def for_person(db: sqlite_utils.Database, user_id: str, today: int) -> Leaderboard | None:
    """What `user_id` is shown, or None when the organisation has leaderboards off. Runs inside
    the caller's read transaction."""
    if not organisation_store.leaderboards(db):
        return None
    first, last = rules.window(today)
    whole = rules.board(store.reps(db, first, last), store.teams(db))
    seen = rules.view_for(whole, user_id)
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

"""Adoption aggregates, kept up to date on every push (docs/measures.md "Adoption").

`adoption_days` holds, per (rep, local day): the answers given that day, the repeats that count
for timing (sync/adoption.py `on_time`) and how many of those were on time. The adoption page
sums it over a window instead of replaying every answer.

Timing depends on a question's whole history, replayed with its campaign's settings: those of
the newest content version any of the rep's answers to it was given at (and that version's
epoch), so the result is a function of the set of answers alone. `refresh` runs in the push's
write transaction after its answers are inserted: for each question the push touched it
applies the difference its new answers make to the rep's contributions (the history before
the first new answer is replayed once and shared; an in-order push replays no old answer
twice), so a late answer for an earlier day is placed by its day. `rebuild` recomputes
everything; a test checks both agree on random histories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlite_utils

from server.storage.answers import History, HistoryAnswer
from server.syncing.content_index import VersionIndex, version_index
from sync import adoption
from sync.progress import DEFAULT_SETTINGS
from sync.scheduler import Answer, Settings, State

Sums = Counter[tuple[int, str]]  # (day, "answers" | "repeats" | "on_time")


@dataclass(frozen=True, kw_only=True)
class Given(Answer):
    version: int
    rev: int


def _contributions(
    db: sqlite_utils.Database,
    question_id: str,
    answers: Sequence[Given | HistoryAnswer],
    into: Sums,
    sign: int,
    *,
    count_answers: bool = True,
) -> None:
    if count_answers:
        for a in answers:
            into[(a.day, "answers")] += sign
    if not answers:
        return
    index = version_index(db, max(a.version for a in answers))
    if index is None or question_id not in index.epochs:
        return  # not in that version's content: no schedule to be on time for
    epoch = index.epochs[question_id]
    counted = [a for a in answers if a.rev >= epoch]
    settings = index.settings.get(question_id, DEFAULT_SETTINGS)
    for day, timing in adoption.timing_by_day(counted, settings).items():
        into[(day, "repeats")] += sign * timing.counted
        into[(day, "on_time")] += sign * timing.on_time


def _apply(db: sqlite_utils.Database, user_id: str, sums: Sums) -> None:
    days = sorted({d for d, _ in sums if any(sums[(d, f)] for f in ("answers", "repeats", "on_time"))})
    if not days:
        return
    db.conn.executemany(
        "INSERT INTO adoption_days (user_id, local_day, answers, repeats, on_time) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, local_day) DO UPDATE SET answers = answers + excluded.answers,"
        " repeats = repeats + excluded.repeats, on_time = on_time + excluded.on_time",
        [(user_id, d, sums[(d, "answers")], sums[(d, "repeats")], sums[(d, "on_time")]) for d in days],
    )
    db.conn.executemany(
        "DELETE FROM adoption_days WHERE user_id = ? AND local_day = ? AND answers = 0", [(user_id, d) for d in days]
    )


@dataclass(frozen=True)
class Replayed:
    """A touched question's whole history replayed (with the new answers) by `refresh`, with the
    epoch and settings it was replayed under: the push's progress reuses it when they are the
    ones progress would use (server/syncing/kinds/answers.py)."""

    epoch: int
    settings: Settings
    state: State
    last: Answer | None


Schedule = tuple[int, Settings]  # (epoch, settings)


def refresh(
    db: sqlite_utils.Database, user_id: str, new_ids: Mapping[str, Iterable[str]], history: History | None = None
) -> dict[str, Replayed]:
    """Bring a rep's adoption aggregates up to date after inserting answers: `new_ids` maps each
    touched question to the ids of the answers just inserted. Runs in the caller's transaction.
    `history`: the push's loader of the touched questions' answers (one is made otherwise).

    Per question, when the old and the whole history are timed with the same schedule (the
    usual case), `sync.adoption.timing_change` gives the difference from one shared replay;
    otherwise (a new answer at a newer content version that changed it) both are replayed."""
    if not new_ids:
        return {}
    history = history or History(db, user_id)
    loaded = history.get(list(new_ids))
    indexes: dict[int, VersionIndex | None] = {}

    def schedule(question_id: str, version: int) -> Schedule | None:
        if version not in indexes:
            indexes[version] = version_index(db, version)
        index = indexes[version]
        if index is None or question_id not in index.epochs:
            return None  # not in that version's content: no schedule to be on time for
        return index.epochs[question_id], index.settings.get(question_id, DEFAULT_SETTINGS)

    sums: Sums = Counter()
    replays: dict[str, Replayed] = {}
    for qid, ids in new_ids.items():
        fresh = set(ids)
        answers = loaded.get(qid, [])
        old = [a for a in answers if a.id not in fresh]
        new = [a for a in answers if a.id in fresh]
        if not new:
            continue
        for a in new:
            sums[(a.day, "answers")] += 1
        before = schedule(qid, max(a.version for a in old)) if old else None
        after = schedule(qid, max(a.version for a in answers))
        if after is not None and (before == after or not old):
            epoch, settings = after
            change = adoption.timing_change(
                [a for a in old if a.rev >= epoch], [a for a in new if a.rev >= epoch], settings
            )
            for day, (counted, on) in change.by_day.items():
                sums[(day, "repeats")] += counted
                sums[(day, "on_time")] += on
            replays[qid] = Replayed(epoch, settings, change.state, change.last)
            continue
        _contributions(db, qid, old, sums, -1, count_answers=False)
        _contributions(db, qid, answers, sums, +1, count_answers=False)
    _apply(db, user_id, sums)
    return replays


Row = tuple[str, int, int, int, int]


def full(db: sqlite_utils.Database) -> list[Row]:
    """Every row adoption_days should hold, computed from all answers (sorted)."""
    by_user: dict[str, Sums] = {}
    held: dict[tuple[str, str], list[Given]] = {}
    for uid, qid, aid, day, at, correct, version, rev in db.execute(
        "SELECT user_id, question_id, id, local_day, answered_at, correct, content_version, rev FROM answers"
    ):
        held.setdefault((uid, qid), []).append(
            Given(id=aid, day=day, answered_at=at, correct=bool(correct), version=version, rev=rev)
        )
    for (uid, qid), answers in held.items():
        _contributions(db, qid, answers, by_user.setdefault(uid, Counter()), +1)
    rows: list[Row] = []
    for uid, sums in by_user.items():
        for day in {d for d, _ in sums}:
            if sums[(day, "answers")]:
                rows.append((uid, day, sums[(day, "answers")], sums[(day, "repeats")], sums[(day, "on_time")]))
    return sorted(rows)


def rebuild(db: sqlite_utils.Database) -> int:
    """Recompute adoption_days from every answer; returns the number of rows. Runs in the
    caller's transaction."""
    rows = full(db)
    db.execute("DELETE FROM adoption_days")
    db.conn.executemany(
        "INSERT INTO adoption_days (user_id, local_day, answers, repeats, on_time) VALUES (?, ?, ?, ?, ?)", rows
    )
    return len(rows)


def stored(db: sqlite_utils.Database) -> list[Row]:
    found = db.execute("SELECT user_id, local_day, answers, repeats, on_time FROM adoption_days")
    return sorted((str(u), int(d), int(a), int(r), int(o)) for u, d, a, r, o in found)

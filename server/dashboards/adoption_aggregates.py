"""Adoption aggregates, kept up to date on every push (docs/measures.md "Adoption").

`adoption_days` holds, per (rep, local day): the answers given that day, the repeats that count
for timing (sync/adoption.py `on_time`) and how many of those were on time. The adoption page
sums it over a window instead of replaying every answer.

Timing depends on a question's whole history, replayed with its campaign's settings: those of
the newest content version any of the rep's answers to it was given at (and that version's
epoch), so the result is a function of the set of answers alone. `refresh` runs in the push's
write transaction after its answers are inserted: for each question the push touched it
recomputes the rep's contributions with and without the new answers and applies the
difference, so a late answer for an earlier day is placed by its day. `rebuild` recomputes
everything; a test checks both agree on random histories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlite_utils

from server.syncing.content_index import version_index
from sync import adoption
from sync.progress import DEFAULT_SETTINGS
from sync.scheduler import Answer

Sums = Counter[tuple[int, str]]  # (day, "answers" | "repeats" | "on_time")


@dataclass(frozen=True, kw_only=True)
class Given(Answer):
    version: int
    rev: int


def _contributions(db: sqlite_utils.Database, question_id: str, answers: Sequence[Given], into: Sums, sign: int) -> None:
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


def _answers_of(db: sqlite_utils.Database, user_id: str, question_ids: Sequence[str]) -> dict[str, list[Given]]:
    found: dict[str, list[Given]] = {}
    ids = sorted(set(question_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for qid, aid, day, at, correct, version, rev in db.execute(
            f"SELECT question_id, id, local_day, answered_at, correct, content_version, rev FROM answers"
            f" WHERE user_id = ? AND question_id IN ({marks})",
            [user_id, *chunk],
        ):
            found.setdefault(qid, []).append(Given(id=aid, day=day, answered_at=at, correct=bool(correct), version=version, rev=rev))
    return found


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
    db.conn.executemany("DELETE FROM adoption_days WHERE user_id = ? AND local_day = ? AND answers = 0", [(user_id, d) for d in days])


def refresh(db: sqlite_utils.Database, user_id: str, new_ids: Mapping[str, Iterable[str]]) -> None:
    """Bring a rep's adoption aggregates up to date after inserting answers: `new_ids` maps each
    touched question to the ids of the answers just inserted. Runs in the caller's transaction."""
    if not new_ids:
        return
    sums: Sums = Counter()
    for qid, answers in _answers_of(db, user_id, list(new_ids)).items():
        fresh = set(new_ids[qid])
        _contributions(db, qid, [a for a in answers if a.id not in fresh], sums, -1)
        _contributions(db, qid, answers, sums, +1)
    _apply(db, user_id, sums)


Row = tuple[str, int, int, int, int]


def full(db: sqlite_utils.Database) -> list[Row]:
    """Every row adoption_days should hold, computed from all answers (sorted)."""
    by_user: dict[str, Sums] = {}
    held: dict[tuple[str, str], list[Given]] = {}
    for uid, qid, aid, day, at, correct, version, rev in db.execute(
        "SELECT user_id, question_id, id, local_day, answered_at, correct, content_version, rev FROM answers"
    ):
        held.setdefault((uid, qid), []).append(Given(id=aid, day=day, answered_at=at, correct=bool(correct), version=version, rev=rev))
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
    db.conn.executemany("INSERT INTO adoption_days (user_id, local_day, answers, repeats, on_time) VALUES (?, ?, ?, ?, ?)", rows)
    return len(rows)


def stored(db: sqlite_utils.Database) -> list[Row]:
    found = db.execute("SELECT user_id, local_day, answers, repeats, on_time FROM adoption_days")
    return sorted((str(u), int(d), int(a), int(r), int(o)) for u, d, a, r, o in found)

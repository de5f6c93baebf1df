"""Retention aggregates, kept up to date on every push (docs/dashboards.md "Aggregates").

`retention_days` holds, per (rep, competency, local day), the counted answers (sync/measures.py
`firsts_of_days`: first answer of a day to a question answered on an earlier day): how many, how
many right, and the sum of their guessing rates in parts per million. Pages sum it over a window
instead of scanning answers.

`refresh` runs in the push's own write transaction, after its answers are inserted: for each
question the push touched it applies the difference the new answers make to that rep's firsts
of days (on the days they fall on and the first day answered, the only ones that can change),
so an answer arriving late for an earlier day (which may become the first of its day, or make
a later day a repeat) is handled like any other.
`rebuild` recomputes everything from the answers; a test checks both agree on random histories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import sqlite_utils

from server.dashboards.facts import Facts
from server.storage.answers import History, HistoryAnswer
from sync.measures import DayAnswer, firsts_of_days

Key = tuple[str, int]  # (competency, local day)
Sums = Counter[tuple[str, int, str]]  # (competency, day, "n" | "right" | "guess")


def _contributions(answers: Iterable[DayAnswer], question_id: str, facts: Facts, into: Sums, sign: int) -> None:
    for first in firsts_of_days(answers):
        if not first.counted:
            continue
        fact = facts.get(first.answer.version, question_id)
        if fact is None:
            continue  # not in its version's content: nothing to say what it measures
        into[(fact.competency, first.day, "n")] += sign
        into[(fact.competency, first.day, "right")] += sign * first.answer.correct
        into[(fact.competency, first.day, "guess")] += sign * fact.guess_ppm


def _apply(db: sqlite_utils.Database, user_id: str, sums: Sums) -> None:
    keys = sorted({(c, d) for c, d, _ in sums if any(sums[(c, d, f)] for f in ("n", "right", "guess"))})
    if not keys:
        return
    db.conn.executemany(
        "INSERT INTO retention_days (user_id, competency_id, local_day, n, n_right, guess_ppm) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, competency_id, local_day) DO UPDATE SET"
        " n = n + excluded.n, n_right = n_right + excluded.n_right, guess_ppm = guess_ppm + excluded.guess_ppm",
        [(user_id, c, d, sums[(c, d, "n")], sums[(c, d, "right")], sums[(c, d, "guess")]) for c, d in keys],
    )
    db.conn.executemany(
        "DELETE FROM retention_days WHERE user_id = ? AND competency_id = ? AND local_day = ? AND n = 0",
        [(user_id, c, d) for c, d in keys],
    )


def _earlier(a: HistoryAnswer, b: HistoryAnswer | None) -> bool:
    return b is None or (a.answered_at, a.id) < (b.answered_at, b.id)


def refresh(
    db: sqlite_utils.Database, user_id: str, new_ids: Mapping[str, Iterable[str]], history: History | None = None
) -> None:
    """Bring a rep's aggregates up to date after inserting answers: `new_ids` maps each touched
    question to the ids of the answers just inserted. Runs in the caller's transaction.
    `history`: the push's loader of the touched questions' answers (one is made otherwise).

    Only two kinds of day can change what they count: a day the new answers fall on (its first
    answer may now be a new one) and the first day answered (it is not counted, and a new
    answer on an earlier day makes it a repeat). Every other day keeps its first answer and
    stays counted, so the difference is taken over those days alone."""
    if not new_ids:
        return
    history = history or History(db, user_id)
    loaded = history.get(list(new_ids))
    facts = Facts(db)
    sums: Sums = Counter()

    def add(first: HistoryAnswer, question_id: str, sign: int) -> None:
        fact = facts.get(first.version, question_id)
        if fact is None:
            return  # not in its version's content: nothing to say what it measures
        into = sums
        into[(fact.competency, first.day, "n")] += sign
        into[(fact.competency, first.day, "right")] += sign * first.correct
        into[(fact.competency, first.day, "guess")] += sign * fact.guess_ppm

    for qid, ids in new_ids.items():
        fresh = set(ids)
        old_first: dict[int, HistoryAnswer] = {}
        new_first: dict[int, HistoryAnswer] = {}
        for a in loaded.get(qid, []):
            firsts = new_first if a.id in fresh else old_first
            if _earlier(a, firsts.get(a.day)):
                firsts[a.day] = a
        if not new_first:
            continue
        old_start = min(old_first, default=None)
        start = min(new_first) if old_start is None else min(old_start, min(new_first))
        for day in new_first.keys() | ({old_start} if old_start is not None else set()):
            before = old_first.get(day)
            candidate = new_first.get(day)
            after = candidate if candidate is not None and _earlier(candidate, before) else before
            if before is not None and day != old_start:
                add(before, qid, -1)
            if after is not None and day != start:
                add(after, qid, +1)
    _apply(db, user_id, sums)


def full(db: sqlite_utils.Database) -> list[tuple[str, str, int, int, int, int]]:
    """Every row retention_days should hold, computed from all answers (sorted)."""
    facts = Facts(db)
    rows: list[tuple[str, str, int, int, int, int]] = []
    current: tuple[str, str] | None = None
    held: list[DayAnswer] = []
    sums: Sums = Counter()

    def flush() -> None:
        if current is not None:
            _contributions(held, current[1], facts, sums, +1)

    by_user: dict[str, Sums] = {}
    for uid, qid, aid, day, at, correct, version in db.execute(
        "SELECT user_id, question_id, id, local_day, answered_at, correct, content_version FROM answers ORDER BY user_id, question_id"
    ):
        if (uid, qid) != current:
            flush()
            if current is None or current[0] != uid:
                sums = by_user.setdefault(uid, Counter())
            current, held = (uid, qid), []
        held.append(DayAnswer(id=aid, day=day, answered_at=at, correct=bool(correct), version=version))
    flush()
    for uid, user_sums in by_user.items():
        keys = {(c, d) for c, d, _ in user_sums}
        for c, d in keys:
            if user_sums[(c, d, "n")]:
                rows.append((uid, c, d, user_sums[(c, d, "n")], user_sums[(c, d, "right")], user_sums[(c, d, "guess")]))
    return sorted(rows)


def rebuild(db: sqlite_utils.Database) -> int:
    """Recompute retention_days from every answer (after a migration, a restore, or to check);
    returns the number of rows. Runs in the caller's transaction."""
    rows = full(db)
    db.execute("DELETE FROM retention_days")
    db.conn.executemany(
        "INSERT INTO retention_days (user_id, competency_id, local_day, n, n_right, guess_ppm) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def stored(db: sqlite_utils.Database) -> list[tuple[str, str, int, int, int, int]]:
    """Every row of retention_days, sorted as `full` returns them."""
    found = db.execute("SELECT user_id, competency_id, local_day, n, n_right, guess_ppm FROM retention_days")
    return sorted((str(u), str(c), int(d), int(n), int(r), int(g)) for u, c, d, n, r, g in found)

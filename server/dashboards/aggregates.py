"""Retention aggregates, kept up to date on every push (docs/dashboards.md "Aggregates").

`retention_days` holds, per (rep, competency, local day), the counted answers (sync/measures.py
`firsts_of_days`: first answer of a day to a question answered on an earlier day): how many, how
many right, and the sum of their guessing rates in parts per million. Pages sum it over a window
instead of scanning answers.

`refresh` runs in the push's own write transaction, after its answers are inserted: for each
question the push touched it recomputes that rep's firsts of days with and without the new
answers and applies the difference, so an answer arriving late for an earlier day (which may
become the first of its day, or make a later day a repeat) is handled like any other.
`rebuild` recomputes everything from the answers; a test checks both agree on random histories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import sqlite_utils

from server.dashboards.facts import Facts
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


def _answers_of(db: sqlite_utils.Database, user_id: str, question_ids: Sequence[str]) -> dict[str, list[DayAnswer]]:
    found: dict[str, list[DayAnswer]] = {}
    ids = sorted(set(question_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for qid, aid, day, at, correct, version in db.execute(
            f"SELECT question_id, id, local_day, answered_at, correct, content_version FROM answers"
            f" WHERE user_id = ? AND question_id IN ({marks})",
            [user_id, *chunk],
        ):
            found.setdefault(qid, []).append(
                DayAnswer(id=aid, day=day, answered_at=at, correct=bool(correct), version=version)
            )
    return found


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


def refresh(db: sqlite_utils.Database, user_id: str, new_ids: Mapping[str, Iterable[str]]) -> None:
    """Bring a rep's aggregates up to date after inserting answers: `new_ids` maps each touched
    question to the ids of the answers just inserted. Runs in the caller's transaction."""
    if not new_ids:
        return
    facts = Facts(db)
    sums: Sums = Counter()
    for qid, answers in _answers_of(db, user_id, list(new_ids)).items():
        fresh = set(new_ids[qid])
        _contributions([a for a in answers if a.id not in fresh], qid, facts, sums, -1)
        _contributions(answers, qid, facts, sums, +1)
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

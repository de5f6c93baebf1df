"""Applying a results file: plan every value first, then write all or none (like people's import)."""

from __future__ import annotations

import datetime

import msgspec
import sqlite_utils

from server.db import write_transaction
from server.people.csv_import import Problem
from server.results import store
from server.results.csv_import import ResultRow
from server.storage import people as people_store


class ResultsImport(msgspec.Struct, frozen=True):
    added: int
    changed: int
    unchanged: int
    problems: list[Problem]
    applied: bool

    def summary(self) -> str:
        """The last line `recap results import` prints (docs/results.md)."""
        if not self.applied:
            return f"nothing was imported: {len(self.problems)} problem(s); fix them, or use --partial to import the good rows"
        skipped = f"; {len({p.line for p in self.problems})} bad row(s) skipped" if self.problems else ""
        if not self.added and not self.changed:
            return f"no changes ({self.unchanged} values unchanged){skipped}"
        return f"imported: {self.added} new, {self.changed} changed, {self.unchanged} unchanged values{skipped}"


def plan(
    ids: dict[str, str], stored: dict[store.Key, float], rows: list[ResultRow], path: str
) -> tuple[dict[store.Key, float], int, list[Problem]]:
    """Pure: the values to write (new or changed), how many are unchanged, and the rows that name
    no one. `ids` maps emails to user ids."""
    writes: dict[store.Key, float] = {}
    unchanged = 0
    problems: list[Problem] = []
    for row in rows:
        user_id = ids.get(row.email)
        if user_id is None:
            problems.append(Problem(path, row.line, f"no one has the address {row.email}: add them first (recap users import)"))
            continue
        for metric, value in row.values.items():
            key = (user_id, row.period, metric)
            if stored.get(key) == value:
                unchanged += 1
            else:
                writes[key] = value
    return writes, unchanged, problems


def import_results(
    db: sqlite_utils.Database,
    rows: list[ResultRow],
    problems: list[Problem],
    path: str,
    *,
    partial: bool = False,
    now: datetime.datetime | None = None,
) -> ResultsImport:
    """Apply the rows in one transaction. Any problem stops everything unless `partial`."""
    stamp = (now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds")
    with write_transaction(db):
        ids = {email: person.id for email, person in people_store.all_people(db).items()}
        stored = store.values_of(db, sorted({ids[r.email] for r in rows if r.email in ids}))
        writes, unchanged, more = plan(ids, stored, rows, path)
        problems = sorted([*problems, *more])
        added = sum(1 for key in writes if key not in stored)
        if problems and not partial:
            return ResultsImport(added, len(writes) - added, unchanged, problems, applied=False)
        store.upsert(db, writes.items(), stamp)
    return ResultsImport(added, len(writes) - added, unchanged, problems, applied=True)

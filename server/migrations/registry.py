"""The migrations' registry, in the order they apply, and what several of them use."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("recap")


def immutable(db: sqlite_utils.Database, table: str) -> None:
    """Refuse UPDATE and DELETE on a table whose rows are published facts."""
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
        )

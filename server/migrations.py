"""The database schema, as an ordered list of migrations. Never edit one that has shipped."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("recap")


def _immutable(db: sqlite_utils.Database, table: str) -> None:
    """Refuse UPDATE and DELETE on a table whose rows are published facts."""
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
        )


@migrations()
def m001_content_library(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE library_versions (
            version INTEGER PRIMARY KEY,
            published_at TEXT NOT NULL,
            summary TEXT NOT NULL          -- JSON: counts of items and of changes
        );
        CREATE TABLE item_versions (
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            rev INTEGER NOT NULL,
            version INTEGER NOT NULL REFERENCES library_versions(version),
            change TEXT NOT NULL CHECK (change IN ('new', 'cosmetic', 'substantive', 'removed')),
            epoch INTEGER NOT NULL,        -- the rev at which learners' progress last restarted
            hash TEXT,                     -- NULL for a removal
            data TEXT,                     -- the item as JSON; NULL for a removal
            source TEXT,                   -- the file it came from, for editors
            PRIMARY KEY (kind, item_id, rev)
        );
        CREATE INDEX item_versions_by_version ON item_versions(version);
        CREATE TABLE snapshots (
            version INTEGER PRIMARY KEY REFERENCES library_versions(version),
            etag TEXT NOT NULL,
            size INTEGER NOT NULL,         -- bytes before compression
            body_gzip BLOB NOT NULL
        );
        """
    )
    for table in ("library_versions", "item_versions", "snapshots"):
        _immutable(db, table)


@migrations()
def m002_answers(db: sqlite_utils.Database) -> None:
    # Answers form a grow-only set; the sync issue fills it. Publish reads it to know
    # which questions already have answers and so need a cosmetic/substantive marker.
    db.executescript(
        """
        CREATE TABLE answers (
            id TEXT PRIMARY KEY,           -- UUIDv7 made on the device
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            content_version INTEGER NOT NULL,
            choice TEXT NOT NULL,          -- JSON list of chosen option numbers
            correct INTEGER NOT NULL,
            answered_at TEXT NOT NULL,
            local_day INTEGER NOT NULL,
            duration_ms INTEGER,
            received_at TEXT NOT NULL
        );
        CREATE INDEX answers_by_question ON answers(question_id);
        CREATE INDEX answers_by_user ON answers(user_id, question_id);
        """
    )


def pending(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations not yet applied to this database."""
    return [m.name for m in migrations.pending(db)]


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    names = pending(db)
    migrations.apply(db)
    return names

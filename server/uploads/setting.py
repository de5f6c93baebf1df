"""The organisation's `video_retention_days` setting (m018): every change audited."""

from __future__ import annotations

import datetime

import sqlite_utils

from server.db import write_transaction
from server.storage import auth as auth_store
from server.uploads import store
from sync.clock import format_utc


def days(db: sqlite_utils.Database) -> int:
    return store.retention_days(db)


def set_days(db: sqlite_utils.Database, value: int, now: datetime.datetime) -> int:
    """Set how many days videos that are not team examples are kept; return the old value."""
    stamp = format_utc(now)
    with write_transaction(db):
        before = store.retention_days(db)
        if before != value:
            store.set_retention_days(db, value, stamp)
            auth_store.audit(db, stamp, "video-retention-days", None, detail=f"organisation: {before} -> {value}")
    return before

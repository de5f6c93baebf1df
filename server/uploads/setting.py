"""The organisation's `video_retention_days` setting (m018): every change audited."""

from __future__ import annotations

import datetime

import sqlite_utils

from server import organisation_setting
from server.uploads import store


def days(db: sqlite_utils.Database) -> int:
    return store.retention_days(db)


def set_days(db: sqlite_utils.Database, value: int, now: datetime.datetime) -> int:
    """Set how many days videos that are not team examples are kept; return the old value."""
    return organisation_setting.change(db, "video-retention-days", store.retention_days, store.set_retention_days, value, now)

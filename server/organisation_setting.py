"""Changing one organisation-wide setting (the `organisation` row, server/storage/organisation.py):
read the old value and write the new one in one write transaction, audited when it changes
(`<name>`, "organisation: old -> new"). The daily limit, leaderboards and video retention use it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TypeVar

import sqlite_utils

from server.db import write_transaction
from server.storage import auth as auth_store
from sync.clock import format_utc

T = TypeVar("T")


def change(
    db: sqlite_utils.Database,
    name: str,
    read: Callable[[sqlite_utils.Database], T],
    write: Callable[[sqlite_utils.Database, T, str], None],
    value: T,
    now: datetime.datetime,
    shown: Callable[[T], str] = str,
) -> T:
    """Set the setting `name` to `value`; return the old value."""
    stamp = format_utc(now)
    with write_transaction(db):
        before = read(db)
        if before != value:
            write(db, value, stamp)
            auth_store.audit(db, stamp, name, None, detail=f"organisation: {shown(before)} -> {shown(value)}")
    return before

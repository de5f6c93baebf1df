"""The organisation's `leaderboards` setting: on or off, every change audited."""

from __future__ import annotations

import datetime

import sqlite_utils

from server.db import write_transaction
from server.storage import auth as auth_store
from server.storage import organisation as organisation_store
from sync.clock import format_utc


class Invalid(ValueError):
    """Not on or off."""


def parse(text: str) -> bool:
    """`on` or `off` (also yes/no, true/false, 1/0), any case."""
    value = str(text).strip().lower()
    if value in ("on", "yes", "true", "1"):
        return True
    if value in ("off", "no", "false", "0"):
        return False
    raise Invalid(f"{text!r} is not on or off: write `on` to show leaderboards in the app, `off` to hide them")


def shown(on: bool) -> str:
    return "on" if on else "off"


def enabled(db: sqlite_utils.Database) -> bool:
    return organisation_store.leaderboards(db)


def set_enabled(db: sqlite_utils.Database, on: bool, now: datetime.datetime) -> bool:
    """Turn leaderboards on or off for the organisation; return the old value."""
    stamp = format_utc(now)
    with write_transaction(db):
        before = organisation_store.leaderboards(db)
        if before != on:
            organisation_store.set_leaderboards(db, on, stamp)
            auth_store.audit(db, stamp, "leaderboards", None, detail=f"organisation: {shown(before)} -> {shown(on)}")
    return before

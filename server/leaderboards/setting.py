"""The organisation's `leaderboards` setting: on or off, every change audited."""

from __future__ import annotations

import datetime

import sqlite_utils

from server import organisation_setting
from server.storage import organisation as organisation_store


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
    return organisation_setting.change(db, "leaderboards", organisation_store.leaderboards, organisation_store.set_leaderboards, on, now, shown)

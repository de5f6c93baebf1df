"""The total daily limit: how many questions a day a learner gets across all their campaigns.

The organisation sets one (default 3); an admin may give a person their own. Every change is
audited (`daily-limit`). The pull tells each device its learner's limit (docs/sync.md "The plan").
"""

from __future__ import annotations

import datetime

import sqlite_utils

from server import organisation_setting
from server.db import write_transaction
from server.storage import auth as auth_store
from server.storage import organisation as organisation_store
from server.storage import people as people_store
from sync.clock import format_utc


class UnknownPerson(LookupError):
    """No one has that user id or address."""


def organisation_limit(db: sqlite_utils.Database) -> int:
    return organisation_store.daily_limit(db)


def set_organisation_limit(db: sqlite_utils.Database, limit: int, now: datetime.datetime) -> int:
    """Set the organisation's daily limit (checked by rules.check_daily_limit); return the old one."""
    return organisation_setting.change(db, "daily-limit", organisation_store.daily_limit, organisation_store.set_daily_limit, limit, now)


def shown(limit: int | None) -> str:
    """A person's own limit as people read it."""
    return "the organisation's" if limit is None else str(limit)


def own_limits(db: sqlite_utils.Database) -> list[tuple[str, int]]:
    """(email, limit) of everyone who has their own daily limit, by email."""
    return [(p.email, p.daily_limit) for p in people_store.all_people(db).values() if p.daily_limit is not None]


def set_person_limit(db: sqlite_utils.Database, key: str, limit: int | None, now: datetime.datetime) -> people_store.StoredPerson:
    """Give the person with this user id or email their own daily limit, or None to follow the
    organisation's; return them as they were."""
    stamp = format_utc(now)
    with write_transaction(db):
        everyone = people_store.all_people(db)
        found = everyone.get(key) or next((p for p in everyone.values() if p.id == key), None)
        if found is None:
            raise UnknownPerson(f"no one has the address or id {key}: see `recap users list`")
        if found.daily_limit != limit:
            people_store.set_daily_limit(db, found.id, limit, stamp)
            detail = f"{shown(found.daily_limit)} -> {shown(limit)}"
            auth_store.audit(db, stamp, "daily-limit", found.email, detail=detail)
    return found

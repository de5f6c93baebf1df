"""Roll back: publish, as a new version, the library exactly as an earlier version had it.

Versions are immutable, so rolling back to version N never deletes anything: it publishes
version N's files again through the one publisher. Questions that learners have answered since
get a change marker as publish requires (export.marked_for): `cosmetic` when the right answer,
option count and competency are unchanged, so learners keep their progress, else `substantive`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import sqlite_utils

from server.library.export import marked_for, sources_at
from server.library.publish import PublishResult, publish_sources
from server.storage import content as store


class NoSuchVersion(LookupError):
    pass


def roll_back(
    db: sqlite_utils.Database,
    version: int,
    now: datetime.datetime | None = None,
    origin: dict[str, object] | None = None,
    *,
    on_write: Callable[[sqlite_utils.Database, int], None] | None = None,
) -> PublishResult:
    """Publish a new version equal to `version` (no new version when the library already is).
    `on_write` as for publish_sources (the browser records who rolled back)."""
    if not store.version_exists(db, version):
        latest = store.latest_version(db)
        raise NoSuchVersion(
            f"there is no version {version}: the library has versions 1 to {latest}" if latest else "nothing is published yet"
        )
    sources = marked_for(db, sources_at(db, version))
    return publish_sources(
        db, sources, now, allow_removals=True, allow_reverts=True, origin={**(origin or {}), "rollback_to": version},
        on_write=on_write,
    )

"""How many people each published campaign reaches, and which audience entries reach nobody."""

from __future__ import annotations

import sqlite_utils

from server.db import read_transaction
from server.storage import content as content_store
from server.storage import people as people_store
from server.syncing.content_index import version_index
from sync.enrollment import CampaignAt, reach, unreached_entries


def _published_campaigns(db: sqlite_utils.Database) -> tuple[CampaignAt, ...]:
    index = version_index(db, content_store.latest_version(db))
    return index.campaigns if index is not None else ()


def campaign_reach(db: sqlite_utils.Database) -> dict[str, int]:
    """For each campaign of the published library (by id), how many enabled people its audience
    reaches now: 0 when it names only teams with nobody in them. Empty when nothing is published."""
    with read_transaction(db):
        campaigns = _published_campaigns(db)
        people = people_store.enabled_people(db)
    return {c.id: reach(c.audience, people) for c in campaigns}


def unreached(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """For each published campaign with audience entries that reach no enabled person (a team
    nobody is in yet, or a misspelt team id), those entries. Empty when there are no people at
    all (a fresh database, before anyone is imported)."""
    with read_transaction(db):
        campaigns = _published_campaigns(db)
        people = people_store.enabled_people(db)
    if not people:
        return {}
    gaps = {c.id: unreached_entries(c.audience, people) for c in campaigns}
    return {cid: entries for cid, entries in gaps.items() if entries}

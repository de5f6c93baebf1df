"""Publishing from the browser: drafts, withdrawals and roll-backs, all through the one publisher
(server/library/publish.py: one IMMEDIATE transaction, immutable versions).

The browser builds the whole library as files, exactly as `recap content publish` reads a
folder: the published files of the latest version, each draft's rendered file in place of its
item's. In the same transaction as the new version it records who published it and removes the
drafts it consumed, checking that each is still the revision the editor confirmed, and that the
library did not move on while the files were being built (if it did, it builds them again).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import msgspec
import sqlite_utils

from server.db import write_transaction
from server.editor import store
from server.editor.drafts import FOLDER_OF, KIND_OF, library_sources, load
from server.library.export import sources_at
from server.library.loader import Source
from server.library.publish import PublishResult, publish_sources
from server.library.rollback import roll_back
from server.storage import content

ATTEMPTS = 3


class Refused(ValueError):
    """A publish that would not be right: a draft moved on, needs a merge, or needs review."""


class _LibraryMoved(Exception):
    """Another publish committed between building the files and writing the version."""


class Wanted(msgspec.Struct, frozen=True):
    """A draft to publish, as the editor confirmed it (its kind, id and revision)."""

    kind: str
    item_id: str
    revision: int


def review_problem(draft: store.Draft, user_id: str) -> str | None:
    """Why `user_id` may not publish `draft` when the library asks for a second pair of eyes."""
    if not draft.ready:
        return f"{draft.kind} `{draft.item_id}` is not marked ready for review"
    if user_id in (draft.ready_by, draft.updated_by):
        return f"{draft.kind} `{draft.item_id}` needs another editor to publish it (you wrote or marked it)"
    return None


def _guarded(latest: int, also: Callable[[sqlite_utils.Database, int], None]) -> Callable[[sqlite_utils.Database, int], None]:
    def on_write(db: sqlite_utils.Database, version: int) -> None:
        if version != latest + 1:
            raise _LibraryMoved()
        also(db, version)

    return on_write


def _publish(
    db: sqlite_utils.Database,
    build: Callable[[int], list[Source]],
    record: Callable[[sqlite_utils.Database, int], None],
    now: datetime.datetime,
    *,
    allow_removals: bool,
) -> PublishResult:
    origin: dict[str, object] = {"via": "editor"}  # who: `record` writes library_publishers (erasable)
    for _ in range(ATTEMPTS):
        latest = content.latest_version(db)
        sources = build(latest)
        try:
            return publish_sources(
                db, sources, now, allow_removals=allow_removals, allow_reverts=True, origin=origin,
                on_write=_guarded(latest, record),
            )
        except _LibraryMoved:
            continue
    raise Refused("the library kept changing while publishing: try again")


def publish_drafts(
    db: sqlite_utils.Database, wanted: list[Wanted], user_id: str, now: datetime.datetime, *, review: bool
) -> PublishResult:
    """Publish these drafts (and nothing else) as one new version; the drafts are gone after.

    Refused when a draft is no longer at the confirmed revision (saved again, or published
    already), when the published item moved on since the draft began (merge first), or, with
    `review`, when it is not marked ready by someone other than `user_id`. ContentError when the
    library with these drafts does not pass the checks. Drafts that change nothing are dropped.
    """
    if not wanted:
        raise Refused("there is no draft to publish")
    drafts = []
    for w in wanted:
        state = load(db, FOLDER_OF[w.kind], w.item_id)
        if state.draft is None or state.draft.revision != w.revision:
            raise Refused(
                f"{w.kind} `{w.item_id}` was saved again or published since you confirmed it: look at it again"
                if state.draft is not None
                else f"{w.kind} `{w.item_id}` has no draft any more: it was published or discarded"
            )
        if state.draft.base_rev is not None and state.draft.base_rev != state.published_rev:
            raise Refused(
                f"{w.kind} `{w.item_id}` was published again (revision {state.published_rev}) since this draft began "
                f"from revision {state.draft.base_rev}: open it and save to merge the two"
            )
        if state.draft.base_rev is None and state.live:
            raise Refused(f"{w.kind} `{w.item_id}` was published by someone else meanwhile: open it and save to merge")
        if review and (why := review_problem(state.draft, user_id)):
            raise Refused(why)
        drafts.append(state.draft)

    def record(db: sqlite_utils.Database, version: int) -> None:
        for d in drafts:
            if not store.delete_draft(db, d.kind, d.item_id, d.revision):
                raise Refused(f"{d.kind} `{d.item_id}` was saved or published by someone else just now: look at it again")
        store.record_publisher(db, version, user_id, "publish")

    result = _publish(db, lambda latest: library_sources(db, drafts, latest), record, now, allow_removals=False)
    if not result.published:
        # Nothing changed: the drafts say what is published already.
        with write_transaction(db):
            for d in drafts:
                store.delete_draft(db, d.kind, d.item_id, d.revision)
    return result


def withdraw(db: sqlite_utils.Database, folder: str, item_id: str, user_id: str, now: datetime.datetime) -> PublishResult:
    """Publish the library without this item. Its draft, if any, stays (publishing it brings the
    item back as new); answers to it are kept."""
    kind = KIND_OF[folder]
    if not load(db, folder, item_id).live:
        raise Refused(f"{kind} `{item_id}` is not published, so there is nothing to withdraw")

    def build(latest: int) -> list[Source]:
        return [s for s in sources_at(db, latest) if not (s.rel.split("/", 1)[0] == folder and s.stem == item_id)]

    def record(db: sqlite_utils.Database, version: int) -> None:
        store.record_publisher(db, version, user_id, "withdraw", f"{kind} {item_id}")

    return _publish(db, build, record, now, allow_removals=True)


def restore(db: sqlite_utils.Database, version: int, user_id: str, now: datetime.datetime) -> PublishResult:
    """Roll back: publish a new version equal to `version` (server/library/rollback.py)."""

    def record(db: sqlite_utils.Database, new_version: int) -> None:
        store.record_publisher(db, new_version, user_id, "roll-back", str(version))

    return roll_back(db, version, now, {"via": "editor"}, on_write=record)

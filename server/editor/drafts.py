"""Drafts: an item as the editor sees it, saving with conflict detection, and checking a draft
against the whole library exactly as `recap content check` and publish would.

A draft is saved against what its editor started from: the draft revision (0: none yet) and the
published revision (0: none) their form was loaded with. If either moved on (another editor
saved, or someone published), nothing is saved: ConflictError carries the three sides of a
merge instead, so that no save ever silently overwrites another.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

import msgspec
import sqlite_utils

from server.db import write_transaction
from server.editor import store
from server.editor.fields import field_names
from server.editor.forms import normalised
from server.editor.merge import Merge, three_way
from server.library.checks import cross_problems
from server.library.export import sources_at, with_change
from server.library.loader import Library, LoadedItem, Source, load_sources
from server.library.problems import Problem
from server.library.publish import canonical, plan
from server.library.render import render
from server.library.schema import KINDS
from server.library.snapshot import KIND_BY_NAME
from server.storage import content
from server.storage.content import StoredItem

FOLDER_OF = KIND_BY_NAME  # question -> questions
KIND_OF = {folder: cls.kind for folder, cls in KINDS.items()}  # questions -> question


class ItemState(msgspec.Struct, frozen=True):
    """One item for the editor: its latest published revision (or removal) and its draft."""

    folder: str
    item_id: str
    published: StoredItem | None
    draft: store.Draft | None
    # A withdrawn item's fields as it was last published, so that it can be brought back.
    withdrawn_values: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return KIND_OF[self.folder]

    @property
    def live(self) -> bool:
        """Published and not withdrawn."""
        return self.published is not None and not self.published.removed

    @property
    def withdrawn(self) -> bool:
        return self.published is not None and self.published.removed

    @property
    def published_rev(self) -> int:
        return self.published.rev if self.published is not None and self.live else 0

    def published_values(self) -> dict[str, Any] | None:
        if self.published is None or self.published.data is None or not self.live:
            return None
        return normalised(self.folder, json.loads(self.published.data))

    def values(self) -> dict[str, Any]:
        """What the form shows: the draft, else the published item, else only the id."""
        if self.draft is not None:
            return dict(self.draft.fields)
        return self.published_values() or self.withdrawn_values or {"id": self.item_id}

    @property
    def revision(self) -> int:
        return self.draft.revision if self.draft is not None else 0

    @property
    def base_rev(self) -> int:
        """The published revision the form's values are based on (0: none)."""
        if self.draft is not None:
            return self.draft.base_rev or 0
        return self.published_rev


def load(db: sqlite_utils.Database, folder: str, item_id: str) -> ItemState:
    kind = KIND_OF[folder]
    published = store.published(db, kind, item_id)
    last = None
    if published is not None and published.removed and published.rev > 1:
        data = store.revision_data(db, kind, item_id, published.rev - 1)
        last = normalised(folder, data) if data is not None else None
    return ItemState(folder, item_id, published, store.get_draft(db, kind, item_id), last)


# ---- saving ---------------------------------------------------------------------------------------


class Conflict(msgspec.Struct, frozen=True, kw_only=True):
    """A save that would have overwritten someone: the three sides of the merge, what "yours"
    was based on (`from_revision`, `from_base`: the state the editor's form was loaded with), and
    what the merged save must be based on (`revision`, `base_rev`: the current state)."""

    reason: str  # draft (another editor saved) or published (a newer revision was published)
    base: dict[str, Any]
    theirs: dict[str, Any]
    yours: dict[str, Any]
    from_revision: int
    from_base: int
    revision: int
    base_rev: int
    by: str | None = None  # who made "theirs" (a user id), when known
    at: str | None = None

    def merge(self, order: list[str]) -> Merge:
        return three_way(self.base, self.theirs, self.yours, order)


class ConflictError(Exception):
    def __init__(self, conflict: Conflict) -> None:
        self.conflict = conflict
        super().__init__(f"{conflict.reason} conflict")


class IdTaken(ValueError):
    pass


def _published_values(db: sqlite_utils.Database, state: ItemState, rev: int) -> dict[str, Any]:
    data = store.revision_data(db, state.kind, state.item_id, rev) if rev else None
    return normalised(state.folder, data) if data is not None else {}


def find_conflict(db: sqlite_utils.Database, state: ItemState, yours: dict[str, Any], revision: int, base_rev: int) -> Conflict | None:
    """What a save of `yours`, made from draft `revision` and published `base_rev`, would clash
    with; None when it is safe to save."""
    folder = state.folder
    mine = normalised(folder, yours)
    if revision != state.revision:
        base = store.saved_fields(db, state.kind, state.item_id, revision) if revision else None
        base_values = normalised(folder, base) if base is not None else _published_values(db, state, base_rev)
        if state.draft is not None:
            theirs, by, at = normalised(folder, state.draft.fields), state.draft.updated_by, state.draft.updated_at
        else:  # the draft they edited was published or discarded meanwhile
            theirs, by, at = state.published_values() or {}, None, None
        return Conflict(
            reason="draft", base=base_values, theirs=theirs, yours=mine, from_revision=revision, from_base=base_rev,
            revision=state.revision, base_rev=state.base_rev, by=by, at=at,
        )  # fmt: skip
    if state.published_rev and state.published_rev != base_rev:
        return Conflict(
            reason="published", base=_published_values(db, state, base_rev), theirs=state.published_values() or {},
            yours=mine, from_revision=revision, from_base=base_rev, revision=state.revision, base_rev=state.published_rev,
        )  # fmt: skip
    return None


def save(
    db: sqlite_utils.Database,
    folder: str,
    item_id: str,
    values: dict[str, Any],
    *,
    revision: int,
    base_rev: int,
    user_id: str,
    now: str,
    new: bool = False,
) -> store.Draft | None:
    """Save the form's values as the item's draft's next revision, in one transaction; raise
    ConflictError (nothing saved) when the draft or the published item moved on since the form
    was loaded, IdTaken when `new` and the id is in use. Saving unchanged values adds no revision,
    and a published item saved as it is starts no draft (None)."""
    values = {**values, "id": item_id}
    with write_transaction(db):
        state = load(db, folder, item_id)
        if new and (state.draft is not None or state.live):
            where = "a draft" if state.draft is not None else "a published item"
            raise IdTaken(f"{where} already has the id `{item_id}`: open it, or choose another id")
        conflict = find_conflict(db, state, values, revision, base_rev)
        if conflict is not None:
            raise ConflictError(conflict)
        base = state.published_rev or None
        if state.draft is not None and state.draft.fields == values and state.draft.base_rev == base:
            return state.draft
        if state.draft is None and state.live and normalised(folder, values) == state.published_values():
            return None
        revision = max(state.revision, store.last_revision(db, state.kind, item_id)) + 1
        draft = store.Draft(
            kind=state.kind, item_id=item_id, revision=revision, base_rev=base, fields=values,
            created_by=state.draft.created_by if state.draft else user_id,
            created_at=state.draft.created_at if state.draft else now,
            updated_by=user_id, updated_at=now,
        )  # fmt: skip
        store.put_draft(db, draft)
    return draft


# ---- the library with drafts in place -------------------------------------------------------------


def draft_source(folder: str, values: dict[str, Any], rel: str | None, *, published: bool) -> Source:
    """The file a draft stands for: rendered as a person would write it, with its `change:`
    marker when it changes a published item."""
    data = {k: v for k, v in values.items() if k != "change"}
    source = render(folder, data, rel)
    change = values.get("change")
    return with_change(source, change) if published and isinstance(change, str) else source


def _key(rel: str) -> tuple[str, str]:
    path = PurePosixPath(rel)
    return path.parts[0], path.stem


def library_sources(db: sqlite_utils.Database, drafts: list[store.Draft], version: int | None = None) -> list[Source]:
    """The published library (at `version`, default the latest) as files, each draft's file in
    place of its item's (or added)."""
    latest = content.latest_version(db) if version is None else version
    files = {_key(s.rel): s for s in (sources_at(db, latest) if latest else [])}
    for draft in drafts:
        folder = FOLDER_OF[draft.kind]
        old = files.get((folder, draft.item_id))
        files[(folder, draft.item_id)] = draft_source(folder, draft.fields, old.rel if old else None, published=old is not None)
    return sorted(files.values(), key=lambda s: s.rel)


class Checked(msgspec.Struct, frozen=True):
    """A draft checked in the library with every draft in place: its problems (each with the
    `$.path` of its field), problems it leaves elsewhere, and whether it changes the item."""

    rel: str
    problems: list[Problem]
    elsewhere: list[Problem]
    item: LoadedItem | None  # None when the file does not load
    changed: bool
    answers: int  # recorded answers of the published question (0 for other kinds)

    def entry_data(self) -> dict[str, Any] | None:
        """The draft as the item's stored fields (what the snapshot is built from), when valid."""
        if self.item is None or self.problems:
            return None
        data: dict[str, Any] = msgspec.to_builtins(msgspec.structs.replace(self.item.item, change=None))
        return data


MARKER_NEEDED = (
    "this question changed and learners have answered it {n} time(s): say whether the change is "
    "cosmetic (learners keep their progress) or substantive (everyone's schedule for it restarts)"
)


def check(db: sqlite_utils.Database, state: ItemState, values: dict[str, Any], drafts: list[store.Draft]) -> Checked:
    """Check `values` as the item's draft, in the library with the other drafts in place."""
    folder, item_id = state.folder, state.item_id
    others = [d for d in drafts if (d.kind, d.item_id) != (state.kind, item_id)]
    me = store.Draft(
        kind=state.kind, item_id=item_id, revision=0, base_rev=None, fields={**values, "id": item_id},
        created_by="", created_at="", updated_by="", updated_at="",
    )  # fmt: skip
    sources = library_sources(db, [*others, me])
    rel = next(s.rel for s in sources if _key(s.rel) == (folder, item_id))
    library, problems = load_sources(sources)
    problems = [*problems, *cross_problems(library)]
    loaded = library.of(folder).get(item_id)
    mine_failed = loaded is None or any(p.path == rel for p in problems)
    changed = True
    answers = 0
    if state.live and state.published is not None and loaded is not None:
        changed = canonical(loaded)[1] != state.published.hash
        if state.kind == "question":
            answers = content.answer_counts(db, [item_id]).get(item_id, 0)
    if loaded is not None and not mine_failed and changed and state.live:
        problems += _publish_problems(db, library, state, rel, answers)
    mine = [p for p in problems if p.path == rel]
    return Checked(rel, sorted(mine), sorted(p for p in problems if p.path != rel), loaded, changed, answers)


def _publish_problems(db: sqlite_utils.Database, library: Library, state: ItemState, rel: str, answers: int) -> list[Problem]:
    """What publish itself would refuse about this item (a missing or wrong change marker)."""
    assert state.published is not None
    current = {(state.kind, state.item_id): state.published}
    single = Library({state.folder: {state.item_id: library.of(state.folder)[state.item_id]}})
    _, found = plan(single, current, {state.item_id: answers} if answers else {})
    out = []
    for p in found:
        if not p.where:  # the missing marker: beside the question that asks for it
            out.append(Problem(rel, p.line, MARKER_NEEDED.format(n=answers), "$.change"))
        else:
            out.append(p)
    return out


def order(folder: str) -> list[str]:
    """The fields of a kind in the form's order (for merges and diffs)."""
    return [f.name for f in msgspec.structs.fields(KINDS[folder]) if f.name in field_names(folder)]

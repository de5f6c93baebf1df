"""What every edited record kind (observations, sessions, pitches) does alike on the server: its
merged state as stored JSON and back, its open conflicts as pulls send them, applying one patch
(`EditedKind.decide`: the kind's rules refuse or the patch merges), the revision row an applied
patch keeps, and writing a push's changed records with one seq each to the people who receive them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import sqlite_utils

from server.storage import revisions as revision_store
from server.storage import sync as sync_store
from server.syncing.kinds.context import PushContext
from sync import clock, edits
from sync.kinds.base import APPLIED, Decision
from sync.protocol import FieldVersion, Mutation


class _Stored(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def state(self) -> dict[str, Any]: ...


class _Edit(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def at(self) -> str: ...


class _Rules(Protocol):
    """What the default `patch` and `merge` need of a kind's rules (sync/kinds/<kind>.py)."""

    def patch_of(self, edit: Any, effective_at: str, device_id: str, user_id: str) -> edits.Patch: ...

    def is_long(self, name: str) -> bool: ...


R = TypeVar("R", bound=_Stored)
E = TypeVar("E", bound=_Edit)


def record_from_state(observation_id: str, state: dict[str, Any]) -> edits.Record:
    def value(v: dict[str, Any]) -> edits.Value:
        return edits.Value(value=v["value"], stamp=edits.Stamp(rev=v["rev"], at=v["at"], device=v["device"], by=v["by"]))

    return edits.Record(
        id=observation_id,
        rev=int(state.get("rev", 0)),
        fields={name: value(v) for name, v in state.get("fields", {}).items()},
        conflicts={name: tuple(value(v) for v in vs) for name, vs in state.get("conflicts", {}).items()},
    )


def state_of(record: edits.Record) -> dict[str, Any]:
    def value(v: edits.Value) -> dict[str, Any]:
        return {"value": v.value, "rev": v.stamp.rev, "at": v.stamp.at, "device": v.stamp.device, "by": v.stamp.by}

    return {
        "rev": record.rev,
        "fields": {name: value(v) for name, v in sorted(record.fields.items())},
        "conflicts": {name: [value(v) for v in vs] for name, vs in sorted(record.conflicts.items())},
    }


def versions_of(state: dict[str, Any]) -> dict[str, list[FieldVersion]]:
    """An edited record's open conflicts as pulls send them."""
    return {
        name: [FieldVersion(value=v["value"], by=v["by"], at=v["at"], device_id=v["device"], rev=v["rev"]) for v in vs]
        for name, vs in state.get("conflicts", {}).items()
    }


def revision_of(ctx: PushContext, mutation: Mutation, patch: edits.Patch, outcome: edits.Outcome) -> tuple[Any, ...]:
    """The revision row an applied patch of an edited record keeps (server/storage/revisions.py `add`)."""
    return (
        outcome.record.id, outcome.record.rev, ctx.user_id, ctx.device.id, mutation.id,
        {"base_rev": patch.base_rev, "set": dict(patch.set), "resolve": list(patch.resolve)},
        {k: list(getattr(outcome, k)) for k in ("applied", "unchanged", "lost", "conflicted", "resolved")},
        patch.at, ctx.now,
    )  # fmt: skip


def write_edited(
    ctx: PushContext,
    kind: str,
    changed: Mapping[str, R],
    revisions: Iterable[tuple[Any, ...]],
    save: Callable[[sqlite_utils.Database, R, int], None],
    audience: Callable[[R], Iterable[str]],
) -> None:
    """Store each record this push changed under a new seq, keep the revisions, and put each
    record in the feed of every person in its `audience`."""
    if not changed:
        return
    first = ctx.reserve(len(changed))
    feed: list[tuple[str, str, str, int]] = []
    for seq, record in enumerate(changed.values(), start=first):
        save(ctx.db, record, seq)
        feed.extend((user_id, kind, record.id, seq) for user_id in audience(record))
    for revision in revisions:
        revision_store.add(ctx.db, kind, *revision)
    sync_store.feed(ctx.db, feed)


class EditedKind(ABC, Generic[R, E]):
    """The server's side of one edited record kind within one push: `load` what its patches need,
    `decide` each patch in order (refused by the kind's rules, or merged into the record as
    stored or as this push left it, and kept as a revision), `write` what changed. A kind says
    what it loads, when its rules refuse, what it stores and who receives it; and, where its
    rules' `patch_of` and `is_long` are not enough, how its patch and merge are made."""

    kind: str
    rules: _Rules  # the kind's module in sync/kinds/

    def __init__(self, ctx: PushContext) -> None:
        self.ctx = ctx
        self.stored: dict[str, R] = {}
        self.revisions: list[tuple[Any, ...]] = []
        self.changed: dict[str, R] = {}  # in the order first changed

    @abstractmethod
    def load(self, payloads: list[E]) -> None:
        """Read, in one go, what deciding these patches needs (the records held, who may edit them)."""

    @abstractmethod
    def refusal(self, edit: E, held: R | None, record: edits.Record | None) -> Decision | None:
        ...

    def patch(self, edit: E, effective: str, held: R | None) -> edits.Patch:
        """The patch as the kind's rules make it (a kind whose patch depends on more overrides this)."""
        return self.rules.patch_of(edit, effective, self.ctx.device.id, self.ctx.user_id)

    def merge(self, record: edits.Record, patch: edits.Patch) -> edits.Outcome:
        """The documented merge (sync/edits.py) with the kind's long fields."""
        return edits.merge(record, patch, self.rules.is_long)

    @abstractmethod
    def stored_from(self, edit: E, held: R | None, merged: edits.Record, effective: str) -> R:
        ...

    def decide(self, mutation: Mutation, edit: E) -> Decision:
        held = self.stored.get(edit.id)
        record = record_from_state(held.id, held.state) if held else None
        refused = self.refusal(edit, held, record)
        if refused is not None:
            return refused
        try:
            effective = self.ctx.effective(edit.at)
        except clock.BadTime as exc:
            return Decision.rejected(f"at: {exc}")
        patch = self.patch(edit, effective, held)
        outcome = self.merge(record or edits.Record(id=edit.id), patch)
        updated = self.stored_from(edit, held, outcome.record, effective)
        self.stored[edit.id] = updated
        self.changed[edit.id] = updated
        self.revisions.append(revision_of(self.ctx, mutation, patch, outcome))
        return APPLIED

    @abstractmethod
    def write(self) -> None:
        """Store what this push changed (write_edited), each record to the people who receive it."""

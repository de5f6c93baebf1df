"""What every edited record kind (observations, sessions, pitches) does alike on the server: its
merged state as stored JSON and back, its open conflicts as pulls send them, applying one patch
(`EditedKind.decide`: the kind's rules refuse or the patch merges), the revision row an applied
patch keeps, and writing a push's changed records with one seq each to the people who receive
them (`EditedKind.write`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
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
    """What EditedKind asks of a kind's rules (its module in sync/kinds/)."""

    def decide(self, edit: Any, user_id: str, facts: Any) -> Decision | None: ...

    # A kind whose patch needs more than these four (sessions: whether the record is new) makes its own.
    patch_of: Callable[..., edits.Patch]

    def is_long(self, name: str) -> bool: ...


class _Store(Protocol):
    """What EditedKind asks of a kind's store (its module of SQL)."""

    def save(self, db: sqlite_utils.Database, record: Any, seq: int) -> None: ...


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
        {k: list(getattr(outcome, k)) for k in ("applied", "unchanged", "lost", "conflicted", "resolved", "joined")},
        patch.at, ctx.now,
    )  # fmt: skip


class EditedKind(ABC, Generic[R, E]):
    """The server's side of one edited record kind within one push: `load` what its patches need,
    `decide` each patch in order (refused by the kind's rules, or merged into the record as
    stored or as this push left it, and kept as a revision), `write` what changed. A kind says
    what it loads, the facts its rules decide on, what it stores and who receives it; and, where
    its rules' `patch_of` and `is_long` are not enough, how its patch and merge are made."""

    kind: str
    rules: _Rules
    store: _Store

    def __init__(self, ctx: PushContext) -> None:
        self.ctx = ctx
        self.stored: dict[str, R] = {}
        self.revisions: list[tuple[Any, ...]] = []
        self.changed: dict[str, R] = {}  # in the order first changed

    @abstractmethod
    def load(self, payloads: list[E]) -> None:
        """Read, in one go, what deciding these patches needs (the records held, who may edit them)."""

    @abstractmethod
    def facts(self, held: R | None, record: edits.Record | None) -> Any:
        """What the kind's rules decide a patch on (its `Facts`), for the record as held."""

    def patch(self, edit: E, effective: str, held: R | None) -> edits.Patch:
        """The patch as the kind's rules make it."""
        return self.rules.patch_of(edit, effective, self.ctx.device.id, self.ctx.user_id)

    def merge(self, record: edits.Record, patch: edits.Patch) -> edits.Outcome:
        """The documented merge (sync/edits.py) with the kind's long fields."""
        return edits.merge(record, patch, self.rules.is_long)

    @abstractmethod
    def stored_from(self, edit: E, held: R | None, merged: edits.Record, effective: str) -> R:
        """The record to store once a patch merged."""

    @abstractmethod
    def receivers(self) -> Callable[[R], Iterable[str]]:
        """Who receives each record this push changed (read once per push where it needs the database)."""

    def decide(self, mutation: Mutation, edit: E) -> Decision:
        held = self.stored.get(edit.id)
        record = record_from_state(held.id, held.state) if held else None
        refused = self.rules.decide(edit, self.ctx.user_id, self.facts(held, record))
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

    def write(self) -> None:
        """Store each record this push changed under a new seq, keep the revisions, and put each
        record in the feed of every person who receives it."""
        if not self.changed:
            return
        ctx, receivers = self.ctx, self.receivers()
        feed: list[tuple[str, str, str, int]] = []
        for seq, record in enumerate(self.changed.values(), start=ctx.reserve(len(self.changed))):
            self.store.save(ctx.db, record, seq)
            feed.extend((user_id, self.kind, record.id, seq) for user_id in receivers(record))
        for revision in self.revisions:
            revision_store.add(ctx.db, self.kind, *revision)
        sync_store.feed(ctx.db, feed)

"""What every edited record kind (observations, sessions) does alike on the server: its merged
state as stored JSON and back, its open conflicts as pulls send them, the revision row an applied
patch keeps, and writing a push's changed records with one seq each to the people who receive them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

import sqlite_utils

from server.storage import revisions as revision_store
from server.storage import sync as sync_store
from server.syncing.kinds.context import PushContext
from sync import edits
from sync.protocol import FieldVersion, Mutation


class _Stored(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Stored)


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

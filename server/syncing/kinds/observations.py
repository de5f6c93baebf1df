"""Applying `observation` patches (sync/kinds/observation.py, merge rule in sync/edits.py).

Each patch is merged into the observation as stored (or as this push left it), kept as a
revision, and the observation's new state reaches its author and, once shared, its rep.
"""

from __future__ import annotations

from typing import Any

from server.storage import observations as store
from server.storage import sync as sync_store
from server.syncing.kinds.context import PushContext
from sync import clock, edits
from sync.kinds import observation as rules
from sync.kinds.base import APPLIED, Decision
from sync.protocol import FieldVersion, Mutation, ObservationData


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
    """The revision row an applied patch of an edited record keeps (its store's `add_revision`)."""
    return (
        outcome.record.id, outcome.record.rev, ctx.user_id, ctx.device.id, mutation.id,
        {"base_rev": patch.base_rev, "set": dict(patch.set), "resolve": list(patch.resolve)},
        {k: list(getattr(outcome, k)) for k in ("applied", "unchanged", "lost", "conflicted", "resolved")},
        patch.at, ctx.now,
    )  # fmt: skip


def as_data(o: store.StoredObservation) -> ObservationData:
    """An observation as pulls send it."""
    fields = {name: v["value"] for name, v in o.state.get("fields", {}).items()}
    conflicts = versions_of(o.state)
    return ObservationData(
        id=o.id, rev=o.rev, author_id=o.author_id, rep_id=o.rep_id, shared=o.shared, fields=fields,
        conflicts=conflicts, created_at=o.created_at, updated_at=o.updated_at,
    )  # fmt: skip


class Observations:
    kind = rules.KIND

    def __init__(self, ctx: PushContext) -> None:
        self.ctx = ctx
        self.stored: dict[str, store.StoredObservation] = {}
        self.coached: frozenset[str] = frozenset()
        self.revisions: list[tuple[Any, ...]] = []
        self.changed: dict[str, store.StoredObservation] = {}  # in the order first changed

    def load(self, payloads: list[rules.ObservationEditV2]) -> None:
        self.stored = store.by_ids(self.ctx.db, sorted({p.id for p in payloads}))
        if any(p.id not in self.stored for p in payloads):
            self.coached = store.coached_reps(self.ctx.db, self.ctx.user_id)

    def decide(self, mutation: Mutation, edit: rules.ObservationEditV2) -> Decision:
        ctx = self.ctx
        held = self.stored.get(edit.id)
        facts = rules.Facts(
            record=record_from_state(held.id, held.state) if held else None,
            author=held.author_id if held else None,
            rep=held.rep_id if held else None,
            shared=held.shared if held else False,
            coached_reps=self.coached,
        )
        refused = rules.decide(edit, ctx.user_id, facts)
        if refused is not None:
            return refused
        try:
            effective = ctx.effective(edit.at)
        except clock.BadTime as exc:
            return Decision.rejected(f"at: {exc}")
        patch = rules.patch_of(edit, effective, ctx.device.id, ctx.user_id)
        outcome = edits.merge(facts.record or edits.Record(id=edit.id), patch, rules.is_long)
        record = outcome.record
        fields = record.values()
        updated = store.StoredObservation(
            id=edit.id, author_id=held.author_id if held else ctx.user_id, rep_id=held.rep_id if held else fields["rep_id"],
            rev=record.rev, shared=bool(fields.get("shared", False)), state=state_of(record),
            created_at=held.created_at if held else effective, updated_at=effective,
        )  # fmt: skip
        self.stored[edit.id] = updated
        self.changed[edit.id] = updated
        self.revisions.append(revision_of(ctx, mutation, patch, outcome))
        return APPLIED

    def write(self) -> None:
        if not self.changed:
            return
        ctx = self.ctx
        first = ctx.reserve(len(self.changed))
        feed = []
        for i, observation in enumerate(self.changed.values()):
            seq = first + i
            store.save(ctx.db, observation, seq)
            feed.append((observation.author_id, self.kind, observation.id, seq))
            if observation.shared:
                feed.append((observation.rep_id, self.kind, observation.id, seq))
        for revision in self.revisions:
            store.add_revision(ctx.db, *revision)
        sync_store.feed(ctx.db, feed)


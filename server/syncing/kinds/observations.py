"""Applying `observation` patches (sync/kinds/observation.py, merge rule in sync/edits.py).

Each patch is merged into the observation as stored (or as this push left it), kept as a
revision, and the observation's new state reaches its author and, once shared, its rep.
"""

from __future__ import annotations

from typing import Any

from server.storage import content as content_store
from server.storage import observations as store
from server.syncing.kinds.context import PushContext
from server.syncing.kinds.edited import record_from_state, revision_of, state_of, versions_of, write_edited
from sync import clock, edits
from sync.kinds import observation as rules
from sync.kinds.base import APPLIED, Decision
from sync.protocol import Mutation, ObservationData


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
        self.behaviours: frozenset[tuple[str, str]] = frozenset()
        self.revisions: list[tuple[Any, ...]] = []
        self.changed: dict[str, store.StoredObservation] = {}  # in the order first changed

    def load(self, payloads: list[rules.ObservationEditV2]) -> None:
        self.stored = store.by_ids(self.ctx.db, sorted({p.id for p in payloads}))
        if any(p.id not in self.stored for p in payloads):
            self.coached = store.coached_reps(self.ctx.db, self.ctx.user_id)
        named = sorted({r for p in payloads if isinstance(p.set, dict) for r in rules.rubric_ids(p.set)})
        self.behaviours = content_store.rubric_behaviours(self.ctx.db, named)

    def decide(self, mutation: Mutation, edit: rules.ObservationEditV2) -> Decision:
        ctx = self.ctx
        held = self.stored.get(edit.id)
        facts = rules.Facts(
            record=record_from_state(held.id, held.state) if held else None,
            author=held.author_id if held else None,
            rep=held.rep_id if held else None,
            shared=held.shared if held else False,
            coached_reps=self.coached,
            behaviours=self.behaviours,
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
        def audience(observation: store.StoredObservation) -> list[str]:
            return [observation.author_id, *([observation.rep_id] if observation.shared else [])]

        write_edited(self.ctx, self.kind, self.changed, self.revisions, store.save, audience)


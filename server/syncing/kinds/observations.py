"""Applying `observation` patches (sync/kinds/observation.py, merge rule in sync/edits.py).

Each patch is merged into the observation as stored (or as this push left it), kept as a
revision, and the observation's new state reaches its author and, once shared, its rep.
"""

from __future__ import annotations

from collections.abc import Callable

from server.storage import content as content_store
from server.storage import observations as store
from server.syncing.kinds.context import PushContext
from server.syncing.kinds.edited import EditedKind, state_of, versions_of
from sync import edits
from sync.kinds import observation as rules
from sync.protocol import ObservationData


def as_data(o: store.StoredObservation) -> ObservationData:
    """An observation as pulls send it."""
    fields = {name: v["value"] for name, v in o.state.get("fields", {}).items()}
    conflicts = versions_of(o.state)
    return ObservationData(
        id=o.id, rev=o.rev, author_id=o.author_id, rep_id=o.rep_id, shared=o.shared, fields=fields,
        conflicts=conflicts, created_at=o.created_at, updated_at=o.updated_at,
    )  # fmt: skip


class Observations(EditedKind[store.StoredObservation, rules.ObservationEditV2]):
    kind = rules.KIND
    rules = rules
    store = store

    def __init__(self, ctx: PushContext) -> None:
        super().__init__(ctx)
        self.coached: frozenset[str] = frozenset()
        self.behaviours: frozenset[tuple[str, str]] = frozenset()

    def load(self, payloads: list[rules.ObservationEditV2]) -> None:
        self.stored = store.by_ids(self.ctx.db, sorted({p.id for p in payloads}))
        if any(p.id not in self.stored for p in payloads):
            self.coached = store.coached_reps(self.ctx.db, self.ctx.user_id)
        named = sorted({r for p in payloads if isinstance(p.set, dict) for r in rules.rubric_ids(p.set)})
        self.behaviours = content_store.rubric_behaviours(self.ctx.db, named)

    def facts(self, held: store.StoredObservation | None, record: edits.Record | None) -> rules.Facts:
        return rules.Facts(
            record=record,
            author=held.author_id if held else None,
            rep=held.rep_id if held else None,
            shared=held.shared if held else False,
            coached_reps=self.coached,
            behaviours=self.behaviours,
        )

    def stored_from(
        self, edit: rules.ObservationEditV2, held: store.StoredObservation | None, merged: edits.Record, effective: str
    ) -> store.StoredObservation:
        fields = merged.values()
        return store.StoredObservation(
            id=edit.id, author_id=held.author_id if held else self.ctx.user_id,
            rep_id=held.rep_id if held else fields["rep_id"], rev=merged.rev, shared=bool(fields.get("shared", False)),
            state=state_of(merged), created_at=held.created_at if held else effective, updated_at=effective,
        )  # fmt: skip

    def receivers(self) -> Callable[[store.StoredObservation], list[str]]:
        """Its author, and its rep once shared."""
        return lambda o: [o.author_id, *([o.rep_id] if o.shared else [])]

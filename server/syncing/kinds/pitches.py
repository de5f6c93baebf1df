"""Applying `pitch` patches (sync/kinds/pitch.py, merge rule in sync/edits.py).

Each patch is merged into the pitch as stored (or as this push left it), kept as a revision, and
the pitch's new state reaches its rep and the coaches and managers of the rep's teams.
"""

from __future__ import annotations

from collections.abc import Callable

from server.pitches import store
from server.storage import content as content_store
from server.storage import observations as observation_store
from server.syncing.kinds.context import PushContext
from server.syncing.kinds.edited import EditedKind, state_of, versions_of
from sync import edits
from sync.kinds import pitch as rules
from sync.protocol import PitchData


def as_data(p: store.StoredPitch, uploaded: bool) -> PitchData:
    """A pitch as pulls send it."""
    return PitchData(
        id=p.id, rev=p.rev, rep_id=p.rep_id, fields=p.values(), conflicts=versions_of(p.state), video_uploaded=uploaded,
        created_at=p.created_at, updated_at=p.updated_at,
    )  # fmt: skip


class Pitches(EditedKind[store.StoredPitch, rules.PitchEditV1]):
    kind = rules.KIND
    rules = rules
    store = store

    def __init__(self, ctx: PushContext) -> None:
        super().__init__(ctx)
        self.coached: frozenset[str] = frozenset()
        self.prompts: frozenset[str] = frozenset()
        self.behaviours: frozenset[tuple[str, str]] = frozenset()

    def load(self, payloads: list[rules.PitchEditV1]) -> None:
        db = self.ctx.db
        self.stored = store.by_ids(db, sorted({p.id for p in payloads}))
        self.coached = observation_store.coached_reps(db, self.ctx.user_id)
        new = sorted({str(p.set["prompt_id"]) for p in payloads if p.id not in self.stored and isinstance(p.set.get("prompt_id"), str)})
        self.prompts = frozenset(content_store.ever_published(db, "pitch_prompt", new))
        named = sorted({rubric for p in payloads if isinstance(p.set, dict) for rubric, _ in rules.scores_named(p.set)})
        self.behaviours = content_store.rubric_behaviours(db, named)

    def facts(self, held: store.StoredPitch | None, record: edits.Record | None) -> rules.Facts:
        return rules.Facts(
            record=record, rep=held.rep_id if held else self.ctx.user_id, coached_reps=self.coached, prompts=self.prompts,
            behaviours=self.behaviours,
        )  # fmt: skip

    def merge(self, record: edits.Record, patch: edits.Patch) -> edits.Outcome:
        """The documented merge, with the comments a joined list."""
        return edits.merge(record, patch, rules.is_long, joined=rules.joined)

    def stored_from(
        self, edit: rules.PitchEditV1, held: store.StoredPitch | None, merged: edits.Record, effective: str
    ) -> store.StoredPitch:
        fields = merged.values()
        return store.StoredPitch(
            id=edit.id, rep_id=held.rep_id if held else self.ctx.user_id, prompt_id=str(fields["prompt_id"]),
            video_sha256=str(fields["video_sha256"]), video_size=int(fields["video_size"]), video_type=str(fields["video_type"]),
            reviewed=fields.get("reviewed") is True,
            exemplar=fields.get("exemplar_proposed") is True and fields.get("exemplar_consent") is True,
            rev=merged.rev, state=state_of(merged), created_at=held.created_at if held else effective, updated_at=effective,
        )  # fmt: skip

    def receivers(self) -> Callable[[store.StoredPitch], list[str]]:
        """Its rep and every coach and manager of the rep's teams (one query for the push)."""
        readers = store.audience(self.ctx.db, sorted({p.rep_id for p in self.changed.values()}))
        return lambda p: readers[p.rep_id]

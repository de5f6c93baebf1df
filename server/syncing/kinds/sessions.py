"""Applying `session` patches (sync/kinds/session.py, merge rule in sync/edits.py).

Each patch is merged into the session as stored (or as this push left it), kept as a revision,
and the session's new state reaches its moderator and every member of its team (the case stays
in the room: the team is the room; managers outside it do not receive it).
"""

from __future__ import annotations

from collections.abc import Callable

from server.storage import sessions as store
from server.syncing.kinds.context import PushContext
from server.syncing.kinds.edited import EditedKind, state_of, versions_of
from sync import edits
from sync.kinds import session as rules
from sync.protocol import SessionData


def as_data(s: store.StoredSession) -> SessionData:
    """A session as pulls send it."""
    fields = {name: v["value"] for name, v in s.state.get("fields", {}).items()}
    return SessionData(
        id=s.id, rev=s.rev, moderator_id=s.moderator_id, team_id=s.team_id, case_owner_id=s.case_owner_id,
        stage=int(fields.get("stage", 1)), fields=fields, conflicts=versions_of(s.state),
        created_at=s.created_at, updated_at=s.updated_at,
    )  # fmt: skip


class Sessions(EditedKind[store.StoredSession, rules.SessionEditV1]):
    kind = rules.KIND
    rules = rules
    store = store

    def __init__(self, ctx: PushContext) -> None:
        super().__init__(ctx)
        self.coached: frozenset[str] = frozenset()
        self.members: dict[str, frozenset[str]] = {}

    def load(self, payloads: list[rules.SessionEditV1]) -> None:
        db = self.ctx.db
        self.stored = store.by_ids(db, sorted({p.id for p in payloads}))
        self.coached = store.coached_teams(db, self.ctx.user_id)
        teams = {s.team_id for s in self.stored.values()} | {str(p.set["team_id"]) for p in payloads if isinstance(p.set.get("team_id"), str)}
        self.members = store.members(db, sorted(teams))

    def facts(self, held: store.StoredSession | None, record: edits.Record | None) -> rules.Facts:
        return rules.Facts(record=record, moderator=held.moderator_id if held else None, coached_teams=self.coached, members=self.members)

    def patch(self, edit: rules.SessionEditV1, effective: str, held: store.StoredSession | None) -> edits.Patch:
        return rules.patch_of(edit, effective, self.ctx.device.id, self.ctx.user_id, new=held is None)

    def merge(self, record: edits.Record, patch: edits.Patch) -> edits.Outcome:
        return edits.merge(record, patch, rules.is_long, rules.is_ordered)

    def stored_from(
        self, edit: rules.SessionEditV1, held: store.StoredSession | None, merged: edits.Record, effective: str
    ) -> store.StoredSession:
        fields = merged.values()
        return store.StoredSession(
            id=edit.id, moderator_id=held.moderator_id if held else self.ctx.user_id, team_id=fields["team_id"],
            case_owner_id=fields["case_owner_id"], rev=merged.rev, state=state_of(merged),
            created_at=held.created_at if held else effective, updated_at=effective,
        )  # fmt: skip

    def receivers(self) -> Callable[[store.StoredSession], list[str]]:
        """Its moderator and every member of its team."""
        return lambda s: sorted({s.moderator_id, *self.members.get(s.team_id, frozenset())})

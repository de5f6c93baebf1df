"""Applying `acknowledgement` mutations (sync/kinds/acknowledgement.py): load, decide, write.

Each acknowledgement reaches its author's devices and, for an observation, the observation's
author (for a session, its moderator; for a pitch, the coaches and managers of the rep's teams),
through the feed.
"""

from __future__ import annotations

from typing import Any

from server.pitches import store as pitch_store
from server.reminders import store as reminder_store
from server.storage import acknowledgements as store
from server.storage import content as content_store
from server.storage import observations as observation_store
from server.storage import sessions as session_store
from server.storage import sync as sync_store
from server.syncing.kinds.context import PushContext
from sync import clock
from sync.kinds import acknowledgement as rules
from sync.kinds.base import APPLIED, Decision
from sync.protocol import Mutation


class Acknowledgements:
    kind = rules.KIND

    def __init__(self, ctx: PushContext) -> None:
        self.ctx = ctx
        self.owners: dict[str, str] = {}
        self.nuggets: set[str] = set()
        self.refreshers: set[str] = set()
        self.reminders: set[str] = set()  # the days a reminder was sent to this person
        self.observations: dict[str, observation_store.StoredObservation] = {}
        self.sessions: dict[str, session_store.StoredSession] = {}
        self.pitches: dict[str, pitch_store.StoredPitch] = {}
        self.reviewers: dict[str, list[str]] = {}
        self.rows: list[list[Any]] = []
        self.ids: set[str] = set()

    def load(self, payloads: list[rules.AcknowledgementV4]) -> None:
        db = self.ctx.db
        self.owners = store.owners(db, [p.id for p in payloads])
        self.nuggets = content_store.ever_published(db, "nugget", sorted({p.item_id for p in payloads if p.item_kind == "nugget"}))
        self.refreshers = content_store.ever_published(db, "refresher", sorted({p.item_id for p in payloads if p.item_kind == "refresher"}))
        self.reminders = reminder_store.sent_on(db, self.ctx.user_id, sorted({p.item_id for p in payloads if p.item_kind == "reminder"}))
        self.observations = observation_store.by_ids(db, sorted({p.item_id for p in payloads if p.item_kind == "observation"}))
        self.sessions = session_store.by_ids(db, sorted({p.item_id for p in payloads if p.item_kind == "session"}))
        self.pitches = pitch_store.by_ids(db, sorted({p.item_id for p in payloads if p.item_kind == "pitch"}))
        self.reviewers = pitch_store.audience(db, sorted({p.rep_id for p in self.pitches.values()}))

    def _item(self, ack: rules.AcknowledgementV4) -> rules.ItemFacts:
        if ack.item_kind == "nugget":
            return rules.ItemFacts(exists=ack.item_id in self.nuggets)
        if ack.item_kind == "refresher":
            return rules.ItemFacts(exists=ack.item_id in self.refreshers)
        if ack.item_kind == "reminder":
            return rules.ItemFacts(exists=ack.item_id in self.reminders)
        if ack.item_kind == "session":
            session = self.sessions.get(ack.item_id)
            return rules.ItemFacts(exists=session is not None, addressed_to=session.case_owner_id if session else None)
        if ack.item_kind == "pitch":
            pitch = self.pitches.get(ack.item_id)
            return rules.ItemFacts(exists=pitch is not None, addressed_to=pitch.rep_id if pitch and pitch.reviewed else None)
        found = self.observations.get(ack.item_id)
        if found is None:
            return rules.ItemFacts(exists=False)
        return rules.ItemFacts(exists=True, addressed_to=found.rep_id if found.shared else None)

    def decide(self, mutation: Mutation, ack: rules.AcknowledgementV4) -> Decision:
        ctx = self.ctx
        refused = rules.decide(ack, self.owners.get(ack.id), ctx.user_id, ack.id in self.ids, self._item(ack))
        if refused is not None:
            return refused
        try:
            effective = ctx.effective(ack.at)
        except clock.BadTime as exc:
            return Decision.rejected(f"at: {exc}")
        self.rows.append(
            [ack.id, ctx.user_id, ctx.device.id, mutation.id, ack.item_kind, ack.item_id, int(ack.acknowledged), ack.comment,
             effective, ack.at, ack.local_day, ctx.now, 0]
        )  # fmt: skip
        self.ids.add(ack.id)
        return APPLIED

    def write(self) -> None:
        if not self.rows:
            return
        ctx = self.ctx
        first = ctx.reserve(len(self.rows))
        feed = []
        for i, row in enumerate(self.rows):
            row[-1] = seq = first + i
            feed.append((ctx.user_id, self.kind, row[0], seq))
            if row[4] == "observation" and (observation := self.observations.get(row[5])) is not None:
                feed.append((observation.author_id, self.kind, row[0], seq))
            if row[4] == "session" and (session := self.sessions.get(row[5])) is not None and session.moderator_id != ctx.user_id:
                feed.append((session.moderator_id, self.kind, row[0], seq))
            if row[4] == "pitch" and (pitch := self.pitches.get(row[5])) is not None:
                feed.extend((reader, self.kind, row[0], seq) for reader in self.reviewers[pitch.rep_id] if reader != ctx.user_id)
        store.insert(ctx.db, self.rows)
        sync_store.feed(ctx.db, feed)

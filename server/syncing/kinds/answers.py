"""Applying `answer` mutations: load what the rule needs, decide each (sync/kinds/answer.py), write.

Writes, once per push: the new answers with their seqs (pulls read them from `answers`), the
dashboards' retention and adoption aggregates (server/dashboards/), the user's digest, and the
progress of every question the push touched, stepped on from the stored state when the new
answers come after everything replayed so far, replayed in full otherwise (taken from the
adoption refresh's replay of the same history when it ran under the same schedule). The
touched questions' answers are read at most once per push (storage History), shared by all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.dashboards import adoption_aggregates, aggregates
from server.storage import answers as store
from server.storage import sync as sync_store
from server.syncing.kinds.context import PushContext
from sync import clock
from sync.digest import id_bits
from sync.kinds import answer as rules
from sync.kinds.base import APPLIED, Decision, Rejected
from sync.progress import DEFAULT_SETTINGS, RecordedAnswer, advanced, as_wire, replayed
from sync.progress import basis as replay_basis
from sync.protocol import Mutation


class Answers:
    kind = rules.KIND

    def __init__(self, ctx: PushContext) -> None:
        self.ctx = ctx
        self.owners: dict[str, str] = {}
        self.rows: list[list[Any]] = []
        self.new: dict[str, list[RecordedAnswer]] = {}  # question id -> this push's answers, in order
        self.ids: set[str] = set()
        self.digest_xor = 0
        self.overruled = 0

    def load(self, payloads: list[rules.AnswerV1]) -> None:
        self.owners = store.owners(self.ctx.db, [p.id for p in payloads])

    def decide(self, mutation: Mutation, answer: rules.AnswerV1) -> Decision:
        ctx = self.ctx
        taken = rules.decide_identity(answer.id, self.owners.get(answer.id), ctx.user_id, answer.id in self.ids)
        if taken is not None:
            return taken
        index = ctx.index(answer.content_version)
        try:
            checked = rules.check_answer(answer, index.questions.get(answer.question_id) if index else None, ctx.latest)
        except Rejected as exc:
            return Decision.rejected(exc.reason)
        try:
            effective = ctx.effective(answer.answered_at)
        except clock.BadTime as exc:
            return Decision.rejected(f"answered_at: {exc}")
        choice = "[" + ",".join(map(str, sorted(answer.choice))) + "]"  # JSON, as json.dumps would write it
        self.rows.append(
            [answer.id, ctx.user_id, ctx.device.id, mutation.id, answer.question_id, answer.content_version, checked.rev,
             choice, int(checked.correct), int(answer.correct), effective, answer.answered_at, answer.local_day,
             answer.duration_ms, ctx.now, 0]
        )  # fmt: skip
        self.new.setdefault(answer.question_id, []).append(
            RecordedAnswer(id=answer.id, day=answer.local_day, answered_at=effective, correct=checked.correct, rev=checked.rev)
        )
        self.ids.add(answer.id)
        self.digest_xor ^= id_bits(answer.id)
        self.overruled += checked.overruled
        return APPLIED

    @property
    def applied(self) -> int:
        return len(self.rows)

    def write(self) -> None:
        if not self.rows:
            return
        ctx = self.ctx
        first = ctx.reserve(len(self.rows) + len(self.new))
        for i, row in enumerate(self.rows):
            row[-1] = first + i
        store.insert(ctx.db, self.rows)
        # The dashboards' aggregates, in the same transaction (docs/dashboards.md), from one read
        # of the touched questions' answers that the progress replay shares.
        history = store.History(ctx.db, ctx.user_id)
        touched = {qid: [a.id for a in new] for qid, new in self.new.items()}
        aggregates.refresh(ctx.db, ctx.user_id, touched, history)
        replays = adoption_aggregates.refresh(ctx.db, ctx.user_id, touched, history) or {}
        sync_store.bump_digest(ctx.db, ctx.user_id, len(self.rows), self.digest_xor)
        sync_store.add_metric(ctx.db, "correct_overruled", self.overruled)
        self._progress(first + len(self.rows), history, replays)

    def _progress(
        self, first_seq: int, history: store.History, replays: Mapping[str, adoption_aggregates.Replayed]
    ) -> None:
        """Progress for every touched question, each with its own seq (a later one replaces it)."""
        ctx = self.ctx
        current = ctx.index(ctx.latest)
        touched = list(self.new)
        stored = store.progress_for(ctx.db, ctx.user_id, touched)
        results: dict[str, Any] = {}
        full: list[str] = []
        for qid in touched:
            # A question dropped from the latest version keeps its last epoch's meaning: count all.
            epoch = current.epochs.get(qid, 0) if current else 0
            settings = current.settings_for(qid) if current else DEFAULT_SETTINGS
            held = stored.get(qid)
            if held is None:
                # No progress row: no earlier answer to this question (each push writes the rows
                # of every question it touches), so this push's answers are the whole history.
                results[qid] = (replayed(self.new[qid], epoch, settings), epoch)
                continue
            stepped = advanced(held.state, held.basis, self.new[qid], epoch, settings)
            if stepped is None:
                full.append(qid)
            else:
                results[qid] = (stepped, epoch)
        if full:
            loaded = history.get(full)  # read already, or now in one query
            for qid in full:
                epoch = current.epochs.get(qid, 0) if current else 0
                settings = current.settings_for(qid) if current else DEFAULT_SETTINGS
                shared = replays.get(qid)
                if shared is not None and shared.epoch == epoch and shared.settings == settings:
                    # The adoption refresh replayed this whole history under the same schedule.
                    results[qid] = ((shared.state, replay_basis(epoch, settings, shared.last)), epoch)
                else:
                    results[qid] = (replayed(loaded[qid], epoch, settings), epoch)
        rows = []
        for i, qid in enumerate(touched):
            (state, basis), epoch = results[qid]
            rows.append((qid, as_wire(qid, state, epoch), basis, first_seq + i))
        store.upsert_progress(ctx.db, ctx.user_id, rows)

"""Applying a push: a device's mutations, in client_seq order, in one write transaction.

The device's last applied client_seq is stored in the same transaction as the mutations, so a
push is applied entirely or not at all, and a retried push returns the stored results.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import sqlite_utils

from server.db import read_transaction, write_transaction
from server.storage import content as content_store
from server.storage import sync as store
from server.syncing import errors
from server.syncing.content_index import VersionIndex, version_index
from sync import answers as rules
from sync import clock
from sync.digest import id_bits
from sync.progress import DEFAULT_SETTINGS, as_wire, progress
from sync.protocol import Mutation, MutationResult, PushRequest, PushResponse, Status


class _Push:
    """One push being applied: its context, and every row it will write (one executemany each)."""

    def __init__(self, db: sqlite_utils.Database, user_id: str, device: store.DeviceRow, received_at: datetime.datetime, offset: datetime.timedelta) -> None:
        self.db = db
        self.user_id = user_id
        self.device = device
        self.received_at = received_at
        self.now = clock.format_utc(received_at)
        self.offset = offset
        self.latest = content_store.latest_version(db)
        self.indexes: dict[int, VersionIndex | None] = {}
        self.previous_time = clock.parse(device.last_answer_at) if device.last_answer_at else None
        self.mutations: list[tuple[int, str, str, str, str | None, str]] = []
        self.answers: list[tuple[Any, ...]] = []
        self.changes: list[tuple[str, str, dict[str, Any]]] = []
        self.touched: dict[str, None] = {}  # an ordered set of question ids
        self.answer_ids: set[str] = set()
        self.digest_xor = 0
        self.overruled = 0

    def index(self, version: int) -> VersionIndex | None:
        if version not in self.indexes:
            self.indexes[version] = version_index(self.db, version)
        return self.indexes[version]

    def apply_answer(self, mutation: Mutation, owners: dict[str, str]) -> tuple[Status, str | None]:
        try:
            answer = rules.decode_answer(mutation.payload_version, mutation.payload)
        except rules.PayloadUnsupported as exc:
            raise errors.PayloadUnsupported(str(exc), supported={"answer": rules.ANSWER_PAYLOAD_VERSIONS}) from None
        except rules.Rejected as exc:
            return "rejected", exc.reason
        owner = owners.get(answer.id)
        if owner is not None and owner != self.user_id:
            return "rejected", "this answer id belongs to someone else"
        if owner is not None or answer.id in self.answer_ids:
            return "duplicate", None  # the grow-only set has it already
        index = self.index(answer.content_version)
        try:
            checked = rules.check_answer(answer, index.questions.get(answer.question_id) if index else None, self.latest)
        except rules.Rejected as exc:
            return "rejected", exc.reason
        try:
            moment = clock.effective(clock.parse(answer.answered_at), self.offset, self.received_at, self.previous_time)
        except clock.BadTime as exc:
            return "rejected", f"answered_at: {exc}"
        self.previous_time = moment
        effective = clock.format_utc(moment)
        choice = sorted(answer.choice)
        self.answers.append(
            (answer.id, self.user_id, self.device.id, mutation.id, answer.question_id, answer.content_version,
             checked.rev, json.dumps(choice), int(checked.correct), int(answer.correct), effective,
             answer.answered_at, answer.local_day, answer.duration_ms, self.now)
        )  # fmt: skip
        self.changes.append(
            ("answer", answer.id, {
                "id": answer.id, "question_id": answer.question_id, "content_version": answer.content_version,
                "rev": checked.rev, "choice": choice, "correct": checked.correct, "answered_at": effective,
                "local_day": answer.local_day, "duration_ms": answer.duration_ms, "device_id": self.device.id,
            })
        )  # fmt: skip
        self.touched[answer.question_id] = None
        self.answer_ids.add(answer.id)
        self.digest_xor ^= id_bits(answer.id)
        self.overruled += checked.overruled
        return "applied", None

    def write(self, last_seq: int) -> None:
        """Write every gathered row, then replay progress for each question touched."""
        db, user_id = self.db, self.user_id
        store.insert_mutations(db, self.device.id, self.mutations)
        if self.answers:
            store.insert_answers(db, self.answers)
            store.bump_digest(db, user_id, len(self.answers), self.digest_xor)
        progress_rows = self._replayed()
        changes = self.changes + [("progress", qid, state) for qid, state in progress_rows]
        if changes:
            last_change = store.add_changes(db, user_id, changes)
            first = last_change - len(progress_rows) + 1
            store.upsert_progress(db, user_id, [(qid, state, first + i) for i, (qid, state) in enumerate(progress_rows)])
        store.add_metric(db, "correct_overruled", self.overruled)
        offset_ms = max(min(int(self.offset.total_seconds() * 1000), 2**62), -(2**62))
        previous = clock.format_utc(self.previous_time) if self.previous_time else None
        store.update_device(db, self.device.id, last_seq, previous, offset_ms, self.now, len(self.answers))

    def _replayed(self) -> list[tuple[str, dict[str, Any]]]:
        """Progress for every touched question: a replay of all the learner's answers to it."""
        if not self.touched:
            return []
        current = self.index(self.latest)
        recorded = store.answers_for(self.db, self.user_id, list(self.touched))
        rows = []
        for qid in self.touched:
            # A question dropped from the latest version keeps its last epoch's meaning: count all.
            epoch = current.epochs.get(qid, 0) if current else 0
            settings = current.settings_for(qid) if current else DEFAULT_SETTINGS
            rows.append((qid, as_wire(qid, progress(recorded[qid], epoch, settings), epoch)))
        return rows


def _stored_results(db: sqlite_utils.Database, user_id: str, request: PushRequest) -> PushResponse | None:
    """A push made only of repeats, answered from what is stored: no write lock, no fsync.

    Retries after a lost response or a server restart are common; they should cost a read.
    """
    device = store.get_device(db, request.device_id)
    if device is None or device.user_id != user_id or not request.mutations:
        return None
    if any(m.client_seq > device.last_seq for m in request.mutations):
        return None
    stored = store.get_mutations(db, device.id, [m.client_seq for m in request.mutations])
    results = []
    for m in request.mutations:
        row = stored.get(m.client_seq)
        if row is None or not row.matches(m.id, m.content_hash()):
            return None  # let the write path raise the precise error
        results.append(MutationResult(client_seq=row.client_seq, id=row.id, status=row.status, reason=row.reason))  # type: ignore[arg-type]
    return PushResponse(acked_through=device.last_seq, results=results, server_time=clock.format_utc(datetime.datetime.now(datetime.UTC)))


def push(db: sqlite_utils.Database, user_id: str, request: PushRequest, received_at: datetime.datetime) -> PushResponse:
    """Apply a push for `user_id`; raise a SyncError (and change nothing) when it is refused."""
    try:
        offset = clock.offset(request.sent_at, received_at)
    except clock.BadTime as exc:
        raise errors.Malformed(f"sent_at: {exc}") from None
    with read_transaction(db):
        repeat = _stored_results(db, user_id, request)
    if repeat is not None:
        return repeat
    with write_transaction(db):
        now = clock.format_utc(received_at)
        device = store.get_device(db, request.device_id) or store.create_device(db, request.device_id, user_id, now)
        if device.user_id != user_id:
            raise errors.DeviceBound("this device is registered to another user: sign in as that user, or reinstall the app")
        expected = device.last_seq + 1
        state = _Push(db, user_id, device, received_at, offset)
        earlier = store.get_mutations(db, device.id, [m.client_seq for m in request.mutations if m.client_seq < expected])
        # client_seq -> (its result, the hash of what was applied: None when stored without one)
        seen: dict[int, tuple[MutationResult, str | None]] = {
            seq: (MutationResult(client_seq=row.client_seq, id=row.id, status=row.status, reason=row.reason), row.hash)  # type: ignore[arg-type]
            for seq, row in earlier.items()
        }
        fresh = [m for m in request.mutations if m.client_seq >= expected]
        taken = store.mutation_ids_taken(db, [m.id for m in fresh])
        owners = store.answer_owners(db, [str(m.payload.get("id", "")) for m in fresh if m.kind == "answer"])
        last = device.last_seq
        results: list[MutationResult] = []
        for mutation in request.mutations:
            content_hash = mutation.content_hash()
            if mutation.client_seq <= last:
                prior, applied_hash = seen.get(mutation.client_seq, (None, None))
                if prior is None or prior.id != mutation.id or applied_hash not in (None, content_hash):
                    raise errors.SeqReused(
                        f"client_seq {mutation.client_seq} was already used for another mutation"
                        " (another id, or the same id with another payload)",
                        expected_seq=expected,
                    )
                results.append(prior)  # a repeat: its stored result, nothing changes
                continue
            if mutation.client_seq != last + 1:
                raise errors.SeqGap(f"expected client_seq {expected}, got {mutation.client_seq}: resend from there", expected_seq=expected)
            if mutation.id in taken:
                raise errors.SeqReused(f"mutation id {mutation.id} was already used", expected_seq=expected)
            taken.add(mutation.id)
            status, reason = state.apply_answer(mutation, owners)
            state.mutations.append((mutation.client_seq, mutation.id, mutation.kind, status, reason, content_hash))
            result = MutationResult(client_seq=mutation.client_seq, id=mutation.id, status=status, reason=reason)
            seen[mutation.client_seq] = (result, content_hash)
            results.append(result)
            last = mutation.client_seq
        state.write(last)
    return PushResponse(acked_through=last, results=results, server_time=now)

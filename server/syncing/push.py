"""Applying a push: sequencing and idempotency here; each record kind's rules in its handler.

In three steps (docs/sync.md):
1. `prepare` (in the request's thread, no database): the clock offset, each mutation's hash,
   and each payload decoded and upcast by its kind's codec (sync/kinds/);
2. `stored_results` (a read): a push made only of repeats is answered from the ledger;
3. `apply` (a job of the one writer, server/storage/writer.py): load the device and the ledger,
   plan the steps (sync/sequencing.py, pure), let each kind's handler load what its rule needs,
   decide every fresh mutation in client_seq order, and write: the records, the ledger and the
   device's last applied seq, in the writer's transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from server.storage import sync as store
from server.syncing import errors
from server.syncing.kinds import HANDLERS, PushContext
from sync import clock, kinds, sequencing
from sync.kinds.base import Decision, PayloadUnsupported, Rejected
from sync.protocol import Mutation, MutationResult, PushEnvelope, PushResponse


@dataclass(frozen=True)
class Prepared:
    """A push, checked and decoded, ready for the writer."""

    request: PushEnvelope
    received_at: datetime.datetime
    offset: datetime.timedelta
    sent: list[sequencing.Sent]
    payloads: list[Any | Rejected]  # per mutation: its current-version payload, or why it is invalid


def prepare(request: PushEnvelope, received_at: datetime.datetime) -> Prepared:
    """Everything about a push that needs no database. Raises Malformed or PayloadUnsupported."""
    try:
        offset = clock.offset(request.sent_at, received_at)
    except clock.BadTime as exc:
        raise errors.Malformed(f"sent_at: {exc}") from None
    payloads: list[Any | Rejected] = []
    for m in request.mutations:
        try:
            payloads.append(kinds.codec(m.kind).decode(m.payload_version, m.payload))
        except PayloadUnsupported as exc:
            raise errors.PayloadUnsupported(str(exc), supported=kinds.payload_versions()) from None
        except Rejected as exc:
            payloads.append(exc)
    sent = [
        sequencing.Sent(client_seq=m.client_seq, id=m.id, hash=m.content_hash(None if isinstance(p, Rejected) else p))
        for m, p in zip(request.mutations, payloads, strict=True)
    ]
    return Prepared(request, received_at, offset, sent, payloads)


def _result(stored: sequencing.Stored) -> MutationResult:
    return MutationResult(client_seq=stored.client_seq, id=stored.id, status=stored.status, reason=stored.reason)  # type: ignore[arg-type]


def stored_results(db: sqlite_utils.Database, user_id: str, prepared: Prepared) -> PushResponse | None:
    """A push made only of repeats, answered from what is stored: no writer, no fsync.

    Retries after a lost response or a server restart are common; they should cost a read.
    """
    device = store.get_device(db, prepared.request.device_id)
    if device is None or device.user_id != user_id:
        return None
    stored = store.get_mutations(db, device.id, [m.client_seq for m in prepared.sent])
    found = sequencing.repeats_only(prepared.sent, device.last_seq, stored)
    if found is None:
        return None  # let the writer apply it, or raise the precise error
    return PushResponse(
        acked_through=device.last_seq, results=[_result(s) for s in found], server_time=clock.format_utc(prepared.received_at)
    )


def apply(db: sqlite_utils.Database, user_id: str, prepared: Prepared) -> PushResponse:
    """Apply a push for `user_id` (inside the writer's transaction); raise a SyncError, having
    changed nothing, when it is refused."""
    request, received_at = prepared.request, prepared.received_at
    now = clock.format_utc(received_at)
    device = store.get_device(db, request.device_id) or store.create_device(db, request.device_id, user_id, now)
    if device.user_id != user_id:
        raise errors.DeviceBound("this device is registered to another user: sign in as that user, or reinstall the app")
    stored = store.get_mutations(db, device.id, [m.client_seq for m in prepared.sent if m.client_seq <= device.last_seq])
    try:
        steps = sequencing.plan(prepared.sent, device.last_seq, stored)
    except sequencing.Gap as exc:
        raise errors.SeqGap(exc.detail, expected_seq=exc.expected_seq) from None
    except sequencing.Reused as exc:
        raise errors.SeqReused(exc.detail, expected_seq=exc.expected_seq) from None

    ctx = PushContext(db=db, user_id=user_id, device=device, received_at=received_at, offset=prepared.offset)
    fresh = [s.index for s in steps if s.repeat is None and s.same_as is None]
    handlers: dict[str, Any] = {}
    for kind in dict.fromkeys(request.mutations[i].kind for i in fresh):
        handler = handlers[kind] = HANDLERS[kind](ctx)
        handler.load([p for i in fresh if request.mutations[i].kind == kind and not isinstance(p := prepared.payloads[i], Rejected)])

    results: dict[int, MutationResult] = {}
    ledger: list[tuple[int, str, str, str, str | None, str]] = []
    for step in steps:
        mutation: Mutation = request.mutations[step.index]
        if step.repeat is not None:
            results[step.index] = _result(step.repeat)
            continue
        if step.same_as is not None:
            results[step.index] = results[step.same_as]
            continue
        payload = prepared.payloads[step.index]
        decision = Decision.rejected(payload.reason) if isinstance(payload, Rejected) else handlers[mutation.kind].decide(mutation, payload)
        results[step.index] = MutationResult(client_seq=mutation.client_seq, id=mutation.id, status=decision.status, reason=decision.reason)
        ledger.append((mutation.client_seq, mutation.id, mutation.kind, decision.status, decision.reason, prepared.sent[step.index].hash))

    for handler in handlers.values():
        handler.write()
    store.insert_mutations(db, device.id, ledger)
    last = ledger[-1][0] if ledger else device.last_seq
    answers = handlers.get("answer")
    offset_ms = max(min(int(prepared.offset.total_seconds() * 1000), 2**62), -(2**62))
    previous = clock.format_utc(ctx.previous_time) if ctx.previous_time else None
    store.update_device(db, device.id, last, previous, offset_ms, now, answers.applied if answers else 0)
    return PushResponse(acked_through=last, results=[results[i] for i in range(len(steps))], server_time=now)

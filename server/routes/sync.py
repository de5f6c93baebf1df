"""The sync endpoints: /sync/info, /sync/push, /sync/pull (docs/sync.md)."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

import msgspec
import sqlite_utils
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import RawBody

from server import json_body
from server.auth import authenticate, now
from server.openapi import errors, request_body
from server.settings import Settings
from server.signin import Principal
from server.storage import sync as store
from server.storage.writer import Writer, WriterStopped
from server.syncing import errors as sync_errors
from server.syncing import push
from server.syncing.pull import pull, record_writes
from sync import clock, kinds
from sync.protocol import (
    MAX_MUTATIONS,
    MAX_PUSH_BYTES,
    SUPPORTED_PROTOCOLS,
    Limits,
    ProtocolProbe,
    PullRequest,
    PullResponse,
    PushEnvelope,
    PushRequest,
    PushResponse,
    SyncInfo,
)

_probe_decoder = msgspec.json.Decoder(ProtocolProbe)
_push_decoder = msgspec.json.Decoder(PushEnvelope)
_pull_decoder = msgspec.json.Decoder(PullRequest)
LIMITS = {"max_mutations": MAX_MUTATIONS, "max_push_bytes": MAX_PUSH_BYTES}
MAX_PULL_BYTES = 64 * 1024
# Sync accepts the device credential as well as a session (docs/auth.md).
SYNC_ACCESS = {"access": "signed-in", "device": True}
# Answers for one person at one moment: no cache may keep them.
NO_STORE = {"Cache-Control": "no-store"}


def _check_protocol(version: int) -> None:
    if version not in SUPPORTED_PROTOCOLS:
        raise sync_errors.ProtocolUnsupported(
            f"protocol {version} is not supported: update the app", supported=list(SUPPORTED_PROTOCOLS)
        )


def _check_device(principal: Principal, device_id: str) -> None:
    """A device credential syncs only the device it was issued to."""
    if principal.via == "device" and principal.device_id != device_id:
        raise sync_errors.DeviceBound("this device credential belongs to another device: sign in on this one")


def _read(request: Request[Any, Any, Any], body: bytes, decoder: msgspec.json.Decoder[Any], max_bytes: int, what: str) -> Any:
    """A sync body, checked in order: size, media type, JSON syntax, protocol version, fields.

    A client of another protocol version is told so, not "malformed". Authentication came
    before all of this (the access guard), so an unsigned-in client gets 401 whatever it sent.
    """
    if len(body) > max_bytes:
        raise sync_errors.TooLarge(f"a {what} may carry at most {max_bytes:,} bytes: split it", **({"limit": LIMITS} if what == "push" else {}))
    json_body.check_json(request, body, max_bytes, malformed=sync_errors.Malformed)
    try:
        decoded = json_body.decode(decoder, body, malformed=sync_errors.Malformed)
    except sync_errors.Malformed:
        with contextlib.suppress(msgspec.DecodeError, RecursionError):
            _check_protocol(_probe_decoder.decode(body).protocol)
        raise
    _check_protocol(decoded.protocol)
    return decoded


def _written(writer: Writer, job: Any) -> Any:
    """Run a job on the one writer; a busy database or a stopping server is a 503 (retry)."""
    try:
        return writer.submit(job)
    except (sqlite3.OperationalError, WriterStopped) as exc:
        raise sync_errors.Unavailable(f"the server is busy ({exc}); nothing was applied: retry shortly") from None


@get("/sync/info", sync_to_thread=True, opt={"access": "public"}, tags=["sync"])
def info(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Response[SyncInfo]:
    """Server time, protocol versions, the payload versions of every record kind, size limits
    and sync health counters."""
    counters = store.metrics(db)
    body = SyncInfo(
        server_time=clock.format_utc(now(request)),
        protocol_versions=list(SUPPORTED_PROTOCOLS),
        payload_versions=kinds.payload_versions(),
        limits=Limits(),
        progress_disagreements=counters.get("progress_disagreements", 0),
        correct_overruled=counters.get("correct_overruled", 0),
    )
    return Response(body, headers=NO_STORE)


@post(
    "/sync/push", status_code=200, opt=SYNC_ACCESS, tags=["sync"],
    request_max_body_size=8 * MAX_PUSH_BYTES, dependencies=request_body(PushRequest),
    responses=errors(400, 401, 403, 409, 413, 415, 503),
)  # fmt: skip
async def push_route(request: Request[Any, Any, Any], body: RawBody, writer: NamedDependency[Writer]) -> Response[PushResponse]:
    """Apply a device's mutations in client_seq order, all or nothing (docs/sync.md).

    On the event loop, without a thread of its own: decoding and checking the body is CPU
    work either way, and the database work is a job of the one writer, awaited.
    """
    received_at = now(request)
    principal: Principal = request.state.principal  # the access guard signed it in
    req: PushEnvelope = _read(request, body, _push_decoder, MAX_PUSH_BYTES, "push")
    _check_device(principal, req.device_id)
    if len(req.mutations) > MAX_MUTATIONS:
        raise sync_errors.TooLarge(f"a push may carry at most {MAX_MUTATIONS} mutations: split it", limit=LIMITS)
    prepared = push.prepare(req, received_at)
    try:
        done = await writer.run(lambda db: push.stored_results(db, principal.user_id, prepared) or push.apply(db, principal.user_id, prepared))
    except (sqlite3.OperationalError, WriterStopped) as exc:
        raise sync_errors.Unavailable(f"the server is busy ({exc}); nothing was applied: retry shortly") from None
    return Response(done, headers=NO_STORE)


@post(
    "/sync/pull", sync_to_thread=True, status_code=200, opt=SYNC_ACCESS, tags=["sync"],
    request_max_body_size=MAX_PULL_BYTES, dependencies=request_body(PullRequest),
    responses=errors(400, 401, 403, 413, 415, 503),
)  # fmt: skip
def pull_route(
    request: Request[Any, Any, Any],
    body: RawBody,
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
    writer: NamedDependency[Writer],
) -> Response[PullResponse]:
    """Changes after the device's cursors, a page at a time, with acked_through (docs/sync.md)."""
    principal = authenticate(request, settings, db, device=True)
    req: PullRequest = _read(request, body, _pull_decoder, MAX_PULL_BYTES, "pull")
    _check_device(principal, req.device_id)
    moment = now(request)
    try:
        job = record_writes(db, principal.user_id, req, moment)
        if job is not None:
            _written(writer, job)
        return Response(pull(db, principal.user_id, req, moment), headers=NO_STORE)
    except sqlite3.OperationalError as exc:
        raise sync_errors.Unavailable(f"the server is busy ({exc}): retry shortly") from None

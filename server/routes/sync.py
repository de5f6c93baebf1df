"""The sync endpoints: /sync/info, /sync/push, /sync/pull (docs/sync.md)."""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
from typing import Any

import msgspec
import sqlite_utils
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import RawBody

from server.auth import authenticate
from server.pool import ConnectionPool
from server.settings import Settings
from server.signin import Principal
from server.storage import sync as store
from server.syncing import errors
from server.syncing.pull import pull
from server.syncing.push import push
from sync import clock
from sync.answers import ANSWER_PAYLOAD_VERSIONS
from sync.protocol import (
    MAX_MUTATIONS,
    MAX_PUSH_BYTES,
    SUPPORTED_PROTOCOLS,
    Limits,
    ProtocolProbe,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    SyncInfo,
)

_probe_decoder = msgspec.json.Decoder(ProtocolProbe)
_push_decoder = msgspec.json.Decoder(PushRequest)
_pull_decoder = msgspec.json.Decoder(PullRequest)
LIMITS = {"max_mutations": MAX_MUTATIONS, "max_push_bytes": MAX_PUSH_BYTES}


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _check_protocol(version: int) -> None:
    if version not in SUPPORTED_PROTOCOLS:
        raise errors.ProtocolUnsupported(
            f"protocol {version} is not supported: update the app", supported=list(SUPPORTED_PROTOCOLS)
        )


def _check_device(principal: Principal, device_id: str) -> None:
    """A device credential syncs only the device it was issued to."""
    if principal.via == "device" and principal.device_id != device_id:
        raise errors.DeviceBound("this device credential belongs to another device: sign in on this one")


def _decode(decoder: msgspec.json.Decoder[Any], body: bytes) -> Any:
    """Decode a request body; a client of another protocol version is told so, not "malformed"."""
    try:
        request = decoder.decode(body)
    except msgspec.DecodeError as exc:
        with contextlib.suppress(msgspec.DecodeError):
            _check_protocol(_probe_decoder.decode(body).protocol)
        raise errors.Malformed(f"the body is not a valid request: {exc}") from None
    _check_protocol(request.protocol)
    return request


@get("/sync/info", sync_to_thread=True, opt={"access": "public"}, tags=["sync"])
def info(db: NamedDependency[sqlite_utils.Database]) -> SyncInfo:
    """Server time, protocol versions, size limits and sync health counters."""
    counters = store.metrics(db)
    return SyncInfo(
        server_time=clock.format_utc(_now()),
        protocol_versions=list(SUPPORTED_PROTOCOLS),
        payload_versions={"answer": ANSWER_PAYLOAD_VERSIONS},
        limits=Limits(),
        progress_disagreements=counters.get("progress_disagreements", 0),
        correct_overruled=counters.get("correct_overruled", 0),
    )


@post("/sync/push", sync_to_thread=True, status_code=200, opt={"access": "signed-in"}, tags=["sync"], request_max_body_size=8 * MAX_PUSH_BYTES)
def push_route(
    request: Request[Any, Any, Any],
    body: RawBody,
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
    pool: NamedDependency[ConnectionPool],
) -> PushResponse:
    """Apply a device's mutations in client_seq order, all or nothing."""
    received_at = _now()
    principal = authenticate(request, settings, db)
    user_id = principal.key
    if len(body) > MAX_PUSH_BYTES:
        raise errors.TooLarge(f"a push may carry at most {MAX_PUSH_BYTES:,} bytes: split it", limit=LIMITS)
    req: PushRequest = _decode(_push_decoder, body)
    _check_device(principal, req.device_id)
    if len(req.mutations) > MAX_MUTATIONS:
        raise errors.TooLarge(f"a push may carry at most {MAX_MUTATIONS} mutations: split it", limit=LIMITS)
    try:
        with pool.write_lock:
            return push(db, user_id, req, received_at)
    except sqlite3.OperationalError as exc:
        raise errors.Unavailable(f"the server is busy ({exc}); nothing was applied: retry shortly") from None


@post("/sync/pull", sync_to_thread=True, status_code=200, opt={"access": "signed-in"}, tags=["sync"])
def pull_route(
    request: Request[Any, Any, Any], body: RawBody, db: NamedDependency[sqlite_utils.Database], settings: NamedDependency[Settings]
) -> PullResponse:
    """Changes after the device's cursors, a page at a time, with acked_through."""
    principal = authenticate(request, settings, db)
    user_id = principal.key
    if len(body) > 64 * 1024:
        raise errors.TooLarge("a pull request is at most 64 KiB")
    req: PullRequest = _decode(_pull_decoder, body)
    _check_device(principal, req.device_id)
    try:
        return pull(db, user_id, req, _now())
    except sqlite3.OperationalError as exc:
        raise errors.Unavailable(f"the server is busy ({exc}): retry shortly") from None

"""What /schema/openapi.json says about each route: its real request body and every response.

Routes that read their JSON body themselves (to give precise errors: docs/api.md) declare it
with `request_body(Struct)`, and every route lists the error statuses it can answer with
`errors(...)`, so a client generated from the schema (or a schema-driven fuzzer) meets nothing
undocumented. Both are built from the same msgspec Structs the handlers decode and encode.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every error: a machine-readable `error` code, a `detail` for people, and the fields a
    client acts on for some errors (docs/api.md, docs/sync.md)."""

    error: str
    detail: str
    expected_seq: int | None = None  # seq_gap, seq_reused: where the device's outbox should start
    supported: Any = None  # protocol_unsupported, payload_unsupported: what this server speaks
    limit: dict[str, int] | None = None  # too_large on a push: the limits to split by
    retry_after: int | None = None  # rate_limited: seconds to wait (also the Retry-After header)
    reason: str | None = None  # forbidden: e.g. "csrf"
    extra: Any = None  # bad_request from request validation: the parameters at fault


_MEANING = {
    400: "The request is malformed: the detail names what is wrong",
    401: "Not signed in, or the credential has ended: sign in again (nothing recorded is lost)",
    403: "Signed in, but not allowed: a missing role or CSRF token, or a device bound to someone else",
    404: "No such thing",
    409: "Conflicts with what the server holds (sync: a gap or a reused seq; uploads: another offset)",
    410: "Gone: an upload that expired before it was finished",
    412: "The request's Tus-Resumable version is not 1.0.0",
    413: "The body is over the size limit",
    415: "The body must be JSON (uploads: application/offset+octet-stream, and a WebM or MP4 video)",
    416: "No part of the requested range lies within the file",
    423: "Another server process on this database is writing this upload: ask with HEAD and resume shortly",
    429: "Too many requests: wait for Retry-After seconds",
    460: "An upload's checksum does not match its bytes: nothing of them was kept",
    503: "Not ready, or busy: nothing was changed; retry shortly",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The error responses a route can give, each with the one error body."""
    return {status: ResponseSpec(data_container=ErrorBody, description=_MEANING[status]) for status in statuses}


def request_body(struct: type[msgspec.Struct]) -> dict[str, Provide]:
    """Document `struct` as the route's JSON request body without Litestar decoding it.

    Litestar documents a request body from a `data` parameter, of the handler or of any of its
    dependencies. This dependency has one and is never asked for by the handler, so it is never
    run: the handler still reads the raw body itself (server/json_body.py).
    """

    def documented_body(data: Any) -> None:  # pragma: no cover - never called
        return None

    documented_body.__annotations__ = {"data": struct, "return": None}
    return {"_request_body": Provide(documented_body, sync_to_thread=False)}

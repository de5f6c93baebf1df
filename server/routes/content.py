"""The published library, as devices download it."""

from __future__ import annotations

import gzip
from typing import Any

import msgspec
import sqlite_utils
from litestar import MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from server.errors import NotFound
from server.library.snapshot import SnapshotDocument
from server.openapi import errors
from server.storage import content as store

IMMUTABLE = "public, max-age=31536000, immutable"


class LatestContent(msgspec.Struct):
    """Where the newest published library version is. Version 0 means nothing is published."""

    version: int
    published_at: str | None = None
    snapshot: str | None = None
    etag: str | None = None
    size: int | None = None


def accepts_gzip(header: str) -> bool:
    """True when an Accept-Encoding header allows gzip (and does not set its q to 0)."""
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


@get("/content/latest", sync_to_thread=True, opt={"access": "public"}, tags=["content"])
def latest(db: NamedDependency[sqlite_utils.Database]) -> Response[LatestContent]:
    """The newest published version and where to fetch it."""
    meta = store.get_latest_snapshot_meta(db)
    body = (
        LatestContent(version=0)
        if meta is None
        else LatestContent(meta.version, meta.published_at, f"/content/snapshot/{meta.version}", meta.etag, meta.size)
    )
    return Response(body, headers={"Cache-Control": "no-cache"})


@get(
    "/content/snapshot/{version:int}", sync_to_thread=True, opt={"access": "public"}, tags=["content"],
    responses={
        200: ResponseSpec(data_container=SnapshotDocument, description="The library at this version (docs/api.md)"),
        304: ResponseSpec(data_container=None, description="Not modified: the If-None-Match ETag is this version's"),
        **errors(400, 404),
    },
)  # fmt: skip
def snapshot(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], version: FromPath[int]
) -> Response[bytes]:
    """The whole library at one version, as JSON (gzip when accepted). Immutable: cached for a
    year, revalidated by its ETag. The stored bytes are sent as they are."""
    # Bounds first: SQLite integers stop at 2**63, and a larger one must be a 404, not a crash.
    row = store.get_snapshot(db, version) if 0 < version < 2**63 else None
    if row is None:
        raise NotFound(f"no published library version {version}")
    headers = {"Cache-Control": IMMUTABLE, "ETag": row.etag, "Vary": "Accept-Encoding"}
    if row.etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(b"", status_code=304, headers=headers)
    try:
        gzip_ok = accepts_gzip(request.headers.get("accept-encoding", ""))
    except ValueError:
        gzip_ok = False
    if gzip_ok:
        headers["Content-Encoding"] = "gzip"
        return Response(row.body_gzip, media_type=MediaType.JSON, headers=headers)
    return Response(gzip.decompress(row.body_gzip), media_type=MediaType.JSON, headers=headers)

"""The upload routes (tus 1.0.0 at /uploads/) and the video route (/videos/{sha256}): docs/uploads.md.

Authentication is the sync routes' own (server/policy.py's guard): a device credential, or the
session cookie with X-CSRF-Token on unsafe methods. HEAD /uploads/{id} reaches the GET handler
(server/app.py answers every HEAD as GET without the body).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import sqlite_utils
from litestar import Request, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.exceptions import InternalServerException
from litestar.params import FromPath
from litestar.response import Stream

from server.auth import now
from server.openapi import errors
from server.pitches.access import may_watch
from server.settings import Settings
from server.signin import Principal
from server.uploads import admin, files, protocol, ranges, store
from server.uploads.errors import TUS_VERSION, BodyDropped, RangeUnsatisfiable, UnknownUpload
from server.uploads.transfer import Dropped, Transfers
from sync.kinds.pitch import MAX_VIDEO_BYTES

UPLOAD_ACCESS = {"access": "signed-in", "device": True}
TUS = {"Tus-Resumable": TUS_VERSION}
NO_STORE = {"Cache-Control": "no-store"}
SEND_BLOCK = 256 * 1024


def _transfers(request: Request[Any, Any, Any]) -> Transfers:
    transfers: Transfers = request.app.state.transfers
    return transfers


def _user(request: Request[Any, Any, Any]) -> str:
    principal: Principal = request.state.principal  # the access guard signed it in
    return principal.user_id


@route("/uploads/", http_method=["OPTIONS"], status_code=204, opt={"access": "public"}, include_in_schema=False)
async def discover(settings: NamedDependency[Settings]) -> Response[None]:
    """What this tus server speaks: version, extensions, the largest video, the checksum algorithm."""
    headers = {
        **TUS, "Tus-Version": TUS_VERSION, "Tus-Extension": protocol.EXTENSIONS,
        "Tus-Max-Size": str(settings.max_video_bytes), "Tus-Checksum-Algorithm": protocol.CHECKSUM_ALGORITHMS,
    }  # fmt: skip
    return Response(None, status_code=204, headers=headers)


@post(
    "/uploads/", status_code=201, opt=UPLOAD_ACCESS, tags=["uploads"], request_max_body_size=64 * 1024,
    responses=errors(400, 401, 403, 409, 412, 413, 415, 503),
)  # fmt: skip
async def create(request: Request[Any, Any, Any], settings: NamedDependency[Settings]) -> Response[None]:
    """Create an upload of one pitch's video (tus creation): `Upload-Length`, `Upload-Metadata`
    (pitch_id, sha256, filetype). The same person, pitch and file again: the same upload."""
    protocol.check_version(request.headers.get("tus-resumable"))
    asked = protocol.creation(
        request.headers.get("upload-length"), request.headers.get("upload-metadata"), settings.max_video_bytes
    )
    upload = await _transfers(request).create(_user(request), asked, now(request))
    headers = {**TUS, "Location": f"/uploads/{upload.id}", "Upload-Offset": str(upload.offset), **NO_STORE}
    if not upload.complete:
        headers["Upload-Expires"] = protocol.http_date(upload.expires_at)
    return Response(None, status_code=201, headers=headers)


@get("/uploads/{upload_id:str}", opt=UPLOAD_ACCESS, tags=["uploads"], responses=errors(400, 401, 403, 404, 410, 412))
async def offset(request: Request[Any, Any, Any], upload_id: FromPath[str]) -> Response[None]:
    """Where an upload stands (tus HEAD): `Upload-Offset`, `Upload-Length`, `Upload-Expires`."""
    protocol.check_version(request.headers.get("tus-resumable"))
    upload = await _transfers(request).settled(_user(request), upload_id, now(request))
    headers = {**TUS, "Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length), **NO_STORE}
    if not upload.complete:
        headers["Upload-Expires"] = protocol.http_date(upload.expires_at)
    return Response(None, status_code=200, headers=headers)


async def _body(request: Request[Any, Any, Any], idle_seconds: int) -> AsyncIterator[bytes]:
    """The request body as it arrives, never more than one network read in memory. A client gone
    (Litestar's InternalServerException) or silent for `idle_seconds` has dropped the body."""
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), idle_seconds)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise Dropped(f"no bytes for {idle_seconds} s") from None
        except InternalServerException as exc:
            raise Dropped(str(exc)) from None
        if chunk:
            yield chunk


@patch(
    "/uploads/{upload_id:str}", status_code=204, opt=UPLOAD_ACCESS, tags=["uploads"],
    request_max_body_size=MAX_VIDEO_BYTES, responses=errors(400, 401, 403, 404, 409, 410, 412, 413, 415, 423, 460, 503),
)  # fmt: skip
async def write(
    request: Request[Any, Any, Any], upload_id: FromPath[str], settings: NamedDependency[Settings]
) -> Response[None]:
    """Append bytes at `Upload-Offset` (tus core, with the checksum extension)."""
    protocol.check_version(request.headers.get("tus-resumable"))
    wanted = ("content-type", "content-length", "upload-offset", "upload-checksum")
    headers = {name: request.headers.get(name) for name in wanted}
    try:
        upload = await _transfers(request).receive(
            _user(request), upload_id, headers, _body(request, settings.upload_idle_seconds), now(request)
        )
    except Dropped as dropped:  # what came is kept (without a checksum); HEAD tells where to resume
        raise BodyDropped(f"the body stopped ({dropped}): ask with HEAD where to resume") from None
    answer = {**TUS, "Upload-Offset": str(upload.offset)}
    if not upload.complete:
        answer["Upload-Expires"] = protocol.http_date(upload.expires_at)
    return Response(None, status_code=204, headers=answer)


@delete(
    "/uploads/{upload_id:str}", status_code=204, opt=UPLOAD_ACCESS, tags=["uploads"],
    responses=errors(400, 401, 403, 404, 409, 410, 412, 423, 503),
)  # fmt: skip
async def terminate(request: Request[Any, Any, Any], upload_id: FromPath[str]) -> Response[None]:
    """Give up an unfinished upload (tus termination): its bytes are deleted."""
    protocol.check_version(request.headers.get("tus-resumable"))
    await _transfers(request).terminate(_user(request), upload_id, now(request))
    return Response(None, status_code=204, headers=TUS)


def _chunks(path: Any, first: int, count: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(first)
        while count > 0:
            block = handle.read(min(SEND_BLOCK, count))
            if not block:
                return
            count -= len(block)
            yield block


@get("/videos/{sha256:str}", opt=UPLOAD_ACCESS, tags=["uploads"], responses=errors(400, 401, 403, 404, 416))
async def video(
    request: Request[Any, Any, Any], sha256: FromPath[str], db: NamedDependency[sqlite_utils.Database]
) -> Stream:
    """A stored video, with range requests; `?download=1` asks the browser to save it."""
    user_id = _user(request)

    def look_up() -> store.Video | None:
        if not protocol.SHA256_HEX.fullmatch(sha256) or not may_watch(db, user_id, sha256):
            return None  # the same 404 as an unknown video: hashes cannot be probed
        return store.video(db, sha256)

    found = await anyio.to_thread.run_sync(look_up)
    path = _transfers(request).layout.video(sha256) if found else None
    if found is None or path is None or not path.exists():
        raise UnknownUpload("no such video")
    headers = {
        "Accept-Ranges": "bytes", "Cache-Control": "private, max-age=31536000, immutable",
        "ETag": f'"{found.sha256}"', "Content-Type": found.content_type,
    }  # fmt: skip
    if request.query_params.get("download") == "1":
        extension = "webm" if found.content_type == "video/webm" else "mp4"
        headers["Content-Disposition"] = f'attachment; filename="pitch-{found.sha256[:12]}.{extension}"'
    try:
        wanted = ranges.byte_range(request.headers.get("range"), found.size)
    except RangeUnsatisfiable as error:
        error.headers.update({"Content-Range": f"bytes */{found.size}", "Accept-Ranges": "bytes"})
        raise
    first, last = wanted if wanted else (0, found.size - 1)
    if wanted:
        headers["Content-Range"] = f"bytes {first}-{last}/{found.size}"
    count = last - first + 1
    headers["Content-Length"] = str(count)
    return Stream(
        _chunks(path, first, count), status_code=206 if wanted else 200, headers=headers, media_type=found.content_type
    )


ROUTES = [discover, create, offset, write, terminate, video, admin.set_retention]
__all__ = ["ROUTES", "files"]

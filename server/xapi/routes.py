"""The admin's xAPI download: every statement as JSON lines (docs/api.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import sqlite_utils
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Stream

from server import auth
from server.db import read_transaction
from server.errors import RecapError
from server.pool import ConnectionPool
from server.settings import Settings
from server.xapi import export


@get("/admin/xapi", sync_to_thread=True, opt={"access": "role:admin"}, include_in_schema=False)
def xapi_download(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], settings: NamedDependency[Settings]
) -> Stream:
    """Every xAPI statement (answers, nuggets read, shared observations), `?since=YYYY-MM-DD`."""
    try:
        since = export.parse_since(request.query_params.get("since"))
    except export.BadSince as error:
        raise RecapError(str(error).replace("--since", "since")) from None
    who = export.identity(db, settings, auth.now(request), str(request.base_url))
    pool: ConnectionPool = request.app.state.pool

    @contextmanager
    def pooled() -> Iterator[sqlite_utils.Database]:
        # A connection per page, given back at once: the download may take a while.
        connection = pool.acquire()
        try:
            with read_transaction(connection):
                yield connection
        finally:
            pool.release(connection)

    lines = export.json_lines(export.statements(pooled, who, since=since))
    return Stream(
        iterate_in_thread(_chunks(lines)),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="statements.jsonl"', "Cache-Control": "no-store"},
    )


def _chunks(lines: Iterator[str], size: int = 64 * 1024) -> Iterator[bytes]:
    buffer: list[str] = []
    held = 0
    for line in lines:
        buffer.append(line)
        held += len(line)
        if held >= size:
            yield "".join(buffer).encode()
            buffer, held = [], 0
    if buffer:
        yield "".join(buffer).encode()


async def iterate_in_thread(items: Iterator[bytes]) -> AsyncIterator[bytes]:
    """A blocking iterator (SQLite reads) consumed off the event loop, chunk by chunk."""
    done = object()
    while True:
        item = await anyio.to_thread.run_sync(next, items, done)
        if item is done:
            return
        yield item  # type: ignore[misc]

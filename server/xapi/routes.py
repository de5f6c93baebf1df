"""The admin's xAPI download: every statement as JSON lines (docs/api.md)."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, Response, get
from litestar.di import NamedDependency

from server import auth
from server.errors import RecapError
from server.settings import Settings
from server.xapi import export


@get("/admin/xapi", sync_to_thread=True, opt={"access": "role:admin"}, include_in_schema=False)
def xapi_download(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], settings: NamedDependency[Settings]
) -> Response[bytes]:
    """Every xAPI statement (answers, nuggets read, shared observations), `?since=YYYY-MM-DD`."""
    try:
        since = export.parse_since(request.query_params.get("since"))
    except export.BadSince as error:
        raise RecapError(str(error).replace("--since", "since")) from None
    who = export.identity(db, settings, auth.now(request), str(request.base_url))
    body = "".join(export.json_lines(export.statements(db, who, since=since))).encode()
    return Response(
        body,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="statements.jsonl"', "Cache-Control": "no-store"},
    )

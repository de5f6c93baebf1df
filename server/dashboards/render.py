"""One page, two forms: the HTML page, or with `?format=csv` its table as a CSV download."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.response import Template

from server.dashboards.tables import Table
from server.editor.pages import built_assets
from server.errors import RecapError

FORMATS = ("html", "csv")
_SAFE_NAME = re.compile(r"[^a-z0-9-]+")


def wanted_format(request: Request[Any, Any, Any]) -> str:
    wanted = request.query_params.get("format", "html")
    if wanted not in FORMATS:
        raise RecapError(f"format must be one of {', '.join(FORMATS)}, not {wanted!r}")
    return wanted


def csv_response(table: Table) -> Response[bytes]:
    """The table as a CSV attachment (UTF-8 with a byte order mark, so spreadsheets read accents)."""
    name = _SAFE_NAME.sub("-", table.name.lower()).strip("-") or "table"
    return Response(
        ("\ufeff" + table.csv_text()).encode(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )


def page(
    request: Request[Any, Any, Any], template: str, table: Table | None, **context: Any
) -> Template | Response[bytes]:
    """The page, or its main table as CSV when asked with `?format=csv`."""
    if wanted_format(request) == "csv":
        if table is None:
            raise RecapError("this page has no table to download")
        return csv_response(table)
    assets = built_assets(request.app.state.settings).get("dashboard", {})
    kept = [(k, v) for k, v in request.query_params.items() if k != "format"]
    csv_url = request.url.path + "?" + urlencode([*kept, ("format", "csv")])
    return Template(template, context={"table": table, "assets": assets, "csv_url": csv_url, **context})

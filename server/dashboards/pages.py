"""What the adoption, coaching and content quality pages share: a page of several tables, each
downloadable as CSV (`?format=csv&table=<name>`), the period asked for, and how figures read
(a share always beside its count)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import sqlite_utils
from litestar import Request, Response
from litestar.response import Template

from server import auth
from server.dashboards import render, store
from server.dashboards.tables import Table
from server.editor.pages import built_assets
from server.errors import NotFound, RecapError
from sync.practice import date_of, day_of

DEFAULT_DAYS = 28
MIN_DAYS, MAX_DAYS = 7, 366
MEASURES = "docs/measures.md"


def today(request: Request[Any, Any, Any]) -> int:
    """Today's day number by the server's clock (UTC)."""
    found = day_of(auth.now(request).date().isoformat())
    assert found is not None
    return found


def period_days(request: Request[Any, Any, Any]) -> int:
    """The period asked for with `?days=` (7 to 366; 28 when not given)."""
    text = request.query_params.get("days")
    if text is None:
        return DEFAULT_DAYS
    if not text.isdigit() or not MIN_DAYS <= int(text) <= MAX_DAYS:
        raise RecapError(f"days must be a whole number from {MIN_DAYS} to {MAX_DAYS}, not {text[:20]!r}")
    return int(text)


def team_or_404(db: sqlite_utils.Database, team_id: str) -> store.Team:
    """The team (only an admin gets this far for a team that does not exist: others get 403)."""
    found = store.team(db, team_id)
    if found is None:
        raise NotFound(f"there is no team {team_id!r}")
    return found


def share(n: int, of: int) -> str:
    """`50 % (1 of 2)`; `– (0 of 0)` when there is nothing to divide."""
    if not of:
        return "– (0 of 0)"
    return f"{round(100 * n / of)} % ({n} of {of})"


def ratio(n: int, of: int) -> float | None:
    return round(n / of, 4) if of else None


def day_text(day: int | None) -> str:
    return date_of(day) if day is not None else "–"


def respond(
    request: Request[Any, Any, Any], template: str, tables: Sequence[Table], **context: Any
) -> Template | Response[bytes]:
    """The page, or with `?format=csv` the table named by `table` (the first when not named)."""
    if render.wanted_format(request) == "csv":
        wanted = request.query_params.get("table", tables[0].name)
        chosen = next((t for t in tables if t.name == wanted), None)
        if chosen is None:
            raise RecapError(f"table must be one of {', '.join(t.name for t in tables)}, not {wanted[:40]!r}")
        return render.csv_response(chosen)
    assets = built_assets(request.app.state.settings).get("dashboard", {})
    kept = [(k, v) for k, v in request.query_params.items() if k not in ("format", "table")]
    csv_urls = {t.name: request.url.path + "?" + urlencode([*kept, ("format", "csv"), ("table", t.name)]) for t in tables}
    return Template(template, context={"tables": tables, "csv_urls": csv_urls, "assets": assets, "measures": MEASURES, **context})


def all_reps(db: sqlite_utils.Database) -> list[store.Person]:
    """Every person who is a rep in some team, once, by name."""
    return [
        store.Person(str(i), str(n), str(e))
        for i, n, e in db.execute(
            "SELECT DISTINCT u.id, u.name, u.email FROM team_members m JOIN users u ON u.id = m.user_id"
            " WHERE m.role = 'rep' ORDER BY u.name, u.email"
        )
    ]

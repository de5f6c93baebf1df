"""Campaign reach and schedule preview for the editor's campaign pages: the interface the editor
needs, filled by `server/campaigns/` when that package is present.

MERGE (issue 11, campaigns branch): `server/campaigns/` provides
    campaign_reach(db) -> dict[str, int]          # campaign id -> learners it reaches
    campaign_preview(db, campaign_id, user_id, days=14) -> what a learner gets, day by day
Until then both answers here are None and the pages say the figures are not available yet.
Wire them by keeping these two functions' signatures: the routes, templates and tests use
only `reach` and `preview` below. The template shows a preview as rows of (day, items); adapt
`preview_rows` to the real shape at merge.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, cast

import sqlite_utils

PROVIDER = "server.campaigns"


def _provider(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module(PROVIDER)
    except ImportError:
        return None
    found = getattr(module, name, None)
    return cast(Callable[..., Any], found) if callable(found) else None


def reach(db: sqlite_utils.Database) -> dict[str, int] | None:
    """Learners each campaign reaches, or None when the campaigns package is not there yet."""
    provider = _provider("campaign_reach")
    return None if provider is None else dict(provider(db))


def preview(db: sqlite_utils.Database, campaign_id: str, user_id: str, days: int = 14) -> Any | None:
    """What `user_id` would get from the campaign over the next `days`, or None (not there yet)."""
    provider = _provider("campaign_preview")
    return None if provider is None else provider(db, campaign_id, user_id, days=days)


def preview_rows(value: Any) -> list[tuple[str, str]]:
    """A preview as (label, text) rows for the template, whatever its shape: a mapping of day ->
    items, a list of (day, items) or of other values."""
    if value is None:
        return []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = [tuple(v) if isinstance(v, list | tuple) and len(v) == 2 else ("", v) for v in value]
    else:
        items = [("", value)]
    return [(str(day), ", ".join(map(str, what)) if isinstance(what, list | tuple) else str(what)) for day, what in items]

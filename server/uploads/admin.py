"""The admin page's video pieces: storage use per organisation, and the retention form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import sqlite_utils
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.response import Redirect

from server import auth
from server.errors import RecapError
from server.pool import ConnectionPool, in_thread
from server.uploads import retention, setting, store

ADMIN_FORM = {"access": "role:admin", "csrf": "form"}


def page_context(db: sqlite_utils.Database) -> dict[str, Any]:
    """What the admin page shows about videos (server/templates/admin/people.html)."""
    return {
        "video_usage": store.usage(db), "video_retention_days": setting.days(db),
        "min_retention_days": retention.MIN_DAYS, "max_retention_days": retention.MAX_DAYS,
    }  # fmt: skip


@post("/admin/settings/video-retention", opt=ADMIN_FORM, include_in_schema=False)
async def set_retention(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool]) -> Redirect:
    """How many days videos that are not team examples are kept (audited)."""
    form = await request.form()
    auth.require_form_csrf(request, request.state.principal, str(form.get("csrf_token", "")))
    try:
        days = retention.parse_days(str(form.get("video_retention_days", "")))
    except retention.Invalid as error:
        raise RecapError(str(error)) from None
    now = auth.now(request)
    await in_thread(pool, lambda db: setting.set_days(db, days, now))
    return Redirect(f"/admin?{urlencode({'done': f'Videos kept for {days} days'})}", status_code=303)

"""Who is calling. For now a development credential stands in for sign-in (RECAP_DEV_AUTH)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from server.settings import Settings
from server.syncing import errors

_DEV_TOKEN = re.compile(r"^Bearer dev:([A-Za-z0-9._@+-]{1,200})$")


def current_user(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The signed-in user's id, or a 401 that tells the app to pause its outbox and ask for sign-in."""
    header = request.headers.get("authorization", "")
    if settings.dev_auth:
        match = _DEV_TOKEN.match(header)
        if match:
            return match.group(1)
    raise errors.Unauthorized("sign in again to sync; nothing recorded on this device is lost")

"""Operational routes under `/-/`."""

from __future__ import annotations

import msgspec
import sqlite_utils
from litestar import get
from litestar.di import NamedDependency

from server import migrations
from server.errors import NotReady
from server.openapi import errors
from server.storage.content import latest_version


class Ready(msgspec.Struct):
    status: str
    content_version: int


@get("/-/ready", sync_to_thread=True, opt={"access": "public"}, tags=["operations"], responses=errors(503))
def ready(db: NamedDependency[sqlite_utils.Database]) -> Ready:
    """200 once every migration has been applied; 503 with the pending ones before that."""
    pending = migrations.pending(db)
    if pending:
        raise NotReady(f"pending migrations: {', '.join(pending)}")
    return Ready(status="ready", content_version=latest_version(db))

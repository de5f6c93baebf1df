"""Per-request resources, provided as Litestar dependencies that clean up after themselves."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils
from litestar.datastructures import State

from server.db import connect
from server.settings import Settings


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_db(state: State) -> Iterator[sqlite_utils.Database]:
    """A connection for one request, closed when the request ends."""
    db = connect(state.settings.db_path, state.settings.busy_timeout_ms)
    try:
        yield db
    finally:
        db.close()

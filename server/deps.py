"""Per-request resources, provided as Litestar dependencies that clean up after themselves."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils
from litestar.datastructures import State

from server.pool import ConnectionPool
from server.settings import Settings
from server.storage.writer import Writer


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_pool(state: State) -> ConnectionPool:
    pool: ConnectionPool = state.pool
    return pool


def provide_db(state: State) -> Iterator[sqlite_utils.Database]:
    """A pooled connection for one request, given back when the request ends."""
    pool: ConnectionPool = state.pool
    db = pool.acquire()
    try:
        yield db
    finally:
        pool.release(db)


def provide_writer(state: State) -> Writer:
    writer: Writer = state.writer
    return writer

"""Shared fixtures: real SQLite files, the real app, a real server process on a free port.

The helpers behind them live in tests/support/ (also used by bench/).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from server import migrations
from server.db import connect
from tests.support.browser import CHROMIUM_ARGS, chromium_path
from tests.support.clock import Clock
from tests.support.paths import FIXTURE_LIBRARY
from tests.support.server import LiveServer, demo_database, published_database


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A writable copy of the small fixture library."""
    target = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, target)
    return target


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "recap.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    """A migrated database in a real file."""
    database = connect(db_path)
    migrations.apply(database)
    yield database
    database.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server on its own database, with the fixture library published."""
    server = LiveServer(published_database(tmp_path / "live" / "recap.db", FIXTURE_LIBRARY))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """Playwright's sync API, started once: one may run at a time in a process (a second,
    nested `sync_playwright()` refuses to start), so every browser of the run comes from it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """One headless Chromium for the whole run, driven by Playwright."""
    instance = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page for one test."""
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server with the demo library published and the demo accounts imported."""
    server = LiveServer(demo_database(tmp_path / "live" / "recap.db"))
    yield server
    server.stop()

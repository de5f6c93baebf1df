"""The editor's HTTP tests share one real server per test module (`recap serve` on a real SQLite
file with the demo library and accounts) and its people, signed in by emailed code."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.editor import signed_in
from tests.support.server import LiveServer, demo_database


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(demo_database(tmp_path_factory.mktemp("editor") / "var" / "recap.db"), env={"RECAP_DEV_AUTH": "1"})
    yield live
    live.stop()


@pytest.fixture(scope="module")
def people(server: LiveServer) -> Iterator[dict[str, httpx.Client]]:
    clients = {
        role: signed_in(server, f"{role}@example.com")
        for role in ("editor", "editor2", "admin", "rep", "coach", "manager")
    }
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def editor(people: dict[str, httpx.Client]) -> httpx.Client:
    return people["editor"]


@pytest.fixture
def editor2(people: dict[str, httpx.Client]) -> httpx.Client:
    return people["editor2"]

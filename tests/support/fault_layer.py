"""What the sync fault machine (tests/support/faults.py) runs against: the real app in process on
one SQLite file (restartable), a layer of faults between each device and it, and the database
every schedule starts from (the library published, three reps and their coach in one team)."""

from __future__ import annotations

import atexit
import datetime
import functools
import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import TestClient

from server import migrations
from server.db import connect, write_transaction
from server.library.publish import publish
from server.settings import Settings
from server.storage import people
from tests.support.ids import uuid7
from tests.support.pitch_faults import library_with_pitches

FAULTS = ("none", "drop_request", "drop_response", "duplicate", "stale_replay", "401", "503", "413")
REPS = ("rep0@example.com", "rep1@example.com", "rep2@example.com")
COACH = "coach@example.com"


@dataclass
class FaultyHttp:
    """What a device's `http` is: the real app in process, behind a layer of faults."""

    server: ServerHandle
    rng: random.Random
    fault_rate: float = 0.0
    stale: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)

    def post(self, path: str, json: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        fault = self.rng.choice(FAULTS[1:]) if self.rng.random() < self.fault_rate else "none"
        if fault == "stale_replay" and self.stale:
            old = self.stale.pop(self.rng.randrange(len(self.stale)))
            self.server.client.post(old[0], json=old[1], headers=old[2])  # an old copy arrives late
            fault = "none"
        if self.rng.random() < 0.3:
            self.stale.append((path, json, headers))
            del self.stale[:-5]
        if fault == "drop_request":
            raise httpx.ConnectError("dropped before reaching the server")
        if fault in ("401", "503", "413"):
            error = {"401": "unauthorized", "503": "unavailable", "413": "too_large"}[fault]
            body: dict[str, Any] = {"error": error, "detail": "injected"}
            if fault == "413":
                body["limit"] = {"max_mutations": 500, "max_push_bytes": 1048576}
            return httpx.Response(int(fault), json=body)
        response = self.server.client.post(path, json=json, headers=headers)
        if fault == "duplicate":
            response = self.server.client.post(path, json=json, headers=headers)
        if fault == "drop_response":
            raise httpx.ReadError("the response was lost after the server committed")
        return response


class ServerHandle:
    """The app on one SQLite file; `restart` closes everything and opens the file again."""

    def __init__(
        self, db_path: Path, app_factory: Callable[..., Any], clock: Callable[[], datetime.datetime] | None = None
    ) -> None:
        self.db_path = db_path
        self.app_factory = app_factory
        self.clock = clock
        self.client = self._start()

    def _start(self) -> TestClient:  # type: ignore[type-arg]
        # No reminder job: it would read the clock from its own thread, at no fixed point of a schedule.
        settings = Settings(db_path=self.db_path, dev_auth=True, migrate_on_start=False, reminders=False)
        client = TestClient(self.app_factory(settings, self.clock) if self.clock else self.app_factory(settings))
        client.__enter__()
        return client

    def restart(self) -> None:
        self.client.__exit__(None, None, None)
        self.client = self._start()

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def query(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        db = connect(self.db_path)
        try:
            return list(db.execute(sql, params or []).fetchall())
        finally:
            db.close()


@functools.cache
def fault_template() -> tuple[Path, dict[str, str]]:
    """Once a run: a migrated database with the library published and the people in it, which
    every schedule copies (migrating and publishing each time took a sixth of the run)."""
    folder = Path(tempfile.mkdtemp(prefix="recap-faults-"))
    atexit.register(shutil.rmtree, folder, True)
    db = connect(folder / "template.db")
    migrations.apply(db)
    publish(db, library_with_pitches(folder / "library"))
    ids = _people(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return folder / "template.db", ids


def _people(db: Any) -> dict[str, str]:
    """Three reps and their coach in one team; email -> user id."""
    ids: dict[str, str] = {}
    with write_transaction(db):
        people.insert_team(db, "t", "Team", "2026-01-01T00:00:00")
        for email in (*REPS, COACH):
            ids[email] = user_id = uuid7()
            people.insert_user(db, user_id, email, email.split("@")[0], "2026-01-01T00:00:00")
            role = "coach" if email == COACH else "rep"
            people.set_roles(db, user_id, [role])
            people.set_memberships(db, user_id, {"t": role})
    return ids

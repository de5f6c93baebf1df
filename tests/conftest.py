"""Shared fixtures: real SQLite files, the real app, a real server process on a free port."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlite_utils

from server import migrations
from server.db import connect, write_transaction
from server.library.publish import publish
from server.storage import people

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_LIBRARY = Path(__file__).parent / "fixtures" / "library"
DEMO_LIBRARY = ROOT / "content"
RECAP = str(Path(sys.executable).parent / "recap")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A writable copy of the small fixture library."""
    target = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, target)
    return target


class Clock:
    """Today's real time to start with (commands such as `recap users sessions` read the real
    clock), then moved by the tests instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


ANN = "ann@example.com"
BO = "bo@example.com"


def people_db(path: Path) -> Path:
    """A migrated database with the fixture library published and two reps, Ann and Bo."""
    database = connect(path)
    migrations.apply(database)
    publish(database, FIXTURE_LIBRARY)
    with write_transaction(database):
        for address, name in ((ANN, "Ann Archer"), (BO, "Bo Baker")):
            user_id = str(uuid.uuid4())
            people.insert_user(database, user_id, address, name, "2026-01-01T00:00:00.000Z")
            people.set_roles(database, user_id, ["rep"])
    database.close()
    return path


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


def run_recap(
    *args: str, db_path: Path | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `recap` command and capture what it prints."""
    env = dict(os.environ, **(env or {}))
    if db_path is not None:
        env["RECAP_DB"] = str(db_path)
    return subprocess.run([RECAP, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


class LiveServer:
    """`recap serve` in a subprocess on a free port, stopped by the fixture."""

    def __init__(self, db_path: Path, env: dict[str, str] | None = None) -> None:
        self.db_path = db_path
        full_env = dict(os.environ, RECAP_DB=str(db_path), PYTHONUNBUFFERED="1", **(env or {}))
        self.log = db_path.parent / "server.log"
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [RECAP, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=self._log_file, text=True, env=full_env
        )
        assert self.process.stdout is not None
        self.url = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.url:
            line = self.process.stdout.readline()
            if not line:
                break
            if "running at " in line:
                self.url = line.split("running at ", 1)[1].split()[0].rstrip("/")
        if not self.url:
            self.stop()
            raise RuntimeError(f"recap serve did not start:\n{self.log.read_text()}")

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)  # type: ignore[arg-type]

    def logs(self) -> str:
        self._log_file.flush()
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log_file.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server on its own database, with the fixture library published."""
    db_file = tmp_path / "live" / "recap.db"
    result = run_recap("content", "publish", "--create", str(FIXTURE_LIBRARY), db_path=db_file)
    assert result.returncode == 0, result.stdout + result.stderr
    server = LiveServer(db_file)
    yield server
    server.stop()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    """Debian's chromium (Playwright's own download does not work here)."""
    path = os.environ.get("RECAP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium is not installed: run `bash .ci/ensure-chromium` (Debian package chromium)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
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
    db_file = tmp_path / "live" / "recap.db"
    for args in (("content", "publish", "--create", str(DEMO_LIBRARY)), ("users", "import", str(ROOT / "server" / "demo" / "accounts.csv"))):
        result = run_recap(*args, db_path=db_file)
        assert result.returncode == 0, result.stdout + result.stderr
    server = LiveServer(db_file)
    yield server
    server.stop()

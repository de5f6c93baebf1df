"""The real `recap` command and the real server (`recap serve` in a subprocess on a free port)."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.paths import DEMO_ACCOUNTS, DEMO_LIBRARY, RECAP, ROOT


def run_recap(
    *args: str, db_path: Path | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `recap` command and capture what it prints."""
    env = dict(os.environ, **(env or {}))
    if db_path is not None:
        env["RECAP_DB"] = str(db_path)
    return subprocess.run([RECAP, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def demo_database(db_path: Path) -> Path:
    """A new database with the demo library published and the demo accounts imported, as `make
    run` makes it."""
    return copy_of(_template(str(DEMO_LIBRARY), str(DEMO_ACCOUNTS)), db_path)


def published_database(db_path: Path, library: Path) -> Path:
    """A new database with `library` published (`recap content publish --create`)."""
    return copy_of(_template(str(library), None), db_path)


def copy_of(template: Path, db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db_path)
    return db_path


@functools.cache
def _template(library: str, accounts: str | None) -> Path:
    """Made once per test process by the real commands, then copied: a library published (and
    accounts imported) as on a fresh machine."""
    folder = Path(tempfile.mkdtemp(prefix="recap-template-"))
    atexit.register(shutil.rmtree, folder, True)
    db_path = folder / "recap.db"
    steps = [("content", "publish", "--create", library)] + ([("users", "import", accounts)] if accounts else [])
    for args in steps:
        result = run_recap(*args, db_path=db_path)
        assert result.returncode == 0, result.stdout + result.stderr
    assert not db_path.with_name("recap.db-wal").exists(), "the commands closed the database: it is one file"
    return db_path


class LiveServer:
    """`recap serve` in a subprocess on a free port, stopped by the fixture."""

    def __init__(self, db_path: Path, env: dict[str, str] | None = None, log_name: str = "server.log") -> None:
        self.db_path = db_path
        full_env = dict(os.environ, RECAP_DB=str(db_path), PYTHONUNBUFFERED="1", **(env or {}))
        self.log = db_path.parent / log_name  # servers sharing a database each need their own
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
        """What the server has written to standard error (its log), also after it stopped."""
        if not self._log_file.closed:
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

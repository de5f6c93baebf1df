"""Crash test: SIGKILL the real server during a storm of pushes; nothing acknowledged is lost.

20 devices (each of its own user) push 1,000 answers each, 100 per push, from 20 threads, as
tests/support/device.py does: the same batch again after a network error or a 5xx (short
backoff), outbox entries deleted only at or below `acked_through`, a rewind on 409 seq_gap.
Meanwhile `recap serve` is killed with SIGKILL three times, each time after more answers were
acknowledged, and restarted on the same database file and port. Then the database must hold
every answer exactly once, including every answer acknowledged before each kill, each device's
`last_seq` must be the number of mutations it sent, and each user's digest must match.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync.digest import digest
from tests.support.device import Device
from tests.support.paths import FIXTURE_LIBRARY, RECAP
from tests.support.server import run_recap

DEVICES = 20
ANSWERS_PER_DEVICE = 1_000
BATCH = 100
KILL_AFTER_ACKED = (3_000, 9_000, 15_000)  # answers acknowledged (all devices) before each SIGKILL
DEADLINE_S = 120


class CrashableServer:
    """`recap serve` on a fixed port, which the test kills with SIGKILL and starts again."""

    def __init__(self, db_path: Path, port: int) -> None:
        self.db_path = db_path
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = db_path.parent / "server.log"
        self.process: subprocess.Popen[str] | None = None
        self.starts = 0

    def start(self) -> None:
        env = dict(os.environ, RECAP_DB=str(self.db_path), RECAP_DEV_AUTH="1", RECAP_HOST="127.0.0.1", PYTHONUNBUFFERED="1")
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [RECAP, "serve", "--port", str(self.port)], stdout=subprocess.PIPE, stderr=log, text=True, env=env
            )
        assert self.process.stdout is not None
        self.starts += 1
        while "running at " not in (line := self.process.stdout.readline()):  # it listens once it says so
            if not line:
                self.kill()
                raise RuntimeError(f"recap serve did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no checkpoint; in-flight requests die mid-way."""
        if self.process is not None:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            assert self.process.stdout is not None
            self.process.stdout.close()
            self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        self.kill()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CrashableServer]:
    db_path = tmp_path / "crash" / "recap.db"
    published = run_recap("content", "publish", "--create", str(FIXTURE_LIBRARY), db_path=db_path)
    assert published.returncode == 0, published.stdout + published.stderr
    instance = CrashableServer(db_path, free_port())
    try:
        instance.start()
        yield instance
    finally:
        instance.stop()


def questions(url: str) -> tuple[int, list[tuple[str, int, frozenset[int]]]]:
    """(version, [(question id, options, right options)]) from the published snapshot."""
    latest = httpx.get(url + "/content/latest", timeout=10).json()
    snapshot = httpx.get(url + latest["snapshot"], timeout=10).json()
    found = []
    for q in snapshot["questions"]:
        right = q["correct"] if isinstance(q["correct"], list) else [q["correct"]]
        found.append((q["id"], len(q["options"]), frozenset(right)))
    return int(latest["version"]), found


class Storm:
    """The devices, their threads, and what they saw."""

    def __init__(self, url: str) -> None:
        version, qs = questions(url)
        rng = random.Random(7)
        self.devices: list[Device] = []
        self.answers: list[list[str]] = []  # per device, answer ids by client_seq - 1
        for d in range(DEVICES):
            device = Device(
                user_id=f"crash-{d:02d}", http=httpx.Client(base_url=url, timeout=10), content_version=version, batch_limit=BATCH
            )
            ids = []
            for i in range(ANSWERS_PER_DEVICE):
                qid, options, right = rng.choice(qs)
                choice = sorted(right) if rng.random() < 0.7 else [rng.randint(1, options)]
                ids.append(device.answer(qid, choice, frozenset(choice) == right, local_day=20_400 + i // 25))
            self.devices.append(device)
            self.answers.append(ids)
        self.lock = threading.Lock()
        self.network_errors = 0
        self.server_errors = 0
        self.failures: list[str] = []
        self.deadline = time.monotonic() + DEADLINE_S
        self.threads = [threading.Thread(target=self._client, args=(d,), daemon=True) for d in self.devices]

    def acked(self) -> int:
        return sum(d.acked_through for d in self.devices)

    def done(self) -> bool:
        return not any(t.is_alive() for t in self.threads)

    def _client(self, device: Device) -> None:
        """Push until the outbox is empty, following the client rules."""
        rng = random.Random(device.device_id)
        attempt = 0
        try:
            while device.outbox:
                if time.monotonic() > self.deadline:
                    self.failures.append(f"{device.user_id}: {len(device.outbox)} mutations still in the outbox at the deadline")
                    return
                outcome = device.push_once()
                if outcome.status == 200 or (outcome.status == 409 and outcome.error == "seq_gap"):
                    attempt = 0
                    continue
                if outcome.status is None or outcome.status >= 500:
                    with self.lock:
                        if outcome.status is None:
                            self.network_errors += 1
                        else:
                            self.server_errors += 1
                    attempt += 1
                    time.sleep(rng.uniform(0, min(0.5, 0.01 * 2**attempt)))  # full jitter, short
                    continue
                self.failures.append(f"{device.user_id}: unexpected {outcome.status} {outcome.error}")
                return
        except Exception as exc:
            self.failures.append(f"{device.user_id}: {type(exc).__name__}: {exc}")
        finally:
            device.http.close()


def test_sigkill_during_a_push_storm_loses_and_duplicates_nothing(server: CrashableServer) -> None:
    storm = Storm(server.url)
    acked_at_kill: list[list[int]] = []  # per kill, each device's acked_through just before it
    for t in storm.threads:
        t.start()
    try:
        for threshold in KILL_AFTER_ACKED:
            while storm.acked() < threshold and not storm.done() and time.monotonic() < storm.deadline:
                time.sleep(0.005)
            acked_at_kill.append([d.acked_through for d in storm.devices])
            server.kill()
            time.sleep(0.2)  # clients meet a dead port for a moment
            server.start()
        for t in storm.threads:
            t.join(timeout=max(1.0, storm.deadline - time.monotonic()))
    finally:
        storm.deadline = 0  # stop any client still running
    server.stop()

    assert not storm.failures, storm.failures
    # Every kill came while answers were still unacknowledged, and clients felt it.
    total = DEVICES * ANSWERS_PER_DEVICE
    assert all(sum(acked) < total for acked in acked_at_kill), [sum(a) for a in acked_at_kill]
    assert storm.network_errors > 0
    assert server.starts == 1 + len(KILL_AFTER_ACKED)

    conn = sqlite3.connect(server.db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
        owners = dict(conn.execute("SELECT id, device_id FROM answers").fetchall())
        last_seqs = dict(conn.execute("SELECT id, last_seq FROM devices").fetchall())
        # The ledger: mutations per device (one row per push), less those not applied.
        mutations = dict(conn.execute("SELECT device_id, sum(last_seq - first_seq + 1) FROM mutation_batches GROUP BY device_id").fetchall())
        for device_id, not_applied in conn.execute("SELECT device_id, count(*) FROM mutation_results GROUP BY device_id"):
            mutations[device_id] -= not_applied
        digests = {user: (count, f"{value:015x}") for user, count, value in conn.execute("SELECT user_id, answers, hash FROM user_digests")}
    finally:
        conn.close()

    for kill, acked in enumerate(acked_at_kill, 1):
        lost = [aid for d, through in enumerate(acked) for aid in storm.answers[d][:through] if aid not in owners]
        assert not lost, f"{len(lost)} answers acknowledged before kill {kill} are not on the server"
    assert count == total, f"{count} answers on the server, expected {total}"
    assert set(owners) == {aid for device_ids in storm.answers for aid in device_ids}  # each exactly once: id is the key
    for d, device in enumerate(storm.devices):
        assert not device.outbox and device.acked_through == ANSWERS_PER_DEVICE
        assert not any(what == "renumbered" for what, _ in device.history)  # the server never lost its place
        sent_mutations = device.next_seq - 1
        assert sent_mutations == ANSWERS_PER_DEVICE
        assert last_seqs[device.device_id] == sent_mutations
        assert mutations[device.device_id] == sent_mutations
        assert all(owners[aid] == device.device_id for aid in storm.answers[d])
        assert digests[f"dev:{device.user_id}"] == digest(storm.answers[d])  # dev sign-ins without an account: dev:<name>

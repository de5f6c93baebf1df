"""A Hypothesis state machine: devices following the client rules, a real app, and faults.

Several simulated devices (tests/support/device.py) record answers and sync through a fault
layer that drops requests, drops responses after the server committed, duplicates and replays
stale requests, and injects 401, 503 and 413; the server is restarted (its SQLite file closed
and reopened) at random. The invariants are the promises of docs/sync.md. Used by
tests/test_sync_faults.py (in `make test`) and bench/sync_faults.py (at length).
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.db import connect
from server.library.publish import publish
from server.settings import Settings
from sync.progress import RecordedAnswer, progress
from sync.scheduler import settings_for
from tests.support.device import Device
from tests.support.paths import FIXTURE_LIBRARY

FIXTURES = FIXTURE_LIBRARY
QUESTIONS = {"who-else": (3, 2), "next-step": (2, 2), "pick-two": (3, 1)}  # options, a right option
FAULTS = ("none", "drop_request", "drop_response", "duplicate", "stale_replay", "401", "503", "413")


@dataclass
class Totals:
    """Across every schedule of a run: what was recorded, lost and duplicated."""

    schedules: int = 0
    recorded: int = 0
    lost: int = 0
    duplicated: int = 0


TOTALS = Totals()


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

    def __init__(self, db_path: Path, app_factory: Callable[[Settings], Any]) -> None:
        self.db_path = db_path
        self.app_factory = app_factory
        self.client = self._start()

    def _start(self) -> TestClient:  # type: ignore[type-arg]
        client = TestClient(self.app_factory(Settings(db_path=self.db_path, dev_auth=True, migrate_on_start=False)))
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


class SyncFaults(RuleBasedStateMachine):
    """Devices, faults and restarts; then faults stop and everything must agree."""

    app_factory: Callable[[Settings], Any] = staticmethod(create_app)  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        db_path = Path(self.tmp.name) / "recap.db"
        db = connect(db_path)
        migrations.apply(db)
        publish(db, FIXTURES)
        db.close()
        self.server = ServerHandle(db_path, type(self).app_factory)
        self.devices: list[Device] = []
        self.recorded: dict[str, str] = {}  # answer id -> user
        self.marks: dict[int, tuple[int, int]] = {}

    @initialize(layout=st.sampled_from([(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]), seed=st.integers(0, 2**32 - 1))
    def make_devices(self, layout: tuple[int, int], seed: int) -> None:
        users, per_user = layout
        self.rng = random.Random(seed)
        for u in range(users):
            for _ in range(per_user):
                http = FaultyHttp(self.server, random.Random(self.rng.random()))
                self.devices.append(Device(f"user{u}", http, batch_limit=self.rng.choice([2, 5, 500])))  # type: ignore[arg-type]

    @rule(data=st.data(), question=st.sampled_from(sorted(QUESTIONS)), right=st.booleans(), day=st.integers(0, 60))
    def answer(self, data: st.DataObject, question: str, right: bool, day: int) -> None:
        device = data.draw(st.sampled_from(self.devices))
        options, good = QUESTIONS[question]
        choice = [good] if right else [next(o for o in range(1, options + 1) if o != good)]
        answer_id = device.answer(question, choice, right, 20_000 + day)
        self.recorded[answer_id] = device.user_id

    @rule(data=st.data(), rate=st.sampled_from([0.0, 0.3, 0.7]))
    def push(self, data: st.DataObject, rate: float) -> None:
        device = data.draw(st.sampled_from(self.devices))
        device.http.fault_rate = rate  # type: ignore[attr-defined]
        device.push_once()

    @rule(data=st.data(), rate=st.sampled_from([0.0, 0.3, 0.7]), limit=st.sampled_from([1, 3, 1000]))
    def pull(self, data: st.DataObject, rate: float, limit: int) -> None:
        device = data.draw(st.sampled_from(self.devices))
        device.http.fault_rate = rate  # type: ignore[attr-defined]
        device.pull_all(limit=limit)

    @rule(data=st.data())
    def sign_in(self, data: st.DataObject) -> None:
        data.draw(st.sampled_from(self.devices)).sign_in()

    @precondition(lambda self: bool(self.devices))
    @rule()
    def restart_server(self) -> None:
        self.server.restart()

    @invariant()
    def acknowledged_answers_are_on_the_server_exactly_once(self) -> None:
        if not self.devices:
            return
        rows = self.server.query("SELECT id, user_id FROM answers")
        ids = [r[0] for r in rows]
        assert len(ids) == len(set(ids)), "an answer is on the server twice"
        on_server = dict(rows)
        for answer_id, user in on_server.items():
            assert self.recorded.get(answer_id) == user, f"the server has an answer nobody recorded: {answer_id}"
        for device in self.devices:
            for answer_id in device.on_server:
                assert answer_id in on_server, f"acknowledged answer {answer_id} is not on the server"

    @invariant()
    def cursors_and_acks_never_go_back(self) -> None:
        for i, device in enumerate(self.devices):
            before = self.marks.get(i, (0, 0))
            now = (device.acked_through, device.cursors["records"])
            reset = any(what in ("heal", "renumbered") for what, _ in device.history)
            assert now[0] >= before[0], "acked_through went back"
            assert reset or now[1] >= before[1], "a records cursor went back"
            self.marks[i] = now

    def teardown(self) -> None:
        try:
            if self.devices:
                self._settle_and_compare()
        finally:
            self.server.close()
            self.tmp.cleanup()

    def _settle_and_compare(self) -> None:
        """Faults stop; every device signs in and syncs twice; then all must agree."""
        for device in self.devices:
            device.http.fault_rate = 0.0  # type: ignore[attr-defined]
            device.http.stale.clear()  # type: ignore[attr-defined]
            device.sign_in()
        for _ in range(2):
            for device in self.devices:
                device.sync()
        server_ids = {r[0] for r in self.server.query("SELECT id FROM answers")}
        lost = set(self.recorded) - server_ids
        extra = server_ids - set(self.recorded)
        TOTALS.schedules += 1
        TOTALS.recorded += len(self.recorded)
        TOTALS.lost += len(lost)
        TOTALS.duplicated += len(extra)
        assert not lost, f"{len(lost)} recorded answers never reached the server"
        assert not extra, f"{len(extra)} answers on the server that no device recorded"
        for device in self.devices:
            assert not device.outbox, "an outbox did not drain"
            mine = {r[0] for r in self.server.query("SELECT id FROM answers WHERE user_id = ?", [device.user_id])}
            assert set(device.answers) == mine, "a device and the server disagree on answers"
            stored = {q: json.loads(s) for q, s in self.server.query("SELECT question_id, state FROM progress WHERE user_id = ?", [device.user_id])}
            assert device.server_progress == stored, "a device and the server disagree on progress"
            for question, state in stored.items():
                replayed = self._independent_replay(device.user_id, question)
                assert (state["stability"], state["due_day"], state["reps"]) == replayed, "progress is not a replay"
                local = device.progress_of(question, epoch=state["epoch"])
                assert (local.stability, local.due_day, local.reps) == replayed, "the device's progress differs"

    def _independent_replay(self, user: str, question: str) -> tuple[float | None, int | None, int]:
        rows = self.server.query(
            "SELECT id, local_day, answered_at, correct, rev FROM answers WHERE user_id = ? AND question_id = ?", [user, question]
        )
        answers = [RecordedAnswer(id=i, day=d, answered_at=t, correct=bool(c), rev=r) for i, d, t, c, r in rows]
        state = progress(answers, 1, settings_for("fsrs"))
        return state.stability, state.due_day, state.reps

"""No answer lost or duplicated under drops, duplicates, stale replays, 401/503/413 and restarts."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest
import sqlite_utils
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from server.db import write_transaction
from server.routes import sync as sync_routes
from server.syncing import push as push_module
from sync.protocol import PushRequest, PushResponse
from tests.support.device import uuid7
from tests.support.faults import TOTALS, SyncFaults

SCHEDULES = int(os.environ.get("RECAP_SYNC_SCHEDULES", "200"))


def test_no_answer_is_lost_or_duplicated_under_faults() -> None:
    before = TOTALS.schedules
    run_state_machine_as_test(
        SyncFaults,
        settings=settings(
            max_examples=SCHEDULES, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
    assert TOTALS.schedules - before >= SCHEDULES  # every schedule reached the final comparison
    assert TOTALS.lost == 0 and TOTALS.duplicated == 0


def forgetful_push(db: sqlite_utils.Database, user_id: str, request: PushRequest, received_at: datetime.datetime) -> PushResponse:
    """A deliberately broken server: it forgets what it applied, so a retried push counts twice."""
    first = min((m.client_seq for m in request.mutations), default=1)
    with write_transaction(db):
        db.execute("UPDATE devices SET last_seq = ? WHERE id = ? AND last_seq >= ?", [first - 1, request.device_id, first])
        db.execute("DELETE FROM mutations WHERE device_id = ? AND client_seq >= ?", [request.device_id, first])
    for mutation in request.mutations:
        mutation.id = uuid7()
        mutation.payload["id"] = uuid7()
    return push_module.push(db, user_id, request, received_at)


def test_the_fault_test_catches_a_server_without_idempotency(monkeypatch: Any) -> None:
    monkeypatch.setattr(sync_routes, "push", forgetful_push)
    with pytest.raises(AssertionError, match=r"never reached the server|nobody recorded|twice"):
        run_state_machine_as_test(
            SyncFaults,
            settings=settings(
                max_examples=100, stateful_step_count=20, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck), database=None,
            ),
        )

"""No record lost or duplicated under drops, duplicates, stale replays, 401/503/413 and restarts;
observations, intervision sessions and video pitches edited concurrently merge by the documented
rule; a pitch is a good example only while a coach proposes it and its rep consents."""

from __future__ import annotations

import os
from typing import Any

import httpx
import msgspec
import pytest
import sqlite_utils
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from server.pitches import store as pitch_store
from server.storage import sync as sync_store
from server.syncing import push as push_module
from sync.kinds import pitch as pitch_rules
from sync.protocol import PushResponse
from tests.support.device import uuid7
from tests.support.faults import TOTALS, SyncFaults
from tests.support.pitch_faults import PITCH_TOTALS

SCHEDULES = int(os.environ.get("RECAP_SYNC_SCHEDULES", "200"))


def test_no_record_is_lost_or_duplicated_under_faults() -> None:
    before = TOTALS.schedules
    run_state_machine_as_test(
        SyncFaults,
        settings=settings(
            max_examples=SCHEDULES, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
    assert TOTALS.schedules - before >= SCHEDULES  # every schedule reached the final comparison
    assert TOTALS.lost == 0 and TOTALS.duplicated == 0
    # Concurrent edits happened and merged (every case of the rule is also tested one by one in
    # tests/test_edits.py; bench/sync_faults.py prints how often each case came up).
    assert TOTALS.merges["applied"] > 0 and TOTALS.merges["conflicted"] > 0, TOTALS.merges
    # Sessions edited from the moderator's devices merged too (each stage case is tested one by one
    # in tests/test_edits.py and tests/test_record_kinds.py).
    assert TOTALS.session_merges["applied"] > 0 and TOTALS.session_merges["unchanged"] > 0, TOTALS.session_merges
    # Pitches were recorded, reviewed from two coach devices at once (feedback kept both ways),
    # refused where the rule says so, and acknowledged (tests/test_pitches.py: the rule case by case).
    pitches = PITCH_TOTALS
    assert pitches.created > 0 and pitches.rejected > 0 and pitches.acknowledged > 0, pitches
    assert pitches.merges["applied"] > 0 and pitches.merges["conflicted"] > 0 and pitches.merges["lost"] > 0, pitches.merges
    assert pitches.withheld > 0, pitches  # proposed, not consented: the exemplar checks had a case to refuse


real_apply = push_module.apply


def forgetful_apply(db: sqlite_utils.Database, user_id: str, prepared: push_module.Prepared) -> PushResponse:
    """A deliberately broken server: it forgets what it applied, so a retried push counts twice."""
    request = prepared.request
    first = min((m.client_seq for m in request.mutations), default=1)
    db.execute("UPDATE devices SET last_seq = ? WHERE id = ? AND last_seq >= ?", [first - 1, request.device_id, first])
    db.execute("DELETE FROM mutation_batches WHERE device_id = ? AND last_seq >= ?", [request.device_id, first])
    db.execute("DELETE FROM mutation_results WHERE device_id = ? AND client_seq >= ?", [request.device_id, first])
    for payload in prepared.payloads:
        if hasattr(payload, "id") and getattr(payload, "question_id", None):
            payload.id = uuid7()  # the "same" answer again, under a new id
    return real_apply(db, user_id, prepared)


def test_the_fault_test_catches_a_server_without_idempotency(monkeypatch: Any) -> None:
    monkeypatch.setattr(push_module, "apply", forgetful_apply)
    with pytest.raises(AssertionError, match=r"never reached the server|nobody recorded|twice"):
        run_state_machine_as_test(
            SyncFaults,
            settings=settings(
                max_examples=100, stateful_step_count=20, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck), database=None,
            ),
        )


def exemplar_without_consent(db: sqlite_utils.Database, pitch: pitch_store.StoredPitch, seq: int) -> None:
    """A deliberately broken server: a coach's proposal alone makes a good example."""
    proposed = pitch.values().get("exemplar_proposed") is True
    real_save(db, msgspec.structs.replace(pitch, exemplar=proposed), seq)


def feedback_as_short(name: str) -> bool:
    """A deliberately broken server: the coach's feedback is a short field, so of two reviews
    written at once the later silently replaces the other instead of both being kept, flagged."""
    return False


real_save = pitch_store.save


@pytest.mark.parametrize(
    ("target", "broken", "message"),
    [
        (pitch_store, ("save", exemplar_without_consent), "not proposed AND consented"),
        (pitch_rules, ("is_long", feedback_as_short), "not the merge of its patches|conflicts differ"),
    ],
    ids=["exemplar-without-consent", "feedback-last-writer-wins"],
)
def test_the_fault_test_catches_a_broken_pitch_server(target: Any, broken: tuple[str, Any], message: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(target, *broken)
    with pytest.raises(AssertionError, match=message):
        run_state_machine_as_test(
            SyncFaults,
            settings=settings(
                max_examples=200, stateful_step_count=20, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck), database=None,
            ),
        )


class LostPushResponse:
    """A device's transport that delivers pushes but loses every push response."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def post(self, path: str, json: dict[str, Any], headers: dict[str, str]) -> Any:
        response = self.inner.server.client.post(path, json=json, headers=headers)
        if path == "/sync/push":
            raise httpx.ReadError("the response was lost after the server committed")
        return response


@pytest.mark.parametrize("report", [True, False])
def test_a_rejection_acknowledged_by_a_pull_is_learned_from_that_pull(report: bool, monkeypatch: Any) -> None:
    """The schedule CI found: a rep patches an observation not shared with them (rejected), the
    push response is lost, a pull acknowledges it. The pull's `rejected` tells the device why;
    a server that leaves it out loses the record without a reason, and the invariant says so."""
    if not report:
        monkeypatch.setattr(sync_store, "rejected_between", lambda *_: [])
    machine = SyncFaults()
    try:
        machine.make_devices(layout=(1, 1), coach_devices=1, seed=1121)
        rep = machine.reps()[0]
        machine._patched(rep, rep.edit(machine.observation_ids[0], {"next_step_done": True}, 20_012))
        faulty = rep.http
        rep.http = LostPushResponse(faulty)  # type: ignore[assignment]
        assert rep.push_once().status is None
        rep.http = faulty
        assert rep.pull_all().status == 200 and not rep.outbox
        if report:
            assert list(rep.rejected_mutations.values()) == ["a new observation needs `rep_id` and `observed_on`"]
            machine._settle_and_compare()
        else:
            with pytest.raises(AssertionError, match="never reached the server"):
                machine._settle_and_compare()
    finally:
        machine.server.close()
        machine.tmp.cleanup()

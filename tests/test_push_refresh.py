"""The push's cheaper aggregate refresh gives what a full recomputation gives, on both of its
paths: answers arriving in order (every new answer after every stored one: one replay, the old
answers' contributions untouched) and out of order (the shared prefix replayed once, then the
old and the new rest); and the progress the push takes from that replay equals a full replay.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.dashboards import adoption_aggregates, aggregates
from server.db import connect
from server.library.publish import publish
from server.settings import Settings as AppSettings
from server.storage import answers as answer_store
from server.storage import content as content_store
from server.syncing.content_index import version_index
from sync import adoption
from sync.progress import progress, state_from_wire
from sync.scheduler import POLICIES, Answer, replay, replay_order, settings_for
from tests.support.device import uuid7
from tests.support.paths import FIXTURE_LIBRARY

QUESTIONS = ["who-else", "next-step", "pick-two"]

one = st.tuples(
    st.integers(min_value=100, max_value=160),  # local day
    st.integers(min_value=0, max_value=3),  # hour: same-day repeats and ties
    st.booleans(),
)


def answers_of(drawn: list[tuple[int, int, bool]]) -> list[Answer]:
    return [
        Answer(id=f"a{i:03d}", day=day, answered_at=f"2026-01-01T0{hour}:00:00.000Z", correct=right)
        for i, (day, hour, right) in enumerate(drawn)
    ]


def difference(old: list[Answer], new: list[Answer], policy: Any) -> dict[int, tuple[int, int]]:
    settings = settings_for(policy)
    before, after = adoption.timing_by_day(old, settings), adoption.timing_by_day([*old, *new], settings)
    out = {}
    for day in before.keys() | after.keys():
        b, a = before.get(day, adoption.NO_ANSWERS), after.get(day, adoption.NO_ANSWERS)
        if (a.counted - b.counted, a.on_time - b.on_time) != (0, 0):
            out[day] = (a.counted - b.counted, a.on_time - b.on_time)
    return out


@settings(max_examples=300, deadline=None)
@given(
    drawn=st.lists(one, min_size=1, max_size=30),
    cut=st.integers(min_value=0, max_value=30),
    policy=st.sampled_from(POLICIES),
)
def test_timing_change_in_order_is_one_pass_and_exact(drawn: list[Any], cut: int, policy: Any) -> None:
    ordered = replay_order(answers_of(drawn))
    old, new = ordered[:cut], ordered[cut:]  # every new answer after every old one
    change = adoption.timing_change(old, new, settings_for(policy))
    assert change.replayed == len(ordered)  # the fast path: no old answer stepped twice
    assert change.by_day == difference(old, new, policy)
    assert change.state == replay(ordered, settings_for(policy))
    assert change.last == (ordered[-1] if ordered else None)


@settings(max_examples=300, deadline=None)
@given(drawn=st.lists(one, min_size=2, max_size=30), picks=st.data(), policy=st.sampled_from(POLICIES))
def test_timing_change_out_of_order_is_exact(drawn: list[Any], picks: st.DataObject, policy: Any) -> None:
    every = answers_of(drawn)
    chosen = picks.draw(st.sets(st.sampled_from([a.id for a in every]), min_size=1))
    old, new = [a for a in every if a.id not in chosen], [a for a in every if a.id in chosen]
    change = adoption.timing_change(old, new, settings_for(policy))
    late = bool(old) and min((a.day, a.answered_at, a.id) for a in new) < max((a.day, a.answered_at, a.id) for a in old)
    assert (change.replayed > len(every)) == late  # the out-of-order path replays the old rest too
    assert change.by_day == difference(old, new, policy)
    assert change.state == replay(every, settings_for(policy))


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite_utils.Database]:
    db = connect(tmp_path_factory.mktemp("refresh") / "agg.db")
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    yield db
    db.close()


def row(i: int, question: str, day: int, hour: int, correct: bool) -> list[Any]:
    at = f"2026-01-01T0{hour}:00:00.000Z"
    return [
        f"a{i:04d}",
        "u1",
        "dev",
        f"m{i}",
        question,
        1,
        1,
        "[1]",
        int(correct),
        int(correct),
        at,
        at,
        day,
        None,
        at,
        i,
    ]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=st.lists(st.tuples(st.sampled_from(QUESTIONS), one), min_size=1, max_size=40),
    cuts=st.lists(st.floats(min_value=0, max_value=1), max_size=5),
    in_order=st.booleans(),
    shuffle=st.randoms(use_true_random=False),
)
def test_both_refreshes_equal_full_recomputation_in_order_and_not(
    shared_db: sqlite_utils.Database, history: list[Any], cuts: list[float], in_order: bool, shuffle: Any
) -> None:
    db = shared_db
    with db.conn:
        for table in ("answers", "retention_days", "adoption_days"):
            db.execute(f"DELETE FROM {table}")
    rows = [row(i, q, *a) for i, (q, a) in enumerate(history)]
    if in_order:
        rows.sort(key=lambda r: (r[12], r[10], r[0]))  # arrive in replay order: the fast path only
    else:
        shuffle.shuffle(rows)
    for start, end in itertools.pairwise(sorted({0, len(rows), *(int(c * len(rows)) for c in cuts)})):
        batch = rows[start:end]
        if not batch:
            continue
        with db.conn:
            answer_store.insert(db, batch)
            new: dict[str, list[str]] = {}
            for r in batch:
                new.setdefault(r[4], []).append(r[0])
            history_loader = answer_store.History(db, "u1")
            aggregates.refresh(db, "u1", new, history_loader)
            replays = adoption_aggregates.refresh(db, "u1", new, history_loader)
        for qid, replayed in replays.items():  # what the push's progress may take from it
            stored = history_loader.get([qid])[qid]
            assert replayed.state == progress(stored, replayed.epoch, replayed.settings)
    assert aggregates.stored(db) == aggregates.full(db)
    assert adoption_aggregates.stored(db) == adoption_aggregates.full(db)


def test_the_push_path_in_order_then_late_keeps_aggregates_and_progress(tmp_path: Path) -> None:
    path = tmp_path / "push.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()
    seq = itertools.count(1)

    def mutation(question: str, day: int, correct: bool, hour: int = 9) -> dict[str, Any]:
        payload = {
            "id": uuid7(), "question_id": question, "content_version": 1, "choice": [2] if correct else [1],
            "correct": correct, "answered_at": f"2026-11-{day - 20400:02d}T{hour:02d}:00:00.000Z", "local_day": day,
            "duration_ms": 3000,
        }  # fmt: skip
        return {"id": uuid7(), "client_seq": next(seq), "kind": "answer", "payload_version": 1, "payload": payload}

    auth = {"Authorization": "Bearer dev:alice"}
    body = {"protocol": 1, "device_id": "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77", "sent_at": "2026-11-29T10:00:00.000Z"}
    pushes = [
        [mutation("next-step", 20410, False), mutation("who-else", 20410, True)],
        [
            mutation("next-step", 20411, True),
            mutation("next-step", 20411, False, 10),
            mutation("who-else", 20415, True),
        ],  # in order
        [
            mutation("next-step", 20405, True),
            mutation("who-else", 20412, False),
            mutation("pick-two", 20406, True),
        ],  # late
        [mutation("next-step", 20420, True), mutation("who-else", 20409, True)],  # one in order, one late
    ]
    with TestClient(create_app(AppSettings(db_path=path, dev_auth=True))) as client:
        for mutations in pushes:
            response = client.post("/sync/push", json={**body, "mutations": mutations}, headers=auth)
            assert response.status_code == 200, response.text
            db = connect(path)
            try:
                assert aggregates.stored(db) == aggregates.full(db)
                assert adoption_aggregates.stored(db) == adoption_aggregates.full(db)
                (user,) = [u for (u,) in db.execute("SELECT DISTINCT user_id FROM answers")]
                history = answer_store.for_replay(db, user, QUESTIONS)
                index = version_index(db, content_store.latest_version(db))
                assert index is not None
                for qid, wire in answer_store.progress_of(db, user).items():
                    full = progress(history[qid], index.epochs.get(qid, 0), index.settings_for(qid))
                    assert state_from_wire(wire) == full, qid
            finally:
                db.close()

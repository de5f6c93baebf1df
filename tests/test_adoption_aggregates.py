"""The adoption aggregates kept on push equal a full recomputation, whatever the history:
several reps and questions, repeats on the same and on other days, answers arriving out of order
and twice (server/dashboards/adoption_aggregates.py); and the push path keeps them."""

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
from server.dashboards import adoption_aggregates
from server.db import connect
from server.library.publish import publish
from server.settings import Settings
from server.storage import answers as answer_store
from tests.support.device import uuid7
from tests.support.paths import FIXTURE_LIBRARY

QUESTIONS = ["who-else", "next-step", "pick-two"]


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite_utils.Database]:
    db = connect(tmp_path_factory.mktemp("adoption") / "agg.db")
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    yield db
    db.close()


answer = st.tuples(
    st.sampled_from(["u1", "u2"]),
    st.sampled_from(QUESTIONS),
    st.integers(min_value=100, max_value=160),  # local day: wide enough for due days to pass
    st.integers(min_value=0, max_value=3),  # hour: same-day repeats and ties
    st.booleans(),
)


def row(i: int, user: str, question: str, day: int, hour: int, correct: bool) -> list[Any]:
    at = f"2026-01-01T0{hour}:00:00.000Z"
    return [f"a{i:04d}", user, "dev", f"m{i}", question, 1, 1, "[1]", int(correct), int(correct), at, at, day, None, at, i]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=st.lists(answer, min_size=1, max_size=40),
    cuts=st.lists(st.floats(min_value=0, max_value=1), max_size=6),
    resent=st.lists(st.integers(min_value=0, max_value=39), max_size=5),
    order=st.randoms(use_true_random=False),
)
def test_incremental_equals_full_recomputation(
    shared_db: sqlite_utils.Database, history: list[Any], cuts: list[float], resent: list[int], order: Any
) -> None:
    db = shared_db
    with db.conn:
        db.execute("DELETE FROM answers")
        db.execute("DELETE FROM adoption_days")
    rows = [row(i, *a) for i, a in enumerate(history)]
    order.shuffle(rows)  # arrival order differs from answer order: late answers for earlier days
    rows += [rows[i] for i in resent if i < len(rows)]  # sent again: the push drops known ids
    bounds = sorted({0, len(rows), *(int(c * len(rows)) for c in cuts)})
    for start, end in itertools.pairwise(bounds):
        with db.conn:
            known = answer_store.owners(db, [r[0] for r in rows[start:end]])
            batch: dict[str, list[Any]] = {}
            for r in rows[start:end]:
                if r[0] not in known:
                    known[r[0]] = r[1]
                    batch.setdefault(r[1], []).append(r)
            for user, user_rows in batch.items():
                answer_store.insert(db, user_rows)
                new: dict[str, list[str]] = {}
                for r in user_rows:
                    new.setdefault(r[4], []).append(r[0])
                adoption_aggregates.refresh(db, user, new)
    assert adoption_aggregates.stored(db) == adoption_aggregates.full(db)
    # every answer is counted once, on its day
    assert sum(r[2] for r in adoption_aggregates.stored(db)) == len({r[0] for r in rows})


def test_the_push_path_keeps_them_and_a_late_answer_is_placed_by_its_day(tmp_path: Path) -> None:
    path = tmp_path / "push.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()

    def mutation(seq: int, day: int, correct: bool) -> dict[str, Any]:
        payload = {
            "id": uuid7(), "question_id": "next-step", "content_version": 1, "choice": [2] if correct else [1],
            "correct": correct, "answered_at": f"2026-11-{day - 20400:02d}T09:00:00.000Z", "local_day": day, "duration_ms": 3000,
        }  # fmt: skip
        return {"id": uuid7(), "client_seq": seq, "kind": "answer", "payload_version": 1, "payload": payload}

    device = "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77"
    auth = {"Authorization": "Bearer dev:alice"}
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as client:
        body = {"protocol": 1, "device_id": device, "sent_at": "2026-11-25T10:00:00.000Z"}
        first = client.post("/sync/push", json={**body, "mutations": [mutation(1, 20410, False), mutation(2, 20411, True)]}, headers=auth)
        assert first.status_code == 200, first.text
        db = connect(path)
        # day 20410 a first answer (not timed); day 20411 a repeat the day after a wrong answer: on time
        assert [r[1:] for r in adoption_aggregates.stored(db)] == [(20410, 1, 0, 0), (20411, 1, 1, 1)]
        late = client.post("/sync/push", json={**body, "mutations": [mutation(3, 20405, True)]}, headers=auth)
        assert late.status_code == 200, late.text
        # the late answer on day 20405 is now the first; day 20410 became a repeat too
        stored = adoption_aggregates.stored(db)
        assert [r[1:3] for r in stored] == [(20405, 1), (20410, 1), (20411, 1)]
        assert stored[1][3] == 1 and stored == adoption_aggregates.full(db)
        db.close()

"""Practice that follows from coaching (docs/scheduler.md §7): the pure rule (sync/practice.py),
and what a pull tells a rep (`plan.practice`) and their coach (`me`), through the real app on the
demo library and accounts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from sync import practice
from sync.practice import Assigned, Links, Observed, RubricLinks
from tests.support.device import Device
from tests.support.server import demo_database

LINKS = Links(
    rubrics={
        "r": RubricLinks(competency="c", language="en", behaviours={"named": (("q1", "q2"), ("f1",)), "bare": ((), ())}),
        "nl": RubricLinks(competency="c", language="nl", behaviours={"bare": ((), ())}),
    },
    questions={("c", "en"): ("q1", "q3"), ("c", "nl"): ("q1-nl",)},
    refreshers={("c", "en"): ("f2",)},
)
DAY = 20_788  # 2026-12-01
RIGHT = 1  # who-else-is-involved's right option in the demo library


def obs(oid: str, day: int, **ratings: int) -> Observed:
    return Observed(id=oid, observed_day=day, ratings={tuple(k.split("__")): v for k, v in ratings.items()})  # type: ignore[misc]


def ids(items: list[Assigned]) -> list[tuple[str, str, str]]:
    return [(i.observation_id, i.item_kind, i.item_id) for i in items]


def test_low_ratings_assign_the_behaviours_items_or_else_the_competencys_in_the_rubrics_language() -> None:
    got = practice.assigned([obs("o1", DAY, r__named=2, r__bare=1, nl__bare=2)], LINKS)
    # In (rubric, behaviour) order; a bare behaviour takes its competency's items in the rubric's
    # language; q1 comes once per observation (r:named's q1 was assigned by r:bare already).
    assert [(i.rubric_id, i.behaviour_id, i.item_id) for i in got] == [
        ("nl", "bare", "q1-nl"),
        ("r", "bare", "q1"), ("r", "bare", "q3"), ("r", "bare", "f2"),
        ("r", "named", "q2"), ("r", "named", "f1"),
    ]  # fmt: skip


def test_ratings_of_3_or_4_unknown_rubrics_or_behaviours_and_v1_names_assign_nothing() -> None:
    assert practice.assigned([obs("o", DAY, r__named=3, r__bare=4, x__named=1, r__nope=1)], LINKS) == []
    found = practice.observed("o", {"observed_on": "2026-12-01", "rating:named": 1, "rating:r:named": True, "rating:r:bare": 2})
    assert found is not None and dict(found.ratings) == {("r", "bare"): 2}
    assert practice.observed("o", {"observed_on": "yesterday"}) is None


def test_a_question_stays_open_until_answered_on_a_later_day_within_the_window() -> None:
    items = practice.assigned([obs("o1", DAY, r__named=1)], LINKS)
    assert ids(practice.open_items(items, {}, DAY)) == [("o1", "question", "q1"), ("o1", "question", "q2"), ("o1", "refresher", "f1")]
    same_day = {"q1": [(DAY, True)]}  # answered the day of the observation: before the coaching
    assert ("o1", "question", "q1") in ids(practice.open_items(items, same_day, DAY + 1))
    later = {"q1": [(DAY, True), (DAY + 2, False)]}
    assert ("o1", "question", "q1") not in ids(practice.open_items(items, later, DAY + 2))
    assert practice.open_items(items, {}, DAY + practice.WINDOW_DAYS) != []
    assert practice.open_items(items, {}, DAY + practice.WINDOW_DAYS + 1) == []
    assert practice.open_items(items, {}, DAY - 1) == [], "an observation dated in the future assigns nothing yet"


def test_two_observations_assigning_one_question_list_it_once_until_each_is_practised() -> None:
    items = practice.assigned([obs("o2", DAY + 5, r__named=2), obs("o1", DAY, r__named=1)], LINKS)
    assert [i.observation_id for i in items if i.item_id == "q1"] == ["o1", "o2"]
    assert [i.observation_id for i in practice.open_items(items, {}, DAY + 6) if i.item_id == "q1"] == ["o1"]
    answered = {"q1": [(DAY + 3, True)]}  # practised after o1, before o2
    assert [i.observation_id for i in practice.open_items(items, answered, DAY + 6) if i.item_id == "q1"] == ["o2"]


def test_follow_through_counts_questions_answered_after_the_observation_and_right_first_time() -> None:
    items = practice.assigned([obs("o1", DAY, r__named=1)], LINKS)  # q1, q2 (+ a refresher, not counted)
    answered = {"q1": [(DAY, False), (DAY + 1, False), (DAY + 2, True)], "q2": [(DAY + 3, True)]}
    assert practice.follow_through(items, answered) == practice.Followed(assigned=2, answered=2, right=1, last_day=DAY + 3)
    assert practice.follow_through(items, {}) == practice.Followed(assigned=2, answered=0, right=0, last_day=None)


def test_weakest_takes_each_behaviours_latest_rating_lowest_first() -> None:
    got = practice.weakest([obs("a", DAY, r__named=1, r__bare=3), obs("b", DAY + 1, r__named=4, x__y=2), obs("c", DAY + 2, z__w=3)], limit=3)
    assert [(w.rubric_id, w.behaviour_id, w.rating) for w in got] == [("x", "y", 2), ("z", "w", 3), ("r", "bare", 3)]


# ---- through the real app --------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    path = demo_database(tmp_path / "practice.db")
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as c:
        c.db_path = path  # type: ignore[attr-defined]
        yield c


def uid(client: TestClient, email: str) -> str:  # type: ignore[type-arg]
    db = sqlite_utils.Database(client.db_path)  # type: ignore[attr-defined]
    try:
        return str(db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0])
    finally:
        db.close()


def pull(device: Device, client: TestClient, local_day: int) -> dict[str, Any]:  # type: ignore[type-arg]
    body = {"protocol": 1, "device_id": device.device_id, "cursors": {}, "local_day": local_day}
    response = client.post("/sync/pull", json=body, headers=device._auth())
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def push(device: Device, client: TestClient) -> None:  # type: ignore[type-arg]
    body = {"protocol": 1, "device_id": device.device_id, "sent_at": device._now(), "mutations": device.outbox}
    response = client.post("/sync/push", json=body, headers=device._auth())
    assert response.status_code == 200 and all(r["status"] == "applied" for r in response.json()["results"]), response.text
    device._acked(response.json()["acked_through"])


def test_a_shared_low_rating_reaches_the_reps_plan_and_the_coach_sees_them_practise(client: TestClient) -> None:  # type: ignore[type-arg]
    coach, rep, rep2 = (Device(e, client) for e in ("coach@example.com", "rep@example.com", "rep2@example.com"))  # type: ignore[arg-type]
    observation = "01938f2e-0000-7000-8000-000000000001"
    values = {"rep_id": uid(client, "rep@example.com"), "observed_on": "2026-12-01", "rating:discovery-rubric:maps-who-decides": 2,
              "rating:discovery-rubric:asks-about-goals": 4, "shared": False}  # fmt: skip
    coach.edit(observation, values, DAY, version=2)
    push(coach, client)
    assert pull(rep, client, DAY + 1)["plan"]["practice"] == [], "not shared yet"
    coach.observations[observation] = {"rev": 1}
    coach.edit(observation, {"shared": True}, DAY, version=2)
    push(coach, client)

    plan = pull(rep, client, DAY + 1)["plan"]
    assert [(p["item_kind"], p["item_id"], p["observed_on"], p["observed_day"]) for p in plan["practice"]] == [
        ("question", "who-else-is-involved", "2026-12-01", DAY), ("refresher", "how-to-find-who-else-decides", "2026-12-01", DAY),
    ]  # fmt: skip
    assert {p["observation_id"] for p in plan["practice"]} == {observation}
    assert pull(rep2, client, DAY + 1)["plan"]["practice"] == []

    me = pull(coach, client, DAY + 1)["me"]
    assert me["user_id"] == uid(client, "coach@example.com") and "coach" in me["roles"]
    team = next(t for t in me["teams"] if t["id"] == "demo")
    assert team["role"] == "coach"
    member = next(m for m in team["members"] if m["user_id"] == uid(client, "rep@example.com"))
    summary = member["summary"]
    assert summary["last_observed_on"] == "2026-12-01" and summary["observations"] == 1
    assert [(w["behaviour_id"], w["rating"]) for w in summary["weakest"]] == [("maps-who-decides", 2), ("asks-about-goals", 4)]
    assert summary["practice"] == {"assigned": 1, "answered": 0, "right": 0, "last_on": None}
    assert all(m["summary"] is None for m in team["members"] if m["role"] != "rep")

    # The rep practises the next day (right first time): it leaves their plan; the coach sees it.
    rep.answer("who-else-is-involved", [RIGHT], True, DAY + 1)
    push(rep, client)
    assert [p["item_kind"] for p in pull(rep, client, DAY + 1)["plan"]["practice"]] == ["refresher"]
    followed = next(m for t in pull(coach, client, DAY + 1)["me"]["teams"] for m in t["members"] if m["user_id"] == uid(client, "rep@example.com"))
    assert followed["summary"]["practice"]["answered"] == 1
    assert followed["summary"]["practice"]["last_on"] == "2026-12-02"

    # A rep's own `me` has their team without summaries.
    mine = pull(rep, client, DAY + 1)["me"]
    assert mine["roles"] == ["rep"] and all(m["summary"] is None for t in mine["teams"] for m in t["members"])


def test_me_is_only_on_the_last_page(client: TestClient) -> None:  # type: ignore[type-arg]
    coach = Device("coach@example.com", client)  # type: ignore[arg-type]
    coach.edit("01938f2e-0000-7000-8000-000000000002", {"rep_id": uid(client, "rep@example.com"), "observed_on": "2026-12-01"}, DAY, version=2)
    push(coach, client)
    body = {"protocol": 1, "device_id": coach.device_id, "cursors": {}, "limit": 1}
    first = client.post("/sync/pull", json=body, headers=coach._auth()).json()
    assert first["has_more"] is True and first["me"] is None
    last = client.post("/sync/pull", json={**body, "cursors": first["cursors"]}, headers=coach._auth()).json()
    assert last["has_more"] is False and last["me"]["user_id"] == uid(client, "coach@example.com")

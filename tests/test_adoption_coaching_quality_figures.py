"""The adoption, coaching and content quality loaders over a real SQLite file with known records
(tests/support/dashboard_fixture.py): every figure against the hand-worked numbers there."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from server.dashboards import adoption_store, coaching_store, content_quality_store
from sync import adoption
from sync import coaching_measures as measures
from tests.support.dashboard_fixture import DAY, Q, build


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[sqlite_utils.Database, dict[str, str]]:
    path = tmp_path_factory.mktemp("figures") / "dash.db"
    ids = build(Path(path))
    return sqlite_utils.Database(path), ids


def test_adoption_records_and_figures(fixture: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    db, ids = fixture
    robin, ann = ids["rep@example.com"], ids["ann@example.com"]
    first, last = DAY - 27, DAY
    got = adoption_store.load(db, [robin, ann], first, last)
    r, a = got[robin], got[ann]
    assert r.answer_days == {DAY - 2, DAY - 1, DAY} and r.answers_in_period == 3
    assert (r.timing.on_time, r.timing.counted) == (1, 1)  # Q's repeat a day after a wrong answer
    assert (a.timing.on_time, a.timing.counted) == (0, 1)  # Q's repeat 30 days after a right one
    assert r.nuggets_read == 1 and a.nuggets_read == 0  # one read, one read and taken back
    assert r.reminders_sent == 1 and a.reminders_sent == 0  # one before the period; Ann's failed
    assert (r.refresher_days, r.refreshers) == (2, 1)  # one refresher yesterday (two devices) and today
    assert (a.refresher_days, a.refreshers) == (0, 0)
    assert (r.reminders_opened, a.reminders_opened) == (1, 0)  # yesterday's (twice: once); the older one is outside
    figure = adoption.rep_figure(robin, r.answer_days, r.answers_in_period, r.timing, first, last, DAY)
    assert (figure.streak, figure.longest, figure.active_days, figure.last_day) == (3, 3, 3, DAY)
    figure = adoption.rep_figure(ann, a.answer_days, a.answers_in_period, a.timing, first, last, DAY)
    assert (figure.streak, figure.longest, figure.active_days, figure.last_day) == (0, 1, 1, DAY - 10)
    days = adoption.daily([robin, ann], {k: v.answer_days for k, v in got.items()}, {k: v.enrollments for k, v in got.items()}, DAY - 10, DAY)
    by_day = {f.day - DAY: (f.active, f.enrolled, f.participating) for f in days}
    assert by_day[-10] == (1, 1, 1)  # Ann answered, only she was enrolled
    assert by_day[-2] == (1, 1, 0)  # Robin answered before his campaign started for him
    assert by_day[-1] == (1, 2, 1) and by_day[0] == (1, 2, 1)
    assert by_day[-5] == (0, 1, 0)


def test_coaching_figures(fixture: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    db, ids = fixture
    team = coaching_store.load_team(db, "demo")
    coaches = measures.per_person(team.observations, by="coach")
    assert [(c.person_id, c.observations, c.last_day, c.others) for c in coaches] == [(ids["coach@example.com"], 2, DAY - 3, 2)]
    reps = {c.person_id: (c.observations, c.last_day) for c in measures.per_person(team.observations, by="rep")}
    assert reps == {ids["rep@example.com"]: (1, DAY - 6), ids["ann@example.com"]: (1, DAY - 3)}
    low = measures.low_behaviours([(rep, o) for _, rep, o in team.observations])
    assert [(b.behaviour_id, b.low, b.rated, b.reps) for b in low] == [("maps-who-decides", 2, 2, 2), ("listens-and-follows-up", 1, 1, 1)]
    texts = coaching_store.behaviour_texts(db)
    assert texts[("discovery-rubric", "maps-who-decides")] == "Finds out who else is involved and what each of them cares about"
    # Robin's shared observation assigned Q; he answered it (wrong) 4 days later. Ann's is not shared.
    assert set(team.follow_through) == {ids["rep@example.com"]}
    total = measures.total_follow_through(team.follow_through)
    assert (total.assigned, total.answered, total.right, total.last_day) == (1, 1, 0, DAY - 2)
    assert (team.sessions.sessions, team.sessions.held, team.sessions.last_held_day) == (2, 1, DAY - 14)
    north = coaching_store.load_team(db, "north")
    assert north.observations == [] and north.sessions.sessions == 0


def test_content_quality_reuses_the_editors_figures(fixture: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    db, ids = fixture
    everyone = {q.question_id: q for q in content_quality_store.load(db)}
    q = everyone[Q].quality
    # first answers: Robin 2 (wrong), Ann 1 (right), Riley 2 (wrong)
    assert (q.learners, q.right_first, q.answers) == (3, 1, 5)
    wrong = q.most_chosen_wrong
    assert wrong is not None and (wrong.number, wrong.picks) == (2, 2)
    assert (q.median_seconds, q.timed) == (10.0, 5)  # 5, 8, 10, 20, 30 s
    assert q.flags == []  # fewer than 10 learners: no flag
    assert everyone[Q].competency == "needs-analysis"
    team = {x.question_id: x for x in content_quality_store.load(db, [ids["rep@example.com"], ids["ann@example.com"]])}[Q].quality
    assert (team.learners, team.right_first, team.answers, team.median_seconds, team.timed) == (2, 1, 4, 9.0, 4)
    unanswered = [x for x in everyone.values() if x.quality.learners == 0]
    assert unanswered and all(x.quality.rate is None for x in unanswered)

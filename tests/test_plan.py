"""A learner's plan across campaigns (sync/plan.py): the shared vectors, the rules one by one,
and the preview editors see."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from sync import plan as sp
from sync.plan import CampaignPlan, LearnerPlan, campaign_plan, campaigns_for, preview, todays_queue, translation_groups
from sync.progress import settings_by_question
from sync.scheduler import NEW, State, settings_for, step
from tests.support.paths import ROOT
from tests.vectors import generate, plan_cases

VECTORS = ROOT / "tests" / "vectors" / "plan.json"
DAY = 20_800


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(VECTORS.read_text())
    return loaded


def test_committed_plan_vectors_are_what_the_generator_writes() -> None:
    assert VECTORS.read_text() == generate.render(plan_cases.generate()), "run: python -m tests.vectors.generate"


def test_python_gives_every_expected_queue(cases: list[dict[str, Any]]) -> None:
    wrong = [c["name"] for c in cases if plan_cases.expected_queue(c) != c["expected"]]
    assert wrong == []


def test_the_vectors_cover_every_rule(cases: list[dict[str, Any]]) -> None:
    names = " ".join(c["name"] for c in cases)
    for rule in ("caps 3 and 2 under a total of 3", "audiences", "a pause", "after its end", "a start in the future",
                 "language switch", "due repeats beyond the total", "without a plan"):  # fmt: skip
        assert rule in names
    assert len(cases) > 400
    # Enough of the random cases are cut by each rule for a broken port to show.
    assert sum(1 for c in cases if len(c["expected"]) == (c["plan"] or {}).get("daily_limit", 3)) > 40
    assert sum(1 for c in cases if any(e["repeat"] for e in c["expected"])) > 100


def test_audience_cases_hold_the_plan_the_server_would_send(cases: list[dict[str, Any]]) -> None:
    with_people = [c for c in cases if "person" in c]
    assert len(with_people) == 3
    for case in with_people:
        assert plan_cases.plan_from_audience(case) == case["plan"], case["name"]
    rep = next(c for c in with_people if "rep of north" in c["name"])
    assert [c["campaign_id"] for c in rep["plan"]["campaigns"]] == ["everyone", "north-reps"]
    # north-reps starts on its own start date, after the day it reached them.
    assert [c["start_day"] for c in rep["plan"]["campaigns"]] == [DAY - 3, DAY - 1]


# ---- the rules, each on its own ------------------------------------------------------------------


def snap(campaigns: list[dict[str, Any]], questions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    ids = sorted({q for c in campaigns for q in c["questions"]})
    return {"questions": questions or [{"id": q} for q in ids], "campaigns": campaigns}


def ids(items: list[sp.QueueItem]) -> list[str]:
    return [i.question_id for i in items]


def answered_on(day: int) -> State:
    return step(NEW, day, True, settings_for("fsrs"))


def test_the_total_limit_cuts_across_campaign_caps() -> None:
    doc = snap([plan_cases.campaign("a", ["a1", "a2", "a3", "a4"], daily_cap=3), plan_cases.campaign("b", ["b1", "b2"], daily_cap=2)])
    campaigns = campaigns_for(doc, "en", None)
    assert ids(todays_queue(doc, campaigns, {}, DAY, daily_limit=3)) == ["a1", "a2", "a3"]
    assert ids(todays_queue(doc, campaigns, {}, DAY, daily_limit=9)) == ["a1", "a2", "a3", "b1", "b2"]
    # Two answered today in b: one more today, from a.
    done = {"b1": answered_on(DAY), "b2": answered_on(DAY)}
    assert ids(todays_queue(doc, campaigns, done, DAY, daily_limit=3)) == ["a1"]


def test_a_pause_asks_nothing_and_the_schedule_stretches_after_it() -> None:
    c = plan_cases.campaign("a", ["q1", "q2", "q3", "q4"], daily_cap=2, pauses=[{"from": plan_cases.date(DAY + 1), "to": plan_cases.date(DAY + 3)}])
    doc = snap([c])
    campaigns = campaigns_for(doc, "en", LearnerPlan(start_days={"a": DAY}))
    days = preview(doc, campaigns, DAY, days=6)
    assert [len(d.items) for d in days] == [2, 0, 0, 0, 2, 2]
    # Day 1's questions fell due in the pause (fsrs, right: 4 days): asked right after it, before new ones.
    assert [(i.question_id, i.repeat) for i in days[4].items] == [("q1", True), ("q2", True)]
    assert [(i.question_id, i.repeat) for i in days[5].items] == [("q3", False), ("q4", False)]


def test_after_its_end_a_campaign_brings_back_only_what_it_asked() -> None:
    c = plan_cases.campaign("a", ["q1", "q2", "q3"], daily_cap=1, end=plan_cases.date(DAY + 1))
    days = preview(snap([c]), [campaign_plan(c, DAY)], DAY, days=8)
    asked = [(d.day - DAY, i.question_id, i.repeat) for d in days for i in d.items]
    assert asked == [(0, "q1", False), (1, "q2", False), (4, "q1", True), (5, "q2", True)]


def test_campaign_days_come_from_the_plan_else_from_the_campaign() -> None:
    c = plan_cases.campaign("a", ["q1"], start=plan_cases.date(DAY + 5), end=plan_cases.date(DAY + 9),
                            pauses=[{"from": plan_cases.date(DAY + 6), "to": plan_cases.date(DAY + 7)}])  # fmt: skip
    assert campaign_plan(c) == CampaignPlan(id="a", questions=("q1",), start_day=DAY + 5, end_day=DAY + 9, pauses=((DAY + 6, DAY + 7),))
    assert campaign_plan(c, DAY + 8).start_day == DAY + 8
    # The plan decides which campaigns, and in the learner's language when it has any.
    doc = snap([c, plan_cases.campaign("b-nl", ["q2"], language="nl"), plan_cases.campaign("c", ["q3"])])
    assert [x.id for x in campaigns_for(doc, "en", LearnerPlan(start_days={"a": 1, "b-nl": 1}))] == ["a"]
    assert [x.id for x in campaigns_for(doc, "de", LearnerPlan(start_days={"a": 1, "b-nl": 1}))] == ["a", "b-nl"]
    assert [x.id for x in campaigns_for(doc, "en", None)] == ["a", "c"]


def test_translations_are_grouped_by_their_original_in_both_directions() -> None:
    groups = translation_groups([
        {"id": "x"}, {"id": "x-nl", "translation_of": "x"}, {"id": "x-de", "translation_of": "x"},
        {"id": "x-nl-be", "translation_of": "x-nl"}, {"id": "loop-a", "translation_of": "loop-b"},
        {"id": "loop-b", "translation_of": "loop-a"}, {"id": "orphan", "translation_of": "gone"},
    ])  # fmt: skip
    assert {q for q, root in groups.items() if root == "x"} == {"x", "x-nl", "x-de", "x-nl-be"}
    assert groups["orphan"] == "orphan"
    assert groups["loop-a"] in ("loop-a", "loop-b") and groups["loop-b"] in ("loop-a", "loop-b")  # a cycle ends


# ---- the preview ----------------------------------------------------------------------------------


def test_the_preview_uses_the_real_scheduler_for_each_repeat_mode() -> None:
    fsrs = plan_cases.campaign("f", ["f1", "f2"], daily_cap=2)
    classic = plan_cases.campaign("g", ["g1"], daily_cap=1, repeat="classic")
    doc = snap([fsrs, classic])
    days = preview(doc, campaigns_for(doc, "en", LearnerPlan(daily_limit=5, start_days={"f": DAY, "g": DAY})), DAY, days=40)
    asked: dict[str, list[int]] = {}
    for d in days:
        for item in d.items:
            asked.setdefault(item.question_id, []).append(d.day - DAY)
    settings = settings_by_question(doc["campaigns"])
    # Replaying the preview's own answers with the scheduler puts every repeat on its due day.
    for qid, on in asked.items():
        state = NEW
        for previous, this in itertools.pairwise(on):
            state = step(state, DAY + previous, True, settings[qid])
            assert this == state.due_day - DAY, qid
    assert asked["g1"] == [0, 24]  # classic: 24 days after a right answer, retired after the second
    assert asked["f1"] == [0, 4, 35]  # fsrs, right every time: the gaps grow
    assert days[0].date == plan_cases.date(DAY)


def test_the_preview_is_empty_before_the_start_and_refuses_negative_days() -> None:
    c = plan_cases.campaign("a", ["q1"])
    assert [d.items for d in preview(snap([c]), [campaign_plan(c, DAY + 3)], DAY, days=3)] == [(), (), ()]
    with pytest.raises(ValueError, match="days"):
        preview(snap([c]), [campaign_plan(c)], DAY, days=-1)

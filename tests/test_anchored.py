"""The `anchored` repeat mode: its plan, its wiring from a campaign, and its lucky-guess discount."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sync import plan as planning
from sync.progress import campaign_settings, settings_by_question, settings_key
from sync.scheduler import NEW, anchored_next, question_budget, queue, recall_weight, settings_for, step

END = 20_200  # a day number: 2025-04-22


def test_checks_double_their_gaps_and_the_last_is_the_end_check() -> None:
    settings = settings_for("anchored", end_day=END, options=4)
    state, due = NEW, []
    day = END - 100
    while not state.retired:
        state = step(state, day, True, settings)
        due.append(state.due_day)
        day = state.due_day
    assert due == [END - 87, END - 61, END - 10, END - 10]
    assert state.reps == 4  # the budget, not a stability threshold, ends it


def test_a_wrong_answer_shortens_the_next_gap_but_adds_no_answer() -> None:
    settings = settings_for("anchored", end_day=END, wrong_days=3)
    assert step(NEW, END - 100, False, settings).due_day == END - 97
    assert anchored_next(4, END - 10, False, True, settings) == (END - 10, True)


def test_booster_spot_checks_and_one_relearning_check() -> None:
    settings = settings_for("anchored", end_day=END, booster_days=75, spot_check_days=60)
    assert anchored_next(4, END - 10, True, False, settings) == (END + 75, False)
    assert anchored_next(5, END + 75, True, False, settings) == (END + 135, False)
    assert anchored_next(5, END + 75, False, True, settings) == (END + 87, False)
    assert anchored_next(6, END + 87, False, False, settings) == (END + 147, False)  # no second relearning check


def test_without_an_end_the_plan_spans_the_horizon_from_the_first_answer() -> None:
    settings = settings_for("anchored", budget=4, horizon_days=80, end_check_days=10)
    days = [100]
    state = NEW
    for _ in range(4):
        state = step(state, days[-1], True, settings)
        days.append(state.due_day)
    assert days[:4] == [100, 110, 130, 170]  # gaps of 70/7, 2 x, 4 x
    assert state.retired


def test_lucky_guesses_are_discounted() -> None:
    assert recall_weight(0.5, 4) == 0.8
    assert recall_weight(0.9, 0) == 1.0
    plain = step(NEW, 100, True, settings_for("anchored"))
    discounted = step(NEW, 100, True, settings_for("anchored", options=4))
    wrong = step(NEW, 100, False, settings_for("anchored", options=4))
    assert plain.stability is not None and discounted.stability is not None and wrong.stability is not None
    assert wrong.stability < discounted.stability < plain.stability
    # Other policies take a right answer at face value.
    assert step(NEW, 100, True, replace(settings_for("fsrs"), options=4)).stability == plain.stability


def test_a_campaign_gives_each_question_its_budget_share_its_options_and_its_end() -> None:
    campaign = {"id": "c", "repeat": "anchored", "end": "2025-04-22", "budget": 3.5, "questions": ["a", "b", "c", "d"]}
    questions = [{"id": q, "options": ["x"] * n} for q, n in zip("abcd", (4, 3, 2, 5), strict=True)]
    by_question = settings_by_question([campaign], questions)
    assert [by_question[q].budget for q in "abcd"] == [3, 4, 3, 4]
    assert [by_question[q].options for q in "abcd"] == [4, 3, 2, 5]
    assert {s.end_day for s in by_question.values()} == {END}
    assert [question_budget(2.25, i) for i in range(4)] == [2, 2, 2, 3]
    # The settings key (what a stored state was replayed with) tells the shares apart.
    assert settings_key(by_question["a"]) != settings_key(by_question["b"])
    assert campaign_settings({"repeat": "classic", "end": "2025-04-22"}).end_day is None


def test_bad_settings_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="budget must be between 1 and 20"):
        settings_for("anchored", budget=0)
    with pytest.raises(ValueError, match="spot_check_days must be 0"):
        settings_for("anchored", spot_check_days=5)
    with pytest.raises(ValueError, match="unknown setting"):
        settings_for("anchored", boost=3)


def test_new_questions_come_first_in_the_queue_and_in_the_plan() -> None:
    seen = step(NEW, 10, True, settings_for("classic"))
    assert queue(40, ["a", "b"], {"a": seen}, 1) == ["a"]
    assert queue(40, ["a", "b"], {"a": seen}, 1, new_first=True) == ["b"]
    snapshot = {"questions": [{"id": "a", "options": ["x", "y"]}, {"id": "b", "options": ["x", "y"]}],
                "campaigns": [{"id": "c", "repeat": "anchored", "questions": ["a", "b"], "daily_cap": 1}]}  # fmt: skip
    campaigns = planning.campaigns_for(snapshot, "en", None)
    assert campaigns[0].new_first
    assert [i.question_id for i in planning.todays_queue(snapshot, campaigns, {"a": seen}, 40, 1)] == ["b"]


def test_other_policies_ignore_anchored_settings_as_the_device_does() -> None:
    assert settings_for("classic", budget=6, end_day=END).budget == settings_for("classic").budget
    assert settings_for("classic", end_day=END).end_day is None

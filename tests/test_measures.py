"""Proficiency, participation and predicted recall, on small hand-checked examples."""

from __future__ import annotations

import pytest

from sync import measures
from sync.scheduler import NEW, Answer, State, retrievability, settings_for, step


def a(qid: str, day: int, correct: bool, n: int = 0) -> Answer:
    return Answer(id=f"{qid}-{day}-{n}", day=day, answered_at=f"2026-01-01T{n:02d}:00:00Z", correct=correct)


def test_qstream_proficiencies() -> None:
    answers = {
        "q1": [a("q1", 1, False), a("q1", 13, True), a("q1", 37, True)],  # wrong first, right now
        "q2": [a("q2", 2, True), a("q2", 26, False)],  # right first, wrong now
        "q3": [a("q3", 3, True)],
        "q4": [a("q4", 60, False)],  # answered after the campaign ended
    }
    p = measures.proficiency(answers, end_day=40)
    assert p.questions == 4 and p.answers == 7
    assert p.initial == 2 / 4
    assert p.current == 2 / 4
    assert p.final == 2 / 3  # q4 did not count before day 40
    assert p.average == 4 / 7
    assert p.gain == 0


def test_proficiency_uses_replay_order_not_arrival_order() -> None:
    answers = {"q1": [a("q1", 9, True), a("q1", 1, False)]}
    p = measures.proficiency(answers)
    assert (p.initial, p.current, p.final) == (0.0, 1.0, 1.0)
    assert p.gain == 1.0


def test_nothing_to_count_gives_none() -> None:
    p = measures.proficiency({"q1": []})
    assert (p.questions, p.initial, p.current, p.average, p.gain) == (0, None, None, None, None)
    assert measures.participation(0, 0) is None


def test_participation() -> None:
    assert measures.participation(27, 36) == 0.75
    for answered, delivered in ((5, 4), (-1, 3)):
        with pytest.raises(ValueError):
            measures.participation(answered, delivered)


def test_predicted_recall_has_a_guessing_floor() -> None:
    state = step(NEW, 100, True, settings_for("fsrs"))
    assert state.stability is not None
    assert measures.predicted_recall(NEW, 100, 4) == 0.25
    assert measures.predicted_recall(state, 100, 4) == 1.0
    later = measures.predicted_recall(state, 110, 4)
    assert later == pytest.approx(0.25 + 0.75 * retrievability(10, state.stability))
    assert 0.25 < later < 1.0
    assert measures.predicted_recall(state, 10_000, 2) > 0.5  # never below the floor
    with pytest.raises(ValueError):
        measures.predicted_recall(state, 100, 1)


def test_recall_by_competency_now_and_in_30_days() -> None:
    s = settings_for("fsrs")
    strong = State()
    for day in (0, 3, 12, 40, 120):
        strong = step(strong, day, True, s)
    weak = step(NEW, 118, False, s)
    forecast = measures.recall_by_competency(
        [("value", strong, 4), ("value", weak, 4), ("safety", NEW, 3)], today=120
    )
    assert list(forecast) == ["safety", "value"]
    assert forecast["safety"].now == forecast["safety"].later == pytest.approx(1 / 3)
    value = forecast["value"]
    assert value.questions == 2 and value.horizon_days == 30
    assert 0.25 < value.later < value.now < 1.0
    assert value.decay > 0.05

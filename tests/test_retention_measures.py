"""Retention as the dashboards show it (docs/measures.md): each figure against a hand computation."""

from __future__ import annotations

import pytest

from sync.measures import (
    MIN_ANSWERS,
    DayAnswer,
    corrected,
    firsts_of_days,
    guess_ppm,
    guess_rate,
    proficiency,
    retention,
    wilson,
)
from sync.scheduler import Answer


def test_guessing_rates() -> None:
    assert guess_rate(4) == 0.25  # one right of 4
    assert guess_rate(2) == 0.5
    assert guess_rate(3, 2) == pytest.approx(1 / 3)  # 2 right of 3 must both be chosen: 1 of C(3,2) = 3 sets
    assert guess_rate(5, 2) == pytest.approx(1 / 10)  # C(5,2) = 10
    assert guess_ppm(3, 2) == 333_333 and guess_ppm(4) == 250_000
    with pytest.raises(ValueError):
        guess_rate(1)
    with pytest.raises(ValueError):
        guess_rate(4, 0)


def test_the_wilson_interval_by_hand() -> None:
    # r = 18 of n = 24, p = 0.75, z = 1.959964, z² = 3.841459, z²/n = 0.160061
    # centre = (0.75 + 3.841459/48) / 1.160061 = 0.830030 / 1.160061 = 0.715506
    # half   = 1.959964 / 1.160061 × √(0.75 × 0.25 / 24 + 3.841459 / (4 × 576))
    #        = 1.689535 × √(0.0078125 + 0.0016673) = 1.689535 × 0.097364 = 0.164500
    low, high = wilson(18, 24)
    assert low == pytest.approx(0.551006, abs=1e-6) and high == pytest.approx(0.880006, abs=1e-6)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0
    with pytest.raises(ValueError):
        wilson(6, 5)


def test_guess_correction_clamps() -> None:
    assert corrected(0.75, 0.25) == pytest.approx(2 / 3)
    assert corrected(0.2, 0.25) == 0.0  # below chance: nothing retained, not a negative share
    assert corrected(1.0, 0.5) == 1.0


def test_the_worked_example_of_docs_measures() -> None:
    # 24 counted answers: 12 to 4-option questions (g = 0.25), 8 to 2-option ones (g = 0.5),
    # 4 to a pick-two of 3 options (g = 1/3); 18 right.
    # Σg = 12 × 250000 + 8 × 500000 + 4 × 333333 = 8333332 ppm → mean g = 0.347222
    # p = 18/24 = 0.75 → retention = (0.75 − 0.347222) / 0.652778 = 0.617021
    # Wilson (0.551006, 0.880006) → ((0.551006 − 0.347222)/0.652778, (0.880006 − 0.347222)/0.652778) = (0.312179, 0.816180)
    r = retention(24, 18, 12 * guess_ppm(4) + 8 * guess_ppm(2) + 4 * guess_ppm(3, 2))
    assert r.n == 24 and r.right == 18 and r.share == 0.75
    assert r.guess == pytest.approx(0.347222, abs=1e-6)
    assert r.value == pytest.approx(0.617021, abs=1e-6)
    assert r.low == pytest.approx(0.312179, abs=1e-6) and r.high == pytest.approx(0.816180, abs=1e-6)
    assert r.enough


def test_too_few_answers_are_flagged_and_none_is_empty() -> None:
    # 5 right of 8 on 4 options: p = 0.625 → (0.625 − 0.25)/0.75 = 0.5, but the interval
    # (0.074, 0.818) spans most of the scale: not enough.
    few = retention(8, 5, 8 * 250_000)
    assert few.value == pytest.approx(0.5) and few.low == pytest.approx(0.074323, abs=1e-6) and not few.enough
    assert MIN_ANSWERS == 20
    empty = retention(0, 0, 0)
    assert empty.value is None and empty.low is None and not empty.enough


def a(id: str, day: int, at: str, correct: bool = True) -> DayAnswer:
    return DayAnswer(id=id, day=day, answered_at=f"2026-01-01T{at}:00.000Z", correct=correct, version=1)


def test_only_the_first_answer_of_a_later_day_counts() -> None:
    # Day 10: first sight (not counted). Day 12: two answers, the 08:00 one is first (wrong).
    # Day 20: one answer (right). Arrival order does not matter.
    answers = [a("d", 20, "09:00"), a("c", 12, "09:00", True), a("b", 12, "08:00", False), a("a", 10, "07:00")]
    firsts = firsts_of_days(answers)
    assert [(f.day, f.answer.id, f.counted) for f in firsts] == [(10, "a", False), (12, "b", True), (20, "d", True)]
    # A late answer for day 8 makes day 10 a repeat too.
    again = firsts_of_days([*answers, a("z", 8, "23:00", False)])
    assert [(f.day, f.counted) for f in again] == [(8, False), (10, True), (12, True), (20, True)]
    # Same time on the same day: the smaller id is first.
    assert firsts_of_days([a("y", 5, "10:00"), a("x", 5, "10:00")])[0].answer.id == "x"


def test_qstream_proficiency_still_works() -> None:
    # Kept as it was: initial = first answers right / questions, current = last answers right.
    t = "2026-01-01T09:00:00.000Z"
    q1 = [Answer(id="1", day=1, answered_at=t, correct=False), Answer(id="2", day=5, answered_at=t, correct=True)]
    found = proficiency({"q1": q1, "q2": [Answer(id="3", day=2, answered_at=t, correct=True)]})
    assert (found.initial, found.current, found.average) == (0.5, 1.0, pytest.approx(2 / 3))

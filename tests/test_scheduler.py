"""The scheduler against its golden vectors, the `fsrs` package as an oracle, and its rules."""

from __future__ import annotations

import datetime
import itertools
import json
import math
import random
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from fsrs import Card, Rating, Scheduler

from sync import scheduler as sch
from sync.scheduler import NEW, Answer, State, settings_for, step
from tests.support.paths import ROOT

from .vectors import generate

VECTORS = ROOT / "tests" / "vectors" / "scheduler.json"
Step = Callable[[State, int, bool, sch.Settings], State]


@cache
def vectors() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(VECTORS.read_text())
    return cases


def case_settings(case: dict[str, Any]) -> sch.Settings:
    return settings_for(case["policy"], **case["settings"])


def mismatches(step_fn: Step) -> list[str]:
    """Every place where `step_fn` disagrees with the vectors."""
    found = []
    for i, case in enumerate(vectors()):
        settings = case_settings(case)
        state = NEW
        for j, (answer, want) in enumerate(zip(case["answers"], case["expected"], strict=True)):
            state = step_fn(state, answer["day"], answer["correct"], settings)
            if (
                state.due_day != want["due_day"]
                or state.retired != want["retired"]
                or abs((state.stability or 0) - want["stability"]) > 1e-6
                or abs((state.difficulty or 0) - want["difficulty"]) > 1e-6
            ):
                found.append(f"case {i} answer {j}: got {state}, want {want}")
                break
    return found


def test_vectors_are_many_and_cover_every_policy() -> None:
    cases = vectors()
    assert len(cases) >= 5000
    assert {c["policy"] for c in cases} == set(sch.POLICIES)
    answers = [a for c in cases for a in c["answers"]]
    same_day = sum(1 for c in cases for a, b in itertools.pairwise(c["answers"]) if a["day"] == b["day"])
    long_pause = sum(1 for c in cases for a, b in itertools.pairwise(c["answers"]) if b["day"] - a["day"] > 365)
    assert same_day > 500 and long_pause > 100 and len(answers) > 30_000
    stabilities = [e["stability"] for c in cases for e in c["expected"]]
    assert min(stabilities) == sch.S_MIN and max(stabilities) == sch.S_MAX  # both clamps exercised


def test_python_matches_every_vector() -> None:
    assert mismatches(step) == []


def test_committed_vectors_are_what_the_generator_writes() -> None:
    assert VECTORS.read_text() == generate.render(generate.generate()), "run: python -m tests.vectors.generate"


def test_the_vector_check_catches_broken_schedulers() -> None:
    def ignores_same_day_rule(state: State, day: int, correct: bool, settings: sch.Settings) -> State:
        if state.last_day == day:
            state = State(**{**state.__dict__, "last_day": day - 1})
        return step(state, day, correct, settings)

    def no_round6(state: State, day: int, correct: bool, settings: sch.Settings) -> State:
        new = step(state, day, correct, settings)
        if new is state or new.stability is None:
            return new
        return State(**{**new.__dict__, "stability": new.stability + 4e-6})

    assert len(mismatches(ignores_same_day_rule)) > 100
    assert len(mismatches(no_round6)) > 100
    wrong_retention = mismatches(lambda s, d, c, st: step(s, d, c, settings_for("fsrs", desired_retention=0.9)) if st.policy == "fsrs" else step(s, d, c, st))
    assert len(wrong_retention) > 100


def oracle_for(settings: sch.Settings) -> Scheduler:
    return Scheduler(
        desired_retention=settings.desired_retention,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=settings.max_interval,
        enable_fuzzing=False,
    )


def test_fsrs_package_agrees_with_the_fsrs_vectors() -> None:
    """The `fsrs` package (py-fsrs 6.3) as an independent oracle for the formulas.

    Same-day repeats are skipped before calling it (our spec counts only a day's first answer;
    py-fsrs would apply its short-term formula). Stability and difficulty must agree within 1e-4
    relative (or 1e-5 days absolute: our per-step rounding to 1e-6 cannot be relatively closer
    for stabilities of a few thousandths of a day, reached only after long runs of lapses);
    intervals exactly, except where py-fsrs's own raw interval lies within 1e-4 days of
    a half day, where our per-step rounding of stability may legitimately tip it the other way.
    Given our stability, py-fsrs's interval function must agree exactly (bar exact halves, where
    it rounds to even).
    """
    base = datetime.datetime(1970, 1, 1, 12, tzinfo=datetime.UTC)
    checked = intervals = 0
    for case in vectors():
        if case["policy"] != "fsrs":
            continue
        settings = case_settings(case)
        oracle = oracle_for(settings)
        card, last_day = Card(), None
        for answer, want in zip(case["answers"], case["expected"], strict=True):
            if last_day is not None and answer["day"] <= last_day:
                continue
            last_day = answer["day"]
            rating = Rating.Good if answer["correct"] else Rating.Again
            card, _ = oracle.review_card(card, rating, base + datetime.timedelta(days=answer["day"]))
            assert card.stability is not None and card.difficulty is not None
            s_ok = math.isclose(card.stability, want["stability"], rel_tol=1e-4, abs_tol=1e-5) or (
                want["stability"] == sch.S_MAX and card.stability > sch.S_MAX
            )
            assert s_ok, (case, card)
            assert math.isclose(card.difficulty, want["difficulty"], rel_tol=1e-4), (case, card)
            checked += 1
            if want["stability"] < sch.S_MAX:
                raw = card.stability / oracle._FACTOR * (settings.desired_retention ** (1 / oracle._DECAY) - 1)
                if abs(raw - math.floor(raw) - 0.5) > 1e-4:
                    assert (card.due - base).days == want["due_day"], (case, card)
                    intervals += 1
                ours = want["due_day"] - answer["day"]
                if abs(want["stability"] / sch.FACTOR * (settings.desired_retention**sch.INV_DECAY - 1) % 1 - 0.5) > 1e-9:
                    assert oracle._next_interval(stability=want["stability"]) == ours
    assert checked > 10_000 and intervals > 9_000


def test_only_the_first_answer_of_a_day_counts() -> None:
    settings = settings_for("fsrs")
    first = step(NEW, 100, True, settings)
    assert step(first, 100, False, settings) is first
    assert first == State(stability=2.3065, difficulty=2.118104, last_day=100, due_day=104, retired=False, streak=1, reps=1, lapses=0)
    wrong = step(NEW, 100, False, settings)
    assert (wrong.stability, wrong.difficulty, wrong.due_day) == (0.212, 6.4133, 101)


def test_replay_is_independent_of_arrival_order() -> None:
    rng = random.Random(7)
    answers = [
        Answer(id=f"0190{i:04x}", day=20_000 + rng.choice([0, 1, 3, 9]) * i // 2, answered_at=f"2026-01-01T{i % 24:02d}:00:00Z", correct=rng.random() < 0.7)
        for i in range(30)
    ]
    settings = settings_for("fsrs")
    expected = sch.replay(answers, settings)
    for _ in range(20):
        rng.shuffle(answers)
        assert sch.replay(answers, settings) == expected
    # Two answers on one day: the earlier one (by answered-at, then id) is the one that counts.
    early = Answer(id="b", day=5, answered_at="2026-01-01T08:00:00Z", correct=False)
    late = Answer(id="a", day=5, answered_at="2026-01-01T09:00:00Z", correct=True)
    assert sch.replay([late, early], settings).lapses == 1


@pytest.mark.parametrize(
    ("policy", "answers", "retired", "due_offset"),
    [
        ("classic", [True], False, 24),
        ("classic", [True, True], True, 24),
        ("classic", [True, False], False, 12),
        ("classic", [True, False, True, True], True, 24),
        ("classic-long", [False], False, 21),
        ("classic-long", [True], False, 42),
        ("turbo", [False], False, 12),
        ("turbo", [False, True], True, 24),
        ("lightning", [False], True, 12),
    ],
)
def test_interval_policies(policy: sch.Policy, answers: list[bool], retired: bool, due_offset: int) -> None:
    state, day = NEW, 1000
    for i, correct in enumerate(answers):
        day = 1000 + 30 * i
        state = step(state, day, correct, settings_for(policy))
    assert state.retired is retired
    assert state.due_day == day + due_offset


def test_fsrs_retires_once_stability_passes_the_threshold() -> None:
    settings = settings_for("fsrs", retire_stability=30)
    state, day = NEW, 0
    while not state.retired:
        state = step(state, day, True, settings)
        assert state.due_day is not None
        day = state.due_day
    assert state.stability is not None and state.stability >= 30
    assert step(state, day, False, settings).retired is False  # a lapse brings it back


def test_queue_puts_due_repeats_first_then_new_within_the_cap() -> None:
    ids = ["q1", "q2", "q3", "q4", "q5", "q6"]
    states = {
        "q1": State(stability=5, difficulty=5, last_day=90, due_day=99, reps=1),
        "q2": State(stability=5, difficulty=5, last_day=80, due_day=95, reps=1),
        "q3": State(stability=500, difficulty=5, last_day=80, due_day=95, retired=True, reps=3),
        "q4": State(stability=5, difficulty=5, last_day=99, due_day=120, reps=1),
    }
    assert sch.queue(100, ids, states, daily_cap=3) == ["q2", "q1", "q5"]
    assert sch.queue(100, ids, states, daily_cap=10) == ["q2", "q1", "q5", "q6"]
    answered_today = {**states, "q2": State(stability=6, difficulty=5, last_day=100, due_day=110, reps=2)}
    assert sch.queue(100, ids, answered_today, daily_cap=3) == ["q1", "q5"]
    assert sch.queue(100, ids, states, daily_cap=3, start_day=101) == []
    tie = {"q4": State(last_day=1, due_day=50, reps=1), "q2": State(last_day=1, due_day=50, reps=1)}
    assert sch.queue(100, ids, tie, daily_cap=2) == ["q2", "q4"]


def test_local_day_rolls_over_at_the_rollover_hour() -> None:
    def ms(text: str) -> int:
        return int(datetime.datetime.fromisoformat(text).timestamp() * 1000)

    evening = sch.local_day(ms("2026-03-10T22:00:00+00:00"), 0)
    assert sch.local_day(ms("2026-03-11T01:30:00+00:00"), 0) == evening  # before 04:00: still yesterday
    assert sch.local_day(ms("2026-03-11T04:00:00+00:00"), 0) == evening + 1
    # 23:30 in Amsterdam (UTC+1) and 23:30 in New York (UTC-5) are both the local 10th.
    assert sch.local_day(ms("2026-03-10T22:30:00+00:00"), 60) == sch.local_day(ms("2026-03-11T04:30:00+00:00"), -300) == evening
    assert sch.local_day(0, 0, 0) == 0 and sch.local_day(-1, 0, 0) == -1


@pytest.mark.parametrize(
    "kwargs",
    [{"desired_retention": 1.2}, {"desired_retention": 0.3}, {"wrong_days": 0}, {"retire_streak": -1}, {"max_interval": 0}],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        settings_for("classic", **kwargs)


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown policy 'weekly'"):
        settings_for("weekly")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"retire_stability": -5}, "retire_stability must be more than 0 days"),
        ({"wrong_days": 2.5}, "must be a whole number of days"),
        ({"max_interval": float("nan")}, "must be a finite number"),
        ({"wrong_days": True}, "must be a finite number"),
        ({"wrongDays": 3}, "unknown setting 'wrongDays'"),
    ],
)
def test_settings_must_be_sane_numbers(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        settings_for("classic", **kwargs)

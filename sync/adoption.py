"""Adoption figures for the dashboards (docs/measures.md "Adoption"): pure functions, no I/O.

Days are local day numbers (days since 1970-01-01 as the rep's device counted them, the
answers' `local_day`); a week starts on Monday. A rep is **active** on a day when they gave at
least one answer that day. **Participation** on a day: of the reps enrolled in a campaign running
that day (started for them, not past its end), those who answered at least once. An answer is
**on time** when it repeats a question on or before the day the schedule made it due (the due
day after the learner's previous counted answer to it, sync/scheduler.py); first answers and
answers to a question the schedule had retired are not counted either way. Streaks are the
app's rule (pwa/src/stats.js): consecutive days with an answer ending today, or yesterday while
nothing is answered yet today.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sync.scheduler import NEW, Answer, Settings, State, replay_order, step


def week_start(day: int) -> int:
    """The Monday of the day's week, as a day number (1970-01-01, day 0, was a Thursday)."""
    return day - (day + 3) % 7


def streak(days: Iterable[int], today: int) -> int:
    """Consecutive days with an answer ending today, or yesterday when nothing is answered today."""
    have = set(days)
    day = today if today in have else today - 1 if today - 1 in have else None
    n = 0
    while day is not None and day in have:
        n += 1
        day -= 1
    return n


def longest_streak(days: Iterable[int]) -> int:
    """The longest run of consecutive days with an answer."""
    have = sorted(set(days))
    best = run = 0
    for i, day in enumerate(have):
        run = run + 1 if i and day == have[i - 1] + 1 else 1
        best = max(best, run)
    return best


@dataclass(frozen=True, kw_only=True)
class Enrolled:
    """One rep's enrollment: the day the campaign started for them and its last day (None: no end)."""

    start_day: int
    end_day: int | None


def enrolled_on(enrollments: Iterable[Enrolled], day: int) -> bool:
    """Whether a campaign was running for the rep on that day."""
    return any(e.start_day <= day and (e.end_day is None or day <= e.end_day) for e in enrollments)


@dataclass(frozen=True, kw_only=True)
class DayFigure:
    day: int
    reps: int  # reps in scope
    active: int  # reps with at least one answer that day
    enrolled: int  # reps enrolled in a running campaign that day
    participating: int  # of those enrolled, the active ones

    @property
    def participation(self) -> float | None:
        return self.participating / self.enrolled if self.enrolled else None


def daily(
    reps: Sequence[str],
    answer_days: Mapping[str, set[int]],
    enrollments: Mapping[str, Sequence[Enrolled]],
    first: int,
    last: int,
) -> list[DayFigure]:
    """Active reps and participation for each day from `first` to `last`, both included."""
    out = []
    for day in range(first, last + 1):
        active = {r for r in reps if day in answer_days.get(r, ())}
        enrolled = {r for r in reps if enrolled_on(enrollments.get(r, ()), day)}
        out.append(
            DayFigure(
                day=day,
                reps=len(reps),
                active=len(active),
                enrolled=len(enrolled),
                participating=len(active & enrolled),
            )
        )
    return out


@dataclass(frozen=True, kw_only=True)
class WeekFigure:
    week: int  # its Monday
    days: int  # days of the week inside the period
    reps: int
    active: int  # reps with at least one answer that week (within the period)


def weekly(reps: Sequence[str], answer_days: Mapping[str, set[int]], first: int, last: int) -> list[WeekFigure]:
    """Active reps per week for the weeks the period touches (partial weeks say how many days)."""
    out = []
    week = week_start(first)
    while week <= last:
        days = set(range(max(week, first), min(week + 6, last) + 1))
        active = sum(1 for r in reps if days & answer_days.get(r, set()))
        out.append(WeekFigure(week=week, days=len(days), reps=len(reps), active=active))
        week += 7
    return out


@dataclass(frozen=True, kw_only=True)
class OnTime:
    on_time: int
    counted: int  # repeat answers whose question had a due day

    @property
    def share(self) -> float | None:
        return self.on_time / self.counted if self.counted else None

    def __add__(self, other: OnTime) -> OnTime:
        return OnTime(on_time=self.on_time + other.on_time, counted=self.counted + other.counted)


NO_ANSWERS = OnTime(on_time=0, counted=0)


def _timed(state: State, answers: Iterable[Answer], settings: Settings, into: dict[int, list[int]], sign: int) -> State:
    """Steps `state` through `answers` (in replay order), adding `sign` × (counted, on time) per day."""
    for answer in answers:
        if state.last_day is not None and answer.day <= state.last_day:
            continue  # a second answer on a day: the schedule does not count it, nor do we
        if state.reps and state.due_day is not None and not state.retired:
            held = into.setdefault(answer.day, [0, 0])
            held[0] += sign
            held[1] += sign * (answer.day <= state.due_day)
        state = step(state, answer.day, answer.correct, settings)
    return state


def timing_by_day(answers: Iterable[Answer], settings: Settings) -> dict[int, OnTime]:
    """One learner's answers to one question (any order): per day, the repeats that count (on
    a new day, whose question had a due day and was not retired) and those given on or before
    their due day."""
    found: dict[int, list[int]] = {}
    _timed(NEW, replay_order(answers), settings, found, +1)
    return {day: OnTime(on_time=on, counted=n) for day, (n, on) in found.items()}


@dataclass(frozen=True, kw_only=True)
class TimingChange:
    """What adding answers to a question's history changes: per day, (counted, on time) to add
    to `timing_by_day` of the old answers to get that of all; the state after all the answers
    and the last of them in replay order (None when there are none)."""

    by_day: dict[int, tuple[int, int]]
    state: State
    last: Answer | None
    replayed: int  # answers stepped through (the shared prefix once, then each suffix)


def timing_change(old: Sequence[Answer], new: Sequence[Answer], settings: Settings) -> TimingChange:
    """`timing_by_day(old + new) - timing_by_day(old)`, from one replay of the answers before the
    first new one in replay order (both histories share it, so its timings cancel), then the old
    and the whole rest from there. When every new answer comes after every old one (the usual
    push) the old rest is empty: one pass, the old answers' timings untouched."""
    fresh = {a.id for a in new}
    ordered = replay_order([*old, *new])
    cut = next((i for i, a in enumerate(ordered) if a.id in fresh), len(ordered))
    state = NEW
    for answer in ordered[:cut]:
        state = step(state, answer.day, answer.correct, settings)
    found: dict[int, list[int]] = {}
    old_rest = [a for a in ordered[cut:] if a.id not in fresh]
    _timed(state, old_rest, settings, found, -1)
    final = _timed(state, ordered[cut:], settings, found, +1)
    return TimingChange(
        by_day={day: (n, on) for day, (n, on) in found.items() if n or on},
        state=final,
        last=ordered[-1] if ordered else None,
        replayed=len(ordered) + len(old_rest),
    )


def on_time(answers: Iterable[Answer], settings: Settings, first: int | None = None, last: int | None = None) -> OnTime:
    """`timing_by_day` added up over the days from `first` to `last` (every day when not given)."""
    return sum(
        (
            t
            for day, t in timing_by_day(answers, settings).items()
            if (first is None or day >= first) and (last is None or day <= last)
        ),
        NO_ANSWERS,
    )


@dataclass(frozen=True, kw_only=True)
class RepFigure:
    rep_id: str
    answers: int  # in the period, repeats included
    active_days: int  # in the period
    streak: int  # current, as of `today`
    longest: int  # longest ever
    on_time: OnTime
    last_day: int | None  # the day of their latest answer ever


def rep_figure(
    rep_id: str, days_with_answers: set[int], answers_in_period: int, timing: OnTime, first: int, last: int, today: int
) -> RepFigure:
    return RepFigure(
        rep_id=rep_id, answers=answers_in_period, active_days=sum(1 for d in days_with_answers if first <= d <= last),
        streak=streak(days_with_answers, today), longest=longest_streak(days_with_answers), on_time=timing,
        last_day=max(days_with_answers, default=None),
    )  # fmt: skip

"""Learning measures for the dashboards: Qstream-compatible proficiency, predicted recall (an
estimate), and retention measured honestly: guess-corrected, with its interval and count.

Pure functions over answers and scheduler states, defined in docs/scheduler.md §7 and
docs/measures.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sync.scheduler import Answer, State, replay_order, retrievability


@dataclass(frozen=True, kw_only=True)
class Proficiency:
    """Shares of questions (or answers) that were right; None where there is nothing to count."""

    questions: int
    answers: int
    initial: float | None
    current: float | None
    final: float | None
    average: float | None

    @property
    def gain(self) -> float | None:
        """Knowledge gain: current minus initial proficiency."""
        if self.initial is None or self.current is None:
            return None
        return self.current - self.initial


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def proficiency(answers_by_question: Mapping[str, Sequence[Answer]], end_day: int | None = None) -> Proficiency:
    """Initial, current, final and average proficiency over one learner's (or a team's) answers.

    `final` counts only answers up to `end_day`, the campaign's last day; without one it is the
    current proficiency.
    """
    first_right = last_right = final_right = final_questions = right = total = questions = 0
    for answers in answers_by_question.values():
        ordered = replay_order(answers)
        if not ordered:
            continue
        questions += 1
        first_right += ordered[0].correct
        last_right += ordered[-1].correct
        right += sum(a.correct for a in ordered)
        total += len(ordered)
        until_end = [a for a in ordered if end_day is None or a.day <= end_day]
        if until_end:
            final_questions += 1
            final_right += until_end[-1].correct
    return Proficiency(
        questions=questions,
        answers=total,
        initial=_share(first_right, questions),
        current=_share(last_right, questions),
        final=_share(final_right, final_questions),
        average=_share(right, total),
    )


def participation(answered: int, delivered: int) -> float | None:
    """Questions answered divided by questions delivered."""
    if answered < 0 or delivered < 0 or answered > delivered:
        raise ValueError(f"answered ({answered}) must be between 0 and delivered ({delivered})")
    return _share(answered, delivered)


def predicted_recall(state: State, day: int, options: int) -> float:
    """The chance of a right answer on `day`: FSRS retrievability raised by guessing (1/k)."""
    if options < 2:
        raise ValueError("a question has at least 2 options")
    floor = 1.0 / options
    if state.stability is None or state.last_day is None:
        return floor
    elapsed = max(day - state.last_day, 0)
    return floor + (1.0 - floor) * retrievability(elapsed, state.stability)


@dataclass(frozen=True, kw_only=True)
class RecallForecast:
    """Mean predicted recall of a set of questions, now and some days ahead."""

    questions: int
    now: float
    later: float
    horizon_days: int

    @property
    def decay(self) -> float:
        """How much recall is expected to drop by the horizon."""
        return self.now - self.later


def recall_by_competency(
    items: Iterable[tuple[str, State, int]], today: int, horizon_days: int = 30
) -> dict[str, RecallForecast]:
    """Per competency, mean predicted recall today and in `horizon_days`.

    `items` holds (competency, state, number of options) for each question of a learner.
    """
    sums: dict[str, list[float]] = {}
    for competency, state, options in items:
        acc = sums.setdefault(competency, [0.0, 0.0, 0.0])
        acc[0] += 1
        acc[1] += predicted_recall(state, today, options)
        acc[2] += predicted_recall(state, today + horizon_days, options)
    return {
        competency: RecallForecast(questions=int(n), now=now / n, later=later / n, horizon_days=horizon_days)
        for competency, (n, now, later) in sorted(sums.items())
    }


# ---- honest retention (docs/measures.md) ------------------------------------------------------

# Below this many counted answers a cell's 95 % interval spans more than half the scale (at 20
# answers and p = 0.5 it is ±0.21 on the share right, ±0.28 after guess correction on 4 options):
# such a cell is shown greyed, with its count and why, never as a bare percentage.
MIN_ANSWERS = 20
Z95 = 1.959963984540054
PPM = 1_000_000  # guess rates are stored as integer parts per million, so sums are exact


def guess_rate(options: int, right: int = 1) -> float:
    """The chance of a right answer by guessing: 1/k for one right option of k; 1/C(k, m) for a
    question whose m right options must all be chosen (and only they)."""
    if options < 2 or not 1 <= right < options + 1:
        raise ValueError(f"a question has at least 2 options and 1 to {options} right ones, not {right} of {options}")
    return 1.0 / math.comb(options, right)


def guess_ppm(options: int, right: int = 1) -> int:
    """`guess_rate` in integer parts per million (rounding error below 5e-7 per answer)."""
    return round(guess_rate(options, right) * PPM)


def wilson(right: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the share right (95 % by default); (0, 1) when n is 0."""
    if n < 0 or not 0 <= right <= n:
        raise ValueError(f"right ({right}) must be between 0 and n ({n})")
    if n == 0:
        return (0.0, 1.0)
    p = right / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def corrected(share: float, guess: float) -> float:
    """A share right corrected for guessing, (p − g)/(1 − g), clamped to [0, 1]."""
    if not 0 <= guess < 1:
        raise ValueError(f"a guessing rate is in [0, 1), not {guess}")
    return min(1.0, max(0.0, (share - guess) / (1 - guess)))


@dataclass(frozen=True, kw_only=True)
class Retention:
    """Guess-corrected share right of counted answers, with its 95 % interval and count.

    `value`, `low` and `high` are None when there is no answer at all; `enough` is False below
    MIN_ANSWERS (show the cell greyed, with `n`)."""

    n: int
    right: int
    guess: float | None  # mean guessing rate of the n answers
    share: float | None  # r / n, uncorrected
    value: float | None
    low: float | None
    high: float | None

    @property
    def enough(self) -> bool:
        return self.n >= MIN_ANSWERS


def retention(n: int, right: int, guess_sum_ppm: int) -> Retention:
    """Retention from counted answers: n of them, `right` right, guessing rates summing to
    `guess_sum_ppm` (parts per million). The interval is Wilson's on r/n, corrected the same way."""
    if n == 0:
        return Retention(n=0, right=0, guess=None, share=None, value=None, low=None, high=None)
    guess = guess_sum_ppm / PPM / n
    low, high = wilson(right, n)
    share = right / n
    return Retention(
        n=n, right=right, guess=guess, share=share,
        value=corrected(share, guess), low=corrected(low, guess), high=corrected(high, guess),
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class DayAnswer:
    """One answer of a learner to one question, as the retention count needs it."""

    id: str
    day: int  # local day
    answered_at: str  # effective time, ISO 8601 UTC (sorts as text)
    correct: bool
    version: int  # the content version it was given in (its options, its competency)


@dataclass(frozen=True, kw_only=True)
class FirstOfDay:
    """The first answer of one day to one question; `counted` when the question was already
    answered on an earlier day (a repeat: what retention measures). End checks are such answers."""

    day: int
    answer: DayAnswer
    counted: bool


def firsts_of_days(answers: Iterable[DayAnswer]) -> list[FirstOfDay]:
    """Per day, the first answer (by time, then id) of a learner to one question, oldest day
    first. The first day's answer measures what they knew before, not what they kept: not counted."""
    first: dict[int, DayAnswer] = {}
    for a in answers:
        held = first.get(a.day)
        if held is None or (a.answered_at, a.id) < (held.answered_at, held.id):
            first[a.day] = a
    days = sorted(first)
    return [FirstOfDay(day=d, answer=first[d], counted=i > 0) for i, d in enumerate(days)]

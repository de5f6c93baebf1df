"""Learning measures for the dashboards: Qstream-compatible proficiency and predicted recall.

Pure functions over answers and scheduler states, defined in docs/scheduler.md §7.
"""

from __future__ import annotations

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

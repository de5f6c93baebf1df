"""How a question performs with learners, for its editor. Pure: figures from answer rows.

Only answers to the question as it now stands count: those given to a revision at or after its
`epoch` (the last substantive change), since earlier answers were to a different question.
"Right first time" is each learner's first answer, in replay order (local day, answered-at,
id): repeats are answered by people who have seen the explanation. Option counts are over those
first answers too. A flag needs at least MIN_FIRST_ANSWERS first answers: below that a
percentage says little, and the page says so.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable

import msgspec

MIN_FIRST_ANSWERS = 10
TOO_EASY = 0.95  # more right first time than this: it teaches little
TOO_HARD = 0.30  # fewer than this: unclear, or teaching something not yet taught


class FirstChoice(msgspec.Struct, frozen=True):
    """How many learners gave this choice as their first answer (1 = first option)."""

    choice: tuple[int, ...]
    correct: bool
    learners: int


class OptionFigure(msgspec.Struct, frozen=True):
    number: int  # 1 = first option
    picks: int  # learners who chose it in their first answer
    right: bool


class Quality(msgspec.Struct, frozen=True):
    answers: int  # every answer since the epoch, repeats included
    learners: int  # learners who answered (their first answers)
    right_first: int
    options: list[OptionFigure]
    median_seconds: float | None  # None when no answer recorded how long it took
    timed: int  # answers that recorded how long they took
    flags: list[str]  # too-easy, too-hard, ambiguous

    @property
    def rate(self) -> float | None:
        """Right first time, as a fraction of learners; None before anyone answered."""
        return self.right_first / self.learners if self.learners else None

    @property
    def enough(self) -> bool:
        return self.learners >= MIN_FIRST_ANSWERS

    @property
    def most_chosen_wrong(self) -> OptionFigure | None:
        wrong = [o for o in self.options if not o.right and o.picks]
        return max(wrong, key=lambda o: (o.picks, -o.number)) if wrong else None


def parse_choice(text: str) -> tuple[int, ...]:
    """A stored choice (a JSON list of option numbers) as a sorted tuple; () when unreadable."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return ()
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, list):
        return tuple(sorted({v for v in value if isinstance(v, int) and not isinstance(v, bool)}))
    return ()


def quality(
    answers: int, firsts: Iterable[FirstChoice], right: list[int], option_count: int, durations_ms: Iterable[int] = ()
) -> Quality:
    """The figures and flags of one question: `firsts` are its learners' first answers grouped by
    choice, `right` its right option numbers, `durations_ms` the recorded answer times."""
    firsts = list(firsts)
    learners = sum(f.learners for f in firsts)
    right_first = sum(f.learners for f in firsts if f.correct)
    picks = dict.fromkeys(range(1, option_count + 1), 0)
    for f in firsts:
        for n in f.choice:
            if n in picks:
                picks[n] += f.learners
    options = [OptionFigure(n, p, n in right) for n, p in picks.items()]
    times = sorted(d for d in durations_ms if d is not None and d >= 0)
    flags: list[str] = []
    if learners >= MIN_FIRST_ANSWERS:
        rate = right_first / learners
        if rate > TOO_EASY:
            flags.append("too-easy")
        if rate < TOO_HARD:
            flags.append("too-hard")
        least_right = min((o.picks for o in options if o.right), default=0)
        if any(not o.right and o.picks > least_right for o in options):
            flags.append("ambiguous")
    median = round(statistics.median(times) / 1000, 1) if times else None
    return Quality(answers, learners, right_first, options, median, len(times), flags)


FLAG_WORDS = {
    "too-easy": f"too easy: more than {TOO_EASY:.0%} right first time",
    "too-hard": f"too hard: fewer than {TOO_HARD:.0%} right first time",
    "ambiguous": "likely ambiguous: a wrong option is chosen more often than the right one",
}

"""A rep's proficiency in a result period, for setting beside their results. Pure.

Definition (docs/results.md): the guess-corrected share right of **first-of-day repeat
answers** answered in the period. A repeat is any answer to a question after the rep's first
answer to it ever (the first tests whether the rep knew it before the training, not what
stuck); only the first answer of a local day counts (later ones the same day follow the
explanation just read). With p the share right and c the mean chance of guessing right
(1/k for a question of k options), proficiency = (p − c) / (1 − c), with a 95 % Wilson interval
on p carried through the same correction, and n, the answers it rests on.

This is the retention measure of docs/measures.md restricted to a period; the lead is to unify
the two when that module lands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_ANSWERS = 10  # below this the interval is too wide to set beside a result
Z = 1.959964


@dataclass(frozen=True)
class Measured:
    n: int
    right: int
    value: float | None  # guess-corrected, may be below 0 (worse than guessing)
    low: float | None
    high: float | None
    chance: float = 0.0  # the sum of 1/k over the n answers: what guessing alone would get right

    @property
    def enough(self) -> bool:
        return self.n >= MIN_ANSWERS


def wilson(right: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval for a share right of n."""
    p = right / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def corrected(share: float, chance: float) -> float:
    """(p − c) / (1 − c): 0 is guessing, 1 is always right."""
    return (share - chance) / (1 - chance)


def proficiency(
    answers: Iterable[tuple[str, int, str, str, bool]], options: Mapping[str, int], first_day: str, last_day: str
) -> Measured:
    """`answers` are one rep's (question_id, local_day, answered_at, id, correct) in replay order
    per question (every answer up to the period's end, so that the first ever is known);
    `first_day`/`last_day` bound the period as YYYY-MM-DD (answered-at dates, UTC)."""
    seen_questions: set[str] = set()
    seen_days: set[tuple[str, int]] = set()
    n = right = 0
    chance = 0.0
    for question, day, at, _id, correct in answers:
        if question not in seen_questions:
            seen_questions.add(question)
            seen_days.add((question, day))
            continue
        if (question, day) in seen_days:
            continue
        seen_days.add((question, day))
        if not first_day <= at[:10] <= last_day:
            continue
        k = options.get(question, 0)
        if k < 2:
            continue  # a question no longer published, or not multiple choice: no known chance level
        n += 1
        right += int(correct)
        chance += 1 / k
    return measured(n, right, chance)


def measured(n: int, right: int, chance: float) -> Measured:
    """The corrected share and its interval from counts: `chance` is the sum of 1/k over the answers."""
    if n == 0:
        return Measured(0, 0, None, None, None)
    c = chance / n
    low, high = wilson(right, n)
    return Measured(n, right, corrected(right / n, c), corrected(low, c), corrected(high, c), chance)


def pooled(parts: Iterable[Measured]) -> Measured:
    """Several reps' answers counted together (a team): one interval on all their answers."""
    items = list(parts)
    return measured(sum(m.n for m in items), sum(m.right for m in items), sum(m.chance for m in items))

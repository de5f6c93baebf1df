"""Spearman's rank correlation with a bootstrap interval. Pure, standard library only.

The interval is the percentile bootstrap: resample the (x, y) pairs with replacement, compute
rho each time, and take the 2.5th and 97.5th percentiles. The random generator is seeded, so a
page shows the same interval on every load. Resamples in which x or y is constant have no rho
and are left out (and counted).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PAIRS = 5  # below this neither rho nor its interval says anything


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        average = (i + j) / 2 + 1
        for k in range(i, j + 1):
            result[order[k]] = average
        i = j + 1
    return result


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r; None when either side is constant."""
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's r of the ranks (ties averaged); None when undefined."""
    if len(x) != len(y):
        raise ValueError("x and y must be the same length")
    if len(x) < 2:
        return None
    return pearson(ranks(x), ranks(y))


@dataclass(frozen=True)
class Correlation:
    n: int
    rho: float | None
    low: float | None  # 95 % bootstrap interval
    high: float | None
    resamples: int  # resamples that had a rho

    @property
    def enough(self) -> bool:
        return self.n >= MIN_PAIRS and self.rho is not None and self.low is not None


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 1]."""
    position = q * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def spearman_bootstrap(
    x: Sequence[float], y: Sequence[float], *, resamples: int = 2_000, seed: int = 14, level: float = 0.95
) -> Correlation:
    """Rho with its percentile bootstrap interval over `resamples` resamples of the pairs."""
    n = len(x)
    rho = spearman(x, y)
    if n < MIN_PAIRS or rho is None:
        return Correlation(n, rho, None, None, 0)
    rng = random.Random(seed)
    found: list[float] = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        r = spearman([x[i] for i in picks], [y[i] for i in picks])
        if r is not None:
            found.append(r)
    if len(found) < resamples // 2:
        return Correlation(n, rho, None, None, len(found))
    found.sort()
    tail = (1 - level) / 2
    return Correlation(n, rho, percentile(found, tail), percentile(found, 1 - tail), len(found))


MIN_GROUP = 3  # reps in each group, at least, for a difference of means


@dataclass(frozen=True)
class Difference:
    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    difference: float | None  # mean_a − mean_b
    low: float | None  # 95 % bootstrap interval
    high: float | None

    @property
    def enough(self) -> bool:
        return self.low is not None


def mean_difference_bootstrap(
    a: Sequence[float], b: Sequence[float], *, resamples: int = 2_000, seed: int = 14, level: float = 0.95
) -> Difference:
    """Mean of `a` minus mean of `b`, with a percentile bootstrap interval (each group resampled
    with replacement on its own, seeded)."""
    mean_a = sum(a) / len(a) if a else None
    mean_b = sum(b) / len(b) if b else None
    if mean_a is None or mean_b is None:
        return Difference(len(a), len(b), mean_a, mean_b, None, None, None)
    difference = mean_a - mean_b
    if len(a) < MIN_GROUP or len(b) < MIN_GROUP:
        return Difference(len(a), len(b), mean_a, mean_b, difference, None, None)
    rng = random.Random(seed)
    found = sorted(
        sum(rng.choice(a) for _ in a) / len(a) - sum(rng.choice(b) for _ in b) / len(b) for _ in range(resamples)
    )
    tail = (1 - level) / 2
    return Difference(len(a), len(b), mean_a, mean_b, difference, percentile(found, tail), percentile(found, 1 - tail))

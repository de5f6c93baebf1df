"""Simulated learners for bench/simulate.py: the TRUE memory, kept apart from any scheduler.

Each model answers two questions about one learner's memory of question q: `recall(q, day)`,
the probability of truly recalling it on `day` (0 before it was ever shown), and
`study(q, day, recalled)`, what showing it on `day` did (a retrieval attempt followed by the
explanation). `draw(model, rng, questions)` draws one learner's parameters and returns a factory,
so every policy replays the same learner from a blank memory.

- `fsrs-truth`: FSRS-6 dynamics with the default parameters perturbed per learner (initial
  stabilities w0..w3 and the recall-growth factor e^w8 each times lognormal(0, 0.3)) and per
  question (initial stability times lognormal(0, 0.3): some questions are harder). Recall is the
  FSRS-6 forgetting curve. The first showing is never a recall, so it starts at w0 (Again).
- `exponential`: half-life-regression-like, R = 2^(-t/h). The first showing sets h to a
  per-question value, 1.5 days (--half-life) times lognormal(0, 0.5) times a per-learner lognormal(0, 0.3);
  a recall multiplies h by the learner's growth factor (uniform 2..3), a failure by 0.5 (not
  below 0.5 days). No spacing effect: a success counts the same after 1 day or after 20.
- `act-r`: activation m = ln(sum_j t_j^-d) over past showings (t_j days since showing j, at
  least 0.5), recall 1 / (1 + e^(-(m - tau) / s)). d is 0.5 times lognormal(0, 0.1) per learner;
  s = 0.366 and tau = -0.805 make a single showing 0.9 after 1 day and 0.5 after 5 days (d = 0.5),
  tau moves per question by normal(0, 0.2). Every showing adds a trace, recalled or not.
  No spacing effect: every trace decays at the same rate, however it was spaced.
- `act-r-spacing`: ACT-R with spacing-dependent decay (Pavlik & Anderson 2005): the same
  activation, but each trace i decays at its own rate d_i = c * e^(m_i) + alpha, where m_i is
  the activation at the moment of showing i (from the earlier traces; the first trace has
  d = alpha). A showing while the memory is still strong (massed) adds a trace that decays fast;
  a showing after forgetting has begun (spaced) adds one that lasts. c = 0.217 and alpha =
  0.177 are Pavlik & Anderson's; time is in days (at least 0.5). s = 0.130 and tau = -0.285
  make a single showing 0.9 after 1 day and 0.5 after 5 days, as for `act-r`; alpha varies per
  learner by lognormal(0, 0.1), tau per question by normal(0, 0.071) (`act-r`'s 0.2 scaled by
  s / 0.366).

The spacing-effect models are `act-r-spacing` and `fsrs-truth` (FSRS's stability grows more
when recall was lower). `fsrs-truth` is FSRS itself, the model behind the `fsrs` policy and the
memory state of every policy: circular, so bench/simulate.py reports it apart, never in a headline.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol

from sync.scheduler import DECAY, EXP_W8, FACTOR, FORGET_CAP, INIT_D_AGAIN, INIT_D_EASY, INIT_D_GOOD, W

MODELS = ("act-r-spacing", "act-r", "exponential", "fsrs-truth")
SPACING_MODELS = ("act-r-spacing",)  # the headline models: a spacing effect, and not FSRS itself
CIRCULAR_MODELS = ("fsrs-truth",)
LN2 = math.log(2.0)
ACTR_S = 0.5 * math.log(5.0) / math.log(9.0)  # 0.366: one trace at d = 0.5 is 0.9 at 1 day, 0.5 at 5
ACTR_TAU = -0.5 * math.log(5.0)  # -0.805
PA_C, PA_ALPHA = 0.217, 0.177  # Pavlik & Anderson (2005): d_i = c * e^(m_i) + alpha
PA_S = PA_ALPHA * math.log(5.0) / math.log(9.0)  # 0.130: one trace is 0.9 after 1 day, 0.5 after 5
PA_TAU = -PA_ALPHA * math.log(5.0)  # -0.285


class Memory(Protocol):
    def recall(self, q: int, day: int) -> float: ...

    def study(self, q: int, day: int, recalled: bool) -> None: ...


class FsrsTruth:
    def __init__(self, init_factor: float, growth_factor: float, item_factors: list[float]) -> None:
        self.init = [init_factor * f for f in item_factors]
        self.growth = EXP_W8 * growth_factor
        n = len(item_factors)
        self.s = [0.0] * n
        self.d = [0.0] * n
        self.last = [-1] * n

    def recall(self, q: int, day: int) -> float:
        last = self.last[q]
        if last < 0:
            return 0.0
        return math.pow(1.0 + FACTOR * (day - last) / self.s[q], DECAY)

    def study(self, q: int, day: int, recalled: bool) -> None:
        if self.last[q] < 0:
            self.s[q] = (W[2] if recalled else W[0]) * self.init[q]
            self.d[q] = INIT_D_GOOD if recalled else INIT_D_AGAIN
        else:
            s, d, r = self.s[q], self.d[q], self.recall(q, day)
            if recalled:
                s = s * (1.0 + self.growth * (11.0 - d) * math.pow(s, -W[9]) * (math.exp((1.0 - r) * W[10]) - 1.0))
            else:
                long_term = W[11] * math.pow(d, -W[12]) * (math.pow(s + 1.0, W[13]) - 1.0) * math.exp((1.0 - r) * W[14])
                s = min(long_term, s / FORGET_CAP)
            delta = 0.0 if recalled else 2.0 * W[6]
            d = W[7] * INIT_D_EASY + (1.0 - W[7]) * (d + (10.0 - d) * delta / 9.0)
            self.s[q] = min(max(s, 0.001), 36500.0)
            self.d[q] = min(max(d, 1.0), 10.0)
        self.last[q] = day


class Exponential:
    def __init__(self, half_lives: list[float], growth: float) -> None:
        self.h0 = half_lives
        self.growth = growth
        n = len(half_lives)
        self.h = [0.0] * n
        self.last = [-1] * n

    def recall(self, q: int, day: int) -> float:
        last = self.last[q]
        if last < 0:
            return 0.0
        return math.exp(-LN2 * (day - last) / self.h[q])

    def study(self, q: int, day: int, recalled: bool) -> None:
        if self.last[q] < 0:
            self.h[q] = self.h0[q]
        elif recalled:
            self.h[q] *= self.growth
        else:
            self.h[q] = max(self.h[q] * 0.5, 0.5)
        self.last[q] = day


class ActR:
    def __init__(self, decay: float, taus: list[float]) -> None:
        self.decay = decay
        self.tau = taus
        self.events: list[list[int]] = [[] for _ in taus]

    def recall(self, q: int, day: int) -> float:
        events = self.events[q]
        if not events:
            return 0.0
        total = sum(math.pow(max(day - e, 0.5), -self.decay) for e in events)
        return 1.0 / (1.0 + math.exp(-(math.log(total) - self.tau[q]) / ACTR_S))

    def study(self, q: int, day: int, recalled: bool) -> None:
        self.events[q].append(day)


class ActRSpacing:
    def __init__(self, alpha: float, taus: list[float]) -> None:
        self.alpha = alpha
        self.tau = taus
        self.events: list[list[tuple[int, float]]] = [[] for _ in taus]

    def activation(self, q: int, day: int) -> float | None:
        events = self.events[q]
        if not events:
            return None
        return math.log(sum(math.pow(max(day - e, 0.5), -d) for e, d in events))

    def recall(self, q: int, day: int) -> float:
        m = self.activation(q, day)
        if m is None:
            return 0.0
        return 1.0 / (1.0 + math.exp(-(m - self.tau[q]) / PA_S))

    def study(self, q: int, day: int, recalled: bool) -> None:
        m = self.activation(q, day)
        decay = self.alpha if m is None else PA_C * math.exp(m) + self.alpha
        self.events[q].append((day, decay))


def lognormal(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma))


def draw(model: str, rng: random.Random, questions: int, half_life: float = 1.5) -> Callable[[], Memory]:
    """One learner's parameters for `model`; the factory gives them a blank memory each call."""
    if model == "fsrs-truth":
        init, growth = lognormal(rng, 0.3), lognormal(rng, 0.3)
        items = [lognormal(rng, 0.3) for _ in range(questions)]
        return lambda: FsrsTruth(init, growth, items)
    if model == "exponential":
        learner = lognormal(rng, 0.3)
        growth = rng.uniform(2.0, 3.0)
        half_lives = [half_life * learner * lognormal(rng, 0.5) for _ in range(questions)]
        return lambda: Exponential(half_lives, growth)
    if model == "act-r":
        decay = 0.5 * lognormal(rng, 0.1)
        taus = [ACTR_TAU + rng.gauss(0.0, 0.2) for _ in range(questions)]
        return lambda: ActR(decay, taus)
    if model == "act-r-spacing":
        alpha = PA_ALPHA * lognormal(rng, 0.1)
        taus = [PA_TAU + rng.gauss(0.0, 0.2 * PA_S / ACTR_S) for _ in range(questions)]
        return lambda: ActRSpacing(alpha, taus)
    raise ValueError(f"unknown memory model {model!r}: use one of {', '.join(MODELS)}")

"""The scheduler: what a learner's answers to one question mean for when it comes back.

A pure implementation of docs/scheduler.md: state and answer in, next state out. No clock, no
I/O, no dependencies. pwa/src/scheduler.js implements the same spec, and both are checked
against tests/vectors/scheduler.json. Keep every arithmetic step in the order the spec gives:
the two languages agree to the last bit only on the same sequence of operations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

Policy = Literal["fsrs", "classic", "classic-long", "turbo", "lightning"]
POLICIES: tuple[Policy, ...] = ("fsrs", "classic", "classic-long", "turbo", "lightning")

# FSRS-6 default parameters w0..w20, as published with py-fsrs 6.x.
W = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)  # fmt: skip
# Derived constants, computed once with 40-digit decimals and written out, so that both
# languages start from the same doubles instead of each computing its own pow/exp.
DECAY = float("-0.1542")
INV_DECAY = float("-6.485084306095979247730220492866407263294")  # 1 / DECAY
FACTOR = float("0.9803464944134800452233344617038006680550")  # 0.9 ** (1 / DECAY) - 1
INIT_D_AGAIN = float("6.4133")  # w4 - e^(w5 * 0) + 1
INIT_D_GOOD = float("2.118103970459015793854052975030198089071")  # w4 - e^(w5 * 2) + 1
INIT_D_EASY = float("-4.771630703161737484306948492725210004800")  # mean-reversion target, unclamped
EXP_W8 = float("6.502586364563327293975649864959822638656")  # e^w8
FORGET_CAP = float("1.050720374623223484788182809081760405107")  # e^(w17 * w18)

S_MIN, S_MAX = 0.001, 36500.0
D_MIN, D_MAX = 1.0, 10.0


def round6(x: float) -> float:
    """Round to 1e-6 as floor(x * 1e6 + 0.5) / 1e6, the same in every language."""
    return math.floor(x * 1_000_000 + 0.5) / 1_000_000


def round_day(x: float) -> int:
    return math.floor(x + 0.5)


def clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


@dataclass(frozen=True, kw_only=True)
class Settings:
    """A campaign's scheduling settings. Defaults depend on the policy: see `settings_for`."""

    policy: Policy = "fsrs"
    desired_retention: float = 0.85
    retire_stability: float = 90.0
    max_interval: int = 36500
    wrong_days: int = 12
    right_days: int = 24
    retire_streak: int = 2


_POLICY_DEFAULTS: dict[str, dict[str, int]] = {
    "fsrs": {},
    "classic": {"wrong_days": 12, "right_days": 24, "retire_streak": 2},
    "classic-long": {"wrong_days": 21, "right_days": 42, "retire_streak": 2},
    "turbo": {"wrong_days": 12, "right_days": 24, "retire_streak": 1},
    "lightning": {"wrong_days": 12, "right_days": 24, "retire_streak": 0},
}


_SETTING_KINDS: dict[str, type] = {
    "desired_retention": float,
    "retire_stability": float,
    "max_interval": int,
    "wrong_days": int,
    "right_days": int,
    "retire_streak": int,
}


def settings_for(policy: Policy, **overrides: float | int | None) -> Settings:
    """The policy's defaults with a campaign's own values on top (None means default)."""
    if policy not in _POLICY_DEFAULTS:
        raise ValueError(f"unknown policy {policy!r}: use one of {', '.join(POLICIES)}")
    values: dict[str, float | int] = dict(_POLICY_DEFAULTS[policy])
    for key, value in overrides.items():
        if key not in _SETTING_KINDS:
            raise ValueError(f"unknown setting {key!r}")
        if value is None:
            continue
        whole = _SETTING_KINDS[key] is int
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"setting {key!r} must be a finite number")
        if whole and value != int(value):
            raise ValueError(f"setting {key!r} must be a whole number of days")
        values[key] = int(value) if whole else float(value)
    settings = Settings(policy=policy, **values)  # type: ignore[arg-type]
    if not 0.5 <= settings.desired_retention <= 0.99:
        raise ValueError("desired_retention must be between 0.5 and 0.99")
    if not settings.retire_stability > 0:
        raise ValueError("retire_stability must be more than 0 days")
    if settings.max_interval < 1 or settings.wrong_days < 1 or settings.right_days < 1 or settings.retire_streak < 0:
        raise ValueError("intervals must be at least 1 day and retire_streak at least 0")
    return settings


@dataclass(frozen=True, kw_only=True)
class State:
    """Where one learner stands on one question. `None` stability means never answered."""

    stability: float | None = None
    difficulty: float | None = None
    last_day: int | None = None
    due_day: int | None = None
    retired: bool = False
    streak: int = 0
    reps: int = 0
    lapses: int = 0


NEW = State()


def retrievability(elapsed_days: float, stability: float) -> float:
    """FSRS-6 probability of recall after `elapsed_days` for a memory of this stability."""
    r: float = (1.0 + FACTOR * elapsed_days / stability) ** DECAY
    return r


def _next_difficulty(d: float, correct: bool) -> float:
    # delta = -w6 * (G - 3): 0 for Good, 2 * w6 for Again.
    delta = 0.0 if correct else 2.0 * W[6]
    damped = d + (10.0 - d) * delta / 9.0
    reverted = W[7] * INIT_D_EASY + (1.0 - W[7]) * damped
    return clamp(reverted, D_MIN, D_MAX)


def _next_stability(s: float, d: float, r: float, correct: bool) -> float:
    if correct:
        grown: float = s * (1.0 + EXP_W8 * (11.0 - d) * s ** -W[9] * (math.exp((1.0 - r) * W[10]) - 1.0))
        return grown
    long_term: float = W[11] * d ** -W[12] * ((s + 1.0) ** W[13] - 1.0) * math.exp((1.0 - r) * W[14])
    short_term = s / FORGET_CAP
    return min(long_term, short_term)


def fsrs_interval(stability: float, settings: Settings) -> int:
    """Days until recall is expected to fall to the desired retention, at least 1."""
    raw = (stability / FACTOR) * (settings.desired_retention**INV_DECAY - 1.0)
    return min(max(round_day(raw), 1), settings.max_interval)


def step(state: State, day: int, correct: bool, settings: Settings) -> State:
    """The state after an answer on local day `day`.

    Only the first answer on a local day counts: an answer on or before the day of the last
    counted answer leaves the state as it is.
    """
    if state.last_day is not None and day <= state.last_day:
        return state
    if state.stability is None or state.difficulty is None or state.last_day is None:
        s = W[2] if correct else W[0]
        d = INIT_D_GOOD if correct else INIT_D_AGAIN
    else:
        r = retrievability(day - state.last_day, state.stability)
        s = _next_stability(state.stability, state.difficulty, r, correct)
        d = _next_difficulty(state.difficulty, correct)
    s = round6(clamp(s, S_MIN, S_MAX))
    d = round6(clamp(d, D_MIN, D_MAX))
    streak = state.streak + 1 if correct else 0
    if settings.policy == "fsrs":
        due = day + fsrs_interval(s, settings)
        retired = s >= settings.retire_stability
    else:
        due = day + (settings.right_days if correct else settings.wrong_days)
        retired = streak >= settings.retire_streak
    return State(
        stability=s,
        difficulty=d,
        last_day=day,
        due_day=due,
        retired=retired,
        streak=streak,
        reps=state.reps + 1,
        lapses=state.lapses + (0 if correct else 1),
    )


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What the scheduler needs of a recorded answer."""

    id: str
    day: int
    answered_at: str  # ISO 8601 UTC, the effective answer time; breaks ties within a day
    correct: bool


A = TypeVar("A", bound=Answer)


def replay_order(answers: Iterable[A]) -> list[A]:
    """The spec's replay order: (local day, answered-at, id)."""
    return sorted(answers, key=lambda a: (a.day, a.answered_at, a.id))


def replay(answers: Iterable[Answer], settings: Settings) -> State:
    """A learner's state on a question, from all their answers to it in any order."""
    state = NEW
    for answer in replay_order(answers):
        state = step(state, answer.day, answer.correct, settings)
    return state


def is_due(state: State, today: int) -> bool:
    """True when an answered question should be asked again today."""
    return (
        state.due_day is not None
        and not state.retired
        and state.due_day <= today
        and (state.last_day is None or state.last_day < today)
    )


def queue(
    today: int,
    question_ids: Sequence[str],
    states: Mapping[str, State],
    daily_cap: int,
    start_day: int | None = None,
) -> list[str]:
    """Today's questions of one campaign: due repeats (most overdue first), then new ones in
    campaign order, at most `daily_cap` less those already answered today."""
    if start_day is not None and today < start_day:
        return []
    order = {qid: i for i, qid in enumerate(question_ids)}
    answered_today = sum(1 for qid in question_ids if (st := states.get(qid)) and st.last_day == today)
    room = max(daily_cap - answered_today, 0)
    due = sorted(
        (qid for qid in question_ids if (st := states.get(qid)) and is_due(st, today)),
        key=lambda qid: (states[qid].due_day, order[qid]),
    )
    new = [qid for qid in question_ids if qid not in states or states[qid].reps == 0]
    return (due + new)[:room]


def local_day(epoch_ms: int, utc_offset_minutes: int, rollover_hour: int = 4) -> int:
    """The learner's local day number (days since 1970-01-01 local), a day starting at the
    rollover hour so that a late-night session counts for the evening before."""
    shifted_ms = epoch_ms + utc_offset_minutes * 60_000 - rollover_hour * 3_600_000
    return shifted_ms // 86_400_000


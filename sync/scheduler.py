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

Policy = Literal["fsrs", "classic", "classic-long", "turbo", "lightning", "anchored"]
POLICIES: tuple[Policy, ...] = ("fsrs", "classic", "classic-long", "turbo", "lightning", "anchored")
# The repeat mode of a campaign that names none (docs/scheduler.md §8: it wins at equal effort).
DEFAULT_POLICY: Policy = "anchored"

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
    # `anchored` only (docs/scheduler.md §4.1).
    end_day: int | None = None  # the campaign's last day (local day number), from its `end`
    budget: float = 4.0  # answers per question up to and including the end check
    end_check_days: int = 10  # the end check comes this many days before end_day
    horizon_days: int = 90  # without an end: each question's plan spans this many days
    booster_days: int = 0  # one booster this many days after the end (0: none)
    spot_check_days: int = 0  # afterwards, a spot check every this many days (0: none)
    options: int = 0  # the question's options, for the lucky-guess discount (0: no discount)


ANCHORED_SETTINGS = ("end_day", "budget", "end_check_days", "horizon_days", "booster_days", "spot_check_days", "options")
FIRST_RECALL_PRIOR = 0.5  # anchored: chance that a first right answer was recall, before the guess discount

_POLICY_DEFAULTS: dict[str, dict[str, int]] = {
    "fsrs": {},
    "classic": {"wrong_days": 12, "right_days": 24, "retire_streak": 2},
    "classic-long": {"wrong_days": 21, "right_days": 42, "retire_streak": 2},
    "turbo": {"wrong_days": 12, "right_days": 24, "retire_streak": 1},
    "lightning": {"wrong_days": 12, "right_days": 24, "retire_streak": 0},
    "anchored": {},
}


_SETTING_KINDS: dict[str, type] = {
    "desired_retention": float,
    "retire_stability": float,
    "max_interval": int,
    "wrong_days": int,
    "right_days": int,
    "retire_streak": int,
    "end_day": int,
    "budget": float,
    "end_check_days": int,
    "horizon_days": int,
    "booster_days": int,
    "spot_check_days": int,
    "options": int,
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
        if key in ANCHORED_SETTINGS and policy != "anchored":
            continue  # an `anchored` setting that other policies ignore (as settingsFor does)
        values[key] = int(value) if whole else float(value)
    settings = Settings(policy=policy, **values)  # type: ignore[arg-type]
    if not 0.5 <= settings.desired_retention <= 0.99:
        raise ValueError("desired_retention must be between 0.5 and 0.99")
    if not settings.retire_stability > 0:
        raise ValueError("retire_stability must be more than 0 days")
    if settings.max_interval < 1 or settings.wrong_days < 1 or settings.right_days < 1 or settings.retire_streak < 0:
        raise ValueError("intervals must be at least 1 day and retire_streak at least 0")
    if not 1 <= settings.budget <= 20:
        raise ValueError("budget must be between 1 and 20 answers per question")
    if not 0 <= settings.end_check_days <= 365 or not 0 <= settings.booster_days <= 365:
        raise ValueError("end_check_days and booster_days must be between 0 and 365")
    if settings.spot_check_days != 0 and not 7 <= settings.spot_check_days <= 3650:
        raise ValueError("spot_check_days must be 0 (none) or between 7 and 3650")
    if not settings.end_check_days < settings.horizon_days <= 3650:
        raise ValueError("horizon_days must be more than end_check_days and at most 3650")
    if settings.options < 0 or settings.options == 1:
        raise ValueError("options must be 0 (no guess discount) or 2 or more")
    return settings


def question_budget(budget: float, index: int) -> int:
    """Question `index`'s (0-based, campaign order) share of a campaign's answer budget: a whole
    number of answers, floor(budget) or one more, so that the campaign's mean is `budget`."""
    return math.floor(budget * (index + 1)) - math.floor(budget * index)


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


def recall_weight(r: float, options: int) -> float:
    """The chance that a right answer was recall rather than a lucky guess, for predicted recall
    `r` and a guess floor of 1/options: r / (r + (1 - r) / options); 1 without options."""
    if options < 2:
        return 1.0
    return r / (r + (1.0 - r) / options)


def _memory(state: State, day: int, correct: bool, settings: Settings) -> tuple[float, float]:
    """Stability and difficulty after a counted answer (clamped and rounded)."""
    discount = settings.policy == "anchored" and correct and settings.options >= 2
    if state.stability is None or state.difficulty is None or state.last_day is None:
        if discount:
            w = recall_weight(FIRST_RECALL_PRIOR, settings.options)
            s = w * W[2] + (1.0 - w) * W[0]
            d = w * INIT_D_GOOD + (1.0 - w) * INIT_D_AGAIN
        else:
            s = W[2] if correct else W[0]
            d = INIT_D_GOOD if correct else INIT_D_AGAIN
    else:
        r = retrievability(day - state.last_day, state.stability)
        if discount:
            w = recall_weight(r, settings.options)
            s_right = _next_stability(state.stability, state.difficulty, r, True)
            s_wrong = _next_stability(state.stability, state.difficulty, r, False)
            s = w * s_right + (1.0 - w) * s_wrong
            d = w * _next_difficulty(state.difficulty, True) + (1.0 - w) * _next_difficulty(state.difficulty, False)
        else:
            s = _next_stability(state.stability, state.difficulty, r, correct)
            d = _next_difficulty(state.difficulty, correct)
    return round6(clamp(s, S_MIN, S_MAX)), round6(clamp(d, D_MIN, D_MAX))


def anchored_next(reps: int, day: int, correct: bool, relearn: bool, settings: Settings) -> tuple[int, bool]:
    """`anchored`: (due_day, retired) after the `reps`-th counted answer, on `day`; `relearn`:
    the answer was wrong and the one before it right (a second wrong answer in a row earns no
    extra check after the end check)."""
    n = max(math.floor(settings.budget), 1)
    end = settings.end_day
    anchor = None if end is None else end - settings.end_check_days
    if reps < n and (anchor is None or day < anchor):
        # Training: the remaining checks split the time to the end check, each gap twice the last.
        if anchor is None:
            gap = (settings.horizon_days - settings.end_check_days) * 2.0 ** (reps - 1) / (2.0 ** (n - 1) - 1.0)
        else:
            gap = (anchor - day) / (2.0 ** (n - reps) - 1.0)
        if not correct:
            gap = min(gap, float(settings.wrong_days))
        return day + max(round_day(gap), 1), False
    # The end check is done: only the booster and spot checks can bring it back.
    if relearn and (settings.booster_days or settings.spot_check_days):
        return day + settings.wrong_days, False
    if settings.booster_days:
        booster = end + settings.booster_days if end is not None else None
        if booster is not None and day < booster:
            return booster, False
        if booster is None and reps == n:
            return day + settings.end_check_days + settings.booster_days, False
    if settings.spot_check_days:
        return day + settings.spot_check_days, False
    return day, True


def step(state: State, day: int, correct: bool, settings: Settings) -> State:
    """The state after an answer on local day `day`.

    Only the first answer on a local day counts: an answer on or before the day of the last
    counted answer leaves the state as it is.
    """
    if state.last_day is not None and day <= state.last_day:
        return state
    s, d = _memory(state, day, correct, settings)
    streak = state.streak + 1 if correct else 0
    reps = state.reps + 1
    if settings.policy == "fsrs":
        due = day + fsrs_interval(s, settings)
        retired = s >= settings.retire_stability
    elif settings.policy == "anchored":
        due, retired = anchored_next(reps, day, correct, not correct and state.streak > 0, settings)
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
        reps=reps,
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
    new_first: bool = False,
) -> list[str]:
    """Today's questions of one campaign: due repeats (most overdue first), then new ones in
    campaign order, at most `daily_cap` less those already answered today. With `new_first`
    (the `anchored` policy), new questions come before due repeats."""
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
    return (new + due if new_first else due + new)[:room]


def local_day(epoch_ms: int, utc_offset_minutes: int, rollover_hour: int = 4) -> int:
    """The learner's local day number (days since 1970-01-01 local), a day starting at the
    rollover hour so that a late-night session counts for the evening before."""
    shifted_ms = epoch_ms + utc_offset_minutes * 60_000 - rollover_hour * 3_600_000
    return shifted_ms // 86_400_000


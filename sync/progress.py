"""Progress is derived: a learner's state on a question is a replay of their answers.

Which answers count: those given to the question's current epoch (its revision at the
answer's content version is at least the epoch). Which settings apply: those of the first
campaign, by id, that names the question in the current content; fsrs defaults otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sync.enrollment import parse_start
from sync.scheduler import (
    ANCHORED_SETTINGS,
    DEFAULT_POLICY,
    NEW,
    Answer,
    Policy,
    Settings,
    State,
    question_budget,
    replay_order,
    settings_for,
    step,
)

DEFAULT_SETTINGS = settings_for("fsrs")
# Campaign fields that override a repeat mode's settings (docs/scheduler.md §4).
OVERRIDES = (
    "desired_retention", "retire_stability", "max_interval", "wrong_days", "right_days", "retire_streak",
    "budget", "end_check_days", "horizon_days", "booster_days", "spot_check_days",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class RecordedAnswer(Answer):
    """An answer as stored: what replay needs, plus the question revision it was given at."""

    rev: int


def campaign_settings(campaign: Mapping[str, Any]) -> Settings:
    """A published campaign's scheduler settings: its repeat mode plus any overrides."""
    policy: Policy = campaign.get("repeat") or DEFAULT_POLICY
    overrides: dict[str, Any] = {k: campaign.get(k) for k in OVERRIDES}
    if policy == "anchored":
        overrides["end_day"] = parse_start(campaign.get("end"))
    return settings_for(policy, **overrides)


def settings_by_question(
    campaigns: Iterable[Mapping[str, Any]], questions: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Settings]:
    """For each question, the settings of the first campaign (by id) that names it. Under
    `anchored`, each question gets its own share of the campaign's budget (by its place in the
    campaign) and its number of options (from `questions`, for the lucky-guess discount)."""
    options = {str(q["id"]): len(q.get("options") or ()) for q in questions}
    found: dict[str, Settings] = {}
    for campaign in sorted(campaigns, key=lambda c: str(c["id"])):
        settings = campaign_settings(campaign)
        for i, qid in enumerate(campaign.get("questions", [])):
            if qid in found:
                continue
            if settings.policy == "anchored":
                k = options.get(qid, 0)
                found[qid] = replace(settings, budget=float(question_budget(settings.budget, i)), options=k if k >= 2 else 0)
            else:
                found[qid] = settings
    return found


def progress(answers: Sequence[RecordedAnswer], epoch: int, settings: Settings) -> State:
    """The state from the answers that belong to the current epoch, in replay order."""
    state = NEW
    for answer in replay_order(answers):
        if answer.rev >= epoch:
            state = step(state, answer.day, answer.correct, settings)
    return state


def as_wire(question_id: str, state: State, epoch: int) -> dict[str, Any]:
    """A state as it travels in a `progress` change."""
    return {
        "question_id": question_id,
        "stability": state.stability,
        "difficulty": state.difficulty,
        "last_day": state.last_day,
        "due_day": state.due_day,
        "retired": state.retired,
        "streak": state.streak,
        "reps": state.reps,
        "lapses": state.lapses,
        "epoch": epoch,
    }


# ---- incremental replay -------------------------------------------------------------------------
# A push usually brings answers that come after every answer already replayed. Stepping on from
# the stored state then gives exactly what a full replay would (step is applied in replay order
# either way), without reading the learner's history. The stored `basis` says what the state
# was replayed from; anything else (an earlier answer arriving late, a new epoch, other
# settings) takes a full replay.

Key = tuple[int, str, str]  # replay order: (local day, answered-at, id)


def _key(answer: Answer) -> Key:
    return (answer.day, answer.answered_at, answer.id)


def settings_key(settings: Settings) -> list[Any]:
    key: list[Any] = [settings.policy, settings.desired_retention, settings.retire_stability, settings.max_interval,
                      settings.wrong_days, settings.right_days, settings.retire_streak]  # fmt: skip
    if settings.policy == "anchored":
        key += [getattr(settings, name) for name in ANCHORED_SETTINGS]
    return key


def basis(epoch: int, settings: Settings, last: Answer | None) -> dict[str, Any]:
    """The basis stored with a state replayed from every counted answer; `last`: the last of
    them in replay order (None: no counted answer)."""
    return {"epoch": epoch, "settings": settings_key(settings), "last": list(_key(last)) if last is not None else None}


def replayed(answers: Sequence[RecordedAnswer], epoch: int, settings: Settings) -> tuple[State, dict[str, Any]]:
    """A full replay, and the basis to store with it."""
    counted = replay_order(a for a in answers if a.rev >= epoch)
    state = NEW
    for answer in counted:
        state = step(state, answer.day, answer.correct, settings)
    return state, basis(epoch, settings, counted[-1] if counted else None)


def advanced(
    stored: Mapping[str, Any] | None, basis: Mapping[str, Any] | None, new: Sequence[RecordedAnswer], epoch: int, settings: Settings
) -> tuple[State, dict[str, Any]] | None:
    """The state stepped on from `stored` by `new` answers, or None when only a full replay can tell."""
    if stored is None or basis is None or basis.get("epoch") != epoch or basis.get("settings") != settings_key(settings):
        return None
    counted = replay_order(a for a in new if a.rev >= epoch)
    last = basis.get("last")
    if counted and last is not None and _key(counted[0]) <= tuple(last):
        return None  # an answer that belongs before one already replayed
    state = state_from_wire(stored)
    for answer in counted:
        state = step(state, answer.day, answer.correct, settings)
    new_last = list(_key(counted[-1])) if counted else last
    return state, {"epoch": epoch, "settings": settings_key(settings), "last": new_last}


def state_from_wire(data: Mapping[str, Any]) -> State:
    return State(
        stability=data.get("stability"), difficulty=data.get("difficulty"), last_day=data.get("last_day"),
        due_day=data.get("due_day"), retired=bool(data.get("retired", False)), streak=int(data.get("streak", 0)),
        reps=int(data.get("reps", 0)), lapses=int(data.get("lapses", 0)),
    )  # fmt: skip

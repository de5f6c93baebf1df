"""Progress is derived: a learner's state on a question is a replay of their answers.

Which answers count: those given to the question's current epoch (its revision at the
answer's content version is at least the epoch). Which settings apply: those of the first
campaign, by id, that names the question in the current content; fsrs defaults otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sync.scheduler import NEW, Answer, Policy, Settings, State, replay_order, settings_for, step

DEFAULT_SETTINGS = settings_for("fsrs")
_OVERRIDES = ("desired_retention", "retire_stability", "max_interval", "wrong_days", "right_days", "retire_streak")


@dataclass(frozen=True, kw_only=True)
class RecordedAnswer(Answer):
    """An answer as stored: what replay needs, plus the question revision it was given at."""

    rev: int


def campaign_settings(campaign: Mapping[str, Any]) -> Settings:
    """A published campaign's scheduler settings: its repeat mode plus any overrides."""
    policy: Policy = campaign.get("repeat") or "fsrs"
    return settings_for(policy, **{k: campaign.get(k) for k in _OVERRIDES})


def settings_by_question(campaigns: Iterable[Mapping[str, Any]]) -> dict[str, Settings]:
    """For each question, the settings of the first campaign (by id) that names it."""
    found: dict[str, Settings] = {}
    for campaign in sorted(campaigns, key=lambda c: str(c["id"])):
        settings = campaign_settings(campaign)
        for qid in campaign.get("questions", []):
            found.setdefault(qid, settings)
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

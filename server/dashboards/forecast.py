"""The model's 30-day recall forecast per competency (sync/measures.py recall_by_competency),
from the scheduler states the server keeps. An estimate: the pages label it so."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import sqlite_utils

from server.dashboards import store
from server.dashboards.facts import VersionFacts
from server.dashboards.views import FORECAST_DAYS
from sync.measures import RecallForecast, recall_by_competency
from sync.scheduler import State

_STATE_FIELDS = ("stability", "difficulty", "last_day", "due_day", "retired", "streak", "reps", "lapses")


def _state(text: str) -> State:
    found = json.loads(text)
    return State(**{k: found[k] for k in _STATE_FIELDS if k in found})


def by_group(
    db: sqlite_utils.Database, groups: Mapping[str, Sequence[str]], facts: VersionFacts, today: int
) -> dict[str, dict[str, RecallForecast]]:
    """Per group (a rep, or a team of reps): per competency, the mean forecast over their questions."""
    members = sorted({u for users in groups.values() for u in users})
    states: dict[str, list[tuple[str, State, int]]] = {}
    for user, qid, text in store.progress_of_users(db, members):
        fact = facts.questions.get(qid)
        if fact is not None:
            states.setdefault(user, []).append((fact.competency, _state(text), fact.options))
    return {
        key: recall_by_competency([item for u in users for item in states.get(u, [])], today, FORECAST_DAYS)
        for key, users in groups.items()
    }

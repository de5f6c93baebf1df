"""What the coaching page reads (docs/measures.md "Coaching"): a team's observations, its reps'
practice after them, its intervision sessions and the rubrics' behaviour texts. Runs inside the
caller's read transaction; the figures are sync/coaching_measures.py and sync/practice.py."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from server.coaching.view import _observed
from server.storage import answers as answer_store
from server.storage import content as content_store
from server.storage import observations as observation_store
from server.storage import sessions as session_store
from server.syncing.content_index import version_index
from sync import coaching_measures as measures
from sync import practice


@dataclass(frozen=True, kw_only=True)
class TeamCoaching:
    team_id: str
    observations: list[tuple[str, str, practice.Observed]]  # (coach id, rep id, observed)
    follow_through: dict[str, practice.Followed]  # per rep with practice assigned
    sessions: measures.Sessions


def _field_values(state: dict[str, object]) -> dict[str, object]:
    fields = state.get("fields")
    if not isinstance(fields, dict):
        return {}
    return {name: v.get("value") for name, v in fields.items() if isinstance(v, dict)}


def load_team(db: sqlite_utils.Database, team_id: str) -> TeamCoaching:
    index = version_index(db, content_store.latest_version(db))
    links = index.practice if index is not None else practice.Links()
    stored = observation_store.of_team(db, team_id)
    observations = []
    for o in stored:
        found = _observed([o])
        if found:
            observations.append((o.author_id, o.rep_id, found[0]))
    follow: dict[str, practice.Followed] = {}
    for rep in sorted({o.rep_id for o in stored}):
        items = practice.assigned(_observed([o for o in stored if o.rep_id == rep and o.shared]), links)
        if not any(i.item_kind == "question" for i in items):
            continue
        answered = answer_store.days_answered(db, rep, [i.item_id for i in items if i.item_kind == "question"])
        follow[rep] = practice.follow_through(items, answered)
    rows = []
    for s in session_store.of_team(db, team_id):
        values = _field_values(s.state)
        stage = values.get("stage")
        held = values.get("held_on")
        rows.append((practice.day_of(held) if isinstance(held, str) else None, stage if isinstance(stage, int) else 1))
    return TeamCoaching(team_id=team_id, observations=observations, follow_through=follow, sessions=measures.sessions_of(team_id, rows))


def behaviour_texts(db: sqlite_utils.Database) -> dict[tuple[str, str], str]:
    """(rubric id, behaviour id) -> the behaviour's text in the latest library (rubrics removed
    since keep the text of their last revision)."""
    out: dict[tuple[str, str], str] = {}
    for row in db.execute(
        "SELECT item_id, data FROM item_versions AS iv WHERE kind = 'rubric' AND data IS NOT NULL"
        " AND rev = (SELECT max(rev) FROM item_versions WHERE kind = 'rubric' AND item_id = iv.item_id AND data IS NOT NULL)"
    ):
        data = json.loads(row[1])
        for b in data.get("behaviours") or ():
            out[(str(row[0]), str(b.get("id")))] = str(b.get("text", ""))
    return out


def names(db: sqlite_utils.Database) -> dict[str, str]:
    return {str(i): str(n) for i, n in db.execute("SELECT id, name FROM users")}

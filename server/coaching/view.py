"""What a pull tells a person about coaching (docs/sync.md "Who I am" and "The plan"): the
practice their coaching assigned them, and, for a coach or manager, their reps' last
observation, weakest behaviours and follow-through. Reads only; the rules are sync/practice.py."""

from __future__ import annotations

import sqlite_utils

from server.pitches import store as pitch_store
from server.storage import answers as answer_store
from server.storage import observations as observation_store
from sync import practice
from sync.protocol import FollowThrough, Me, Member, MemberSummary, PracticeItem, TeamView, WeakBehaviour


def _observed(stored: list[observation_store.StoredObservation]) -> list[practice.Observed]:
    out = []
    for o in stored:
        fields = {name: v.get("value") for name, v in o.state.get("fields", {}).items()}
        found = practice.observed(o.id, fields)
        if found is not None:
            out.append(found)
    return out


def _reviewed(stored: list[pitch_store.StoredPitch]) -> list[practice.Observed]:
    """The reviews shared of these pitches, from the day each was shared."""
    out = []
    for p in stored:
        found = practice.reviewed_pitch(p.id, p.values(), (p.stamp_at("reviewed") or "")[:10])
        if found is not None:
            out.append(found)
    return out


def practice_plan(db: sqlite_utils.Database, user_id: str, links: practice.Links, today: int) -> list[PracticeItem]:
    """The open practice items of the observations shared with this rep and of their pitches' reviews."""
    shared = _observed(observation_store.about(db, user_id, shared_only=True)) + _reviewed(pitch_store.of_rep(db, user_id))
    items = practice.assigned(shared, links)
    if not items:
        return []
    answered = answer_store.days_answered(db, user_id, [i.item_id for i in items if i.item_kind == "question"])
    return [
        PracticeItem(
            item_kind="question" if i.item_kind == "question" else "refresher", item_id=i.item_id, observation_id=i.observation_id,
            rubric_id=i.rubric_id, behaviour_id=i.behaviour_id, observed_on=practice.date_of(i.observed_day), observed_day=i.observed_day,
            source="pitch" if i.source == "pitch" else "observation",
        )
        for i in practice.open_items(items, answered, today)
    ]


def _summary(db: sqlite_utils.Database, rep_id: str, links: practice.Links) -> MemberSummary:
    stored = observation_store.about(db, rep_id)  # one read: the shared ones are among them
    every = _observed(stored)
    shared = _observed([o for o in stored if o.shared])
    items = practice.assigned(shared, links)
    answered = answer_store.days_answered(db, rep_id, [i.item_id for i in items if i.item_kind == "question"])
    followed = practice.follow_through(items, answered)
    last = max((o.observed_day for o in every), default=None)
    return MemberSummary(
        last_observed_on=practice.date_of(last) if last is not None else None,
        observations=len(every),
        weakest=[
            WeakBehaviour(rubric_id=w.rubric_id, behaviour_id=w.behaviour_id, rating=w.rating, observed_on=practice.date_of(w.observed_day))
            for w in practice.weakest(every)
        ],
        practice=FollowThrough(
            assigned=followed.assigned, answered=followed.answered, right=followed.right,
            last_on=practice.date_of(followed.last_day) if followed.last_day is not None else None,
        ),
    )  # fmt: skip


def me(db: sqlite_utils.Database, user_id: str, links: practice.Links) -> Me:
    """The person, their roles, and their teams with every member; a rep's summary where the
    person coaches or manages the team."""
    row = db.execute("SELECT name FROM users WHERE id = ?", [user_id]).fetchone()
    roles = sorted(str(r[0]) for r in db.execute("SELECT role FROM user_roles WHERE user_id = ?", [user_id]))
    teams: list[TeamView] = []
    summaries: dict[str, MemberSummary] = {}
    for team_id, team_name, my_role in db.execute(
        "SELECT t.id, t.name, m.role FROM team_members AS m JOIN teams AS t ON t.id = m.team_id WHERE m.user_id = ? ORDER BY t.name, t.id",
        [user_id],
    ).fetchall():
        members = []
        for member_id, name, role in db.execute(
            "SELECT u.id, u.name, m.role FROM team_members AS m JOIN users AS u ON u.id = m.user_id"
            " WHERE m.team_id = ? AND NOT u.disabled ORDER BY u.name, u.id",
            [team_id],
        ).fetchall():
            summary = None
            if role == "rep" and my_role in ("coach", "manager"):
                summary = summaries.get(member_id) or summaries.setdefault(member_id, _summary(db, member_id, links))
            members.append(Member(user_id=member_id, name=name, role=role, summary=summary))
        teams.append(TeamView(id=team_id, name=team_name, role=my_role, members=members))
    return Me(user_id=user_id, name=str(row[0]) if row else "", roles=roles, teams=teams)

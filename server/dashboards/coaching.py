"""The coaching page (docs/measures.md "Coaching"): observations per coach and per rep,
behaviours most often rated low, follow-through, intervision sessions held; for a team (its
coaches and managers) or every team (admins). Figures: sync/coaching_measures.py."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from server.dashboards import coaching_store, store
from server.dashboards.pages import day_text, ratio, respond, share, team_or_404
from server.dashboards.tables import Cell, Column, Row, Table
from server.db import read_transaction
from sync import coaching_measures as measures
from sync.practice import Followed, date_of

TEAM = {"access": "role:coach,manager,admin", "scope": "team:coach,manager"}
NONE = Followed(assigned=0, answered=0, right=0, last_day=None)
LOW_PER_TEAM = 5


def _date_csv(day: int | None) -> str | None:
    return date_of(day) if day is not None else None


def _follow_cells(f: Followed) -> list[Cell]:
    return [
        Cell(text=share(f.answered, f.assigned), csv=(ratio(f.answered, f.assigned), f.answered, f.assigned)),
        Cell(text=share(f.right, f.answered), csv=(f.right,)),
    ]


FOLLOW_COLUMNS = [
    Column(label="Practice done after an observation", csv_labels=("follow_through", "practised", "assigned")),
    Column(label="Right on that answer", csv_labels=("practised_right",)),
]


def _people_table(name: str, caption: str, label: str, other: str, counts: list[measures.PersonCount], names: dict[str, str], follow: dict[str, Followed] | None) -> Table:
    columns = [Column(label="Observations", csv_labels=("observations",)), Column(label="Last observed", csv_labels=("last_observed",)), Column(label=other, csv_labels=(other.lower().replace(" ", "_"),))]
    rows = []
    for c in counts:
        cells = [Cell(text=str(c.observations), csv=(c.observations,)), Cell(text=day_text(c.last_day), csv=(_date_csv(c.last_day),)), Cell(text=str(c.others), csv=(c.others,))]
        if follow is not None:
            cells += _follow_cells(follow.get(c.person_id, NONE))
        rows.append(Row(header=Cell(text=names.get(c.person_id, c.person_id)), cells=cells))
    return Table(caption=caption, row_label=label, name=name, columns=columns + (FOLLOW_COLUMNS if follow is not None else []), rows=rows)


def _low_table(low: list[tuple[store.Team, measures.LowBehaviour]], texts: dict[tuple[str, str], str]) -> Table:
    return Table(
        caption="Behaviours most often rated low (1 or 2), per team", row_label="Behaviour", name="coaching-low-behaviours",
        columns=[
            Column(label="Team", csv_labels=("team",)),
            Column(label="Rubric", csv_labels=("rubric",)),
            Column(label="Rated low", csv_labels=("low_share", "low", "rated")),
            Column(label="Reps rated low", csv_labels=("reps",)),
        ],
        rows=[
            Row(header=Cell(text=texts.get((b.rubric_id, b.behaviour_id), b.behaviour_id), csv=(texts.get((b.rubric_id, b.behaviour_id), b.behaviour_id),)), cells=[
                Cell(text=t.name, csv=(t.id,)), Cell(text=b.rubric_id),
                Cell(text=share(b.low, b.rated), csv=(ratio(b.low, b.rated), b.low, b.rated)), Cell(text=str(b.reps), csv=(b.reps,)),
            ])
            for t, b in low
        ],
    )  # fmt: skip


def _sessions_table(rows: list[tuple[store.Team, measures.Sessions]]) -> Table:
    return Table(
        caption="Intervision sessions", row_label="Team", name="coaching-sessions",
        columns=[
            Column(label="Sessions recorded", csv_labels=("sessions",)),
            Column(label="Held (reached stage 4)", csv_labels=("held",)),
            Column(label="Last held", csv_labels=("last_held",)),
        ],
        rows=[
            Row(header=Cell(text=t.name, csv=(t.id,)), cells=[
                Cell(text=str(s.sessions), csv=(s.sessions,)), Cell(text=str(s.held), csv=(s.held,)),
                Cell(text=day_text(s.last_held_day), csv=(_date_csv(s.last_held_day),)),
            ])
            for t, s in rows
        ],
    )  # fmt: skip


def _chart(low: list[measures.LowBehaviour], texts: dict[tuple[str, str], str]) -> dict[str, Any]:
    return {"label": "Ratings of 1 or 2", "bars": [{"label": texts.get((b.rubric_id, b.behaviour_id), b.behaviour_id), "value": b.low, "n": b.rated} for b in low]}


def _page(request: Request[Any, Any, Any], db: sqlite_utils.Database, teams: list[store.Team], title: str, team: store.Team | None) -> Template | Response[bytes]:
    loaded = [(t, coaching_store.load_team(db, t.id)) for t in teams]
    seen: set[str] = set()
    observations = []
    for _, c in loaded:  # a rep in two teams: their observations count once
        observations += [o for o in c.observations if o[2].id not in seen]
        seen |= {o[2].id for o in c.observations}
    follow: dict[str, Followed] = {}
    for _, c in loaded:
        follow.update(c.follow_through)
    names = coaching_store.names(db)
    texts = coaching_store.behaviour_texts(db)
    low = measures.low_behaviours([(rep, o) for _, rep, o in observations])  # the chart: every team pooled
    per_team = [(t, b) for t, c in loaded for b in measures.low_behaviours([(rep, o) for _, rep, o in c.observations], limit=LOW_PER_TEAM)]
    total = measures.total_follow_through(follow)
    per_rep = measures.per_person(observations, by="rep")
    observed = {c.person_id for c in per_rep}
    for rep in {r.id: r for t in teams for r in store.reps_of(db, t.id)}.values():  # reps never observed, last
        if rep.id not in observed:
            per_rep.append(measures.PersonCount(person_id=rep.id, observations=0, last_day=None, others=0))
    tables = [
        _people_table("coaching-coaches", "Observations per coach", "Coach", "Reps observed", measures.per_person(observations, by="coach"), names, None),
        _people_table("coaching-reps", "Observations and follow-through per rep", "Rep", "Coaches", per_rep, names, follow),
        _low_table(per_team, texts),
        _sessions_table([(t, c.sessions) for t, c in loaded]),
    ]  # fmt: skip
    summary = {
        "observations": len(observations),
        "follow": share(total.answered, total.assigned),
        "held": sum(c.sessions.held for _, c in loaded),
        "sessions": sum(c.sessions.sessions for _, c in loaded),
    }
    return respond(request, "dashboards/coaching.html", tables, title=title, team=team, summary=summary, chart_data=_chart(low, texts), page="coaching")


@get("/dashboards/teams/{team_id:str}/coaching", sync_to_thread=True, opt=TEAM, include_in_schema=False)
def team_coaching(team_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template | Response[bytes]:
    """A team's coaching: for its coaches and managers, and admins."""
    with read_transaction(db):
        team = team_or_404(db, team_id)
        return _page(request, db, [team], f"Coaching: {team.name}", team)


@get("/dashboards/coaching", sync_to_thread=True, opt={"access": "role:admin"}, include_in_schema=False)
def all_coaching(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template | Response[bytes]:
    """Every team's coaching: for admins and HR."""
    with read_transaction(db):
        return _page(request, db, store.teams(db), "Coaching: every team", None)


HANDLERS = [team_coaching, all_coaching]

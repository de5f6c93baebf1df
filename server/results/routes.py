"""The results page: proficiency beside commercial results, per rep and per team (docs/results.md).

`/dashboards/results` shows every team the caller manages (an admin: every team);
`/dashboards/teams/{team_id}/results` one team, behind the `team:manager` scope that the guard
checks (server/policy.py). Both take `?period=` and download their reps' table with `?format=csv`.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from server.dashboards import render
from server.dashboards import store as dashboards_store
from server.db import read_transaction
from server.editor.router import sign_in_first
from server.errors import NotFound, RecapError
from server.results import holdout, periods, store
from server.results.proficiency import MIN_ANSWERS, day_number, of_reps
from server.results.view import NOT_CAUSATION, TeamReps, build
from server.signin import Principal
from server.storage import people
from server.syncing.errors import Unauthorized

MANAGERS = {"access": "role:manager,admin"}
TEAM_MANAGERS = {"access": "role:manager,admin", "scope": "team:manager"}


def _load(
    db: sqlite_utils.Database, teams: list[dashboards_store.Team], wanted: str | None, campaign: str | None = None
) -> dict[str, Any]:
    """Everything the page shows for these teams and the wanted (or latest) period."""
    known = sorted(store.periods(db), key=periods.sort_key)
    if wanted:
        try:
            period = periods.parse_period(wanted)
        except periods.BadPeriod as error:
            raise RecapError(str(error)) from None
    else:
        period = known[-1] if known else ""
    entries = [TeamReps(t, dashboards_store.reps_of(db, t.id)) for t in teams]
    found: tuple[list[TeamReps], list[TeamReps], list[TeamReps]] | None = None
    counts: dict[str, tuple[int, int, int]] = {}
    results: dict[str, dict[str, float]] = {}
    if period:
        rep_ids = sorted({r.id for e in entries for r in e.reps})
        first, last = periods.bounds(period)
        counts = of_reps(db, rep_ids, first, last)
        if campaign:
            starts = store.team_starts(db, [t.id for t in teams], campaign)
            found = holdout.groups(entries, starts, day_number(first), day_number(last))
        everything = store.of_period(db, period)
        results = {r: everything[r] for r in rep_ids if r in everything}
    return {
        "period": period, "periods": known, "entries": entries, "counts": counts, "results": results,
        "campaigns": store.campaigns(db), "campaign": campaign or "", "groups": found,
    }  # fmt: skip


def _page(request: Request[Any, Any, Any], loaded: dict[str, Any], title: str, is_admin: bool) -> Template | Response[bytes]:
    view = build(loaded["period"], loaded["entries"], loaded["results"], loaded["counts"]) if loaded["period"] else None
    comparison = left_out = None
    if view and loaded["groups"]:
        trained, held, mixed = loaded["groups"]
        comparison = holdout.comparison(loaded["campaign"], view.period, trained, held, loaded["results"], view.metrics)
        left_out = [e.team.name for e in mixed]
    return render.page(
        request, "results/page.html", view.reps if view else None,
        view=view, periods=loaded["periods"], campaigns=loaded["campaigns"], campaign=loaded["campaign"],
        comparison=comparison, left_out=left_out, not_random=holdout.NOT_RANDOM, title=title, is_admin=is_admin, page="results", results_link=True, not_causation=NOT_CAUSATION, min_answers=MIN_ANSWERS,
    )  # fmt: skip


@get("/dashboards/results", sync_to_thread=True, opt=MANAGERS, include_in_schema=False)
def results_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template | Response[bytes]:
    """Proficiency beside results for every team the caller manages (an admin: every team)."""
    principal: Principal = request.state.principal
    with read_transaction(db):
        is_admin = "admin" in people.roles_of(db, principal.user_id)
        if is_admin:
            teams = dashboards_store.teams(db)
        else:
            teams = [t for t, role in dashboards_store.led_teams(db, principal.user_id) if role == "manager"]
        loaded = _load(db, teams, request.query_params.get("period"), request.query_params.get("campaign"))
    return _page(request, loaded, "Results and proficiency: your teams" if not is_admin else "Results and proficiency: every team", is_admin)


@get("/dashboards/teams/{team_id:str}/results", sync_to_thread=True, opt=TEAM_MANAGERS, include_in_schema=False)
def team_results_page(
    team_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]
) -> Template | Response[bytes]:
    """Proficiency beside results for one team: for its managers and admins."""
    principal: Principal = request.state.principal
    with read_transaction(db):
        is_admin = "admin" in people.roles_of(db, principal.user_id)
        team = dashboards_store.team(db, team_id)
        if team is None:  # only an admin gets here for a team that does not exist
            raise NotFound("no such team")
        loaded = _load(db, [team], request.query_params.get("period"), request.query_params.get("campaign"))
    return _page(request, loaded, f"Results and proficiency: {team.name}", is_admin)


def router() -> Router:
    return Router(path="/", route_handlers=[results_page, team_results_page], exception_handlers={Unauthorized: sign_in_first})

"""The dashboards' pages. Each declares its access and, when about a team or a rep, its scope:
the guard (server/policy.py) refuses anyone outside it with 403 before the handler runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import sqlite_utils
from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from server import urls
from server.dashboards import adoption, coaching, content_quality, drill, facts, forecast, render, store, views
from server.dashboards.tables import Cell, Column, Row, Table
from server.db import read_transaction
from server.editor.router import sign_in_first
from server.errors import NotFound, RecapError
from server.signin import Principal
from server.storage import observations as observation_store
from server.storage import people
from server.syncing.errors import Unauthorized
from server.syncing.kinds.observations import as_data
from sync.measures import MIN_ANSWERS

LEADERS = {"access": "role:coach,manager,admin"}
TEAM_PAGES = (("Adoption", "adoption"), ("Coaching", "coaching"), ("Content quality", "content-quality"))


@get("/dashboards", sync_to_thread=True, opt=LEADERS, include_in_schema=False)
def index_page(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]
) -> Template | Response[bytes]:
    """The dashboards this person may open: their teams' (coach, manager); every team's (admin)."""
    principal: Principal = request.state.principal
    with read_transaction(db):
        is_admin = "admin" in people.roles_of(db, principal.user_id)
        led = store.led_teams(db, principal.user_id)
        everyone = store.teams(db) if is_admin else []
    shown = [(t, role) for t, role in led] + [(t, "admin") for t in everyone if t.id not in {x.id for x, _ in led}]
    table = Table(
        caption="Teams whose dashboards you can open",
        row_label="Team",
        columns=[Column(label="Your role"), Column(label="Heatmap"), *(Column(label=label) for label, _ in TEAM_PAGES)],
        rows=[
            Row(
                header=Cell(text=t.name, csv=(t.id,)),
                cells=[
                    Cell(text=role),
                    Cell(
                        text="Reps × competencies",
                        csv=(f"/dashboards/teams/{t.id}/heatmap",),
                        href=f"/dashboards/teams/{t.id}/heatmap",
                    ),
                    *(Cell(text=label, csv=(f"/dashboards/teams/{t.id}/{path}",), href=f"/dashboards/teams/{t.id}/{path}") for label, path in TEAM_PAGES),
                ],
            )
            for t, role in shown
        ],
        name="dashboards",
    )
    results_link = is_admin or any(role == "manager" for _, role in led)  # docs/results.md
    return render.page(request, "dashboards/index.html", table, is_admin=is_admin, page="index", results_link=results_link)


TEAM_LEADERS = {"access": "role:coach,manager,admin", "scope": "team:coach,manager"}
REP_LEADERS = {"access": "role:coach,manager,admin", "scope": "rep"}
ADMIN = {"access": "role:admin"}
VIEWS = ("measured", "forecast")


def _today(request: Request[Any, Any, Any]) -> int:
    return views.day_of(request.app.state.clock())


def _view(request: Request[Any, Any, Any]) -> str:
    wanted = request.query_params.get("view", "measured")
    if wanted not in VIEWS:
        raise RecapError(f"view must be one of {', '.join(VIEWS)}, not {wanted!r}")
    return wanted


def _is_admin(db: sqlite_utils.Database, request: Request[Any, Any, Any]) -> bool:
    principal: Principal = request.state.principal
    return "admin" in people.roles_of(db, principal.user_id)


@get("/dashboards/teams/{team_id:str}/heatmap", sync_to_thread=True, opt=TEAM_LEADERS, include_in_schema=False)
def team_heatmap(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], team_id: FromPath[str]
) -> Template | Response[bytes]:
    """A team's reps × competencies: measured retention (or, toggled, the model's estimate)."""
    view, today = _view(request), _today(request)
    first, last = views.window(today)
    with read_transaction(db):
        found = store.team(db, team_id)
        if found is None:
            raise NotFound("no such team")
        reps = store.reps_of(db, team_id)
        latest = facts.latest(db)
        lines = [
            views.Line(r.id, r.name, href=f"/dashboards/reps/{urls.segment(r.id)}", csv_label=r.email) for r in reps
        ]
        if view == "forecast":
            forecasts = forecast.by_group(db, {r.id: [r.id] for r in reps}, latest, today)
            sums = {}
        else:
            sums = store.team_retention(db, team_id, first, last)
        is_admin = _is_admin(db, request)
    competencies = _competencies(latest.competencies, sums)
    if view == "forecast":
        table = views.forecast_table(
            f"Estimated recall in {views.FORECAST_DAYS} days, {found.name}: reps × competencies (model estimate, not measured)",
            "Rep", lines, competencies, forecasts, f"{team_id}-forecast",
        )  # fmt: skip
        chart = None
    else:
        hm = views.heatmap(
            f"Retention, {found.name}: reps × competencies, last {views.WINDOW_DAYS} days ({views.date_of(first)} to {views.date_of(last)})",
            "Rep", lines, competencies, sums, f"{team_id}-retention", pooled="Whole team",
        )  # fmt: skip
        table, chart = hm.table, hm.chart
    return render.page(
        request, "dashboards/heatmap.html", table, chart=chart, view=view, team=found, is_admin=is_admin, page="heatmap",
        min_answers=MIN_ANSWERS, window_days=views.WINDOW_DAYS, forecast_days=views.FORECAST_DAYS,
    )  # fmt: skip


@get("/dashboards/teams", sync_to_thread=True, opt=ADMIN, include_in_schema=False)
def teams_heatmap(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]
) -> Template | Response[bytes]:
    """Every team × competency, for HR and admins: measured retention pooled per team."""
    view, today = _view(request), _today(request)
    first, last = views.window(today)
    with read_transaction(db):
        teams = store.teams(db)
        latest = facts.latest(db)
        lines = [
            views.Line(t.id, t.name, href=f"/dashboards/teams/{urls.segment(t.id)}/heatmap", csv_label=t.id)
            for t in teams
        ]
        if view == "forecast":
            forecasts = forecast.by_group(db, store.rep_ids_by_team(db), latest, today)
            sums = {}
        else:
            sums = store.teams_retention(db, first, last)
    competencies = _competencies(latest.competencies, sums)
    if view == "forecast":
        table = views.forecast_table(
            f"Estimated recall in {views.FORECAST_DAYS} days: teams × competencies (model estimate, not measured)",
            "Team", lines, competencies, forecasts, "teams-forecast",
        )  # fmt: skip
        chart = None
    else:
        hm = views.heatmap(
            f"Retention: teams × competencies, last {views.WINDOW_DAYS} days ({views.date_of(first)} to {views.date_of(last)})",
            "Team", lines, competencies, sums, "teams-retention",
        )  # fmt: skip
        table, chart = hm.table, hm.chart
    return render.page(
        request, "dashboards/heatmap.html", table, chart=chart, view=view, team=None, is_admin=True, page="teams",
        min_answers=MIN_ANSWERS, window_days=views.WINDOW_DAYS, forecast_days=views.FORECAST_DAYS,
    )  # fmt: skip


TABLES = ("gain", "weeks", "observations")


@get("/dashboards/reps/{rep_id:str}", sync_to_thread=True, opt=REP_LEADERS, include_in_schema=False)
def rep_page(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], rep_id: FromPath[str]
) -> Template | Response[bytes]:
    """One rep: retention by week per competency, knowledge gain (Qstream's measures), observations."""
    today = _today(request)
    first, last = views.window(today)
    wanted = request.query_params.get("table", "gain")
    if wanted not in TABLES:
        raise RecapError(f"table must be one of {', '.join(TABLES)}, not {wanted!r}")
    with read_transaction(db):
        rep = store.person(db, rep_id)
        if rep is None:
            raise NotFound("no such person")
        latest = facts.latest(db)
        days = store.rep_retention_days(db, rep_id)
        answers = store.rep_answers(db, rep_id)
        found = [as_data(o) for o in observation_store.about(db, rep_id)]
        authors = store.names(db, sorted({o.author_id for o in found}))
        is_admin = _is_admin(db, request)
        by_version = facts.Facts(db)
        gains = drill.gains(answers, by_version)
    current: dict[tuple[str, str], tuple[int, int, int]] = {}
    for cid, day, n, right, guess in days:
        if first <= day <= last:
            held = current.get((rep_id, cid), (0, 0, 0))
            current[(rep_id, cid)] = (held[0] + n, held[1] + right, held[2] + guess)
    competencies = _competencies(latest.competencies, {(rep_id, c): (0, 0, 0) for c in gains} | current)
    gain = views.gain_table(
        f"Knowledge gain per competency, {rep.name} (Qstream's measures, not guess-corrected) beside measured retention",
        gains, competencies, current, rep_id, f"{rep.email}-gain",
    )  # fmt: skip
    weeks = views.weekly(f"Retention by week, {rep.name}", days, competencies, f"{rep.email}-weeks")
    observed = views.observations_table(
        f"Observations of {rep.name} and their ratings",
        [msgspec.to_builtins(o) for o in found],
        authors,
        f"{rep.email}-observations",
    )
    tables = {"gain": gain, "weeks": weeks.table, "observations": observed}
    return render.page(
        request, "dashboards/rep.html", tables[wanted], rep=rep, gain=gain, weeks=weeks, observed=observed, is_admin=is_admin,
        page="rep", min_answers=MIN_ANSWERS, window_days=views.WINDOW_DAYS,
    )  # fmt: skip


def _competencies(named: dict[str, str], sums: Mapping[tuple[str, str], object]) -> dict[str, str]:
    """The latest library's competencies, then any others the figures name (retired ones)."""
    found = dict(named)
    for _, cid in sorted(sums):
        found.setdefault(cid, cid)
    return found


def router() -> Router:
    handlers = [index_page, teams_heatmap, team_heatmap, rep_page, *adoption.HANDLERS, *coaching.HANDLERS, *content_quality.HANDLERS]
    return Router(path="/", route_handlers=handlers, exception_handlers={Unauthorized: sign_in_first})

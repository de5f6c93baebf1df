"""The dashboards' pages. Each declares its access and, when about a team or a rep, its scope:
the guard (server/policy.py) refuses anyone outside it with 403 before the handler runs."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.response import Template

from server.dashboards import adoption, coaching, content_quality, render, store
from server.dashboards.tables import Cell, Column, Row, Table
from server.db import read_transaction
from server.editor.router import sign_in_first
from server.signin import Principal
from server.storage import people
from server.syncing.errors import Unauthorized

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
    return render.page(request, "dashboards/index.html", table, is_admin=is_admin, page="index")


def router() -> Router:
    return Router(path="/", route_handlers=[index_page, *adoption.HANDLERS, *coaching.HANDLERS, *content_quality.HANDLERS], exception_handlers={Unauthorized: sign_in_first})

"""Read-only routes over observations and intervision sessions. Each declares its team scope;
the guard (server/policy.py) refuses anyone outside it with 403 before the handler runs."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from server.db import read_transaction
from server.openapi import errors
from server.signin import Principal
from server.storage import observations as observation_store
from server.storage import people
from server.storage import sessions as session_store
from server.syncing.kinds.observations import as_data
from server.syncing.kinds.sessions import as_data as session_data
from sync.protocol import ObservationData, SessionData

NO_STORE = {"Cache-Control": "no-store"}


@get(
    "/coaching/teams/{team_id:str}/observations", sync_to_thread=True, tags=["coaching"], responses=errors(400, 401, 403),
    opt={"access": "signed-in", "scope": "team:coach,manager"},
)  # fmt: skip
def team_observations(team_id: FromPath[str], db: NamedDependency[sqlite_utils.Database]) -> Response[list[ObservationData]]:
    """Every observation of the team's reps: for its coaches, its managers (read-only) and admins."""
    with read_transaction(db):
        found = observation_store.of_team(db, team_id)
    return Response([as_data(o) for o in found], headers=NO_STORE)


@get(
    "/coaching/reps/{rep_id:str}/observations", sync_to_thread=True, tags=["coaching"], responses=errors(400, 401, 403),
    opt={"access": "signed-in", "scope": "rep"},
)  # fmt: skip
def rep_observations(rep_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Response[list[ObservationData]]:
    """A rep's observations: to the rep, those shared with them; to their teams' coaches and
    managers and to admins, all of them."""
    principal: Principal = request.state.principal
    with read_transaction(db):
        own = principal.user_id == rep_id and "admin" not in people.roles_of(db, principal.user_id)
        found = observation_store.about(db, rep_id, shared_only=own)
    return Response([as_data(o) for o in found], headers=NO_STORE)


@get(
    "/coaching/teams/{team_id:str}/sessions", sync_to_thread=True, tags=["coaching"], responses=errors(400, 401, 403),
    opt={"access": "signed-in", "scope": "team:member"},
)  # fmt: skip
def team_sessions(team_id: FromPath[str], db: NamedDependency[sqlite_utils.Database]) -> Response[list[SessionData]]:
    """The team's intervision sessions: for its members (the room) and admins."""
    with read_transaction(db):
        found = session_store.of_team(db, team_id)
    return Response([session_data(s) for s in found], headers=NO_STORE)


def router() -> Router:
    return Router(path="/", route_handlers=[team_observations, rep_observations, team_sessions])

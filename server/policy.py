"""Who may use each route: every handler declares `opt={"access": ...}`, one guard enforces it.

Levels (docs/security.md):
- `public`: anyone, signed in or not;
- `signed-in`: any signed-in user (session cookie with CSRF on writes, device credential, or
  the development credential when RECAP_DEV_AUTH=1);
- `role:<role>`: a signed-in user holding that role (rep, coach, editor, manager, admin);
  `role:<role>,<role>`: holding any one of them (the editor is for editors and admins).

Which credentials count: a session cookie everywhere; a device credential (`Bearer rcd_…`) only
on routes that also declare `"device": True` (sync, signing a device out, and the app's own
reminder choices and push subscription), so a stolen
device credential opens no page and bypasses no form's CSRF token (docs/auth.md).

Team scopes (docs/security.md "Coaching"): a route about a team's or a rep's records also
declares `opt={"scope": ...}`, and the guard checks the caller's relation to the team or rep
named in the path, once, for every such route (never ad hoc in a handler):
- `team:<relations>` (path parameter `team_id`): the caller is a member of that team in one of
  these roles (`coach`, `manager`, `rep`; `member`: any role);
- `rep` (path parameter `rep_id`): the caller is that rep, or coaches or manages a team the rep
  is a rep in.
An admin passes every scope. A caller outside it gets 403, whether or not the team exists.

A handler without a declaration makes the app refuse to start, so no route can be forgotten.
The generated OpenAPI schema routes and Litestar's automatic OPTIONS answers (which only list
the allowed methods) are the exceptions, and they are public.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from server import auth
from server.people.rules import ROLES
from server.signin import Forbidden
from server.storage import people

PUBLIC = "public"
SIGNED_IN = "signed-in"
LEVELS = frozenset({PUBLIC, SIGNED_IN, *(f"role:{role}" for role in ROLES)})


def roles_in(level: str) -> frozenset[str]:
    """The roles a `role:a,b` level accepts (empty for other levels)."""
    return frozenset(level.removeprefix("role:").split(",")) if level.startswith("role:") else frozenset()


def _valid(level: str) -> bool:
    return level in LEVELS or (level.startswith("role:") and bool(roles_in(level)) and roles_in(level) <= set(ROLES))


SCHEMA_PREFIX = "/schema"


class PolicyError(RuntimeError):
    """Routes without a (valid) access declaration."""


SCOPE_RELATIONS = frozenset({"coach", "manager", "rep", "member"})


def _valid_scope(scope: object) -> bool:
    if scope is None or scope == "rep":
        return True
    if not isinstance(scope, str) or not scope.startswith("team:"):
        return False
    wanted = frozenset(scope.removeprefix("team:").split(","))
    return bool(wanted) and wanted <= SCOPE_RELATIONS


def in_scope(
    scope: str, roles: frozenset[str], memberships: dict[str, str], target: str, target_memberships: dict[str, str] | None = None
) -> bool:
    """Whether a caller (their roles, and their teams with their role in each) may use a route of
    this scope about `target` (a team id, or for `rep` a user id, whose teams are `target_memberships`).
    Pure: the guard loads the relations, this decides."""
    if "admin" in roles:
        return True
    if scope == "rep":
        leads = {team for team, role in memberships.items() if role in ("coach", "manager")}
        return any(team in leads for team, role in (target_memberships or {}).items() if role == "rep")
    wanted = frozenset(scope.removeprefix("team:").split(","))
    role = memberships.get(target)
    return role is not None and ("member" in wanted or role in wanted)


def access_of(handler: BaseRouteHandler, path: str) -> str | None:
    level = handler.opt.get("access")
    if level is None and (path.startswith(SCHEMA_PREFIX) or getattr(handler, "http_methods", None) == {"OPTIONS"}):
        return PUBLIC  # the generated schema, and Litestar's automatic OPTIONS (allowed methods only)
    if not _valid_scope(handler.opt.get("scope")):
        return None
    return level if isinstance(level, str) and _valid(level) else None


def declared_routes(app: Litestar) -> list[tuple[str, str, str | None]]:
    """(path, method, access) for every route of the app; access None where undeclared."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(getattr(handler, "http_methods", {"GET"})):
                found.append((route.path, method, access_of(handler, route.path)))
    return found


def check_declarations(app: Litestar) -> None:
    """Refuse to start when a route does not say who may use it."""
    missing = sorted({f"{method} {path}" for path, method, access in declared_routes(app) if access is None})
    if missing:
        raise PolicyError(f"routes without an access declaration (opt={{'access': ...}}): {', '.join(missing)}")


def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Enforce the route's declared level; the principal is kept for the handler to reuse."""
    level = access_of(handler, connection.scope.get("path", ""))
    if level == PUBLIC:
        return
    if level is None:
        raise Forbidden("this route has no access policy")
    if not isinstance(connection, Request):
        raise Forbidden("only HTTP requests can be authenticated")
    state = connection.app.state
    db = state.pool.acquire()
    try:
        # Forms cannot send the CSRF header: routes marked csrf="form" check the form's token.
        form_csrf = handler.opt.get("csrf") == "form"
        principal = auth.authenticate(
            connection, state.settings, db, check_csrf=not form_csrf, device=bool(handler.opt.get("device"))
        )
        connection.state.principal = principal
        roles = people.roles_of(db, principal.user_id)
        if level.startswith("role:"):
            wanted = roles_in(level)
            if not wanted & roles:
                raise Forbidden(f"this needs the {' or '.join(sorted(wanted))} role")
        scope = handler.opt.get("scope")
        if scope is not None:
            _check_scope(connection, db, scope, principal.user_id, roles)
    finally:
        state.pool.release(db)


def _check_scope(connection: Request[Any, Any, Any], db: Any, scope: str, user_id: str, roles: frozenset[str]) -> None:
    params = connection.path_params
    if scope == "rep":
        rep_id = str(params["rep_id"])
        if rep_id == user_id:
            return  # a rep's own records: the handler shows them only what was shared with them
        allowed = in_scope(scope, roles, people.memberships_of(db, user_id), rep_id, people.memberships_of(db, rep_id))
    else:
        allowed = in_scope(scope, roles, people.memberships_of(db, user_id), str(params["team_id"]))
    if not allowed:
        raise Forbidden("this is about a team you are not part of" if scope != "rep" else "this is about a rep of a team you do not coach or manage")

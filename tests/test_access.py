"""The access policy: every route declares who may use it, and the guard enforces it.

The matrix is every route of the app (enumerated from the app itself) × a set of callers;
each cell must match the route's declared level. A route without a declaration fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import get
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.db import connect
from server.library.publish import publish
from server.policy import PolicyError, check_declarations, declared_routes
from server.settings import Settings
from tests.support.paths import FIXTURE_LIBRARY, ROOT
from tests.support.server import run_recap

CALLERS = {
    "anonymous": None,
    "rep": "rep@example.com",
    "rep2": "rep2@example.com",
    "coach": "coach@example.com",
    "editor": "editor@example.com",
    "manager": "manager@example.com",
    "admin": "admin@example.com",
}
ROLE_OF = {"rep": "rep", "rep2": "rep", "coach": "coach", "editor": "editor", "manager": "manager", "admin": "admin"}
PARAM_TYPE = re.compile(r"\{(\w+):\w+\}")
SAMPLE_PARAMS = {"version": "1", "file_path": "nothing.txt"}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "access.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()
    result = run_recap("users", "import", str(ROOT / "server" / "demo" / "accounts.csv"), db_path=path)
    assert result.returncode == 0, result.stdout + result.stderr
    return path


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(Settings(db_path=db_path, dev_auth=True))

    @get("/test/editors-only", opt={"access": "role:editor"}, sync_to_thread=False)
    def editors_only() -> dict[str, str]:
        return {"ok": "yes"}

    app.register(editors_only)
    with TestClient(app) as c:
        yield c


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "x"), path)


def headers_for(email: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:{email}"} if email else {}


def test_every_route_declares_its_access(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "x.db"))
    routes = declared_routes(app)
    assert len(routes) > 20
    undeclared = [(path, method) for path, method, access in routes if access is None]
    assert undeclared == []


def test_a_route_without_a_declaration_stops_the_app(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "x.db"))

    @get("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        return "oops"

    app.register(forgotten)
    with pytest.raises(PolicyError, match="GET /forgotten"):
        check_declarations(app)


def test_the_access_matrix(client: TestClient) -> None:  # type: ignore[type-arg]
    app = client.app
    failures = []
    for path, method, access in declared_routes(app):
        if method in ("OPTIONS", "HEAD") or "/coaching/" in path or ("/dashboards/" in path and "{" in path):
            continue  # team-scoped routes: their own matrices below
        url = concrete(path)
        for caller, email in CALLERS.items():
            response = client.request(method, url, headers=headers_for(email), json={} if method == "POST" else None, follow_redirects=False)
            # A page of the editor sends an anonymous visitor to sign in (and back) instead of a 401.
            to_sign_in = response.status_code == 303 and response.headers["location"].endswith("#/sign-in")
            denied = response.status_code in (401, 403) or to_sign_in
            if access == "public":
                expected_denied = False
            elif access == "signed-in":
                expected_denied = email is None
            else:
                roles = set(access.removeprefix("role:").split(","))
                expected_denied = email is None or ROLE_OF[caller] not in roles
            if denied != expected_denied:
                failures.append(f"{method} {url} as {caller}: {response.status_code} (declared {access})")
    assert failures == []


# Who may read each team-scoped route about each target (docs/security.md "Coaching"): rep and
# manager and coach are in team demo, rep2 in north; admin has no team but passes every scope.
SCOPED = {
    ("/coaching/teams/{team_id}/observations", "demo"): {"coach", "manager", "admin"},
    ("/coaching/teams/{team_id}/observations", "north"): {"admin"},
    ("/coaching/teams/{team_id}/sessions", "demo"): {"rep", "coach", "manager", "admin"},
    ("/coaching/teams/{team_id}/sessions", "north"): {"rep2", "admin"},
    ("/coaching/reps/{rep_id}/observations", "rep"): {"rep", "coach", "manager", "admin"},
    ("/coaching/reps/{rep_id}/observations", "rep2"): {"rep2", "admin"},
}


def _user_ids(db_path: Path) -> dict[str, str]:
    db = connect(db_path)
    try:
        return {caller: str(db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0]) for caller, email in CALLERS.items() if email}
    finally:
        db.close()


def test_the_team_scoped_matrix(client: TestClient, db_path: Path) -> None:  # type: ignore[type-arg]
    ids = _user_ids(db_path)
    scoped = {PARAM_TYPE.sub(r"{\1}", path) for path, method, _ in declared_routes(client.app) if "/coaching/" in path and method == "GET"}
    assert scoped == {path for path, _ in SCOPED}, "a team-scoped route without its row in SCOPED"
    failures = []
    for (path, target), allowed in SCOPED.items():
        url = path.replace("{team_id}", target).replace("{rep_id}", ids.get(target, target))
        for caller, email in CALLERS.items():
            status = client.get(url, headers=headers_for(email)).status_code
            expected = 401 if email is None else 200 if caller in allowed else 403
            if status != expected:
                failures.append(f"GET {url} ({path} about {target}) as {caller}: {status}, expected {expected}")
    assert failures == []
    # A team that does not exist is refused like any other team one is not part of.
    assert client.get("/coaching/teams/nowhere/sessions", headers=headers_for("coach@example.com")).status_code == 403


# The dashboards' team and rep pages: coaches and managers of the team (or of the rep's team) and
# admins; never a rep, not even about themselves (a rep sees their own progress in the app).
DASHBOARD_SCOPED = {
    ("/dashboards/teams/{team_id}/heatmap", "demo"): {"coach", "manager", "admin"},
    ("/dashboards/teams/{team_id}/heatmap", "north"): {"admin"},
    ("/dashboards/reps/{rep_id}", "rep"): {"coach", "manager", "admin"},
    ("/dashboards/reps/{rep_id}", "rep2"): {"admin"},
    # Results are a manager's business: not the team's coach (docs/results.md).
    ("/dashboards/teams/{team_id}/results", "demo"): {"manager", "admin"},
    ("/dashboards/teams/{team_id}/results", "north"): {"admin"},
    **{(f"/dashboards/teams/{{team_id}}/{page}", team): allowed for page in ("adoption", "coaching", "content-quality")
       for team, allowed in (("demo", {"coach", "manager", "admin"}), ("north", {"admin"}))},
}


def test_the_dashboards_scoped_matrix(client: TestClient, db_path: Path) -> None:  # type: ignore[type-arg]
    ids = _user_ids(db_path)
    scoped = {PARAM_TYPE.sub(r"{\1}", path) for path, method, _ in declared_routes(client.app) if "/dashboards/" in path and "{" in path}
    assert scoped == {path for path, _ in DASHBOARD_SCOPED}, "a scoped dashboard without its row in DASHBOARD_SCOPED"
    failures = []
    for (path, target), allowed in DASHBOARD_SCOPED.items():
        url = path.replace("{team_id}", target).replace("{rep_id}", ids.get(target, target))
        for caller, email in CALLERS.items():
            response = client.get(url, headers=headers_for(email), follow_redirects=False)
            status = 401 if response.status_code == 303 and response.headers["location"].endswith("#/sign-in") else response.status_code
            expected = 401 if email is None else 200 if caller in allowed else 403
            if status != expected:
                failures.append(f"GET {url} ({path} about {target}) as {caller}: {status}, expected {expected}")
    assert failures == []
    assert client.get("/dashboards/teams/nowhere/heatmap", headers=headers_for("manager@example.com")).status_code == 403


def test_the_scope_rule_is_pure_and_admins_pass_it() -> None:
    from server.policy import in_scope

    assert in_scope("team:member", frozenset({"admin"}), {}, "any")
    assert in_scope("team:coach,manager", frozenset({"coach"}), {"demo": "coach"}, "demo")
    assert not in_scope("team:coach,manager", frozenset({"coach"}), {"demo": "rep"}, "demo")  # a coach elsewhere is a rep here
    assert in_scope("rep", frozenset({"manager"}), {"demo": "manager"}, "r1", {"demo": "rep"})
    assert not in_scope("rep", frozenset({"coach"}), {"demo": "coach"}, "c2", {"demo": "coach"})  # a fellow coach is no rep


def test_role_routes_tell_anonymous_from_forbidden(client: TestClient) -> None:  # type: ignore[type-arg]
    assert client.get("/test/editors-only").status_code == 401
    assert client.get("/test/editors-only", headers=headers_for("rep@example.com")).status_code == 403
    assert client.get("/test/editors-only", headers=headers_for("editor@example.com")).json() == {"ok": "yes"}
    assert client.get("/test/editors-only", headers=headers_for("stranger@example.com")).status_code == 403


def test_the_documented_policy_table_matches_the_app(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "x.db"))
    doc = (ROOT / "docs" / "security.md").read_text()
    documented = set(re.findall(r"^\| `(\w+ \S+)` \| `([\w:,-]+)` \| (device)? ?\|$", doc, re.M))
    devices = {(path, method) for path, method, opt in _device_routes(app)}
    actual = {
        (method + " " + PARAM_TYPE.sub(r"{\1}", path), access, "device" if (path, method) in devices else "")
        for path, method, access in declared_routes(app)
        if method not in ("OPTIONS", "HEAD") and not path.startswith("/schema")
    }
    assert documented == actual


def _device_routes(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, opt) of the routes that accept a device credential."""
    return [
        (route.path, method, handler.opt)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        for method in getattr(handler, "http_methods", ())
        if handler.opt.get("device")
    ]


def test_only_sync_signing_out_reminders_and_uploads_accept_a_device_credential(client: TestClient) -> None:  # type: ignore[type-arg]
    assert sorted((path, method) for path, method, _ in _device_routes(client.app)) == [
        ("/auth/logout", "POST"), ("/reminders/settings", "GET"), ("/reminders/settings", "POST"),
        ("/reminders/subscribe", "POST"), ("/reminders/unsubscribe", "POST"), ("/sync/pull", "POST"), ("/sync/push", "POST"),
        ("/uploads", "POST"), ("/uploads/{upload_id:str}", "DELETE"), ("/uploads/{upload_id:str}", "GET"),
        ("/uploads/{upload_id:str}", "PATCH"), ("/videos/{sha256:str}", "GET"),
    ]  # fmt: skip

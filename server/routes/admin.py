"""Admin pages: people, their roles, their enrolled devices; disable, enable, revoke.

Every route needs the admin role (server/policy.py). The forms carry the session's CSRF token
(routes marked csrf="form" check it here, since a form cannot send a header). Each change goes
through the same functions as the `recap users` commands, so it is audited the same way.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import anyio
import sqlite_utils
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server import auth, signin
from server.errors import NotFound, RecapError
from server.people import accounts, rules
from server.people.csv_import import Row
from server.pool import ConnectionPool
from server.storage import auth as auth_store
from server.storage import people as people_store
from sync.clock import format_utc

ADMIN = {"access": "role:admin"}
ADMIN_FORM = {"access": "role:admin", "csrf": "form"}


def _person(db: sqlite_utils.Database, email: str) -> people_store.StoredPerson:
    try:
        address = rules.normalise_email(email)
    except rules.Invalid as error:
        raise NotFound(str(error)) from None
    person = people_store.all_people(db).get(address)
    if person is None:
        raise NotFound(f"no one has the address {address}")
    return person


@get("/admin", sync_to_thread=True, opt=ADMIN, include_in_schema=False)
def people_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template:
    """Everyone, with roles, teams, enrolled devices and status; a form to add someone."""
    people = sorted(accounts.list_people(db), key=lambda p: p.email)
    context = {"people": people, "devices": auth_store.device_counts(db), "all_roles": rules.ROLES, "csrf": auth.form_csrf_token(request)}
    return Template("admin/people.html", context=context)


@get("/admin/audit", sync_to_thread=True, opt=ADMIN, include_in_schema=False)
def audit_page(db: NamedDependency[sqlite_utils.Database]) -> Template:
    """The latest 200 audit log entries."""
    return Template("admin/audit.html", context={"entries": auth_store.recent_audit(db, 200)})


@get("/admin/people/{email:str}", sync_to_thread=True, opt=ADMIN, include_in_schema=False)
def person_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], email: FromPath[str]) -> Template:
    """One person: roles (editable), enrolled devices (revocable), disable or enable."""
    person = _person(db, email)
    now = format_utc(datetime.datetime.now(datetime.UTC))
    return Template(
        "admin/person.html",
        context={
            "person": person,
            "all_roles": rules.ROLES,
            "devices": auth_store.live_device_credentials(db, person.id),
            "sessions": len(auth_store.live_sessions(db, person.id, now)),
            "csrf": auth.form_csrf_token(request),
            "message": request.query_params.get("done", ""),
        },
    )


async def _form(request: Request[Any, Any, Any]) -> Any:
    form = await request.form()
    auth.require_form_csrf(request, request.state.principal, str(form.get("csrf_token", "")))
    return form


async def _in_thread(pool: ConnectionPool, work: Any) -> Any:
    def run() -> Any:
        db = pool.acquire()
        try:
            return work(db)
        finally:
            pool.release(db)

    return await anyio.to_thread.run_sync(run)


def _back(email: str, message: str) -> Redirect:
    return Redirect(f"/admin/people/{email}?done={message}", status_code=303)


def _apply(db: sqlite_utils.Database, person: rules.Person) -> Any:
    result = accounts.import_people(db, [Row(0, person)], [], "admin")
    if result.problems:
        raise RecapError("; ".join(p.message for p in result.problems))
    return result


@post("/admin/people", opt=ADMIN_FORM, include_in_schema=False)
async def add_person(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool]) -> Redirect:
    """Create (or update) a person: email, name, roles, teams (`team` or `team:role`, `;`-separated)."""
    form = await _form(request)
    try:
        address = rules.normalise_email(str(form.get("email", "")))
        name = rules.check_name(str(form.get("name", "")))
        roles = frozenset(rules.check_role(r) for r in form.getall("roles", []))
        teams = rules.parse_teams(str(form.get("teams", "")).split(";"))
    except rules.Invalid as error:
        raise RecapError(str(error)) from None
    await _in_thread(pool, lambda db: _apply(db, rules.Person(address, name, roles, teams)))
    return _back(address, "Saved")


@post("/admin/people/{email:str}/teams", opt=ADMIN_FORM, include_in_schema=False)
async def set_teams(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], email: FromPath[str]) -> Redirect:
    """Replace a person's teams; a team that does not exist yet is created."""
    form = await _form(request)
    try:
        address = rules.normalise_email(email)
        teams = rules.parse_teams(str(form.get("teams", "")).split(";"))
    except rules.Invalid as error:
        raise RecapError(str(error)) from None

    def work(db: sqlite_utils.Database) -> Any:
        _person(db, address)
        return _apply(db, rules.Person(address, None, None, teams))

    await _in_thread(pool, work)
    return _back(address, "Teams saved")


@post("/admin/people/{email:str}/roles", opt=ADMIN_FORM, include_in_schema=False)
async def set_roles(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], email: FromPath[str]) -> Redirect:
    """Replace a person's roles (audited as a role change)."""
    form = await _form(request)
    try:
        roles = frozenset(rules.check_role(r) for r in form.getall("roles", []))
        address = rules.normalise_email(email)
    except rules.Invalid as error:
        raise RecapError(str(error)) from None

    def work(db: sqlite_utils.Database) -> Any:
        _person(db, address)
        return _apply(db, rules.Person(address, None, roles, None))

    await _in_thread(pool, work)
    return _back(address, "Roles saved")


@post("/admin/people/{email:str}/{action:str}", opt=ADMIN_FORM, include_in_schema=False)
async def account_action(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], email: FromPath[str], action: FromPath[str]) -> Redirect:
    """Disable (ending sessions, revoking devices) or enable a person."""
    if action not in ("disable", "enable"):
        raise NotFound(f"no such action: {action}")
    await _form(request)
    now = datetime.datetime.now(datetime.UTC)
    address, _, _ = await _in_thread(pool, functools.partial(_set_disabled, email=email, disabled=action == "disable", now=now))
    return _back(address, "Disabled" if action == "disable" else "Enabled")


def _set_disabled(db: sqlite_utils.Database, email: str, disabled: bool, now: datetime.datetime) -> Any:
    try:
        return signin.set_disabled(db, email, disabled, now)
    except (rules.Invalid, signin.UnknownUser) as error:
        raise NotFound(str(error)) from None


@post("/admin/people/{email:str}/devices/{device_id:str}/revoke", opt=ADMIN_FORM, include_in_schema=False)
async def revoke_device(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], email: FromPath[str], device_id: FromPath[str]) -> Redirect:
    """Revoke one enrolled device's credential and end its sessions."""
    await _form(request)
    now = datetime.datetime.now(datetime.UTC)

    def work(db: sqlite_utils.Database) -> Any:
        try:
            return signin.revoke(db, email, device_id, now)
        except (rules.Invalid, signin.UnknownUser) as error:
            raise NotFound(str(error)) from None

    address, _, revoked = await _in_thread(pool, work)
    return _back(address, f"Revoked {revoked} device credential(s)")

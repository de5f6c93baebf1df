"""Admin pages: people, their roles, their enrolled devices; disable, enable, revoke; the
daily limit (questions a day across campaigns) for everyone and for one person.

Every route needs the admin role (server/policy.py). The forms carry the session's CSRF token
(routes marked csrf="form" check it here, since a form cannot send a header). Each change goes
through the same functions as the `recap users` commands, so it is audited the same way.

A person's pages are addressed by their user id (`/admin/people/{id}`): an email address may
hold `%`, `?`, `#` or `/`, which no URL survives intact everywhere, and it can change. An email
in that place is still accepted, for links typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import sqlite_utils
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server import auth, signin, urls
from server.errors import NotFound, RecapError
from server.leaderboards import setting as leaderboard_setting
from server.people import accounts, limits, rules
from server.people.csv_import import Row
from server.pool import ConnectionPool, in_thread
from server.settings import Settings
from server.storage import auth as auth_store
from server.storage import people as people_store
from server.uploads import admin as video_admin
from sync.clock import format_utc
from sync.plan import MAX_DAILY_LIMIT

ADMIN = {"access": "role:admin"}
ADMIN_FORM = {"access": "role:admin", "csrf": "form"}
T = TypeVar("T")


def _person(db: sqlite_utils.Database, key: str) -> people_store.StoredPerson:
    """The person with this user id, or (for a hand-typed link) this email address; else 404."""
    everyone = people_store.all_people(db)
    found = next((p for p in everyone.values() if p.id == key), None)
    if found is None and "@" in key:
        try:
            found = everyone.get(rules.normalise_email(key))
        except rules.Invalid as error:
            raise NotFound(str(error)) from None
    if found is None:
        raise NotFound("no such person: see the list of people at /admin")
    return found


@get("/admin", sync_to_thread=True, opt=ADMIN, include_in_schema=False)
def people_page(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], settings: NamedDependency[Settings]
) -> Template:
    """Everyone, with roles, teams, enrolled devices and status; a form to add someone."""
    people = sorted(accounts.list_people(db), key=lambda p: p.email)
    devices = auth_store.device_counts(db, signin.device_idle_cutoff(settings, auth.now(request)))
    context = {
        "people": people, "devices": devices, "all_roles": rules.ROLES, "csrf": auth.form_csrf_token(request),
        "daily_limit": limits.organisation_limit(db), "max_daily_limit": MAX_DAILY_LIMIT,
        "leaderboards": leaderboard_setting.enabled(db), **video_admin.page_context(db),
        "message": request.query_params.get("done", ""),
    }  # fmt: skip
    return Template("admin/people.html", context=context)


@get("/admin/audit", sync_to_thread=True, opt=ADMIN, include_in_schema=False)
def audit_page(db: NamedDependency[sqlite_utils.Database]) -> Template:
    """The latest 200 audit log entries."""
    return Template("admin/audit.html", context={"entries": auth_store.recent_audit(db, 200)})


@get("/admin/people/{person:str}", sync_to_thread=True, opt=ADMIN, include_in_schema=False)
def person_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
    person: FromPath[str],
) -> Template:
    """One person: roles (editable), enrolled devices (revocable), disable or enable."""
    found = _person(db, person)
    moment = auth.now(request)
    return Template(
        "admin/person.html",
        context={
            "person": found,
            "all_roles": rules.ROLES,
            "devices": auth_store.live_device_credentials(db, found.id, signin.device_idle_cutoff(settings, moment)),
            "sessions": len(auth_store.live_sessions(db, found.id, format_utc(moment))),
            "csrf": auth.form_csrf_token(request),
            "message": request.query_params.get("done", ""),
            "organisation_limit": limits.organisation_limit(db),
            "max_daily_limit": MAX_DAILY_LIMIT,
        },
    )


async def _form(request: Request[Any, Any, Any]) -> Any:
    form = await request.form()
    auth.require_form_csrf(request, request.state.principal, str(form.get("csrf_token", "")))
    return form


def _back(user_id: str, message: str) -> Redirect:
    """Back to the person's page, with what was done."""
    return Redirect(f"/admin/people/{urls.segment(user_id)}?{urlencode({'done': message})}", status_code=303)


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

    def work(db: sqlite_utils.Database) -> str:
        _apply(db, rules.Person(address, name, roles, teams))
        return _person(db, address).id

    return _back(await in_thread(pool, work), "Saved")


async def _update(request: Request[Any, Any, Any], pool: ConnectionPool, person: str, change: Any, message: str) -> Redirect:
    """Apply `change(email)` (a rules.Person) to an existing person, then back to their page."""

    def work(db: sqlite_utils.Database) -> str:
        found = _person(db, person)
        _apply(db, change(found.email))
        return found.id

    return _back(await in_thread(pool, work), message)


@post("/admin/people/{person:str}/teams", opt=ADMIN_FORM, include_in_schema=False)
async def set_teams(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], person: FromPath[str]) -> Redirect:
    """Replace a person's teams; a team that does not exist yet is created."""
    form = await _form(request)
    try:
        teams = rules.parse_teams(str(form.get("teams", "")).split(";"))
    except rules.Invalid as error:
        raise RecapError(str(error)) from None
    return await _update(request, pool, person, lambda email: rules.Person(email, None, None, teams), "Teams saved")


@post("/admin/people/{person:str}/roles", opt=ADMIN_FORM, include_in_schema=False)
async def set_roles(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], person: FromPath[str]) -> Redirect:
    """Replace a person's roles (audited as a role change)."""
    form = await _form(request)
    try:
        roles = frozenset(rules.check_role(r) for r in form.getall("roles", []))
    except rules.Invalid as error:
        raise RecapError(str(error)) from None
    return await _update(request, pool, person, lambda email: rules.Person(email, None, roles, None), "Roles saved")


@post("/admin/people/{person:str}/email", opt=ADMIN_FORM, include_in_schema=False)
async def set_email(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], person: FromPath[str]) -> Redirect:
    """Give a person a new email address; everything they did follows (audited)."""
    form = await _form(request)
    now = auth.now(request)

    def work(db: sqlite_utils.Database) -> str:
        found = _person(db, person)
        try:
            accounts.change_email(db, found.email, str(form.get("email", "")), now)
        except (rules.Invalid, accounts.EmailTaken) as error:
            raise RecapError(str(error)) from None
        return found.id

    return _back(await in_thread(pool, work), "Email changed")


def _daily_limit(form: Any, check: Callable[[str], T]) -> T:
    """The form's `daily_limit`, checked; a bad value is a 400 that says what to write."""
    try:
        return check(str(form.get("daily_limit", "")))
    except rules.Invalid as error:
        raise RecapError(str(error)) from None


@post("/admin/settings/daily-limit", opt=ADMIN_FORM, include_in_schema=False)
async def set_organisation_limit(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool]) -> Redirect:
    """Set the organisation's daily limit: questions a day per learner across campaigns (audited)."""
    limit = _daily_limit(await _form(request), rules.check_daily_limit)
    now = auth.now(request)
    await in_thread(pool, lambda db: limits.set_organisation_limit(db, limit, now))
    return Redirect(f"/admin?{urlencode({'done': f'Daily limit saved: {limit} a day'})}", status_code=303)


@post("/admin/settings/leaderboards", opt=ADMIN_FORM, include_in_schema=False)
async def set_leaderboards(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool]) -> Redirect:
    """Turn leaderboards in the app on or off for the organisation (audited)."""
    try:
        on = leaderboard_setting.parse(str((await _form(request)).get("leaderboards", "")))
    except leaderboard_setting.Invalid as error:
        raise RecapError(str(error)) from None
    now = auth.now(request)
    await in_thread(pool, lambda db: leaderboard_setting.set_enabled(db, on, now))
    done = f"Leaderboards {leaderboard_setting.shown(on)}"
    return Redirect(f"/admin?{urlencode({'done': done})}", status_code=303)


@post("/admin/people/{person:str}/daily-limit", opt=ADMIN_FORM, include_in_schema=False)
async def set_person_limit(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], person: FromPath[str]) -> Redirect:
    """Give a person their own daily limit, or (empty) the organisation's again (audited)."""
    limit = _daily_limit(await _form(request), rules.check_person_daily_limit)
    now = auth.now(request)

    def work(db: sqlite_utils.Database) -> str:
        return limits.set_person_limit(db, _person(db, person).id, limit, now).id

    return _back(await in_thread(pool, work), "Daily limit saved")


@post("/admin/people/{person:str}/{action:str}", opt=ADMIN_FORM, include_in_schema=False)
async def account_action(
    request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], person: FromPath[str], action: FromPath[str]
) -> Redirect:
    """Disable (ending sessions, revoking devices) or enable a person."""
    if action not in ("disable", "enable"):
        raise NotFound(f"no such action: {action}")
    await _form(request)
    now = auth.now(request)

    def work(db: sqlite_utils.Database) -> str:
        found = _person(db, person)
        signin.set_disabled(db, found.email, action == "disable", now)
        return found.id

    return _back(await in_thread(pool, work), "Disabled" if action == "disable" else "Enabled")


@post("/admin/people/{person:str}/devices/{device_id:str}/revoke", opt=ADMIN_FORM, include_in_schema=False)
async def revoke_device(
    request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], person: FromPath[str], device_id: FromPath[str]
) -> Redirect:
    """Revoke one enrolled device's credential and end its sessions."""
    await _form(request)
    now = auth.now(request)

    def work(db: sqlite_utils.Database) -> tuple[str, int]:
        found = _person(db, person)
        _, _, revoked = signin.revoke(db, found.email, device_id, now)
        return found.id, revoked

    user_id, revoked = await in_thread(pool, work)
    return _back(user_id, f"Revoked {revoked} device credential(s)")


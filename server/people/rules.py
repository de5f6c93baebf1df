"""Pure rules for people and teams: what a valid email, name, role and team slug are.

No database and no clock: the import and the `recap users` commands call these, and so will
sign-in and the access policy.
"""

from __future__ import annotations

import re
import unicodedata

import msgspec

# Campaign audiences (sync/enrollment.py) name the same roles; re-exported from here.
from sync.enrollment import ROLES as ROLES
from sync.enrollment import TEAM_ROLES as TEAM_ROLES
from sync.plan import MAX_DAILY_LIMIT

# When a team is given without a role, the person joins it in the highest team role they hold.
_TEAM_ROLE_PRECEDENCE = ("manager", "coach", "rep")

MAX_NAME = 200
MAX_EMAIL = 254  # RFC 5321's limit on a forward path, the usual ceiling for an address
MAX_LOCAL_PART = 64

# Deliberately strict: plain ASCII addresses of the form people type, which every mail system
# delivers to. Quoted local parts, IP-literal domains and internationalised addresses are refused.
# Used with fullmatch: `$` alone would also match before a final line break ("x\n@…").
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TEAM_SLUG = re.compile(r"[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?")
# Invisible characters that change how text around them is shown: bidi embeddings, overrides,
# isolates and marks, zero-width spaces and the BOM. A name holding one can pose as another
# ("Ann\u202eevil"). Zero-width (non-)joiners stay allowed: some scripts need them between letters.
_DECEPTIVE = frozenset("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")


class Invalid(ValueError):
    """A value that breaks a rule; the message says what to write instead."""


class Person(msgspec.Struct, frozen=True):
    """What a command or a CSV row says about one person. `None` leaves that part as it is."""

    email: str
    name: str | None = None
    roles: frozenset[str] | None = None
    teams: dict[str, str | None] | None = None  # team slug -> role in it (None: derived from roles)


def normalise_email(text: str) -> str:
    """The address in the one form we store and compare: trimmed and lower-case, or `Invalid`.

    Lower-casing the local part is not strictly RFC-correct, but no mail system people use
    treats `Ann@` and `ann@` as two mailboxes, and one person must never get two accounts.
    """
    email = text.strip()
    if not email:
        raise Invalid("the email is empty")
    if any(unicodedata.category(c) == "Cc" for c in email):
        raise Invalid("the email contains a control character (a line break or tab?): type the address on one line")
    if len(email) > MAX_EMAIL:
        raise Invalid(f"the email is longer than {MAX_EMAIL} characters")
    if not email.isascii():
        raise Invalid(f"{email!r} is not an email address we accept: use plain ASCII letters (no accents)")
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or len(local) > MAX_LOCAL_PART
        or not _LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise Invalid(f"{email!r} is not an email address, e.g. ann@example.com")
    return email.lower()


def check_name(text: str) -> str:
    """A person's or team's display name: trimmed, NFC, 1 to 200 characters, no control characters."""
    name = unicodedata.normalize("NFC", text.strip())
    if not name:
        raise Invalid("the name is empty")
    if len(name) > MAX_NAME:
        raise Invalid(f"the name is {len(name)} characters long; the limit is {MAX_NAME}")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise Invalid("the name contains a control character (a tab or line break?)")
    if any(c in _DECEPTIVE for c in name):
        raise Invalid("the name contains an invisible formatting character (a direction mark or zero-width space): retype it")
    return name


def check_role(text: str) -> str:
    role = text.strip().lower()
    if role not in ROLES:
        raise Invalid(f"unknown role {text.strip()!r}: use {', '.join(ROLES)}")
    return role


def check_team_slug(text: str) -> str:
    """A team's id: lower-case letters, digits and inner hyphens, 1 to 40 characters."""
    slug = text.strip().lower()
    if not _TEAM_SLUG.fullmatch(slug):
        hint = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")[:40] or "north"
        raise Invalid(f"{text.strip()!r} is not a team id: use lower-case letters, digits and hyphens, e.g. {hint}")
    return slug


def parse_roles(text: str) -> frozenset[str]:
    """A `;`-separated list of roles, at least one; repeats are harmless."""
    roles = frozenset(check_role(part) for part in text.split(";") if part.strip())
    if not roles:
        raise Invalid(f"no role given: use one or more of {', '.join(ROLES)}, separated by ';'")
    return roles


def team_role_for(team: str, roles: frozenset[str]) -> str:
    """The role someone gets in a team given without one: the highest team role they hold."""
    for role in _TEAM_ROLE_PRECEDENCE:
        if role in roles:
            return role
    raise Invalid(
        f"team {team}: roles {format_roles(roles)} give no role in a team; write {team}:rep, {team}:coach or {team}:manager"
    )


def parse_team(text: str) -> tuple[str, str | None]:
    """`north` or `north:coach` -> (slug, role or None)."""
    slug, colon, role = text.partition(":")
    team = check_team_slug(slug)
    if not colon:
        return team, None
    team_role = role.strip().lower()
    if team_role not in TEAM_ROLES:
        raise Invalid(f"team {team}: unknown team role {role.strip()!r}: use {', '.join(TEAM_ROLES)}")
    return team, team_role


def parse_teams(items: list[str]) -> dict[str, str | None]:
    """Team entries (`north` or `north:coach`), each team at most once."""
    teams: dict[str, str | None] = {}
    for item in items:
        if not item.strip():
            continue
        team, role = parse_team(item)
        if team in teams:
            raise Invalid(f"team {team} is listed twice")
        teams[team] = role
    return teams


def resolve_teams(teams: dict[str, str | None], roles: frozenset[str]) -> dict[str, str]:
    """Give every team its role and check the person holds each team role as a role too."""
    resolved = {team: role or team_role_for(team, roles) for team, role in teams.items()}
    check_memberships(resolved, roles)
    return resolved


def check_memberships(teams: dict[str, str], roles: frozenset[str]) -> None:
    """A coach or manager of a team must hold that role: access follows both."""
    for team, role in sorted(teams.items()):
        if role not in roles:
            raise Invalid(
                f"team {team}: being {role} in a team needs the {role} role too (roles: {format_roles(roles)})"
            )


def check_daily_limit(text: str | int) -> int:
    """A total daily limit: a whole number of questions a day, 1 to MAX_DAILY_LIMIT."""
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_DAILY_LIMIT:
        raise Invalid(f"{value!r} is not a daily limit: give a whole number of questions a day from 1 to {MAX_DAILY_LIMIT}")
    return int(value)


def check_person_daily_limit(text: str) -> int | None:
    """A person's own daily limit, or None (empty, or `default`) to follow the organisation's."""
    return None if text.strip().lower() in ("", "default") else check_daily_limit(text)


def format_roles(roles: frozenset[str] | set[str]) -> str:
    """Roles in their canonical order, `;`-separated, as in the CSV."""
    return ";".join(r for r in ROLES if r in roles)


def format_teams(teams: dict[str, str]) -> str:
    return ";".join(f"{team}:{role}" for team, role in sorted(teams.items()))

"""SQL for people and teams: users, their roles, teams and team memberships.

Every write here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
import sqlite_utils


class StoredPerson(msgspec.Struct, frozen=True):
    """One user with their roles and team memberships."""

    id: str
    email: str
    name: str
    disabled: bool
    roles: frozenset[str]
    teams: dict[str, str]  # team id -> role in that team
    daily_limit: int | None = None  # their own total daily limit; None: the organisation's


def all_people(db: sqlite_utils.Database) -> dict[str, StoredPerson]:
    """Every user, by email. Three queries whatever the number of people."""
    roles: dict[str, set[str]] = {}
    for user_id, role in db.execute("SELECT user_id, role FROM user_roles"):
        roles.setdefault(user_id, set()).add(role)
    teams: dict[str, dict[str, str]] = {}
    for team_id, user_id, role in db.execute("SELECT team_id, user_id, role FROM team_members"):
        teams.setdefault(user_id, {})[team_id] = role
    return {
        email: StoredPerson(
            user_id, email, name, bool(disabled), frozenset(roles.get(user_id, ())), teams.get(user_id, {}), daily_limit
        )
        for user_id, email, name, disabled, daily_limit in db.execute(
            "SELECT id, email, name, disabled, daily_limit FROM users ORDER BY email"
        )
    }


def user_id_for_email(db: sqlite_utils.Database, email: str) -> str | None:
    """The user id behind a normalised email address."""
    row = db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
    return str(row[0]) if row else None


def insert_user(db: sqlite_utils.Database, user_id: str, email: str, name: str, now: str) -> None:
    db.execute(
        "INSERT INTO users (id, email, name, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
        [user_id, email, name, now, now],
    )


def update_user(db: sqlite_utils.Database, user_id: str, name: str, now: str) -> None:
    """Set the name and mark the user as updated (also after a change of roles or teams)."""
    db.execute("UPDATE users SET name = ?, updated_at = ? WHERE id = ?", [name, now, user_id])


def set_roles(db: sqlite_utils.Database, user_id: str, roles: Iterable[str]) -> None:
    db.execute("DELETE FROM user_roles WHERE user_id = ?", [user_id])
    db.conn.executemany("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", [(user_id, r) for r in sorted(roles)])


def set_memberships(db: sqlite_utils.Database, user_id: str, teams: dict[str, str]) -> None:
    db.execute("DELETE FROM team_members WHERE user_id = ?", [user_id])
    db.conn.executemany(
        "INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, ?)",
        [(team, user_id, role) for team, role in sorted(teams.items())],
    )


def team_ids(db: sqlite_utils.Database) -> set[str]:
    return {str(row[0]) for row in db.execute("SELECT id FROM teams")}


def insert_team(db: sqlite_utils.Database, team_id: str, name: str, now: str) -> None:
    db.execute("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)", [team_id, name, now])


def roles_of(db: sqlite_utils.Database, user_id: str) -> frozenset[str]:
    """The roles of this user when enabled; empty when disabled or unknown."""
    rows = db.execute(
        "SELECT r.role FROM users AS u JOIN user_roles AS r ON r.user_id = u.id WHERE u.id = ? AND NOT u.disabled",
        [user_id],
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)


def memberships_of(db: sqlite_utils.Database, user_id: str) -> dict[str, str]:
    """The teams this user belongs to, each with their role in it."""
    return {str(r[0]): str(r[1]) for r in db.execute("SELECT team_id, role FROM team_members WHERE user_id = ?", [user_id])}


def enabled_people(db: sqlite_utils.Database) -> list[StoredPerson]:
    """Everyone who is not disabled: those a campaign's audience can reach."""
    return [p for p in all_people(db).values() if not p.disabled]


def daily_limit_of(db: sqlite_utils.Database, user_id: str) -> int:
    """A person's total daily limit: their own if set, else the organisation's."""
    row = db.execute(
        "SELECT coalesce((SELECT daily_limit FROM users WHERE id = ?), (SELECT daily_limit FROM organisation WHERE id = 1))",
        [user_id],
    ).fetchone()
    return int(row[0])


def set_daily_limit(db: sqlite_utils.Database, user_id: str, limit: int | None, now: str) -> None:
    """Give a person their own total daily limit, or None to follow the organisation's."""
    db.execute("UPDATE users SET daily_limit = ?, updated_at = ? WHERE id = ?", [limit, now, user_id])


def set_email(db: sqlite_utils.Database, user_id: str, email: str, now: str) -> None:
    db.execute("UPDATE users SET email = ?, updated_at = ? WHERE id = ?", [email, now, user_id])

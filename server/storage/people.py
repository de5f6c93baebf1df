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
            user_id, email, name, bool(disabled), frozenset(roles.get(user_id, ())), teams.get(user_id, {})
        )
        for user_id, email, name, disabled in db.execute("SELECT id, email, name, disabled FROM users ORDER BY email")
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


def teams_of(db: sqlite_utils.Database, user_id: str) -> set[str]:
    """The teams this user belongs to, in any team role."""
    return {str(r[0]) for r in db.execute("SELECT team_id FROM team_members WHERE user_id = ?", [user_id])}


def set_email(db: sqlite_utils.Database, user_id: str, email: str, now: str) -> None:
    db.execute("UPDATE users SET email = ?, updated_at = ? WHERE id = ?", [email, now, user_id])

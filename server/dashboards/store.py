"""SQL the dashboards read: teams, their people, and who may see which team. Runs inside the
caller's read transaction."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Team:
    id: str
    name: str


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str


def teams(db: sqlite_utils.Database) -> list[Team]:
    return [Team(str(i), str(n)) for i, n in db.execute("SELECT id, name FROM teams ORDER BY name, id")]


def team(db: sqlite_utils.Database, team_id: str) -> Team | None:
    row = db.execute("SELECT id, name FROM teams WHERE id = ?", [team_id]).fetchone()
    return Team(str(row[0]), str(row[1])) if row else None


def led_teams(db: sqlite_utils.Database, user_id: str) -> list[tuple[Team, str]]:
    """The teams this person coaches or manages, with their role there."""
    return [
        (Team(str(i), str(n)), str(r))
        for i, n, r in db.execute(
            "SELECT t.id, t.name, m.role FROM team_members m JOIN teams t ON t.id = m.team_id"
            " WHERE m.user_id = ? AND m.role IN ('coach', 'manager') ORDER BY t.name, t.id",
            [user_id],
        )
    ]


def reps_of(db: sqlite_utils.Database, team_id: str) -> list[Person]:
    """The team's reps (enabled or not: their past answers still count), by name."""
    return [
        Person(str(i), str(n), str(e))
        for i, n, e in db.execute(
            "SELECT u.id, u.name, u.email FROM team_members m JOIN users u ON u.id = m.user_id"
            " WHERE m.team_id = ? AND m.role = 'rep' ORDER BY u.name, u.email",
            [team_id],
        )
    ]


def person(db: sqlite_utils.Database, user_id: str) -> Person | None:
    row = db.execute("SELECT id, name, email FROM users WHERE id = ?", [user_id]).fetchone()
    return Person(str(row[0]), str(row[1]), str(row[2])) if row else None

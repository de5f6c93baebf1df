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


# ---- retention sums (server/dashboards/aggregates.py keeps them) -------------------------------

Sums = dict[tuple[str, str], tuple[int, int, int]]  # (row key, competency) -> (n, right, guess ppm)


def team_retention(db: sqlite_utils.Database, team_id: str, first_day: int, last_day: int) -> Sums:
    """Per (rep, competency) of the team: counted answers in the window."""
    rows = db.execute(
        "SELECT r.user_id, r.competency_id, SUM(r.n), SUM(r.n_right), SUM(r.guess_ppm) FROM team_members AS m"
        " JOIN retention_days AS r ON r.user_id = m.user_id AND r.local_day BETWEEN ? AND ?"
        " WHERE m.team_id = ? AND m.role = 'rep' GROUP BY r.user_id, r.competency_id",
        [first_day, last_day, team_id],
    )
    return {(str(u), str(c)): (int(n), int(r), int(g)) for u, c, n, r, g in rows}


def teams_retention(db: sqlite_utils.Database, first_day: int, last_day: int) -> Sums:
    """Per (team, competency): the counted answers of the team's reps in the window.

    Sums per rep and competency first, reading the table in its key order (`+local_day` keeps
    SQLite off the by-day index, whose order would need a sort of every row in the window):
    twice as fast on 2,000 reps and 120 days of history (bench/dashboard.py), though it reads the
    whole history, not only the window."""
    rows = db.execute(
        "SELECT m.team_id, s.competency_id, SUM(s.n), SUM(s.n_right), SUM(s.guess_ppm) FROM"
        " (SELECT user_id, competency_id, SUM(n) AS n, SUM(n_right) AS n_right, SUM(guess_ppm) AS guess_ppm"
        "  FROM retention_days WHERE +local_day BETWEEN ? AND ? GROUP BY user_id, competency_id) AS s"
        " JOIN team_members AS m ON m.user_id = s.user_id AND m.role = 'rep' GROUP BY m.team_id, s.competency_id",
        [first_day, last_day],
    )
    return {(str(t), str(c)): (int(n), int(r), int(g)) for t, c, n, r, g in rows}


def rep_retention_days(db: sqlite_utils.Database, user_id: str) -> list[tuple[str, int, int, int, int]]:
    """(competency, day, n, right, guess ppm) of one rep, every day."""
    rows = db.execute(
        "SELECT competency_id, local_day, n, n_right, guess_ppm FROM retention_days WHERE user_id = ? ORDER BY local_day",
        [user_id],
    )
    return [(str(c), int(d), int(n), int(r), int(g)) for c, d, n, r, g in rows]


def rep_answers(db: sqlite_utils.Database, user_id: str) -> list[tuple[str, str, int, str, bool, int]]:
    """(question, answer id, day, answered at, right, content version) of every answer of a rep."""
    rows = db.execute(
        "SELECT question_id, id, local_day, answered_at, correct, content_version FROM answers WHERE user_id = ?",
        [user_id],
    )
    return [(str(q), str(i), int(d), str(a), bool(c), int(v)) for q, i, d, a, c, v in rows]


def progress_of_users(db: sqlite_utils.Database, user_ids: list[str]) -> list[tuple[str, str, str]]:
    """(user, question, state JSON) of these users' scheduler states."""
    found: list[tuple[str, str, str]] = []
    for i in range(0, len(user_ids), 500):
        chunk = user_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.extend(
            (str(u), str(q), str(s))
            for u, q, s in db.execute(
                f"SELECT user_id, question_id, state FROM progress WHERE user_id IN ({marks})", chunk
            )
        )
    return found


def rep_ids_by_team(db: sqlite_utils.Database) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for t, u in db.execute("SELECT team_id, user_id FROM team_members WHERE role = 'rep'"):
        found.setdefault(str(t), []).append(str(u))
    return found


def names(db: sqlite_utils.Database, user_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i in range(0, len(user_ids), 500):
        chunk = user_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            (str(u), str(n)) for u, n in db.execute(f"SELECT id, name FROM users WHERE id IN ({marks})", chunk)
        )
    return found

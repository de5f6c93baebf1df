"""A small dashboards fixture: known answers of three reps in two teams, an observation, in a
real SQLite file (tests/test_dashboard_pages.py has the hand computations)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from server import migrations
from server.dashboards import aggregates
from server.db import connect
from server.library.publish import publish
from server.storage import answers as answer_store
from tests.support.paths import FIXTURE_LIBRARY
from tests.support.server import run_recap

BASE_DAY = 20500  # the hand computations' "today" (2026-02-16); window 20471–20500
PEOPLE = """email,name,roles,teams
rep@example.com,Robin Rep,rep,demo:rep
sam@example.com,Sam Rep,rep,demo:rep
rep2@example.com,Riley Rep,rep,north:rep
coach@example.com,Casey Coach,coach,demo:coach
manager@example.com,Morgan Manager,manager,demo:manager
admin@example.com,Alex Admin,admin,
"""


def history() -> list[tuple[str, str, int, int, bool]]:
    """(email, question, day, hour, right). who-else and pick-two: discovery, 3 options with 1
    right and 3 with 2 right: guessing 1/3 each. next-step: closing, 2 options: guessing 1/2."""
    robin = [
        ("rep@example.com", "who-else", 20460, 9, True),
        ("rep@example.com", "who-else", 20465, 9, False),
    ]  # before the window
    robin += [
        ("rep@example.com", "who-else", day, 9, day <= 20490) for day in range(20471, 20495)
    ]  # 24 counted, 20 right
    robin += [("rep@example.com", "who-else", 20471, 10, False)]  # a second answer that day: not counted
    robin += [("rep@example.com", "next-step", d, 9, r) for d, r in ((20490, False), (20495, True), (20500, False))]
    sam = [("sam@example.com", "who-else", 20480, 9, True)]
    sam += [("sam@example.com", "who-else", day, 9, day <= 20483) for day in range(20481, 20487)]  # 6 counted, 3 right
    riley = [("rep2@example.com", "pick-two", 20480, 9, False)] + [
        ("rep2@example.com", "pick-two", d, 9, True) for d in range(20490, 20500)
    ]
    return robin + sam + riley


def build(path: Path, today: int = BASE_DAY) -> dict[str, str]:
    """The fixture with its days moved so that BASE_DAY falls on `today`; the users' ids by email."""
    shift = today - BASE_DAY
    tmp_path = path.parent
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()
    (tmp_path / "people.csv").write_text(PEOPLE)
    result = run_recap("users", "import", str(tmp_path / "people.csv"), db_path=path)
    assert result.returncode == 0, result.stdout + result.stderr
    db = connect(path)
    ids = {str(e): str(i) for i, e in db.execute("SELECT id, email FROM users")}
    rows: list[list[Any]] = []
    for n, (email, question, base_day, hour, right) in enumerate(history()):
        day = base_day + shift
        at = (datetime.datetime(1970, 1, 1, hour, tzinfo=datetime.UTC) + datetime.timedelta(days=day)).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z"
        )
        rows.append(
            [
                f"a{n:04d}",
                ids[email],
                "dev",
                f"m{n}",
                question,
                1,
                1,
                "[1]",
                int(right),
                int(right),
                at,
                at,
                day,
                3000,
                at,
                n + 1,
            ]
        )
    state = {
        "fields": {
            "observed_on": {"value": "2026-02-02"}, "competencies": {"value": ["discovery"]},
            "rating:discovery-rubric:asks-who": {"value": 2}, "rating:discovery-rubric:listens": {"value": 3},
            "next_step": {"value": "Ask who else decides"},
        }
    }  # fmt: skip
    with db.conn:
        answer_store.insert(db, rows)
        aggregates.rebuild(db)
        db.execute(
            "INSERT INTO observations (id, author_id, rep_id, rev, shared, state, created_at, updated_at, seq) VALUES (?, ?, ?, 1, 1, ?, ?, ?, 1)",
            [
                "o1",
                ids["coach@example.com"],
                ids["rep@example.com"],
                json.dumps(state),
                "2026-02-02T10:00:00.000Z",
                "2026-02-02T10:00:00.000Z",
            ],
        )
    db.close()
    return ids

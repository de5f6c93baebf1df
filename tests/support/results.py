"""A database with reps, answers and results for the results page and the xAPI export."""

from __future__ import annotations

import uuid
from pathlib import Path

from server import migrations
from server.dashboards import aggregates
from server.db import connect
from server.library.publish import publish
from tests.support.paths import FIXTURE_LIBRARY
from tests.support.server import run_recap

# Six reps of team demo (rep@example.com is the demo account) and rep2 of team north.
# Each answers who-else (3 options) first on 2026-09-30 (not counted: a first answer), then once
# on each of the first 24 days of October 2026 (first of day: counted) and again later the same
# day (not counted), RIGHT[email] of those 24 right. Rep Five also answers wrong on 3 days of
# January 2027: after the period 2026-Q4, so not counted in it.
RIGHT = {"rep@example.com": 8, "r1@example.com": 12, "r2@example.com": 14, "r3@example.com": 16, "r4@example.com": 20, "r5@example.com": 24}
OCTOBER_1 = 20727  # the local day number of 2026-10-01
WIN_RATE = {"rep@example.com": 0.1, "r1@example.com": 0.3, "r2@example.com": 0.2, "r3@example.com": 0.4, "r4@example.com": 0.5, "r5@example.com": 0.6}
PEOPLE = """email,name,roles,teams
rep@example.com,Robin Rep,rep,demo:rep
rep2@example.com,Riley Rep,rep,north:rep
coach@example.com,Casey Coach,coach,demo:coach
editor@example.com,Eden Editor,editor,
manager@example.com,Morgan Manager,manager,demo:manager
admin@example.com,Alex Admin,admin,
r1@example.com,Rep One,rep,demo:rep
r2@example.com,Rep Two,rep,demo:rep
r3@example.com,Rep Three,rep,demo:rep
r4@example.com,Rep Four,rep,demo:rep
r5@example.com,Rep Five,rep,demo:rep
"""


def answer(db: object, user_id: str, question: str, at: str, day: int, correct: bool, duration_ms: int | None = 4200) -> str:
    answer_id = str(uuid.uuid4())
    db.execute(  # type: ignore[attr-defined]
        "INSERT INTO answers (id, user_id, device_id, mutation_id, question_id, content_version, rev, choice, correct,"
        " device_correct, answered_at, device_time, local_day, duration_ms, received_at)"
        " VALUES (?, ?, 'dev-1', ?, ?, 1, 1, '[2]', ?, ?, ?, ?, ?, ?, ?)",
        [answer_id, user_id, str(uuid.uuid4()), question, int(correct), int(correct), at, at, day, duration_ms, at],
    )
    return answer_id


def results_database(tmp_path: Path) -> Path:
    path = tmp_path / "results.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, FIXTURE_LIBRARY)
    db.close()
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE)
    result = run_recap("users", "import", str(people), db_path=path)
    assert result.returncode == 0, result.stdout + result.stderr
    db = connect(path)
    with db.conn:
        for email, right in RIGHT.items():
            user_id = str(db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0])
            answer(db, user_id, "who-else", "2026-09-30T08:00:00.000Z", OCTOBER_1 - 1, False)
            for i in range(24):
                at = f"2026-10-{i + 1:02d}T08:00:00.000Z"
                answer(db, user_id, "who-else", at, OCTOBER_1 + i, i < right)
                answer(db, user_id, "who-else", at.replace("T08", "T09"), OCTOBER_1 + i, True)  # same day: not counted
            if email == "r5@example.com":
                for i in range(3):
                    answer(db, user_id, "who-else", f"2027-01-{i + 4:02d}T08:00:00.000Z", OCTOBER_1 + 95 + i, False)
        aggregates.rebuild(db)  # what every push keeps up to date
    db.close()
    rows = ["email,period,win_rate,margin"] + [f"{e},2026-Q4,{w}," for e, w in WIN_RATE.items()] + ["rep2@example.com,2026-Q4,0.9,12"]
    (tmp_path / "results.csv").write_text("\n".join(rows) + "\n")
    result = run_recap("results", "import", str(tmp_path / "results.csv"), db_path=path)
    assert result.returncode == 0, result.stdout + result.stderr
    return path

"""A small organisation with known records, for the adoption, coaching and content quality
dashboards: every figure the tests expect is worked out by hand in the comments below
(docs/measures.md). A real SQLite file: the demo library published, people imported with the
`recap` command, records written as sync stores them."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from server import migrations
from server.dashboards import adoption_aggregates, aggregates
from server.db import connect
from server.library.publish import publish
from sync.practice import date_of
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import run_recap

DAY = 20_788  # Tuesday 2026-12-01: "today" for the pages (their clock says so)
Q = "who-else-is-involved"  # 4 options, right: 1; in value-selling-foundations (fsrs)
Q2 = "match-the-message-to-the-buyer"
CAMPAIGN = "value-selling-foundations"

ACCOUNTS = """email,name,roles,teams
rep@example.com,Robin Rep,rep,demo:rep
ann@example.com,Ann Adams,rep,demo:rep
rep2@example.com,Riley Rep,rep,north:rep
coach@example.com,Casey Coach,coach,demo:coach
coach2@example.com,Cody North,coach,north:coach
editor@example.com,Eden Editor,editor,
manager@example.com,Morgan Manager,manager,demo:manager
manager2@example.com,Nora North,manager,north:manager
admin@example.com,Alex Admin,admin,
"""

# Answers: (who, question, local day offset from DAY, choice, right, duration ms)
ANSWERS = [
    ("rep@example.com", Q, -2, 2, False, 20_000),  # Robin: wrong first
    ("rep@example.com", Q, -1, 1, True, 10_000),  # due again by fsrs within a day or so: on time
    ("rep@example.com", Q2, 0, 1, True, None),  # a first answer: not counted for timing
    ("ann@example.com", Q, -40, 1, True, 5_000),  # Ann: right first, before the period
    ("ann@example.com", Q, -10, 1, True, 8_000),  # 30 days later: past its due day (late)
    ("rep2@example.com", Q, 0, 2, False, 30_000),  # Riley (north): wrong first
]


def _uid(db: sqlite_utils.Database, email: str) -> str:
    return str(db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0])


def _at(offset: int, hour: int = 9) -> str:
    return f"{date_of(DAY + offset)}T{hour:02d}:00:00.000Z"


def build(path: Path) -> dict[str, str]:
    """Make the database; returns user ids by email."""
    db = connect(path)
    migrations.apply(db)
    publish(db, DEMO_LIBRARY)
    db.close()
    accounts = path.with_suffix(".csv")
    accounts.write_text(ACCOUNTS)
    result = run_recap("users", "import", str(accounts), db_path=path)
    assert result.returncode == 0, result.stdout + result.stderr
    db = connect(path)
    ids = {email: _uid(db, email) for email in [line.split(",")[0] for line in ACCOUNTS.splitlines()[1:]]}
    rev = int(db.execute("SELECT rev FROM item_versions WHERE kind = 'question' AND item_id = ?", [Q]).fetchone()[0])
    seq = 0
    with db.conn:
        for n, (email, question, offset, choice, right, ms) in enumerate(ANSWERS):
            seq += 1
            db.execute(
                "INSERT INTO answers (id, user_id, device_id, mutation_id, question_id, content_version, rev, choice, correct,"
                " device_correct, answered_at, device_time, local_day, duration_ms, received_at, seq)"
                " VALUES (?, ?, 'dev', ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [f"ans-{n}", ids[email], f"mut-{n}", question, rev, json.dumps([choice]), int(right), int(right),
                 _at(offset), _at(offset), DAY + offset, ms, _at(offset), seq],
            )  # fmt: skip
        # Enrollments: Robin from yesterday, Ann from 40 days ago; Riley none.
        for email, offset in (("rep@example.com", -1), ("ann@example.com", -40)):
            db.execute(
                "INSERT INTO enrollments (user_id, campaign_id, enrolled_day, start_day, enrolled_at) VALUES (?, ?, ?, ?, ?)",
                [ids[email], CAMPAIGN, DAY + offset, DAY + offset, _at(offset)],
            )
        # Nuggets: Robin read the-value-wedge, and read then took back three-discovery-questions -> 1 read.
        for n, (nugget, ok, hour) in enumerate((("the-value-wedge", 1, 9), ("three-discovery-questions", 1, 10), ("three-discovery-questions", 0, 11))):
            seq += 1
            db.execute(
                "INSERT INTO acknowledgements (id, user_id, device_id, mutation_id, item_kind, item_id, acknowledged, comment, at,"
                " device_time, local_day, received_at, seq) VALUES (?, ?, 'dev', ?, 'nugget', ?, ?, NULL, ?, ?, ?, ?, ?)",
                [f"ack-{n}", ids["rep@example.com"], f"mack-{n}", nugget, ok, _at(-3, hour), _at(-3, hour), DAY - 3, _at(-3, hour), seq],
            )  # fmt: skip
        # Refreshers opened (payload v3): Robin opened A yesterday on two devices and today, and
        # B 40 days ago (before the period) -> 2 refresher-days, 1 different refresher.
        opened = (("how-to-build-a-why-change-message", -1, "d1"), ("how-to-build-a-why-change-message", -1, "d2"),
                  ("how-to-build-a-why-change-message", 0, "d1"), ("how-to-bring-a-case-to-intervision", -40, "d1"))  # fmt: skip
        for n, (refresher, offset, device) in enumerate(opened):
            seq += 1
            db.execute(
                "INSERT INTO acknowledgements (id, user_id, device_id, mutation_id, item_kind, item_id, acknowledged, comment, at,"
                " device_time, local_day, received_at, seq) VALUES (?, ?, ?, ?, 'refresher', ?, 1, NULL, ?, ?, ?, ?, ?)",
                [f"ref-{n}", ids["rep@example.com"], device, f"mref-{n}", refresher, _at(offset), _at(offset), DAY + offset, _at(offset), seq],
            )  # fmt: skip
        # Reminders: Robin one sent in the period (and one before it), Ann one that failed.
        for email, offset, outcome in (("rep@example.com", -1, "sent"), ("rep@example.com", -40, "sent"), ("ann@example.com", -3, "failed: no device took it")):
            db.execute(
                "INSERT INTO reminders_sent (user_id, local_date, channel, claimed_at, outcome) VALUES (?, ?, 'push', ?, ?)",
                [ids[email], date_of(DAY + offset), _at(offset), outcome],
            )
        # Robin opened yesterday's reminder (twice, two devices) and the one before the period.
        for n, (offset, device) in enumerate(((-1, "d1"), (-1, "d2"), (-40, "d1"))):
            seq += 1
            db.execute(
                "INSERT INTO acknowledgements (id, user_id, device_id, mutation_id, item_kind, item_id, acknowledged, comment, at,"
                " device_time, local_day, received_at, seq) VALUES (?, ?, ?, ?, 'reminder', ?, 1, NULL, ?, ?, ?, ?, ?)",
                [f"rem-{n}", ids["rep@example.com"], device, f"mrem-{n}", date_of(DAY + offset), _at(offset), _at(offset), DAY + offset, _at(offset), seq],
            )  # fmt: skip
        # Observations by Casey (coach of demo): Robin on DAY-6 (shared), Ann on DAY-3 (not shared).
        observations = (
            ("obs-1", "rep@example.com", -6, True, {"discovery-rubric:maps-who-decides": 1, "discovery-rubric:asks-about-goals": 3}),
            ("obs-2", "ann@example.com", -3, False, {"discovery-rubric:maps-who-decides": 2, "discovery-rubric:listens-and-follows-up": 2}),
        )
        for oid, email, offset, shared, ratings in observations:
            fields = {"observed_on": date_of(DAY + offset), "rep_id": ids[email], "shared": shared}
            fields |= {f"rating:{k}": v for k, v in ratings.items()}
            seq += 1
            db.execute(
                "INSERT INTO observations (id, author_id, rep_id, rev, shared, state, created_at, updated_at, seq) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)",
                [oid, ids["coach@example.com"], ids[email], int(shared), json.dumps({"fields": {k: {"value": v} for k, v in fields.items()}}),
                 _at(offset), _at(offset), seq],
            )  # fmt: skip
        # Intervision: demo held one (stage 4, DAY-14) and has one under way (stage 2, DAY-2).
        for sid, offset, stage in (("ses-1", -14, 4), ("ses-2", -2, 2)):
            seq += 1
            fields = {"team_id": "demo", "case_owner_id": ids["rep@example.com"], "held_on": date_of(DAY + offset), "stage": stage}
            db.execute(
                "INSERT INTO intervision_sessions (id, moderator_id, team_id, case_owner_id, rev, state, created_at, updated_at, seq)"
                " VALUES (?, ?, 'demo', ?, 1, ?, ?, ?, ?)",
                [sid, ids["coach@example.com"], ids["rep@example.com"], json.dumps({"fields": {k: {"value": v} for k, v in fields.items()}}),
                 _at(offset), _at(offset), seq],
            )  # fmt: skip
        db.execute("UPDATE seq_counter SET value = ?", [seq])
        # Answers written here, not pushed: the dashboards' aggregates recomputed as a migration does.
        aggregates.rebuild(db)
        adoption_aggregates.rebuild(db)
    db.close()
    return ids

"""SQL for the xAPI export (m014): the secret behind its pseudonyms, the events it turns into
statements, and how far each learning record store has been sent."""

from __future__ import annotations

import datetime
import secrets

import sqlite_utils

from server.db import write_transaction
from server.xapi.statements import AnswerRow, ObservationRow, ReadRow
from sync.clock import format_utc

Event = tuple[str, AnswerRow | ReadRow | ObservationRow]  # (stored at, the event)


def secret(db: sqlite_utils.Database, now: datetime.datetime) -> bytes:
    """The server's xAPI secret, made at first use and kept (backed up with the database).
    Two processes making it at once agree: the first insert wins."""
    row = db.execute("SELECT secret FROM xapi_secret WHERE id = 1").fetchone()
    if row is None:
        with write_transaction(db):
            db.execute(
                "INSERT OR IGNORE INTO xapi_secret (id, secret, created_at) VALUES (1, ?, ?)",
                [secrets.token_hex(32), format_utc(now)],
            )
        row = db.execute("SELECT secret FROM xapi_secret WHERE id = 1").fetchone()
    return bytes.fromhex(str(row[0]))


PAGE = 2_000


def events(db: sqlite_utils.Database, after: tuple[str, str] = ("", ""), limit: int = PAGE) -> list[Event]:
    """Up to `limit` exportable events stored after `after` (a (stored at, id) pair; ("x", "")
    starts at stored-at x inclusive), in (stored at, id) order: answers, nuggets marked read, and
    observations shared with their rep. Each source is read by its index, a page at a time."""
    found: list[Event] = []
    for i, u, q, c, at, ms, v, stored in db.execute(
        "SELECT id, user_id, question_id, correct, answered_at, duration_ms, content_version, received_at"
        " FROM answers WHERE (received_at, id) > (?, ?) ORDER BY received_at, id LIMIT ?",
        [*after, limit],
    ):
        found.append((str(stored), AnswerRow(str(i), str(u), str(q), bool(c), str(at), ms, int(v))))
    for i, u, item, at, stored in db.execute(
        "SELECT id, user_id, item_id, at, received_at FROM acknowledgements"
        " WHERE (received_at, id) > (?, ?) AND item_kind = 'nugget' AND acknowledged = 1 ORDER BY received_at, id LIMIT ?",
        [*after, limit],
    ):
        found.append((str(stored), ReadRow(str(i), str(u), str(item), str(at))))
    for i, rep, author, created, updated in db.execute(
        "SELECT id, rep_id, author_id, created_at, updated_at FROM observations"
        " WHERE (updated_at, id) > (?, ?) AND shared ORDER BY updated_at, id LIMIT ?",
        [*after, limit],
    ):
        found.append((str(updated), ObservationRow(str(i), str(rep), str(author), str(created))))
    found.sort(key=lambda e: (e[0], e[1].id))
    return found[:limit]


def position(db: sqlite_utils.Database, endpoint: str) -> str:
    """The latest stored-at time delivered to this store ('' before the first push)."""
    row = db.execute("SELECT position FROM xapi_deliveries WHERE endpoint = ?", [endpoint]).fetchone()
    return str(row[0]) if row else ""


def delivered(db: sqlite_utils.Database, endpoint: str, at: str, count: int, now: datetime.datetime) -> None:
    """Remember that everything stored up to `at` reached this store."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO xapi_deliveries (endpoint, position, delivered, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (endpoint) DO UPDATE SET position = max(position, excluded.position),"
            " delivered = delivered + excluded.delivered, updated_at = excluded.updated_at",
            [endpoint, at, count, format_utc(now)],
        )

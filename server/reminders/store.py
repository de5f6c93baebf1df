"""SQL for reminders: people's choices, their push subscriptions, and the day each was reminded."""

from __future__ import annotations

import datetime

import msgspec
import sqlite_utils

from server.db import write_transaction
from server.reminders.rules import Candidate, Preferences
from sync.clock import parse

# A person's subscriptions beyond this many: the oldest go (a phone re-installed ten times).
MAX_SUBSCRIPTIONS = 10


class Subscription(msgspec.Struct, frozen=True):
    endpoint: str
    p256dh: str
    auth: str


def preferences(db: sqlite_utils.Database, user_id: str) -> Preferences | None:
    row = db.execute(
        "SELECT enabled, at_minute, quiet_start, quiet_end, time_zone, email, starts_on FROM reminder_settings WHERE user_id = ?",
        [user_id],
    ).fetchone()
    if row is None:
        return None
    return Preferences(
        enabled=bool(row[0]), at_minute=row[1], quiet_start=row[2], quiet_end=row[3], time_zone=row[4], email=bool(row[5]),
        starts_on=_date(row[6]),
    )  # fmt: skip


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def save_preferences(db: sqlite_utils.Database, user_id: str, prefs: Preferences, stamp: str, *, only_if_new: bool = False) -> None:
    """Keep a person's choices; `only_if_new`: unless they have some already (the app's defaults
    never overwrite what the person chose)."""
    conflict = "NOTHING" if only_if_new else (
        "UPDATE SET enabled = excluded.enabled, at_minute = excluded.at_minute, quiet_start = excluded.quiet_start,"
        " quiet_end = excluded.quiet_end, time_zone = excluded.time_zone, email = excluded.email,"
        " starts_on = excluded.starts_on, updated_at = excluded.updated_at"
    )  # fmt: skip
    with write_transaction(db):
        db.execute(
            "INSERT INTO reminder_settings (user_id, enabled, at_minute, quiet_start, quiet_end, time_zone, email, starts_on,"
            f" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO {conflict}",
            [user_id, int(prefs.enabled), prefs.at_minute, prefs.quiet_start, prefs.quiet_end, prefs.time_zone,
             int(prefs.email), prefs.starts_on.isoformat() if prefs.starts_on else None, stamp],
        )  # fmt: skip


def subscribe(db: sqlite_utils.Database, user_id: str, sub: Subscription, stamp: str) -> None:
    """Keep a subscription for `user_id`. An endpoint already known moves to them (the browser
    is now theirs) with its new keys; one person keeps at most MAX_SUBSCRIPTIONS, newest first."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh,"
            " auth = excluded.auth, created_at = excluded.created_at",
            [sub.endpoint, user_id, sub.p256dh, sub.auth, stamp],
        )
        db.execute(
            "DELETE FROM push_subscriptions WHERE user_id = ?1 AND endpoint NOT IN"
            " (SELECT endpoint FROM push_subscriptions WHERE user_id = ?1 ORDER BY created_at DESC, endpoint LIMIT ?2)",
            [user_id, MAX_SUBSCRIPTIONS],
        )


def unsubscribe(db: sqlite_utils.Database, user_id: str, endpoint: str) -> bool:
    """Forget one of the caller's own subscriptions; False when they have none with that endpoint."""
    with write_transaction(db):
        return bool(db.execute("DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?", [endpoint, user_id]).rowcount)


def drop_subscription(db: sqlite_utils.Database, endpoint: str) -> None:
    """The push service says the subscription is gone (404, 410): stop sending to it."""
    with write_transaction(db):
        db.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", [endpoint])


def subscriptions(db: sqlite_utils.Database, user_id: str) -> list[Subscription]:
    rows = db.execute(
        "SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, endpoint", [user_id]
    ).fetchall()
    return [Subscription(*row) for row in rows]


def candidates(db: sqlite_utils.Database) -> list[Candidate]:
    """Everyone with reminders on, as rules.decide needs them. A development user without an
    account (RECAP_DEV_AUTH) has no address, so no email."""
    rows = db.execute(
        """
        SELECT s.user_id, s.enabled, s.at_minute, s.quiet_start, s.quiet_end, s.time_zone, s.email, s.starts_on,
               u.email, u.disabled,
               EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.user_id = s.user_id),
               (SELECT max(answered_at) FROM answers a WHERE a.user_id = s.user_id),
               (SELECT max(local_date) FROM reminders_sent r WHERE r.user_id = s.user_id),
               EXISTS (SELECT 1 FROM enrollments e WHERE e.user_id = s.user_id)
        FROM reminder_settings s LEFT JOIN users u ON u.id = s.user_id
        WHERE s.enabled = 1
        ORDER BY s.user_id
        """
    ).fetchall()
    found = []
    for row in rows:
        if row[9]:
            continue  # a disabled account gets nothing
        prefs = Preferences(enabled=bool(row[1]), at_minute=row[2], quiet_start=row[3], quiet_end=row[4], time_zone=row[5],
                            email=bool(row[6]) and row[8] is not None, starts_on=_date(row[7]))  # fmt: skip
        person = Candidate(
            user_id=row[0], email_address=row[8] or "", preferences=prefs, has_push=bool(row[10]),
            last_answer_at=parse(row[11]) if row[11] else None, last_reminded=_date(row[12]), enrolled=bool(row[13]),
        )  # fmt: skip
        found.append(person)
    return found


def claim(db: sqlite_utils.Database, user_id: str, local_date: datetime.date, channel: str, stamp: str) -> bool:
    """Take the (person, local day) before sending: True for the one caller that wrote the row.

    The primary key makes this the whole guarantee: whichever process or restart asks second
    finds the row and sends nothing.
    """
    with write_transaction(db):
        return bool(
            db.execute(
                "INSERT OR IGNORE INTO reminders_sent (user_id, local_date, channel, claimed_at) VALUES (?, ?, ?, ?)",
                [user_id, local_date.isoformat(), channel, stamp],
            ).rowcount
        )


def finish(db: sqlite_utils.Database, user_id: str, local_date: datetime.date, channel: str, outcome: str) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE reminders_sent SET channel = ?, outcome = ? WHERE user_id = ? AND local_date = ?",
            [channel, outcome[:500], user_id, local_date.isoformat()],
        )



def sent_on(db: sqlite_utils.Database, user_id: str, dates: list[str]) -> set[str]:
    """Which of these days (YYYY-MM-DD) a reminder was sent to the person: what they may record
    as opened (docs/sync.md, acknowledgement v3)."""
    if not dates:
        return set()
    marks = ",".join("?" * len(dates))
    rows = db.execute(
        f"SELECT local_date FROM reminders_sent WHERE user_id = ? AND outcome = 'sent' AND local_date IN ({marks})", [user_id, *dates]
    )
    return {str(r[0]) for r in rows}

"""The reminder check on a schedule, in the server process: a job of the server's APScheduler
background scheduler (server/jobs.py), started and stopped with the app.

The check runs every RECAP_REMINDER_EVERY_SECONDS (60 by default) on its own connection; one
run at a time (max_instances=1), a run missed while the machine slept is run once, not many
times (coalesce). Sending twice is impossible whatever the schedule does: the day is claimed in
the database first (server/reminders/sender.py).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from server import migrations
from server.db import connect
from server.reminders import sender
from server.settings import Settings

log = logging.getLogger("recap.reminders")
JOB_ID = "recap-reminders"


def run_once(settings: Settings, clock: Callable[[], datetime.datetime]) -> list[sender.Sent]:
    """One check on a connection of its own (the scheduler's thread is not a request's)."""
    db = connect(settings.db_path, settings.busy_timeout_ms)
    try:
        if migrations.pending(db):
            return []  # not ready (RECAP_MIGRATE=0 and `recap migrate` not run yet): nothing to read
        return sender.check(db, settings, clock())
    except Exception:
        log.exception("the reminder check failed; the next one runs on schedule")
        return []
    finally:
        db.close()


def add(scheduler: BackgroundScheduler, settings: Settings, clock: Callable[[], datetime.datetime]) -> None:
    """Add the reminder check to the server's scheduler (server/jobs.py), unless reminders are off."""
    if not settings.reminders:
        log.info("reminders are off (RECAP_REMINDERS=0)")
        return
    every = settings.reminder_every_seconds
    scheduler.add_job(
        run_once, IntervalTrigger(seconds=every, timezone=datetime.UTC), args=[settings, clock], id=JOB_ID,
        max_instances=1, coalesce=True, misfire_grace_time=every, next_run_time=datetime.datetime.now(datetime.UTC),
    )  # fmt: skip
    log.info("reminders: checking every %s s", every)

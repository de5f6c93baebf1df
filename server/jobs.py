"""The server's background jobs, on one APScheduler background scheduler started and stopped with
the app (server/app.py): the reminder check (server/reminders/schedule.py) and the video
housekeeping (server/uploads/housekeeping.py). Each job opens its own connection."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from server.reminders import schedule as reminders
from server.settings import Settings
from server.uploads import housekeeping


def start(settings: Settings, clock: Callable[[], datetime.datetime]) -> BackgroundScheduler:
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not two lines a minute about each run
    scheduler = BackgroundScheduler(timezone=datetime.UTC)
    reminders.add(scheduler, settings, clock)
    housekeeping.add(scheduler, settings, clock)
    scheduler.start()
    return scheduler


def stop(scheduler: BackgroundScheduler | None) -> None:
    """Stop scheduling; a job in progress finishes first (what it claimed is already written)."""
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)

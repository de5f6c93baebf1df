"""Keeping the video storage tidy: expired unfinished uploads go (every hour), and videos past the
organisation's retention that are not team examples go (every day, and `recap videos prune`).

Rows are deleted in one write transaction first, files after it commits: a crash in between
leaves a file without a row (swept by the next run), never a row without its file. So does a
crash between an upload's file reaching its content address and its row (server/uploads/
transfer.py): the upload's next PATCH finishes it from that file, and if nobody comes back, the
daily run deletes a video file that no video row and no unfinished upload names once it is an
hour old (younger, it may be an upload finishing at this moment).
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from server import migrations
from server.db import connect, write_transaction
from server.settings import Settings
from server.uploads import files, protocol, retention, store

log = logging.getLogger("recap.uploads")
EXPIRY_JOB = "recap-uploads-expired"
RETENTION_JOB = "recap-videos-retention"
STRAY_GRACE = datetime.timedelta(hours=1)


@dataclass
class Tidied:
    """What one run removed (or, dry, would remove)."""

    expired: list[str] = field(default_factory=list)  # upload ids
    stray_partials: int = 0
    videos: list[str] = field(default_factory=list)  # SHA-256
    video_bytes: int = 0
    stray_videos: int = 0


def expire(db: sqlite_utils.Database, layout: files.Layout, now: datetime.datetime, dry_run: bool = False) -> Tidied:
    """Delete unfinished uploads past their expiry, their partial files, and partial files no
    upload row names (left by a crash between a row's deletion and its file's)."""
    done = Tidied()
    with write_transaction(db):
        done.expired = store.expired_unfinished(db, now)
        if not dry_run:
            for upload_id in done.expired:
                store.delete(db, upload_id)
        known = {str(r[0]) for r in db.execute("SELECT id FROM uploads")}
    for upload_id in done.expired:
        if not dry_run:
            files.remove(layout.partial(upload_id))
    for partial in sorted(layout.uploads.glob("*.part")) if layout.uploads.exists() else []:
        name = partial.name.removesuffix(".part")
        if protocol.UPLOAD_ID.fullmatch(name) and name not in known and name not in done.expired:
            done.stray_partials += 1
            if not dry_run:
                files.remove(partial)
    return done


def prune(db: sqlite_utils.Database, layout: files.Layout, now: datetime.datetime, dry_run: bool = False) -> Tidied:
    """Delete the videos past retention that no pitch keeps as an example (docs/uploads.md "Retention")."""
    done = Tidied()
    with write_transaction(db):
        held = store.videos(db)
        done.videos = retention.to_delete(
            [retention.Stored(v.sha256, v.created_at) for v in held],
            store.exemplar_videos(db),
            store.retention_days(db),
            now,
        )
        sizes = {v.sha256: v.size for v in held}
        done.video_bytes = sum(sizes[sha] for sha in done.videos)
        if not dry_run:
            for sha in done.videos:
                store.delete_video(db, sha)
        named = {v.sha256 for v in held} | store.unfinished_sha256s(db)  # the videos pruned here go below
    if not dry_run:
        for sha in done.videos:
            files.remove(layout.video(sha))
    old_enough = (now - STRAY_GRACE).timestamp()
    for sha, path in files.video_files(layout):
        if sha in named or _modified(path) > old_enough:
            continue
        done.stray_videos += 1
        if not dry_run:
            files.remove(path)
    return done


def _modified(path: Path) -> float:
    """When a file was last written; +inf when it is gone meanwhile (another server's run)."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return math.inf


def _run(settings: Settings, clock: Callable[[], datetime.datetime], work: str) -> None:
    db = connect(settings.db_path, settings.busy_timeout_ms)
    try:
        if migrations.pending(db):
            return  # not ready (RECAP_MIGRATE=0 and `recap migrate` not run yet)
        layout = files.Layout(settings.var_dir)
        if work == "expire":
            done = expire(db, layout, clock())
            if done.expired or done.stray_partials:
                log.info(
                    "uploads: %d expired upload(s) and %d stray partial file(s) deleted",
                    len(done.expired),
                    done.stray_partials,
                )
        else:
            done = prune(db, layout, clock())
            if done.videos or done.stray_videos:
                log.info(
                    "videos: %d past retention deleted (%d bytes), %d stray video file(s) deleted",
                    len(done.videos),
                    done.video_bytes,
                    done.stray_videos,
                )
    except Exception:
        log.exception("video housekeeping (%s) failed; the next run is on schedule", work)
    finally:
        db.close()


def add(scheduler: BackgroundScheduler, settings: Settings, clock: Callable[[], datetime.datetime]) -> None:
    """Add both jobs to the server's scheduler (server/jobs.py)."""
    start = datetime.datetime.now(datetime.UTC)
    for job_id, work, every, first in (
        (EXPIRY_JOB, "expire", datetime.timedelta(hours=1), start + datetime.timedelta(minutes=1)),
        (RETENTION_JOB, "prune", datetime.timedelta(days=1), start + datetime.timedelta(minutes=10)),
    ):
        scheduler.add_job(
            _run, IntervalTrigger(seconds=int(every.total_seconds()), timezone=datetime.UTC), args=[settings, clock, work],
            id=job_id, max_instances=1, coalesce=True, misfire_grace_time=int(every.total_seconds()), next_run_time=first,
        )  # fmt: skip

"""Serving a pull: the changes after a device's cursors, read from one consistent snapshot."""

from __future__ import annotations

import datetime
import json

import sqlite_utils

from server.db import read_transaction, write_transaction
from server.storage import content as content_store
from server.storage import enrollments as enrollment_store
from server.storage import people as people_store
from server.storage import sync as store
from server.syncing import errors
from server.syncing.content_index import version_index
from sync import clock, enrollment
from sync.digest import as_hex
from sync.protocol import Change, Digest, PullRequest, PullResponse, Stream


def pull(db: sqlite_utils.Database, user_id: str, request: PullRequest, now: datetime.datetime) -> PullResponse:
    """Changes for `user_id` after the device's cursors, one page at a time.

    `acked_through` is read in the same snapshot as the changes, so a device that deletes its
    outbox up to it never deletes something the page does not reflect.
    """
    _enroll(db, user_id, request.local_day, now)
    if request.disagreements:
        # Counted at most once per answer the device pushed since it last reported, so no
        # client can inflate the metric by repeating a large number.
        with write_transaction(db):
            owner = store.device_owner(db, request.device_id)
            if owner == user_id:
                store.add_metric(db, "progress_disagreements", store.take_unreported(db, request.device_id, request.disagreements))
    with read_transaction(db):
        owner = store.device_owner(db, request.device_id)
        if owner is not None and owner != user_id:
            raise errors.DeviceBound("this device is registered to another user")
        acked = store.acked_through(db, request.device_id)
        changes: list[Change] = []
        cursors: dict[Stream, int] = {}
        reset: list[Stream] = []

        latest = content_store.latest_version(db)
        content_cursor = request.cursors.get("content", 0)
        if content_cursor > latest:
            reset.append("content")  # the server was restored from an older backup
            content_cursor = 0
        if latest > content_cursor:
            meta = content_store.get_latest_snapshot_meta(db)
            assert meta is not None
            changes.append(
                Change(stream="content", seq=latest, kind="content",
                       data={"version": latest, "snapshot": f"/content/snapshot/{latest}", "etag": meta.etag, "size": meta.size})
            )  # fmt: skip
        cursors["content"] = latest

        cursor = request.cursors.get("records", 0)
        newest = store.newest_change_seq(db)
        if cursor > newest or 0 < cursor < store.change_floor(db, user_id):
            reset.append("records")  # changes it would need are gone: start again from 0
            cursor = 0
        # `limit` counts every change of the page, the content change included.
        room = request.limit - len(changes)
        rows = store.changes_after(db, user_id, cursor, room + 1)
        has_more = len(rows) > room
        for row in rows[:room]:
            changes.append(Change(stream="records", seq=row.seq, kind=row.kind, data=json.loads(row.data)))  # type: ignore[arg-type]
            cursor = row.seq
        cursors["records"] = cursor
        digest = None
        if not has_more:
            count, value = store.get_digest(db, user_id)
            digest = Digest(answers=count, hash=as_hex(value))
    return PullResponse(
        acked_through=acked,
        changes=changes,
        cursors=cursors,
        has_more=has_more,
        reset=reset,
        digest=digest,
        server_time=clock.format_utc(now),
    )


def _enroll(db: sqlite_utils.Database, user_id: str, local_day: int | None, now: datetime.datetime) -> None:
    """Start the learner on every campaign that reached them since their last pull (sync/enrollment.py).

    A read first: only a pull that meets a new campaign writes.
    """
    index = version_index(db, content_store.latest_version(db))
    if index is None or not index.campaigns:
        return
    today = local_day if local_day is not None else enrollment.day_number(now.date())
    with read_transaction(db):
        due = enrollment.new_enrollments(
            index.campaigns, people_store.teams_of_email(db, user_id), enrollment_store.enrolled_campaigns(db, user_id), today
        )
    if due:
        with write_transaction(db):
            enrollment_store.add(db, user_id, due, clock.format_utc(now))

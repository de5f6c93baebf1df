"""Serving a pull: the changes after a device's cursors, read from one consistent snapshot.

The records stream merges, by seq, three sources that each hold only the latest of what they
serve: the person's answers (immutable, each with its seq), their progress rows (one per
question, the seq of its latest state) and the feed of records shared with them (one row per
record, the seq of its latest state). A device gets every answer once and the current state of
everything else, never a superseded one.
"""

from __future__ import annotations

import datetime
import heapq
import json
from collections.abc import Callable
from typing import Any

import msgspec
import sqlite_utils

from server.coaching import view as coaching_view
from server.db import read_transaction
from server.leaderboards import view as leaderboard_view
from server.pitches import exemplars as exemplar_view
from server.pitches import store as pitch_store
from server.storage import acknowledgements as ack_store
from server.storage import answers as answer_store
from server.storage import content as content_store
from server.storage import enrollments as enrollment_store
from server.storage import observations as observation_store
from server.storage import people as people_store
from server.storage import sessions as session_store
from server.storage import sync as store
from server.syncing import errors
from server.syncing.content_index import version_index
from server.syncing.kinds.observations import as_data
from server.syncing.kinds.pitches import as_data as pitch_data
from server.syncing.kinds.sessions import as_data as session_data
from sync import clock, enrollment, practice
from sync.digest import as_hex
from sync.protocol import (
    AcknowledgementChange,
    AcknowledgementData,
    AnswerChange,
    AnswerData,
    Change,
    ContentChange,
    ContentData,
    Digest,
    MutationResult,
    ObservationChange,
    PitchChange,
    Plan,
    PlanCampaign,
    ProgressChange,
    ProgressData,
    PullRequest,
    PullResponse,
    SessionChange,
    Stream,
)

Submit = Callable[[Callable[[sqlite_utils.Database], Any]], Any]


def record_writes(db: sqlite_utils.Database, user_id: str, request: PullRequest, now: datetime.datetime) -> Callable[[sqlite_utils.Database], None] | None:
    """The writes a pull needs (a new enrollment, a reported count), as one writer job; None when
    there are none. Found by a read, so an ordinary pull writes nothing."""
    index = version_index(db, content_store.latest_version(db))
    due: list[enrollment.Enrollment] = []
    if index is not None and index.campaigns:
        today = request.local_day if request.local_day is not None else enrollment.day_number(now.date())
        with read_transaction(db):
            due = enrollment.new_enrollments(
                index.campaigns, people_store.memberships_of(db, user_id), people_store.roles_of(db, user_id),
                enrollment_store.enrolled_campaigns(db, user_id), today,
            )  # fmt: skip
    if not due and not request.disagreements:
        return None

    def write(writer_db: sqlite_utils.Database) -> None:
        if due:
            enrollment_store.add(writer_db, user_id, due, clock.format_utc(now))
        if request.disagreements and store.device_owner(writer_db, request.device_id) == user_id:
            # Credited at most once per answer the device pushed since it last reported, so no
            # client can inflate the metric by repeating a large number.
            store.add_metric(writer_db, "progress_disagreements", store.take_unreported(writer_db, request.device_id, request.disagreements))

    return write


def pull(db: sqlite_utils.Database, user_id: str, request: PullRequest, now: datetime.datetime) -> PullResponse:
    """Changes for `user_id` after the device's cursors, one page of at most `limit` changes.

    `acked_through` is read in the same snapshot as the changes, so a device that deletes its
    outbox up to it never deletes something the page does not reflect.
    """
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
            changes.append(ContentChange(stream="content", seq=latest, data=ContentData(
                version=latest, snapshot=f"/content/snapshot/{latest}", etag=meta.etag, size=meta.size)))  # fmt: skip
        cursors["content"] = latest

        cursor = request.cursors.get("records", 0)
        if cursor > store.newest_seq(db):
            reset.append("records")  # the server was restored from an older backup: start again
            cursor = 0
        room = request.limit - len(changes)  # `limit` counts every change, the content change too
        records = _records_after(db, user_id, cursor, room + 1)
        has_more = len(records) > room
        for change in records[:room]:
            changes.append(change)
            cursor = change.seq
        cursors["records"] = cursor
        digest = None
        if not has_more:
            count, value = store.get_digest(db, user_id)
            digest = Digest(answers=count, hash=as_hex(value))
        # On every page, so that a device keeps a new library and the plan for it in one step.
        today = request.local_day if request.local_day is not None else practice.day_of(now.date().isoformat()) or 0
        plan = _plan(db, user_id, latest, today)
        me = None if has_more else coaching_view.me(db, user_id, _links(db, latest))
        board = None
        exemplars = None if has_more else exemplar_view.for_person(db, user_id)
        if not has_more:
            server_day = practice.day_of(now.date().isoformat()) or 0
            board = leaderboard_view.for_person(db, user_id, leaderboard_view.today_for(request.local_day, server_day))
        rejected: list[MutationResult] = []
        if request.outbox_from is not None and request.outbox_from <= acked:
            rejected = [
                MutationResult(client_seq=r.client_seq, id=r.id, status="rejected", reason=r.reason)
                for r in store.rejected_between(db, request.device_id, request.outbox_from, acked)
            ]
    return PullResponse(
        acked_through=acked, changes=changes, cursors=cursors, has_more=has_more, reset=reset, digest=digest,
        server_time=clock.format_utc(now), plan=plan, rejected=rejected, me=me, leaderboard=board,
        exemplars=exemplars,
    )  # fmt: skip


def _links(db: sqlite_utils.Database, version: int) -> practice.Links:
    index = version_index(db, version)
    return index.practice if index is not None else practice.Links()


def _plan(db: sqlite_utils.Database, user_id: str, version: int, today: int) -> Plan:
    """The learner's campaigns in the published version (those whose audience reaches them now
    and that they are enrolled in) with their start days, their total daily limit, and the
    practice their coaching assigned (sync/practice.py)."""
    index = version_index(db, version)
    mine = enrollment.plan_campaigns(
        index.campaigns if index is not None else (),
        people_store.memberships_of(db, user_id), people_store.roles_of(db, user_id), enrollment_store.of(db, user_id),
    )  # fmt: skip
    return Plan(
        daily_limit=people_store.daily_limit_of(db, user_id),
        campaigns=[PlanCampaign(campaign_id=cid, start_day=day) for cid, day in mine],
        practice=coaching_view.practice_plan(db, user_id, index.practice if index is not None else practice.Links(), today),
    )


def _records_after(db: sqlite_utils.Database, user_id: str, cursor: int, limit: int) -> list[Change]:
    """The first `limit` record changes after `cursor`, from the three sources, in seq order."""
    answers = [
        AnswerChange(stream="records", seq=r[0], data=AnswerData(
            id=r[1], question_id=r[2], content_version=r[3], rev=r[4], choice=json.loads(r[5]), correct=bool(r[6]),
            answered_at=r[7], local_day=r[8], duration_ms=r[9], device_id=r[10]))
        for r in answer_store.after(db, user_id, cursor, limit)
    ]  # fmt: skip
    progress = [
        ProgressChange(stream="records", seq=seq, data=msgspec.json.decode(state, type=ProgressData))
        for seq, state in answer_store.progress_after(db, user_id, cursor, limit)
    ]
    shared = _shared(db, store.feed_after(db, user_id, cursor, limit))
    merged: list[Change] = list(heapq.merge(answers, progress, shared, key=lambda c: c.seq))
    return merged[:limit]


def _shared(db: sqlite_utils.Database, rows: list[store.FeedRow]) -> list[Change]:
    """The feed's rows as changes carrying each record's current state."""
    acks = ack_store.by_ids(db, [r.entity_id for r in rows if r.kind == "acknowledgement"])
    observations = observation_store.by_ids(db, [r.entity_id for r in rows if r.kind == "observation"])
    sessions = session_store.by_ids(db, [r.entity_id for r in rows if r.kind == "session"])
    pitches = pitch_store.by_ids(db, [r.entity_id for r in rows if r.kind == "pitch"])
    held = pitch_store.videos_held(db, sorted({p.video_sha256 for p in pitches.values()}))
    out: list[Change] = []
    for row in rows:
        if row.kind == "acknowledgement" and row.entity_id in acks:
            out.append(AcknowledgementChange(stream="records", seq=row.seq, data=msgspec.convert(acks[row.entity_id], AcknowledgementData)))
        elif row.kind == "observation" and row.entity_id in observations:
            out.append(ObservationChange(stream="records", seq=row.seq, data=as_data(observations[row.entity_id])))
        elif row.kind == "session" and row.entity_id in sessions:
            out.append(SessionChange(stream="records", seq=row.seq, data=session_data(sessions[row.entity_id])))
        elif row.kind == "pitch" and row.entity_id in pitches:
            pitch = pitches[row.entity_id]
            out.append(PitchChange(stream="records", seq=row.seq, data=pitch_data(pitch, pitch.video_sha256 in held)))
    return out

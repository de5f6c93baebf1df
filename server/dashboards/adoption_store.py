"""What the adoption page reads (docs/measures.md "Adoption"): answers, enrollments,
acknowledged nuggets and reminders of a set of reps. Runs inside the caller's read transaction;
the figures are sync/adoption.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from server.storage import content as content_store
from server.syncing.content_index import version_index
from sync import adoption
from sync.kinds.acknowledgement import Event, current
from sync.practice import date_of


@dataclass(frozen=True, kw_only=True)
class RepRecord:
    """One rep's records as the adoption figures need them."""

    rep_id: str
    answer_days: set[int]  # every local day with an answer, ever
    answers_in_period: int
    timing: adoption.OnTime
    enrollments: tuple[adoption.Enrolled, ...]
    nuggets_read: int  # nuggets whose latest acknowledgement says read
    reminders_sent: int  # in the period
    reminders_opened: int  # of those, the ones the rep opened (recorded by the app, docs/sync.md)
    refresher_days: int  # (refresher, local day) pairs opened in the period: a day counts once
    refreshers: int  # different refreshers opened in the period


def _ids(rep_ids: Sequence[str]) -> str:
    return json.dumps(list(rep_ids))


def load(db: sqlite_utils.Database, rep_ids: Sequence[str], first: int, last: int) -> dict[str, RepRecord]:
    """Every rep's record for the period `first`..`last` (local day numbers, both included)."""
    index = version_index(db, content_store.latest_version(db))
    ids = _ids(rep_ids)
    # Answers and timing per day come from the aggregate kept on every push (adoption_aggregates.py).
    days: dict[str, set[int]] = {r: set() for r in rep_ids}
    in_period: dict[str, int] = dict.fromkeys(rep_ids, 0)
    timing: dict[str, adoption.OnTime] = dict.fromkeys(rep_ids, adoption.NO_ANSWERS)
    for user, day, n, repeats, on_time in db.execute(
        "SELECT user_id, local_day, answers, repeats, on_time FROM adoption_days WHERE user_id IN (SELECT value FROM json_each(?))",
        [ids],
    ):
        days[user].add(int(day))
        if first <= day <= last:
            in_period[user] += int(n)
            timing[user] = timing[user] + adoption.OnTime(on_time=int(on_time), counted=int(repeats))
    ends = {c.id: c.end_day for c in index.campaigns} if index is not None else {}
    enrolled: dict[str, list[adoption.Enrolled]] = {r: [] for r in rep_ids}
    for user, campaign, start in db.execute(
        "SELECT user_id, campaign_id, start_day FROM enrollments WHERE user_id IN (SELECT value FROM json_each(?))", [ids]
    ):
        if campaign in ends:  # a campaign no longer published runs for no one
            enrolled[user].append(adoption.Enrolled(start_day=int(start), end_day=ends[campaign]))
    events: dict[str, list[Event]] = {r: [] for r in rep_ids}
    for user, ack_id, item_id, acknowledged, at in db.execute(
        "SELECT user_id, id, item_id, acknowledged, at FROM acknowledgements"
        " WHERE item_kind = 'nugget' AND user_id IN (SELECT value FROM json_each(?))",
        [ids],
    ):
        events[user].append(Event(id=ack_id, item_kind="nugget", item_id=item_id, acknowledged=bool(acknowledged), at=at))
    reminders: dict[str, int] = dict.fromkeys(rep_ids, 0)
    for user, n in db.execute(
        "SELECT user_id, count(*) FROM reminders_sent WHERE outcome = 'sent' AND local_date BETWEEN ? AND ?"
        " AND user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id",
        [date_of(first), date_of(last), ids],
    ):
        reminders[user] = int(n)
    reminders_opened: dict[str, int] = dict.fromkeys(rep_ids, 0)
    for user, n in db.execute(
        "SELECT user_id, count(DISTINCT item_id) FROM acknowledgements WHERE item_kind = 'reminder' AND acknowledged"
        " AND item_id BETWEEN ? AND ? AND user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id",
        [date_of(first), date_of(last), ids],
    ):
        reminders_opened[user] = int(n)
    opened: dict[str, tuple[int, int]] = dict.fromkeys(rep_ids, (0, 0))
    for user, pairs, different in db.execute(
        "SELECT user_id, count(DISTINCT item_id || char(10) || local_day), count(DISTINCT item_id) FROM acknowledgements"
        " WHERE item_kind = 'refresher' AND acknowledged AND local_day BETWEEN ? AND ?"
        " AND user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id",
        [first, last, ids],
    ):
        opened[user] = (int(pairs), int(different))
    return {
        r: RepRecord(
            rep_id=r, answer_days=days[r], answers_in_period=in_period[r], timing=timing[r], enrollments=tuple(enrolled[r]),
            nuggets_read=sum(1 for read in current(events[r]).values() if read), reminders_sent=reminders[r], reminders_opened=reminders_opened[r],
            refresher_days=opened[r][0], refreshers=opened[r][1],
        )
        for r in rep_ids
    }  # fmt: skip


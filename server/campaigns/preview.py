"""A campaign's preview for one learner: what they would be asked, day by day (sync/plan.py)."""

from __future__ import annotations

import datetime
import gzip
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from server.db import read_transaction
from server.errors import NotFound
from server.storage import content as content_store
from server.storage import enrollments as enrollment_store
from server.storage import people as people_store
from sync import enrollment, plan


@dataclass(frozen=True, kw_only=True)
class CampaignPreview:
    """What `campaign_preview` returns: the simulated days, and what they were computed from."""

    campaign_id: str
    user_id: str
    reaches: bool  # False: the campaign's audience does not include this person (previewed anyway)
    language: str  # the campaign's; the learner's other campaigns in it share the daily limit
    start_day: int  # the learner's start day in this campaign: the first day previewed
    daily_limit: int  # the learner's total daily limit
    campaign_ids: tuple[str, ...]  # every campaign simulated, in id order
    days: list[plan.PreviewDay]  # items carry their campaign_id: highlight this campaign's


def campaign_preview(
    db: sqlite_utils.Database, campaign_id: str, user_id: str, days: int = 14, today: int | None = None
) -> CampaignPreview:
    """Preview the published campaign `campaign_id` for the person `user_id` over `days` days.

    The preview starts on the person's start day in the campaign: their enrollment's if they
    have one, else `max(campaign start, today)` (as if it reached them today; `today` is a day
    number, the server's UTC date by default). It simulates the person's whole plan in the
    campaign's language, so the questions of their other campaigns compete for the same total
    daily limit: every published campaign in that language that reaches them (and this one,
    even when it does not), each from their start day in it. The simulated learner starts with
    nothing answered and answers everything right (sync/plan.preview).

    Raises NotFound when nothing is published, or for an unknown campaign or person.
    """
    with read_transaction(db):
        version = content_store.latest_version(db)
        row = content_store.get_snapshot(db, version) if version else None
        person = next((p for p in people_store.all_people(db).values() if p.id == user_id), None)
        enrolled = {e.campaign_id: e.start_day for e in enrollment_store.of(db, user_id)}
        limit = people_store.daily_limit_of(db, user_id)
    if row is None:
        raise NotFound("nothing is published yet: publish the library first")
    if person is None:
        raise NotFound(f"no such person: {user_id}")
    document: dict[str, Any] = json.loads(gzip.decompress(row.body_gzip))
    campaigns = {str(c["id"]): c for c in document["campaigns"]}
    chosen = campaigns.get(campaign_id)
    if chosen is None:
        raise NotFound(f"no published campaign `{campaign_id}`")
    day = today if today is not None else enrollment.day_number(datetime.datetime.now(datetime.UTC).date())

    def start_of(c: dict[str, Any]) -> int:
        cid = str(c["id"])
        return enrolled[cid] if cid in enrolled else enrollment.start_day(enrollment.parse_start(c.get("start")), day)

    language = str(chosen.get("language") or "en")
    reaches = enrollment.reaches(chosen.get("audience", ()), person.teams, person.roles)
    simulated = [
        plan.campaign_plan(c, start_of(c))
        for cid, c in sorted(campaigns.items())
        if (cid == campaign_id or enrollment.reaches(c.get("audience", ()), person.teams, person.roles))
        and str(c.get("language") or "en") == language
    ]
    first = start_of(chosen)
    return CampaignPreview(
        campaign_id=campaign_id, user_id=user_id, reaches=reaches, language=language, start_day=first, daily_limit=limit,
        campaign_ids=tuple(c.id for c in simulated), days=plan.preview(document, simulated, first, days, limit),
    )  # fmt: skip

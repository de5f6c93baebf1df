"""A chosen learner's first two weeks of a campaign, for the editor's campaign pages (its reach
is `server.campaigns.reach.campaign_reach`).

The figures come from `server/campaigns/` (which calls the pure rules of sync/enrollment.py and
sync/plan.py); this module only turns them into what the templates show.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlite_utils

from server.campaigns.preview import CampaignPreview, campaign_preview
from server.db import read_transaction
from server.errors import NotFound
from server.storage import content as content_store
from server.storage import people as people_store
from server.syncing.content_index import version_index
from sync.enrollment import reaches

PREVIEW_DAYS = 14


@dataclass(frozen=True)
class Learner:
    user_id: str
    label: str  # "Name <email>"
    reached: bool  # the campaign's audience includes them


@dataclass(frozen=True)
class PreviewQuestion:
    question_id: str
    prompt: str
    campaign_id: str
    this_campaign: bool
    repeat: bool


@dataclass(frozen=True)
class PreviewDay:
    date: str  # YYYY-MM-DD
    weekday: str  # Mon, Tue, …
    questions: tuple[PreviewQuestion, ...]


@dataclass(frozen=True)
class Preview:
    learner: Learner
    preview: CampaignPreview
    days: tuple[PreviewDay, ...]

    @property
    def asked_here(self) -> int:
        """Questions of this campaign over the days shown."""
        return sum(q.this_campaign for d in self.days for q in d.questions)


def learners(db: sqlite_utils.Database, campaign_id: str) -> list[Learner]:
    """Everyone enabled, those the campaign reaches first (then by name): whom to preview as."""
    with read_transaction(db):
        index = version_index(db, content_store.latest_version(db))
        people = people_store.enabled_people(db)
    campaign = next((c for c in index.campaigns if c.id == campaign_id), None) if index is not None else None
    found = [
        Learner(p.id, f"{p.name or p.email} <{p.email}>", campaign is not None and reaches(campaign.audience, p.teams, p.roles))
        for p in people
    ]
    return sorted(found, key=lambda learner: (not learner.reached, learner.label.lower()))


def preview(
    db: sqlite_utils.Database, campaign_id: str, chosen: str | None, prompts: dict[str, str]
) -> tuple[list[Learner], Preview | None]:
    """The people to choose from, and the chosen one's first PREVIEW_DAYS days (the first
    learner the campaign reaches when none is chosen). None when the campaign is not published
    or there is nobody to preview as."""
    people = learners(db, campaign_id)
    learner = next((p for p in people if p.user_id == chosen), None) or (people[0] if people else None)
    if learner is None:
        return people, None
    try:
        result = campaign_preview(db, campaign_id, learner.user_id, days=PREVIEW_DAYS)
    except NotFound:
        return people, None
    days = []
    for day in result.days:
        date = datetime.date.fromisoformat(day.date)
        days.append(
            PreviewDay(
                day.date,
                date.strftime("%a"),
                tuple(
                    PreviewQuestion(
                        q.question_id, prompts.get(q.question_id, ""), q.campaign_id, q.campaign_id == campaign_id, q.repeat
                    )
                    for q in day.items
                ),
            )
        )
    return people, Preview(learner, result, tuple(days))

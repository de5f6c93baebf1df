"""Who takes part in which campaign, and from which day: pure rules, no I/O.

A campaign reaches a learner when it is published for an audience they belong to (`all`, or
one of their teams). They start it on `max(campaign start, the day it reached them)`: the day
of their first sync (or sign-in, which syncs) after it was published, as their device counts
days (docs/scheduler.md §1). A campaign without a start date therefore starts for everyone on
the day it reaches them: a demo, or a campaign published today, works today.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EVERYONE = "all"
_EPOCH = datetime.date(1970, 1, 1)


@dataclass(frozen=True, kw_only=True)
class CampaignAt:
    """A published campaign, as enrollment needs it."""

    id: str
    audience: tuple[str, ...]
    start_day: int | None  # its `start` as a day number (days since 1970-01-01), or None


@dataclass(frozen=True, kw_only=True)
class Enrollment:
    campaign_id: str
    enrolled_day: int  # the learner's local day when the campaign reached them
    start_day: int  # max(campaign start, enrolled_day)


def day_number(date: datetime.date) -> int:
    """Days since 1970-01-01: the day numbers the scheduler counts in."""
    return (date - _EPOCH).days


def parse_start(text: str | None) -> int | None:
    """A published campaign's `start` ("YYYY-MM-DD" or missing) as a day number."""
    return day_number(datetime.date.fromisoformat(text)) if text else None


def reaches(audience: Iterable[str], teams: Iterable[str]) -> bool:
    """True when a campaign for `audience` is meant for someone in `teams`."""
    wanted = set(audience)
    return EVERYONE in wanted or bool(wanted & set(teams))


def start_day(campaign_start: int | None, enrolled_day: int) -> int:
    """The day a learner starts a campaign: its start date, or the day it reached them if later."""
    return enrolled_day if campaign_start is None else max(campaign_start, enrolled_day)


def new_enrollments(
    campaigns: Sequence[CampaignAt], teams: Iterable[str], enrolled: Iterable[str], today: int
) -> list[Enrollment]:
    """The campaigns that reach a learner today and that they have not started yet."""
    team_set, known = set(teams), set(enrolled)
    return [
        Enrollment(campaign_id=c.id, enrolled_day=today, start_day=start_day(c.start_day, today))
        for c in campaigns
        if c.id not in known and reaches(c.audience, team_set)
    ]

"""Who takes part in which campaign, and from which day: pure rules, no I/O.

A campaign names its **audience**: a list of entries, each of which reaches some people
(docs/content.md "Audiences"):

- `all`: everyone;
- a team id, `north`: everyone in that team, whatever their role in it;
- `role:manager`: everyone who holds that role (rep, coach, editor, manager, admin);
- `north:rep`: everyone in team `north` whose role in that team is `rep` (team roles are rep,
  coach and manager, as in the people CSV).

A campaign reaches a learner when one of its entries does. They start it on
`max(campaign start, the day it reached them)`: the day of their first sync (or sign-in, which
syncs) after it was published for them, as their device counts days (docs/scheduler.md §1). A
campaign without a start date therefore starts for everyone on the day it reaches them: a demo,
or a campaign published today, works today. A campaign whose `end` has passed reaches no one
new.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Protocol

EVERYONE = "all"
ROLE_PREFIX = "role:"
ROLES = ("rep", "coach", "editor", "manager", "admin")
TEAM_ROLES = ("rep", "coach", "manager")
_EPOCH = datetime.date(1970, 1, 1)
_TEAM = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")


class BadAudience(ValueError):
    """An audience entry that means nothing; the message says what to write instead."""


@dataclass(frozen=True)
class AudienceEntry:
    """One parsed audience entry. `all` has neither; `role:x` a role only; `north` a team only;
    `north:rep` both, the role being the person's role in that team."""

    team: str | None = None
    role: str | None = None


def parse_audience_entry(text: str) -> AudienceEntry:
    """An audience entry (`all`, `north`, `role:manager`, `north:rep`), or BadAudience."""
    if text == EVERYONE:
        return AudienceEntry()
    if text.startswith(ROLE_PREFIX):
        role = text[len(ROLE_PREFIX) :]
        if role not in ROLES:
            raise BadAudience(f"unknown role `{role}` in `{text}`: roles are {', '.join(ROLES)}")
        return AudienceEntry(role=role)
    team, colon, role = text.partition(":")
    if not _TEAM.fullmatch(team):
        raise BadAudience(
            f"`{text}` is not an audience: write `all`, a team id (lower-case letters, digits and inner hyphens, "
            "e.g. `north`), `role:ROLE` (e.g. `role:manager`) or `TEAM:TEAM-ROLE` (e.g. `north:rep`)"
        )
    if not colon:
        return AudienceEntry(team=team)
    if role not in TEAM_ROLES:
        hint = f"; for everyone who holds the {role} role write `role:{role}`" if role in ROLES else ""
        raise BadAudience(f"`{role}` in `{text}` is not a team role: use {', '.join(f'{team}:{r}' for r in TEAM_ROLES)}{hint}")
    return AudienceEntry(team=team, role=role)


def _matches(entry: AudienceEntry, teams: Mapping[str, str], roles: Set[str]) -> bool:
    if entry.team is None:
        return entry.role is None or entry.role in roles
    return entry.team in teams and (entry.role is None or teams[entry.team] == entry.role)


def reaches(audience: Iterable[str], teams: Mapping[str, str], roles: Iterable[str]) -> bool:
    """True when a campaign for `audience` is meant for someone with these team memberships
    (team id -> their role in it) and roles. An entry that does not parse reaches no one
    (`recap content check` refuses it before it can be published)."""
    role_set = frozenset(roles)
    for text in audience:
        try:
            entry = parse_audience_entry(text)
        except BadAudience:
            continue
        if _matches(entry, teams, role_set):
            return True
    return False


class Member(Protocol):
    """What reach needs to know of a person: their teams (id -> team role) and roles."""

    @property
    def teams(self) -> Mapping[str, str]: ...

    @property
    def roles(self) -> Set[str]: ...


def reach(audience: Iterable[str], people: Iterable[Member]) -> int:
    """How many of `people` a campaign for `audience` reaches (pass only enabled people)."""
    entries = tuple(audience)
    return sum(1 for p in people if reaches(entries, p.teams, p.roles))


def unreached_entries(audience: Iterable[str], people: Sequence[Member]) -> list[str]:
    """The audience entries that reach none of `people`: a team with nobody in it, a typo'd team."""
    return [text for text in audience if not any(reaches((text,), p.teams, p.roles) for p in people)]


@dataclass(frozen=True, kw_only=True)
class CampaignAt:
    """A published campaign, as enrollment needs it."""

    id: str
    audience: tuple[str, ...]
    start_day: int | None  # its `start` as a day number (days since 1970-01-01), or None
    end_day: int | None = None  # its `end` as a day number, or None


@dataclass(frozen=True, kw_only=True)
class Enrollment:
    campaign_id: str
    enrolled_day: int  # the learner's local day when the campaign reached them
    start_day: int  # max(campaign start, enrolled_day)


def day_number(date: datetime.date) -> int:
    """Days since 1970-01-01: the day numbers the scheduler counts in."""
    return (date - _EPOCH).days


def parse_start(text: str | None) -> int | None:
    """A published campaign's `start` or `end` ("YYYY-MM-DD" or missing) as a day number."""
    return day_number(datetime.date.fromisoformat(text)) if text else None


def start_day(campaign_start: int | None, enrolled_day: int) -> int:
    """The day a learner starts a campaign: its start date, or the day it reached them if later."""
    return enrolled_day if campaign_start is None else max(campaign_start, enrolled_day)


def new_enrollments(
    campaigns: Sequence[CampaignAt], teams: Mapping[str, str], roles: Iterable[str], enrolled: Iterable[str], today: int
) -> list[Enrollment]:
    """The campaigns that reach a learner today and that they have not started yet (a campaign
    that has ended reaches no one new)."""
    known, role_set = set(enrolled), frozenset(roles)
    return [
        Enrollment(campaign_id=c.id, enrolled_day=today, start_day=start_day(c.start_day, today))
        for c in campaigns
        if c.id not in known and (c.end_day is None or today <= c.end_day) and reaches(c.audience, teams, role_set)
    ]


def plan_campaigns(
    campaigns: Sequence[CampaignAt], teams: Mapping[str, str], roles: Iterable[str], enrollments: Iterable[Enrollment]
) -> list[tuple[str, int]]:
    """The learner's campaigns, for the pull's `plan`: (campaign id, their start day), in id
    order, for every published campaign that reaches them now and that they are enrolled in.
    An enrollment in a campaign that no longer reaches them (they changed teams) is kept for the
    dashboards, but not studied."""
    started = {e.campaign_id: e.start_day for e in enrollments}
    role_set = frozenset(roles)
    return sorted(
        (c.id, started[c.id]) for c in campaigns if c.id in started and reaches(c.audience, teams, role_set)
    )

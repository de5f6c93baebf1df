"""Who gets a reminder now: pure decisions, given the time and what the database holds.

No I/O here: server/reminders/sender.py reads the candidates, asks `due`, and sends. A person is
due when all of these hold, in their own time zone:
- a campaign has reached them (an editor or admin who signed in to the app has nothing to
  answer), reminders are on for them (and have started: the defaults the app sets at sign-in start the
  next day), and there is a way to reach them (a push subscription, or email
  allowed);
- their local time has reached the time they chose, and is not inside their quiet hours (a
  time inside the quiet hours waits for their end, the same day);
- they have not answered a question today, and nothing was sent to them today (the sent row
  decides; this rule only saves the attempt).

"Today" is the calendar day in the person's time zone. Daylight-saving changes need no rule of
their own: a chosen time that does not exist on the spring-forward day (02:30 in Amsterdam) is
passed at 03:00 and goes out then; one that happens twice in autumn goes out once, the day
being claimed by its sent row.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

MINUTES_A_DAY = 24 * 60
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)", re.ASCII)


class Invalid(ValueError):
    """A setting a person sent that cannot be used; the message says what to send instead."""


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    enabled: bool
    at_minute: int  # minutes after local midnight
    quiet_start: int
    quiet_end: int  # equal to quiet_start: no quiet hours
    time_zone: str
    email: bool
    starts_on: datetime.date | None = None  # no reminder before this local day


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    """One person as the database knows them."""

    user_id: str
    email_address: str
    preferences: Preferences
    has_push: bool
    last_answer_at: datetime.datetime | None  # UTC, effective time of their latest answer
    last_reminded: datetime.date | None  # the latest local day with a sent row
    enrolled: bool = True  # a campaign has reached them (someone with none has nothing to answer)


class Due(msgspec.Struct, frozen=True):
    user_id: str
    local_date: datetime.date
    channel: str  # push or email


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or Invalid."""
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        raise Invalid(f"{name!r} is not a time zone: send an IANA name such as Europe/Amsterdam")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{name!r} is not a time zone: send an IANA name such as Europe/Amsterdam") from None


def parse_hhmm(text: str, what: str) -> int:
    """"HH:MM" (24-hour) as minutes after midnight, or Invalid naming the field."""
    found = _HHMM.fullmatch(text)
    if not found:
        raise Invalid(f"{what} must be a time as HH:MM (00:00 to 23:59), not {text!r}")
    return int(found.group(1)) * 60 + int(found.group(2))


def format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def in_quiet_hours(minute: int, start: int, end: int) -> bool:
    """Whether a local minute of the day falls in [start, end), which may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def local_now(now: datetime.datetime, time_zone: str) -> datetime.datetime:
    return now.astimezone(zone(time_zone))


def decide(now: datetime.datetime, person: Candidate) -> Due | None:
    """Whether `person` gets a reminder at `now` (aware), and by which channel; None if not."""
    prefs = person.preferences
    if not prefs.enabled or not person.enrolled:
        return None
    channel = "push" if person.has_push else "email" if prefs.email else None
    if channel is None:
        return None
    try:
        here = local_now(now, prefs.time_zone)
    except Invalid:
        return None  # a zone this server's tz database no longer knows: never guess
    today = here.date()
    if prefs.starts_on is not None and today < prefs.starts_on:
        return None
    if person.last_reminded is not None and person.last_reminded >= today:
        return None
    minute = here.hour * 60 + here.minute
    if minute < prefs.at_minute or in_quiet_hours(minute, prefs.quiet_start, prefs.quiet_end):
        return None
    if person.last_answer_at is not None and person.last_answer_at.astimezone(here.tzinfo).date() >= today:
        return None  # already studied today
    return Due(person.user_id, today, channel)


def due(now: datetime.datetime, people: list[Candidate]) -> list[Due]:
    """Everyone of `people` to remind at `now`, in the order given."""
    if now.tzinfo is None:
        raise ValueError("the time must be aware (UTC)")
    return [d for person in people if (d := decide(now, person)) is not None]

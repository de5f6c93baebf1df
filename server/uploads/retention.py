"""Which stored videos go, without I/O (docs/uploads.md "Retention").

A video is kept while any pitch with its SHA-256 is a team example (proposed by a coach and
consented to by the rep); otherwise it goes once older than the organisation's retention days.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

MIN_DAYS = 1
MAX_DAYS = 3650
DEFAULT_DAYS = 180


class Invalid(ValueError):
    """Not a number of days in range."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    created_at: datetime.datetime


def parse_days(text: str) -> int:
    value = str(text).strip()
    if not value.isdigit() or not MIN_DAYS <= int(value) <= MAX_DAYS:
        raise Invalid(
            f"{text!r} is not a number of days from {MIN_DAYS} to {MAX_DAYS}: videos older than it are deleted"
        )
    return int(value)


def to_delete(videos: Iterable[Stored], exemplars: frozenset[str], days: int, now: datetime.datetime) -> list[str]:
    """The SHA-256 of every video past retention and not an example, oldest first."""
    cutoff = now - datetime.timedelta(days=days)
    old = [v for v in videos if v.sha256 not in exemplars and v.created_at < cutoff]
    return [v.sha256 for v in sorted(old, key=lambda v: (v.created_at, v.sha256))]

"""Answer times: correcting a device's clock without ever trusting it blindly.

The effective time of an answer is the device's time shifted by the offset measured at push
(server receipt − device send time), clamped to not after the receipt and not before that
device's previous answer. The raw device time is kept beside it. Day boundaries never come
from here: they come from the local day number the device recorded.
"""

from __future__ import annotations

import datetime

UTC = datetime.UTC


class BadTime(ValueError):
    """A timestamp that matches the pattern but is not a real moment (Feb 30, month 13…)."""


def parse(text: str) -> datetime.datetime:
    """An aware UTC datetime from ISO 8601 text (with `Z` or an offset)."""
    try:
        moment = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        if moment.tzinfo is None:
            raise BadTime(f"{text!r} has no time zone")
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise BadTime(f"{text!r} is not a real time: {exc}") from None


def format_utc(moment: datetime.datetime) -> str:
    """The one fixed-width form replay order compares: YYYY-MM-DDTHH:MM:SS.mmmZ."""
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}."
        f"{m.microsecond // 1000:03d}Z"
    )


def offset(sent_at: str, received_at: datetime.datetime) -> datetime.timedelta:
    """How far the device's clock is behind the server's (negative when ahead)."""
    return received_at - parse(sent_at)


def effective(
    device_time: datetime.datetime,
    clock_offset: datetime.timedelta,
    received_at: datetime.datetime,
    previous: datetime.datetime | None,
) -> datetime.datetime:
    """The answer's time on the server's clock, clamped into [previous answer, receipt]."""
    try:
        corrected = min(device_time + clock_offset, received_at)
    except OverflowError:
        # Only a clock off by millennia gets here: it cannot be corrected, so take the receipt.
        corrected = received_at
    if previous is not None and corrected < previous:
        corrected = previous
    return corrected


def effective_time(device_time: str, clock_offset: datetime.timedelta, received_at: datetime.datetime, previous: str | None) -> str:
    """`effective` on ISO strings."""
    return format_utc(effective(parse(device_time), clock_offset, received_at, parse(previous) if previous else None))

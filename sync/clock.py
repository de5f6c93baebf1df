"""Answer times: correcting a device's clock without ever trusting it blindly.

The effective time of an answer is the device's time shifted by the offset measured at push
(server receipt − device send time), clamped to not after the receipt and not before that
device's previous answer. The raw device time is kept beside it. Day boundaries never come
from here: they come from the local day number the device recorded.
"""

from __future__ import annotations

import datetime

UTC = datetime.UTC


def parse(text: str) -> datetime.datetime:
    """An aware datetime from ISO 8601 text (with `Z` or an offset)."""
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment.astimezone(UTC)


def format_utc(moment: datetime.datetime) -> str:
    """The one fixed-width form replay order compares: YYYY-MM-DDTHH:MM:SS.mmmZ."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def offset(sent_at: str, received_at: datetime.datetime) -> datetime.timedelta:
    """How far the device's clock is behind the server's (negative when ahead)."""
    return received_at - parse(sent_at)


def effective_time(
    device_time: str,
    clock_offset: datetime.timedelta,
    received_at: datetime.datetime,
    previous: str | None,
) -> str:
    """The answer's time on the server's clock, clamped into [previous answer, receipt]."""
    corrected = parse(device_time) + clock_offset
    corrected = min(corrected, received_at)
    if previous is not None:
        corrected = max(corrected, parse(previous))
    return format_utc(corrected)

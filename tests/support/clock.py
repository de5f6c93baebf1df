"""A clock the tests move instead of sleeping."""

from __future__ import annotations

import datetime


class Clock:
    """Today's real time to start with (commands such as `recap users sessions` read the real
    clock), then moved by the tests instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)

"""Ids as devices make them (docs/sync.md: UUIDv7, made on the device).

A Hypothesis state machine must draw the same choices when it replays a schedule, so where a
rule picks from ids in sorted order the ids must sort the same way every time: `repeat_ids(seed)`
makes the ids that follow a sequence fixed by the seed (one millisecond apart, random bits from
the seed) until `random_ids()`. Outside a machine, ids are made as a device makes them.
"""

from __future__ import annotations

import datetime
import random
import secrets
import threading
import time
import uuid


class _Sequence:
    """Where ids come from while a machine runs: a seeded generator and a clock that ticks per id."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ms = int(time.time() * 1000)

    def next(self) -> tuple[int, bytes]:
        self.ms += 1
        return self.ms, self.rng.randbytes(10)


_sequence: _Sequence | None = None


def repeat_ids(seed: int) -> None:
    """Ids from now on follow a sequence fixed by `seed` (ordered as they are made)."""
    global _sequence
    _sequence = _Sequence(seed)


def random_ids() -> None:
    """Ids from now on are made as a device makes them."""
    global _sequence
    _sequence = None


def uuid7(now_ms: int | None = None) -> str:
    """A UUIDv7: 48 bits of milliseconds, version 7, variant 10, random bits."""
    if _sequence is not None and now_ms is None:
        ms, rand = _sequence.next()
    else:
        ms = int(time.time() * 1000) if now_ms is None else now_ms
        rand = secrets.token_bytes(10)
    raw = ms.to_bytes(6, "big") + bytes([0x70 | (rand[0] & 0x0F), rand[1], 0x80 | (rand[2] & 0x3F)]) + rand[3:]
    return str(uuid.UUID(bytes=raw))


class StepClock:
    """One clock for a state machine's devices and server: a millisecond later at each reading.

    The server orders two devices' edits by their effective time: the device's time shifted by
    the offset it measures at each push (server receipt − device send time). With real clocks, two
    edits a few milliseconds apart could be ordered either way from one run to the next, and so
    could which value won a field the schedule then draws from (a pitch's `reviewed`, an
    observation's `shared`): Hypothesis then sees a replayed schedule draw differently (CI saw
    FlakyStrategyDefinition). Read in the machine's order, this clock gives every run the same
    times, so the order comes from the schedule alone."""

    def __init__(self) -> None:
        self.start = datetime.datetime.now(datetime.UTC)
        self.readings = 0
        self._lock = threading.Lock()

    def __call__(self) -> datetime.datetime:
        with self._lock:
            self.readings += 1
            return self.start + datetime.timedelta(milliseconds=self.readings)

"""The interrupted-upload check, for any server: one file uploaded in chunks, interrupted at
given offsets (a connection dropped mid-body, with or without a checksum, or a chunk corrupted in
transit), resumed each time from the offset the server reports, and at the end the stored file
must be byte-identical to the source. A driver speaks to the server: over HTTP to a real one
(tests/test_uploads_resume.py), or in-process to a deliberately broken one to show the check fails."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

CHUNK = 1024 * 1024
MODES = ("drop", "drop_checksum", "corrupt")


class Driver(Protocol):
    def create(self, data: bytes) -> str: ...
    def offset(self, location: str) -> int: ...
    def patch(self, location: str, offset: int, body: bytes, digest_of: bytes | None) -> int: ...
    def drop(self, location: str, offset: int, body: bytes, sent: int, with_checksum: bool) -> None: ...
    def stored(self, sha256: str) -> bytes | None: ...
    def after_interruption(self, number: int) -> None: ...


@dataclass
class Report:
    interruptions: int = 0
    kept_after_drop: int = 0  # bytes of dropped bodies the server kept
    modes: Counter[str] = field(default_factory=Counter)


def interrupted_upload(
    driver: Driver, data: bytes, rng: random.Random, interruptions: int = 50, chunk: int = CHUNK
) -> Report:
    """Upload `data` through `driver`, interrupted at `interruptions` random offsets; assert identity."""
    cuts = sorted(rng.sample(range(1, len(data)), interruptions))
    modes = [rng.choice(MODES) for _ in cuts]
    report = Report()
    location = driver.create(data)
    position = driver.offset(location)
    assert position == 0, position
    while position < len(data):
        end = min(position + chunk, len(data))
        body = data[position:end]
        if report.interruptions < len(cuts) and cuts[report.interruptions] < end:
            cut, mode = cuts[report.interruptions], modes[report.interruptions]
            report.interruptions += 1
            report.modes[mode] += 1
            if mode == "corrupt":
                spoiled = bytearray(body)
                spoiled[cut - position] ^= 0xFF
                status = driver.patch(location, position, bytes(spoiled), body)
                assert status == 460, f"a corrupted chunk at {position} was answered {status}, not 460"
                assert driver.offset(location) == position, "a chunk that failed its checksum moved the offset"
            else:
                driver.drop(location, position, body, cut - position, with_checksum=mode == "drop_checksum")
                now = driver.offset(location)
                if mode == "drop_checksum":
                    assert now == position, f"a checksummed body dropped at {cut} moved the offset {position} -> {now}"
                else:
                    assert position <= now <= cut, f"a body dropped at {cut} (from {position}) left the offset at {now}"
                    report.kept_after_drop += now - position
            driver.after_interruption(report.interruptions)
            position = driver.offset(location)
            continue
        status = driver.patch(location, position, body, body)
        assert status == 204, f"PATCH at {position} answered {status}"
        position = driver.offset(location)
        assert position == end, f"after a PATCH to {end} the server says {position}"
    assert report.interruptions == interruptions, report
    stored = driver.stored(hashlib.sha256(data).hexdigest())
    assert stored is not None, "no video was stored"
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest(), (
        "the stored video differs from the source"
    )
    return report

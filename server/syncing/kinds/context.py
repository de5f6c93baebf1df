"""What every kind's handler needs while one push is applied: who, which device, the clock, content."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import sqlite_utils

from server.storage import content as content_store
from server.storage import sync as store
from server.syncing.content_index import VersionIndex, version_index
from sync import clock


@dataclass
class PushContext:
    """One push being applied, inside the writer's transaction."""

    db: sqlite_utils.Database
    user_id: str
    device: store.DeviceRow
    received_at: datetime.datetime
    offset: datetime.timedelta
    now: str = ""
    latest: int = 0
    previous_time: datetime.datetime | None = None
    _indexes: dict[int, VersionIndex | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.now = clock.format_utc(self.received_at)
        self.latest = content_store.latest_version(self.db)
        self.previous_time = clock.parse(self.device.last_answer_at) if self.device.last_answer_at else None

    def index(self, version: int) -> VersionIndex | None:
        """What sync needs of one published content version (cached: versions never change)."""
        if version not in self._indexes:
            self._indexes[version] = version_index(self.db, version)
        return self._indexes[version]

    def effective(self, device_time: str) -> str:
        """A record's effective time (docs/sync.md "Clocks"): the device's time corrected by its
        measured offset, clamped into [this device's previous record, receipt]. `clock.BadTime`
        for a time that is not a real moment."""
        moment = clock.effective(clock.parse(device_time), self.offset, self.received_at, self.previous_time)
        self.previous_time = moment
        return clock.format_utc(moment)

    def reserve(self, count: int) -> int:
        """`count` consecutive seqs for this push's records; the first of them."""
        return store.reserve_seqs(self.db, count)

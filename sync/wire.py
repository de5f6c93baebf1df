"""The building blocks of every wire Struct: the base policy and the shared field types."""

from __future__ import annotations

from typing import Annotated

import msgspec

Uuid = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
# A UUIDv7: version nibble 7, variant 10xx. Time-ordered and made on the device.
Uuid7 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
Timestamp = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$",
        description="ISO 8601 with a time zone, e.g. 2026-12-01T09:30:00.000Z",
    ),
]
LocalDay = Annotated[int, msgspec.Meta(ge=0, le=200_000, description="the learner's local day number (docs/scheduler.md §1)")]
Seq = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
ItemId = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Wire Structs ignore unknown fields, so an older server accepts a newer client's extras."""

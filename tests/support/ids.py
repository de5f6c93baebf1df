"""Ids as devices make them (docs/sync.md: UUIDv7, made on the device)."""

from __future__ import annotations

import secrets
import time
import uuid


def uuid7(now_ms: int | None = None) -> str:
    """A UUIDv7: 48 bits of milliseconds, version 7, variant 10, random bits."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = secrets.token_bytes(10)
    raw = ms.to_bytes(6, "big") + bytes([0x70 | (rand[0] & 0x0F), rand[1], 0x80 | (rand[2] & 0x3F)]) + rand[3:]
    return str(uuid.UUID(bytes=raw))

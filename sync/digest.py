"""An order-independent digest of a set of answer ids, for the divergence check.

Each id contributes the first 60 bits of its SHA-256; the digest is their XOR, so it can be
kept up to date one insert at a time and compared between a device and the server.
"""

from __future__ import annotations

import hashlib


def id_bits(answer_id: str) -> int:
    """The 60-bit contribution of one answer id (fits a signed 64-bit SQLite integer)."""
    return int(hashlib.sha256(answer_id.encode()).hexdigest()[:15], 16)


def digest(answer_ids: list[str] | set[str]) -> tuple[int, str]:
    """(count, hash as 15 hex digits) of a set of answer ids."""
    value = 0
    for answer_id in answer_ids:
        value ^= id_bits(answer_id)
    return len(answer_ids), as_hex(value)


def as_hex(value: int) -> str:
    return f"{value:015x}"

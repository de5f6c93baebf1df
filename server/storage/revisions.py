"""SQL for the revisions every edited record kind keeps: one row per applied patch (the patch,
who, which device, when, and the outcome per field; docs/sync.md "Edited records").

Runs inside the caller's transaction; never commits.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlite_utils

_encode = msgspec.json.Encoder().encode

# kind -> (revisions table, its record column)
TABLES: dict[str, tuple[str, str]] = {
    "observation": ("observation_revisions", "observation_id"),
    "session": ("intervision_revisions", "session_id"),
    "pitch": ("pitch_revisions", "pitch_id"),
}


def add(
    db: sqlite_utils.Database, kind: str, record_id: str, rev: int, user_id: str, device_id: str, mutation_id: str,
    patch: dict[str, Any], outcome: dict[str, Any], at: str, received_at: str,
) -> None:  # fmt: skip
    table, key = TABLES[kind]
    db.execute(
        f"INSERT INTO {table} ({key}, rev, user_id, device_id, mutation_id, patch, outcome, at, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [record_id, rev, user_id, device_id, mutation_id, _encode(patch).decode(), _encode(outcome).decode(), at, received_at],
    )

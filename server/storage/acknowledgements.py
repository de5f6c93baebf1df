"""SQL for acknowledgements (sync/kinds/acknowledgement.py).

Every function here runs inside the caller's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

COLUMNS = (
    "id", "user_id", "device_id", "mutation_id", "item_kind", "item_id", "acknowledged", "comment", "at", "device_time",
    "local_day", "received_at", "seq",
)  # fmt: skip
_INSERT = f"INSERT INTO acknowledgements ({', '.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})"


def owners(db: sqlite_utils.Database, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return dict(db.execute(f"SELECT id, user_id FROM acknowledgements WHERE id IN ({marks})", list(ids)).fetchall())


def insert(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    """Rows in COLUMNS order."""
    db.conn.executemany(_INSERT, rows)


def by_ids(db: sqlite_utils.Database, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored acknowledgements with these ids, as pulls send them."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        "SELECT id, user_id, item_kind, item_id, acknowledged, at, local_day, comment, device_id"
        f" FROM acknowledgements WHERE id IN ({marks})",
        list(ids),
    ).fetchall()
    names = ("id", "user_id", "item_kind", "item_id", "acknowledged", "at", "local_day", "comment", "device_id")
    return {r[0]: {**dict(zip(names, r, strict=True)), "acknowledged": bool(r[4])} for r in rows}

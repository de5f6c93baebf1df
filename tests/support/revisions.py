"""An edited record (sync/edits.py) as the merge rule computes it from the server's revision rows,
in server order: what the fault state machine compares each stored record and device with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sync import edits

# The merge cases a revision row's outcome names (sync/edits.py Outcome).
CASES = ("applied", "unchanged", "lost", "conflicted", "resolved", "joined")
# The revision table of each edited kind, and the column naming its record.
TABLES = {"observation": ("observation_revisions", "observation_id"), "session": ("intervision_revisions", "session_id"),
          "pitch": ("pitch_revisions", "pitch_id")}  # fmt: skip


def replayed(
    query: Callable[[str, list[Any]], list[Any]], kind: str, record_id: str, merges: dict[str, int],
    is_long: Callable[[str], bool], is_ordered: Callable[[str], bool] = edits.never,
    joined: Callable[[str], int] = edits.not_joined,
) -> tuple[edits.Record, list[edits.Patch]]:  # fmt: skip
    """The record after its stored patches, and those patches; `merges` counts each merge case the
    server wrote down (applied, unchanged, lost, conflicted, resolved, joined) by field."""
    table, column = TABLES[kind]
    log = query(
        f"SELECT patch, at, device_id, user_id, outcome FROM {table} WHERE {column} = ? ORDER BY rev", [record_id]
    )
    for row in log:
        for case, names in json.loads(row[4]).items():
            merges[case] += len(names)
    patches = [
        edits.Patch(base_rev=p["base_rev"], set=p["set"], resolve=tuple(p["resolve"]), at=at, device=device, by=by)
        for p, at, device, by in ((json.loads(r[0]), r[1], r[2], r[3]) for r in log)
    ]
    return edits.replay(record_id, patches, is_long, is_ordered, joined), patches

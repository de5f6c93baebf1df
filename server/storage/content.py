"""SQL for the published library: versions, immutable item revisions and snapshots."""

from __future__ import annotations

import json
from collections.abc import Mapping

import msgspec
import sqlite_utils


class StoredItem(msgspec.Struct, frozen=True):
    """The latest published revision of one item."""

    kind: str
    item_id: str
    rev: int
    version: int
    change: str
    epoch: int
    hash: str | None
    data: str | None

    @property
    def removed(self) -> bool:
        return self.change == "removed"


class NewRevision(msgspec.Struct, frozen=True):
    """A revision about to be published."""

    kind: str
    item_id: str
    rev: int
    change: str
    epoch: int
    hash: str | None
    data: str | None
    source: str | None  # its place in the library, e.g. questions/nl/x.yaml
    raw: bytes | None = None  # the file as authored


class SnapshotRow(msgspec.Struct, frozen=True):
    """A stored snapshot of a whole library version."""

    version: int
    published_at: str
    etag: str
    size: int
    body_gzip: bytes


def latest_version(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT max(version) FROM library_versions").fetchone()
    return int(row[0] or 0)


def current_items(db: sqlite_utils.Database) -> dict[tuple[str, str], StoredItem]:
    """The newest revision of every item ever published, removals included."""
    rows = db.execute(
        """
        SELECT kind, item_id, rev, version, change, epoch, hash, data
        FROM item_versions AS iv
        WHERE rev = (SELECT max(rev) FROM item_versions WHERE kind = iv.kind AND item_id = iv.item_id)
        """
    ).fetchall()
    return {(r[0], r[1]): StoredItem(*r) for r in rows}


def answer_counts(db: sqlite_utils.Database, question_ids: list[str]) -> dict[str, int]:
    """How many recorded answers each of these questions has (absent when none)."""
    counts: dict[str, int] = {}
    for start in range(0, len(question_ids), 500):
        chunk = question_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for qid, n in db.execute(
            f"SELECT question_id, count(*) FROM answers WHERE question_id IN ({marks}) GROUP BY question_id",
            chunk,
        ):
            counts[qid] = n
    return counts


def insert_version(
    db: sqlite_utils.Database,
    version: int,
    published_at: str,
    summary: Mapping[str, object],
    revisions: list[NewRevision],
    snapshot_etag: str,
    snapshot_size: int,
    snapshot_gzip: bytes,
) -> None:
    """Write one library version with its revisions and snapshot. Call inside a write transaction."""
    db.execute(
        "INSERT INTO library_versions (version, published_at, summary) VALUES (?, ?, ?)",
        [version, published_at, json.dumps(summary, sort_keys=True)],
    )
    db.conn.executemany(
        """
        INSERT INTO item_versions (kind, item_id, rev, version, change, epoch, hash, data, source, raw)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [(r.kind, r.item_id, r.rev, version, r.change, r.epoch, r.hash, r.data, r.source, r.raw) for r in revisions],
    )
    db.execute(
        "INSERT INTO snapshots (version, etag, size, body_gzip) VALUES (?, ?, ?, ?)",
        [version, snapshot_etag, snapshot_size, snapshot_gzip],
    )


def get_snapshot(db: sqlite_utils.Database, version: int) -> SnapshotRow | None:
    row = db.execute(
        """
        SELECT s.version, v.published_at, s.etag, s.size, s.body_gzip
        FROM snapshots AS s JOIN library_versions AS v USING (version)
        WHERE s.version = ?
        """,
        [version],
    ).fetchone()
    return SnapshotRow(*row) if row else None


def snapshot_etag(db: sqlite_utils.Database, version: int) -> str | None:
    row = db.execute("SELECT etag FROM snapshots WHERE version = ?", [version]).fetchone()
    return str(row[0]) if row else None


def get_latest_snapshot_meta(db: sqlite_utils.Database) -> SnapshotRow | None:
    """The newest snapshot's metadata (its body left empty)."""
    row = db.execute(
        """
        SELECT s.version, v.published_at, s.etag, s.size, x''
        FROM snapshots AS s JOIN library_versions AS v USING (version)
        ORDER BY s.version DESC LIMIT 1
        """
    ).fetchone()
    return SnapshotRow(*row) if row else None


def ever_published(db: sqlite_utils.Database, kind: str, ids: list[str]) -> set[str]:
    """Which of these items of `kind` were ever published (even if removed since)."""
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT DISTINCT item_id FROM item_versions WHERE kind = ? AND item_id IN ({marks})", [kind, *ids])
    return {str(r[0]) for r in rows}


def rubric_behaviours(db: sqlite_utils.Database, rubric_ids: list[str]) -> frozenset[tuple[str, str]]:
    """(rubric, behaviour) for every behaviour of every published version of these rubrics."""
    if not rubric_ids:
        return frozenset()
    marks = ",".join("?" * len(rubric_ids))
    found: set[tuple[str, str]] = set()
    for item_id, data in db.execute(f"SELECT item_id, data FROM item_versions WHERE kind = 'rubric' AND data IS NOT NULL AND item_id IN ({marks})", rubric_ids):
        for behaviour in json.loads(data).get("behaviours", ()):
            found.add((str(item_id), str(behaviour.get("id"))))
    return frozenset(found)


def pitch_prompt_ids(db: sqlite_utils.Database) -> frozenset[str]:
    """The id of every pitch prompt any published version has had (withdrawn ones included): a
    pitch recorded offline against an older library still names a prompt that existed."""
    rows = db.execute("SELECT DISTINCT item_id FROM item_versions WHERE kind = 'pitch_prompt' AND data IS NOT NULL")
    return frozenset(str(r[0]) for r in rows)


class FileAt(msgspec.Struct, frozen=True):
    """An item as it stood at one version: its data and, when kept, its authored file."""

    kind: str
    item_id: str
    rev: int
    data: str
    source: str | None
    raw: bytes | None


def items_at(db: sqlite_utils.Database, version: int) -> list[FileAt]:
    """Every item of the library at `version` (its latest revision then, unless removed)."""
    rows = db.execute(
        """
        SELECT kind, item_id, rev, data, source, raw FROM item_versions AS iv
        WHERE version <= ?1 AND rev = (
            SELECT max(rev) FROM item_versions WHERE kind = iv.kind AND item_id = iv.item_id AND version <= ?1
        ) AND change != 'removed'
        ORDER BY kind, item_id
        """,
        [version],
    ).fetchall()
    return [FileAt(*r) for r in rows]


def version_exists(db: sqlite_utils.Database, version: int) -> bool:
    return db.execute("SELECT 1 FROM library_versions WHERE version = ?", [version]).fetchone() is not None


def earlier_hashes(db: sqlite_utils.Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
    """For each (kind, id): the hash of each of its published revisions, with the version
    that first published it (a library file that matches one is an older state of the item)."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for kind, item_id in keys:
        rows = db.execute(
            "SELECT hash, min(version) FROM item_versions WHERE kind = ? AND item_id = ? AND hash IS NOT NULL GROUP BY hash",
            [kind, item_id],
        )
        out[(kind, item_id)] = {str(h): int(v) for h, v in rows}
    return out


class VersionRow(msgspec.Struct, frozen=True):
    """One published library version, as `recap content versions` and the editor list them."""

    version: int
    published_at: str
    summary: dict[str, object]


def versions(db: sqlite_utils.Database, limit: int = 50) -> list[VersionRow]:
    """The newest published versions first."""
    rows = db.execute(
        "SELECT version, published_at, summary FROM library_versions ORDER BY version DESC LIMIT ?", [limit]
    ).fetchall()
    return [VersionRow(int(v), str(at), json.loads(summary)) for v, at, summary in rows]

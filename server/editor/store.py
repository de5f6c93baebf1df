"""SQL for the editor: drafts and their saved revisions, who published what, and the figures the
editor's pages show (published revisions, answers). Writers run inside the caller's transaction.

Kinds are the singular names the library stores (`question`), as in `item_versions`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import msgspec
import sqlite_utils

from server.editor.quality import FirstChoice, parse_choice
from server.storage.content import StoredItem


class Draft(msgspec.Struct, frozen=True, kw_only=True):
    """An item being edited: its form's values, the published revision it started from."""

    kind: str
    item_id: str
    revision: int
    base_rev: int | None
    fields: dict[str, Any]
    status: str = "draft"  # draft, or ready (for review)
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    ready_by: str | None = None
    ready_at: str | None = None

    @property
    def ready(self) -> bool:
        return self.status == "ready"


_DRAFT_COLUMNS = "kind, item_id, revision, base_rev, fields, status, created_by, created_at, updated_by, updated_at, ready_by, ready_at"


def _draft(row: tuple[Any, ...]) -> Draft:
    kind, item_id, revision, base_rev, fields, status, cb, ca, ub, ua, rb, ra = row
    return Draft(
        kind=kind, item_id=item_id, revision=revision, base_rev=base_rev, fields=json.loads(fields), status=status,
        created_by=cb, created_at=ca, updated_by=ub, updated_at=ua, ready_by=rb, ready_at=ra,
    )  # fmt: skip


def get_draft(db: sqlite_utils.Database, kind: str, item_id: str) -> Draft | None:
    row = db.execute(f"SELECT {_DRAFT_COLUMNS} FROM editor_drafts WHERE kind = ? AND item_id = ?", [kind, item_id]).fetchone()
    return _draft(row) if row else None


def all_drafts(db: sqlite_utils.Database) -> list[Draft]:
    return [_draft(r) for r in db.execute(f"SELECT {_DRAFT_COLUMNS} FROM editor_drafts ORDER BY kind, item_id")]


def saved_fields(db: sqlite_utils.Database, kind: str, item_id: str, revision: int) -> dict[str, Any] | None:
    """The values of one saved revision of an item's drafts (current or gone)."""
    row = db.execute(
        "SELECT fields FROM editor_draft_revisions WHERE kind = ? AND item_id = ? AND revision = ?", [kind, item_id, revision]
    ).fetchone()
    return json.loads(row[0]) if row else None


def last_revision(db: sqlite_utils.Database, kind: str, item_id: str) -> int:
    """The highest revision any draft of this item ever had (0 for none)."""
    row = db.execute("SELECT max(revision) FROM editor_draft_revisions WHERE kind = ? AND item_id = ?", [kind, item_id]).fetchone()
    return int(row[0] or 0)


def put_draft(db: sqlite_utils.Database, draft: Draft) -> None:
    """Write a draft's new revision (and keep it among the saved revisions)."""
    fields = json.dumps(draft.fields, ensure_ascii=False, sort_keys=True)
    db.execute(
        f"INSERT INTO editor_drafts ({_DRAFT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (kind, item_id) DO UPDATE SET revision = excluded.revision, base_rev = excluded.base_rev,"
        " fields = excluded.fields, status = excluded.status, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at, ready_by = excluded.ready_by, ready_at = excluded.ready_at",
        [
            draft.kind, draft.item_id, draft.revision, draft.base_rev, fields, draft.status, draft.created_by,
            draft.created_at, draft.updated_by, draft.updated_at, draft.ready_by, draft.ready_at,
        ],
    )  # fmt: skip
    db.execute(
        "INSERT INTO editor_draft_revisions (kind, item_id, revision, base_rev, fields, saved_by, saved_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [draft.kind, draft.item_id, draft.revision, draft.base_rev, fields, draft.updated_by, draft.updated_at],
    )


def set_status(db: sqlite_utils.Database, kind: str, item_id: str, revision: int, ready: bool, user_id: str, now: str) -> bool:
    """Mark the draft ready for review (or back to draft), if it is still at `revision`."""
    cursor = db.execute(
        "UPDATE editor_drafts SET status = ?, ready_by = ?, ready_at = ? WHERE kind = ? AND item_id = ? AND revision = ?",
        ["ready" if ready else "draft", user_id if ready else None, now if ready else None, kind, item_id, revision],
    )
    return cursor.rowcount == 1


def delete_draft(db: sqlite_utils.Database, kind: str, item_id: str, revision: int) -> bool:
    """Remove the draft if it is still at `revision` (its saved revisions stay)."""
    cursor = db.execute("DELETE FROM editor_drafts WHERE kind = ? AND item_id = ? AND revision = ?", [kind, item_id, revision])
    return cursor.rowcount == 1


# ---- publishing -----------------------------------------------------------------------------------


def record_publisher(db: sqlite_utils.Database, version: int, user_id: str, action: str, detail: str | None = None) -> None:
    db.execute(
        "INSERT INTO library_publishers (version, user_id, action, detail) VALUES (?, ?, ?, ?)", [version, user_id, action, detail]
    )


class VersionRow(msgspec.Struct, frozen=True):
    version: int
    published_at: str
    summary: dict[str, Any]
    by: str | None  # the publisher's email (or user id), None: published from files
    action: str | None
    detail: str | None
    changes: list[tuple[str, str, str, int]]  # (change, kind, item id, rev)


def versions(db: sqlite_utils.Database, limit: int = 100) -> list[VersionRow]:
    """The newest library versions, with who published them and what changed."""
    rows = db.execute(
        """
        SELECT v.version, v.published_at, v.summary, coalesce(u.email, p.user_id), p.action, p.detail
        FROM library_versions AS v
        LEFT JOIN library_publishers AS p USING (version)
        LEFT JOIN users AS u ON u.id = p.user_id
        ORDER BY v.version DESC LIMIT ?
        """,
        [limit],
    ).fetchall()
    if not rows:
        return []
    changes: dict[int, list[tuple[str, str, str, int]]] = {}
    for version, change, kind, item_id, rev in db.execute(
        "SELECT version, change, kind, item_id, rev FROM item_versions WHERE version >= ? ORDER BY version, kind, item_id",
        [rows[-1][0]],
    ):
        changes.setdefault(version, []).append((change, kind, item_id, rev))
    return [VersionRow(v, at, json.loads(s), by, action, detail, changes.get(v, [])) for v, at, s, by, action, detail in rows]


def revision_data(db: sqlite_utils.Database, kind: str, item_id: str, rev: int) -> dict[str, Any] | None:
    """A published revision's fields (None for a removal or an unknown revision)."""
    row = db.execute("SELECT data FROM item_versions WHERE kind = ? AND item_id = ? AND rev = ?", [kind, item_id, rev]).fetchone()
    return json.loads(row[0]) if row and row[0] is not None else None


def history(db: sqlite_utils.Database, kind: str, item_id: str) -> list[tuple[int, int, str, str]]:
    """An item's published revisions, newest first: (rev, version, change, published at)."""
    return db.execute(
        "SELECT iv.rev, iv.version, iv.change, v.published_at FROM item_versions AS iv JOIN library_versions AS v USING (version)"
        " WHERE iv.kind = ? AND iv.item_id = ? ORDER BY iv.rev DESC",
        [kind, item_id],
    ).fetchall()


def emails(db: sqlite_utils.Database) -> dict[str, str]:
    """user id -> email, for showing who did what."""
    return {str(i): str(e) for i, e in db.execute("SELECT id, email FROM users")}


def teams(db: sqlite_utils.Database) -> list[str]:
    return [str(r[0]) for r in db.execute("SELECT id FROM teams ORDER BY id")]


# ---- answers --------------------------------------------------------------------------------------


def _epochs_json(epochs: Mapping[str, int]) -> str:
    return json.dumps(dict(epochs))


def first_choices(db: sqlite_utils.Database, epochs: Mapping[str, int]) -> dict[str, list[FirstChoice]]:
    """Per question: each learner's first answer since the question's epoch, grouped by choice."""
    found: dict[str, dict[tuple[tuple[int, ...], bool], int]] = {}
    rows = db.execute(
        """
        WITH current(question_id, epoch) AS (SELECT key, value FROM json_each(?1)),
        ranked AS (
            SELECT a.question_id, a.choice, a.correct,
                   row_number() OVER (PARTITION BY a.question_id, a.user_id ORDER BY a.local_day, a.answered_at, a.id) AS n
            FROM answers AS a JOIN current AS c ON c.question_id = a.question_id AND a.rev >= c.epoch
        )
        SELECT question_id, choice, correct, count(*) FROM ranked WHERE n = 1 GROUP BY question_id, choice, correct
        """,
        [_epochs_json(epochs)],
    )
    for qid, choice, correct, learners in rows:
        key = (parse_choice(choice), bool(correct))
        per = found.setdefault(qid, {})
        per[key] = per.get(key, 0) + learners
    return {qid: [FirstChoice(c, ok, n) for (c, ok), n in sorted(per.items())] for qid, per in found.items()}


def answer_totals(db: sqlite_utils.Database, epochs: Mapping[str, int]) -> dict[str, int]:
    """Per question: every answer since its epoch, repeats included."""
    return {
        str(qid): int(n)
        for qid, n in db.execute(
            "WITH current(question_id, epoch) AS (SELECT key, value FROM json_each(?1))"
            " SELECT a.question_id, count(*) FROM answers AS a JOIN current AS c"
            " ON c.question_id = a.question_id AND a.rev >= c.epoch GROUP BY a.question_id",
            [_epochs_json(epochs)],
        )
    }


def durations(db: sqlite_utils.Database, question_id: str, epoch: int) -> list[int]:
    """How long each answer since the epoch took (milliseconds), where the device recorded it."""
    return [
        int(r[0])
        for r in db.execute(
            "SELECT duration_ms FROM answers WHERE question_id = ? AND rev >= ? AND duration_ms IS NOT NULL", [question_id, epoch]
        )
    ]


def learners_answered(db: sqlite_utils.Database, question_id: str) -> tuple[int, int]:
    """(learners, answers) of a question, every revision: who a substantive change restarts."""
    row = db.execute("SELECT count(DISTINCT user_id), count(*) FROM answers WHERE question_id = ?", [question_id]).fetchone()
    return int(row[0]), int(row[1])


def published(db: sqlite_utils.Database, kind: str, item_id: str) -> StoredItem | None:
    """The item's latest published revision (a removal included), or None if never published."""
    row = db.execute(
        "SELECT kind, item_id, rev, version, change, epoch, hash, data FROM item_versions"
        " WHERE kind = ? AND item_id = ? ORDER BY rev DESC LIMIT 1",
        [kind, item_id],
    ).fetchone()
    return StoredItem(*row) if row else None

"""SQL for a person's data: everything held about them, to export or to erase.

Every row about a person refers to their user id. Observations and intervision sessions are
about two people: both exports list them; erasing the one they are about removes them, erasing
the one who wrote them pseudonymises them (server/storage/coaching_privacy.py).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from server.storage import coaching_privacy
from server.storage.sync import ledger_of

# (table, column): which rows belong to a person, by their user id.
OWNED: list[tuple[str, str]] = [
    ("user_roles", "user_id"),
    ("team_members", "user_id"),
    ("sign_in_codes", "user_id"),
    ("sessions", "user_id"),
    ("device_credentials", "user_id"),
    ("answers", "user_id"),
    ("progress", "user_id"),
    ("retention_days", "user_id"),
    ("adoption_days", "user_id"),
    ("user_digests", "user_id"),
    ("devices", "user_id"),
    ("enrollments", "user_id"),
    ("acknowledgements", "user_id"),
    ("feed", "user_id"),
    ("reminder_settings", "user_id"),
    ("push_subscriptions", "user_id"),
    ("reminders_sent", "user_id"),
    ("results", "user_id"),
]
# The editor's records name the editors who wrote, marked or published content: the content is the
# organisation's and stays, the person's id in them is replaced by the pseudonym on erasure.
AUTHORED: list[tuple[str, str]] = [
    ("editor_drafts", "created_by"),
    ("editor_drafts", "updated_by"),
    ("editor_drafts", "ready_by"),
    ("editor_draft_revisions", "saved_by"),
    ("library_publishers", "user_id"),
]
# Columns that must never be exported: hashes of secrets are still secrets.
SECRET_COLUMNS = {"code_hash", "salt", "token_hash", "csrf_hash", "challenge", "auth"}  # auth: a push subscription's secret


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [{k: v for k, v in zip(names, row, strict=True) if k not in SECRET_COLUMNS} for row in cursor.fetchall()]


def collect(db: sqlite_utils.Database, user_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row held about one person, by table."""
    found = {"users": _rows(db, "SELECT * FROM users WHERE id = ?", [user_id])}
    for table, column in OWNED:
        found[table] = _rows(db, f"SELECT * FROM {table} WHERE {column} = ?", [user_id])
    devices = [str(r[0]) for r in db.execute("SELECT id FROM devices WHERE user_id = ?", [user_id])]
    found["mutations"] = ledger_of(db, devices)
    found.update(coaching_privacy.collect(db, user_id, _rows))
    found["audit_log"] = _rows(db, "SELECT * FROM audit_log WHERE user_id = ?", [user_id])
    for table, column in AUTHORED:
        found.setdefault(table, []).extend(_rows(db, f"SELECT * FROM {table} WHERE {column} = ?", [user_id]))
    return found


def erase(db: sqlite_utils.Database, user_id: str, email: str, pseudonym: str) -> dict[str, int]:
    """Delete every row about one person; return how many per table. Call in a write transaction.

    The audit log is append-only, so its rows about the person are kept but their address is
    replaced by a pseudonym: the only rewrite the log ever allows, done with its guard lifted
    inside this same transaction. Observations and sessions about them go with them (their
    revisions and every acknowledgement of them too); in those they wrote, they are pseudonymised.
    """
    deleted: dict[str, int] = {}
    for table in ("mutation_batches", "mutation_results"):
        deleted[table] = db.execute(
            f"DELETE FROM {table} WHERE device_id IN (SELECT id FROM devices WHERE user_id = ?)", [user_id]
        ).rowcount
    deleted.update(coaching_privacy.erase(db, user_id, pseudonym))
    # Their acknowledgements reach others through the feed too.
    db.execute(
        "DELETE FROM feed WHERE kind = 'acknowledgement' AND entity_id IN (SELECT id FROM acknowledgements WHERE user_id = ?)",
        [user_id],
    )
    for table, column in OWNED:
        deleted[table] = db.execute(f"DELETE FROM {table} WHERE {column} = ?", [user_id]).rowcount
    # Buckets named after the address: `code-total:EMAIL` and `code:EMAIL|NETWORK` (server/signin.py).
    deleted["rate_limits"] = db.execute(
        "DELETE FROM rate_limits WHERE bucket = 'code-total:' || ?1"
        " OR substr(bucket, 1, length('code:' || ?1 || '|')) = 'code:' || ?1 || '|'",
        [email],
    ).rowcount
    deleted["users"] = db.execute("DELETE FROM users WHERE id = ?", [user_id]).rowcount
    for table, column in AUTHORED:
        deleted[f"{table}.{column} (pseudonymised)"] = db.execute(
            f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [pseudonym, user_id]
        ).rowcount
    db.execute("DROP TRIGGER audit_log_no_update")
    deleted["audit_log (pseudonymised)"] = db.execute(
        "UPDATE audit_log SET email = ?1, user_id = ?1 WHERE user_id = ?2 OR email = ?3", [pseudonym, user_id, email]
    ).rowcount
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log rows are immutable'); END"
    )
    return deleted

"""SQL for a person's data: everything held about them, to export or to erase.

A person's rows are found two ways: by their user id (people, sign-in) and by their sync user
key, the normalised email (answers, devices, the change feed, progress; docs/auth.md).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

# (table, column, key): which rows belong to a person, by "id" (users.id) or "email".
OWNED: list[tuple[str, str, str]] = [
    ("user_roles", "user_id", "id"),
    ("team_members", "user_id", "id"),
    ("sign_in_codes", "user_id", "id"),
    ("sessions", "user_id", "id"),
    ("device_credentials", "user_id", "id"),
    ("answers", "user_id", "email"),
    ("changes", "user_id", "email"),
    ("progress", "user_id", "email"),
    ("user_digests", "user_id", "email"),
    ("change_floors", "user_id", "email"),
    ("devices", "user_id", "email"),
    ("enrollments", "user_id", "email"),
]
# Columns that must never be exported: hashes of secrets are still secrets.
SECRET_COLUMNS = {"code_hash", "salt", "token_hash", "csrf_hash", "challenge"}


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [{k: v for k, v in zip(names, row, strict=True) if k not in SECRET_COLUMNS} for row in cursor.fetchall()]


def collect(db: sqlite_utils.Database, user_id: str, email: str) -> dict[str, list[dict[str, Any]]]:
    """Every row held about one person, by table."""
    keys = {"id": user_id, "email": email}
    found = {"users": _rows(db, "SELECT * FROM users WHERE id = ?", [user_id])}
    for table, column, key in OWNED:
        found[table] = _rows(db, f"SELECT * FROM {table} WHERE {column} = ?", [keys[key]])
    found["mutations"] = _rows(
        db, "SELECT * FROM mutations WHERE device_id IN (SELECT id FROM devices WHERE user_id = ?)", [email]
    )
    found["audit_log"] = _rows(db, "SELECT * FROM audit_log WHERE email = ?", [email])
    return found


def erase(db: sqlite_utils.Database, user_id: str, email: str, pseudonym: str) -> dict[str, int]:
    """Delete every row about one person; return how many per table. Call in a write transaction.

    The audit log is append-only, so its rows about the person are kept but their address is
    replaced by a pseudonym: the only rewrite the log ever allows, done with its guard lifted
    inside this same transaction.
    """
    keys = {"id": user_id, "email": email}
    deleted: dict[str, int] = {}
    deleted["mutations"] = db.execute(
        "DELETE FROM mutations WHERE device_id IN (SELECT id FROM devices WHERE user_id = ?)", [email]
    ).rowcount
    for table, column, key in OWNED:
        deleted[table] = db.execute(f"DELETE FROM {table} WHERE {column} = ?", [keys[key]]).rowcount
    # Buckets named after the address: `code-total:EMAIL` and `code:EMAIL|NETWORK` (server/signin.py).
    deleted["rate_limits"] = db.execute(
        "DELETE FROM rate_limits WHERE bucket = 'code-total:' || ?1"
        " OR substr(bucket, 1, length('code:' || ?1 || '|')) = 'code:' || ?1 || '|'",
        [email],
    ).rowcount
    deleted["users"] = db.execute("DELETE FROM users WHERE id = ?", [user_id]).rowcount
    db.execute("DROP TRIGGER audit_log_no_update")
    deleted["audit_log (pseudonymised)"] = db.execute(
        "UPDATE audit_log SET email = ? WHERE email = ?", [pseudonym, email]
    ).rowcount
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log rows are immutable'); END"
    )
    return deleted

"""SQL for sign-in: codes, sessions, device credentials, rate limits and the audit log.

Every write here runs inside the caller's transaction; none commits. Times are UTC strings
in one fixed format (sync/clock.py), so comparing them as text compares the times.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlite_utils


class Account(msgspec.Struct, frozen=True):
    id: str
    email: str
    name: str
    disabled: bool


class StoredCode(msgspec.Struct, frozen=True):
    challenge: str
    salt: str
    code_hash: str
    expires_at: str
    failures: int


class Credential(msgspec.Struct, frozen=True):
    """A live session or device credential, joined with its user."""

    user_id: str
    email: str
    disabled: bool
    device_id: str | None
    last_seen_at: str
    expires_at: str | None  # absolute expiry; None for a device credential
    ended: bool


def account(db: sqlite_utils.Database, email: str) -> Account | None:
    row = db.execute("SELECT id, email, name, disabled FROM users WHERE email = ?", [email]).fetchone()
    return Account(row[0], row[1], row[2], bool(row[3])) if row else None


def replace_code(
    db: sqlite_utils.Database, user_id: str, challenge: str, network: str, salt: str, digest: str, now: str, expires_at: str
) -> None:
    """The requester's new code replaces only that requester's previous one."""
    db.execute("DELETE FROM sign_in_codes WHERE user_id = ? AND expires_at <= ?", [user_id, now])
    db.execute(
        "INSERT OR REPLACE INTO sign_in_codes (user_id, challenge, network, salt, code_hash, created_at, expires_at, failures) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        [user_id, challenge, network, salt, digest, now, expires_at],
    )


def codes_for(db: sqlite_utils.Database, user_id: str, challenge: str, network: str) -> list[StoredCode]:
    """The codes a requester may use: asked for with its sign-in cookie, or from its network."""
    rows = db.execute(
        "SELECT challenge, salt, code_hash, expires_at, failures FROM sign_in_codes "
        "WHERE user_id = ? AND (challenge = ? OR network = ?) ORDER BY created_at",
        [user_id, challenge, network],
    ).fetchall()
    return [StoredCode(*row) for row in rows]


def count_failure(db: sqlite_utils.Database, user_id: str, challenge: str) -> int:
    db.execute("UPDATE sign_in_codes SET failures = failures + 1 WHERE user_id = ? AND challenge = ?", [user_id, challenge])
    row = db.execute("SELECT failures FROM sign_in_codes WHERE user_id = ? AND challenge = ?", [user_id, challenge]).fetchone()
    return int(row[0]) if row else 0


def delete_code(db: sqlite_utils.Database, user_id: str, challenge: str | None = None) -> None:
    """Delete one requester's code, or (challenge None) all of a person's codes."""
    if challenge is None:
        db.execute("DELETE FROM sign_in_codes WHERE user_id = ?", [user_id])
    else:
        db.execute("DELETE FROM sign_in_codes WHERE user_id = ? AND challenge = ?", [user_id, challenge])


def insert_session(
    db: sqlite_utils.Database, token_hash: str, user_id: str, device_id: str | None, now: str, expires_at: str
) -> None:
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, device_id, created_at, last_seen_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [token_hash, user_id, device_id, now, now, expires_at],
    )


def session(db: sqlite_utils.Database, token_hash: str) -> Credential | None:
    row = db.execute(
        "SELECT s.user_id, u.email, u.disabled, s.device_id, s.last_seen_at, s.expires_at, s.ended_at IS NOT NULL "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        [token_hash],
    ).fetchone()
    return Credential(row[0], row[1], bool(row[2]), row[3], row[4], row[5], bool(row[6])) if row else None


def touch_session(db: sqlite_utils.Database, token_hash: str, now: str) -> None:
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [now, token_hash])


def end_session(db: sqlite_utils.Database, token_hash: str, now: str, reason: str) -> bool:
    cursor = db.execute(
        "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL",
        [now, reason, token_hash],
    )
    return bool(cursor.rowcount)


def end_sessions(db: sqlite_utils.Database, user_id: str, now: str, reason: str, device_id: str | None = None) -> int:
    sql = "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL"
    params: list[Any] = [now, reason, user_id]
    if device_id is not None:
        sql += " AND device_id = ?"
        params.append(device_id)
    return int(db.execute(sql, params).rowcount)


def insert_device_credential(db: sqlite_utils.Database, token_hash: str, user_id: str, device_id: str, now: str) -> None:
    db.execute(
        "INSERT INTO device_credentials (token_hash, user_id, device_id, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)",
        [token_hash, user_id, device_id, now, now],
    )


def device_credential(db: sqlite_utils.Database, token_hash: str) -> Credential | None:
    row = db.execute(
        "SELECT d.user_id, u.email, u.disabled, d.device_id, d.last_used_at, d.revoked_at IS NOT NULL "
        "FROM device_credentials d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?",
        [token_hash],
    ).fetchone()
    return Credential(row[0], row[1], bool(row[2]), row[3], row[4], None, bool(row[5])) if row else None


def touch_device_credential(db: sqlite_utils.Database, token_hash: str, now: str) -> None:
    db.execute("UPDATE device_credentials SET last_used_at = ? WHERE token_hash = ?", [now, token_hash])


def revoke_device_credentials(
    db: sqlite_utils.Database, user_id: str, now: str, reason: str, device_id: str | None = None, token_hash: str | None = None
) -> int:
    sql = "UPDATE device_credentials SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL"
    params: list[Any] = [now, reason, user_id]
    if device_id is not None:
        sql += " AND device_id = ?"
        params.append(device_id)
    if token_hash is not None:
        sql += " AND token_hash = ?"
        params.append(token_hash)
    return int(db.execute(sql, params).rowcount)


def set_disabled(db: sqlite_utils.Database, user_id: str, disabled: bool, now: str) -> None:
    db.execute("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", [int(disabled), now, user_id])


def live_sessions(db: sqlite_utils.Database, user_id: str, now: str) -> list[tuple[str, str | None, str, str, str]]:
    """(created_at, device_id, last_seen_at, expires_at, token hash prefix) of sessions not ended or expired."""
    return [
        (r[0], r[1], r[2], r[3], r[4][:12])
        for r in db.execute(
            "SELECT created_at, device_id, last_seen_at, expires_at, token_hash FROM sessions "
            "WHERE user_id = ? AND ended_at IS NULL AND expires_at > ? ORDER BY created_at",
            [user_id, now],
        )
    ]


def live_device_credentials(db: sqlite_utils.Database, user_id: str, idle_cutoff: str) -> list[tuple[str, str, str]]:
    """(device_id, created_at, last_used_at) of the credentials neither revoked nor idle since `idle_cutoff`."""
    return [
        (r[0], r[1], r[2])
        for r in db.execute(
            "SELECT device_id, created_at, last_used_at FROM device_credentials "
            "WHERE user_id = ? AND revoked_at IS NULL AND last_used_at > ? ORDER BY created_at",
            [user_id, idle_cutoff],
        )
    ]


class Window(msgspec.Struct, frozen=True):
    """A rate-limit bucket's live window: how many attempts since when (None: no live window)."""

    count: int
    started_at: str | None


def window(db: sqlite_utils.Database, bucket: str, window_start_cutoff: str) -> Window:
    row = db.execute("SELECT window_start, count FROM rate_limits WHERE bucket = ?", [bucket]).fetchone()
    if row is None or row[0] <= window_start_cutoff:
        return Window(0, None)
    return Window(int(row[1]), str(row[0]))


def count_attempt(db: sqlite_utils.Database, bucket: str, now: str, window_start_cutoff: str) -> None:
    """Count one attempt in a fixed window that starts at the first attempt."""
    if window(db, bucket, window_start_cutoff).started_at is None:
        db.execute("INSERT OR REPLACE INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)", [bucket, now])
    else:
        db.execute("UPDATE rate_limits SET count = count + 1 WHERE bucket = ?", [bucket])


def prune_rate_limits(db: sqlite_utils.Database, cutoff: str) -> None:
    db.execute("DELETE FROM rate_limits WHERE window_start <= ?", [cutoff])


def audit(
    db: sqlite_utils.Database, now: str, event: str, email: str | None, address: str | None = None, detail: str = ""
) -> None:
    """One entry: the address as given, and the user id behind it when someone has that address."""
    db.execute(
        "INSERT INTO audit_log (at, event, email, user_id, address, detail)"
        " VALUES (?1, ?2, ?3, (SELECT id FROM users WHERE email = ?3), ?4, ?5)",
        [now, event, email, address, detail],
    )


def recent_audit(db: sqlite_utils.Database, limit: int, email: str | None = None) -> list[tuple[Any, ...]]:
    """The newest entries first: (id, at, event, email, address, detail)."""
    if email is None:
        rows = db.execute(
            "SELECT id, at, event, email, address, detail FROM audit_log ORDER BY id DESC LIMIT ?", [limit]
        )
    else:
        # The person's entries (whatever address they had then) and attempts on this address.
        rows = db.execute(
            "SELECT id, at, event, email, address, detail FROM audit_log"
            " WHERE user_id = (SELECT id FROM users WHERE email = ?1) OR email = ?1 ORDER BY id DESC LIMIT ?2",
            [email, limit],
        )
    return [tuple(r) for r in rows]


def device_counts(db: sqlite_utils.Database, idle_cutoff: str) -> dict[str, int]:
    """Live (neither revoked nor idle since `idle_cutoff`) device credentials per user id."""
    return {
        str(user_id): int(n)
        for user_id, n in db.execute(
            "SELECT user_id, count(*) FROM device_credentials WHERE revoked_at IS NULL AND last_used_at > ? GROUP BY user_id",
            [idle_cutoff],
        )
    }

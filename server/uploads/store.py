"""SQL for uploads and videos (m018). Every write runs inside the caller's transaction; none commits."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from server.uploads.protocol import Upload
from sync.clock import format_utc, parse

ORGANISATION = 1  # the one organisation row (m009)
_COLUMNS = 'id, user_id, pitch_id, sha256, length, "offset", content_type, created_at, expires_at, completed_at'


def _upload(row: Any) -> Upload | None:
    if row is None:
        return None
    return Upload(
        id=row[0], user_id=row[1], pitch_id=row[2], sha256=row[3], length=row[4], offset=row[5], content_type=row[6],
        created_at=parse(row[7]), expires_at=parse(row[8]), completed_at=parse(row[9]) if row[9] else None,
    )  # fmt: skip


def get(db: sqlite_utils.Database, upload_id: str) -> Upload | None:
    return _upload(db.execute(f"SELECT {_COLUMNS} FROM uploads WHERE id = ?", [upload_id]).fetchone())


def find(db: sqlite_utils.Database, user_id: str, pitch_id: str, sha256: str) -> Upload | None:
    """The upload this person already made of this pitch's file, if any."""
    sql = f"SELECT {_COLUMNS} FROM uploads WHERE user_id = ? AND pitch_id = ? AND sha256 = ?"
    return _upload(db.execute(sql, [user_id, pitch_id, sha256]).fetchone())


def insert(db: sqlite_utils.Database, upload: Upload) -> None:
    db.execute(
        f"INSERT INTO uploads ({_COLUMNS}, organisation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            upload.id, upload.user_id, upload.pitch_id, upload.sha256, upload.length, upload.offset, upload.content_type,
            format_utc(upload.created_at), format_utc(upload.expires_at), None, ORGANISATION,
        ],
    )  # fmt: skip


def delete(db: sqlite_utils.Database, upload_id: str) -> bool:
    return db.execute("DELETE FROM uploads WHERE id = ?", [upload_id]).rowcount > 0


def move_offset(db: sqlite_utils.Database, upload_id: str, before: int, after: int) -> bool:
    """Record bytes on disk; only from where the upload stood (a lost race changes nothing)."""
    sql = 'UPDATE uploads SET "offset" = ? WHERE id = ? AND "offset" = ? AND completed_at IS NULL'
    return db.execute(sql, [after, upload_id, before]).rowcount == 1


def complete(db: sqlite_utils.Database, upload: Upload, now: datetime.datetime) -> None:
    """Mark the upload finished and keep its video (once, whoever sends the same file again)."""
    stamp = format_utc(now)
    db.execute('UPDATE uploads SET "offset" = length, completed_at = ? WHERE id = ?', [stamp, upload.id])
    db.execute(
        "INSERT OR IGNORE INTO videos (sha256, organisation_id, uploaded_by, pitch_id, size, content_type, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [upload.sha256, ORGANISATION, upload.user_id, upload.pitch_id, upload.length, upload.content_type, stamp],
    )


@dataclass(frozen=True)
class Video:
    sha256: str
    uploaded_by: str
    pitch_id: str
    size: int
    content_type: str
    created_at: datetime.datetime


def video(db: sqlite_utils.Database, sha256: str) -> Video | None:
    row = db.execute(
        "SELECT sha256, uploaded_by, pitch_id, size, content_type, created_at FROM videos WHERE sha256 = ?", [sha256]
    ).fetchone()
    return Video(row[0], row[1], row[2], row[3], row[4], parse(row[5])) if row else None


def videos(db: sqlite_utils.Database) -> list[Video]:
    rows = db.execute("SELECT sha256, uploaded_by, pitch_id, size, content_type, created_at FROM videos").fetchall()
    return [Video(r[0], r[1], r[2], r[3], r[4], parse(r[5])) for r in rows]


def uploaded(db: sqlite_utils.Database, user_id: str, sha256: str) -> bool:
    """Whether this person finished uploading this file."""
    sql = "SELECT 1 FROM uploads WHERE user_id = ? AND sha256 = ? AND completed_at IS NOT NULL"
    return db.execute(sql, [user_id, sha256]).fetchone() is not None


def expired_unfinished(db: sqlite_utils.Database, now: datetime.datetime) -> list[str]:
    sql = "SELECT id FROM uploads WHERE completed_at IS NULL AND expires_at <= ? ORDER BY expires_at"
    return [str(r[0]) for r in db.execute(sql, [format_utc(now)])]


def unfinished_sha256s(db: sqlite_utils.Database) -> set[str]:
    """The SHA-256 of every upload not finished yet (their files may be at their address: a crash)."""
    return {str(r[0]) for r in db.execute("SELECT sha256 FROM uploads WHERE completed_at IS NULL")}


def delete_video(db: sqlite_utils.Database, sha256: str) -> None:
    """Forget a video and every upload that made it (a later upload of it starts afresh)."""
    db.execute("DELETE FROM uploads WHERE sha256 = ? AND completed_at IS NOT NULL", [sha256])
    db.execute("DELETE FROM videos WHERE sha256 = ?", [sha256])


def exemplar_videos(db: sqlite_utils.Database) -> frozenset[str]:
    """The SHA-256 of every pitch that is a team example (m017's `pitches.exemplar`); none before m017."""
    if not db["pitches"].exists():
        return frozenset()
    return frozenset(str(r[0]) for r in db.execute("SELECT DISTINCT video_sha256 FROM pitches WHERE exemplar = 1"))


def retention_days(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT video_retention_days FROM organisation WHERE id = 1").fetchone()[0])


def set_retention_days(db: sqlite_utils.Database, days: int, now: str) -> None:
    db.execute("UPDATE organisation SET video_retention_days = ?, updated_at = ? WHERE id = 1", [days, now])


@dataclass(frozen=True)
class Usage:
    """Storage of one organisation: finished videos, and unfinished uploads (bytes received)."""

    organisation_id: int
    videos: int
    video_bytes: int
    unfinished: int
    unfinished_bytes: int


def usage(db: sqlite_utils.Database) -> list[Usage]:
    rows = db.execute(
        """
        SELECT o.id,
               (SELECT count(*) FROM videos v WHERE v.organisation_id = o.id),
               (SELECT coalesce(sum(size), 0) FROM videos v WHERE v.organisation_id = o.id),
               (SELECT count(*) FROM uploads u WHERE u.organisation_id = o.id AND u.completed_at IS NULL),
               (SELECT coalesce(sum("offset"), 0) FROM uploads u WHERE u.organisation_id = o.id AND u.completed_at IS NULL)
        FROM organisation o ORDER BY o.id
        """
    ).fetchall()
    return [Usage(*row) for row in rows]


def of_person(db: sqlite_utils.Database, user_id: str) -> tuple[list[Upload], list[Video]]:
    """A person's uploads (finished or not) and the videos they were the first to upload."""
    ups = [
        u for u in (_upload(r) for r in db.execute(f"SELECT {_COLUMNS} FROM uploads WHERE user_id = ?", [user_id])) if u
    ]
    rows = db.execute(
        "SELECT sha256, uploaded_by, pitch_id, size, content_type, created_at FROM videos WHERE uploaded_by = ?",
        [user_id],
    ).fetchall()
    return ups, [Video(r[0], r[1], r[2], r[3], r[4], parse(r[5])) for r in rows]


def other_uploader(db: sqlite_utils.Database, sha256: str, user_id: str) -> str | None:
    """Someone else who finished uploading the same file (it stays theirs on erasure)."""
    sql = "SELECT user_id FROM uploads WHERE sha256 = ? AND user_id != ? AND completed_at IS NOT NULL LIMIT 1"
    row = db.execute(sql, [sha256, user_id]).fetchone()
    return str(row[0]) if row else None

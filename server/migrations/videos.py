"""m018: resumable video uploads and the videos they make (server/uploads/, docs/uploads.md)."""

from __future__ import annotations

import sqlite_utils

from server.migrations.registry import migrations


@migrations()
def m018_uploads(db: sqlite_utils.Database) -> None:
    # An upload is one person's transfer of one pitch's file (tus); a video is a finished file,
    # stored once under its SHA-256 whoever sent it. `organisation_id` is the organisation row
    # (m009; one organisation per database today). Retention is the organisation's setting,
    # changed by `recap settings set video-retention-days N` or on the admin page.
    db.executescript(
        """
        CREATE TABLE uploads (
            id TEXT PRIMARY KEY,               -- a random token made by the server
            user_id TEXT NOT NULL,
            organisation_id INTEGER NOT NULL DEFAULT 1,
            pitch_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,              -- of the whole file, declared at creation
            length INTEGER NOT NULL CHECK (length > 0),
            "offset" INTEGER NOT NULL DEFAULT 0 CHECK ("offset" BETWEEN 0 AND length),
            content_type TEXT NOT NULL,        -- video/webm or video/mp4, as declared and sniffed
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            completed_at TEXT,
            UNIQUE (user_id, pitch_id, sha256)
        );
        CREATE INDEX uploads_by_sha256 ON uploads(sha256);
        CREATE INDEX uploads_unfinished ON uploads(expires_at) WHERE completed_at IS NULL;
        CREATE TABLE videos (
            sha256 TEXT PRIMARY KEY,
            organisation_id INTEGER NOT NULL DEFAULT 1,
            uploaded_by TEXT NOT NULL,         -- the first to finish uploading it
            pitch_id TEXT NOT NULL,
            size INTEGER NOT NULL,
            content_type TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX videos_by_uploader ON videos(uploaded_by);
        ALTER TABLE organisation ADD COLUMN video_retention_days INTEGER NOT NULL DEFAULT 180
            CHECK (video_retention_days BETWEEN 1 AND 3650);
        """
    )

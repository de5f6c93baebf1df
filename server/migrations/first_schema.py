"""m001–m006: the library, answers, sync, people, sign-in and the hardening that followed the probe."""

from __future__ import annotations

import sqlite_utils

from server.migrations.registry import immutable, migrations


@migrations()
def m001_content_library(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE library_versions (
            version INTEGER PRIMARY KEY,
            published_at TEXT NOT NULL,
            summary TEXT NOT NULL          -- JSON: counts of items and of changes
        );
        CREATE TABLE item_versions (
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            rev INTEGER NOT NULL,
            version INTEGER NOT NULL REFERENCES library_versions(version),
            change TEXT NOT NULL CHECK (change IN ('new', 'cosmetic', 'substantive', 'removed')),
            epoch INTEGER NOT NULL,        -- the rev at which learners' progress last restarted
            hash TEXT,                     -- NULL for a removal
            data TEXT,                     -- the item as JSON; NULL for a removal
            source TEXT,                   -- the file it came from, for editors
            PRIMARY KEY (kind, item_id, rev)
        );
        CREATE INDEX item_versions_by_version ON item_versions(version);
        CREATE TABLE snapshots (
            version INTEGER PRIMARY KEY REFERENCES library_versions(version),
            etag TEXT NOT NULL,
            size INTEGER NOT NULL,         -- bytes before compression
            body_gzip BLOB NOT NULL
        );
        """
    )
    for table in ("library_versions", "item_versions", "snapshots"):
        immutable(db, table)


@migrations()
def m002_answers(db: sqlite_utils.Database) -> None:
    # Answers form a grow-only set keyed by the id the device made: a correction is a new
    # answer, never an update. Publish reads it to know which questions have answers.
    db.executescript(
        """
        CREATE TABLE answers (
            id TEXT PRIMARY KEY,           -- UUIDv7 made on the device
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            content_version INTEGER NOT NULL,
            rev INTEGER NOT NULL,          -- the question's revision in that content version
            choice TEXT NOT NULL,          -- JSON list of chosen option numbers (1 = first)
            correct INTEGER NOT NULL,      -- the server's verdict from the content
            device_correct INTEGER NOT NULL,
            answered_at TEXT NOT NULL,     -- effective time, YYYY-MM-DDTHH:MM:SS.mmmZ
            device_time TEXT NOT NULL,     -- as the device's clock said
            local_day INTEGER NOT NULL,
            duration_ms INTEGER,
            received_at TEXT NOT NULL
        );
        CREATE INDEX answers_by_question ON answers(question_id);
        CREATE INDEX answers_by_user ON answers(user_id, question_id);
        CREATE TRIGGER answers_no_update BEFORE UPDATE ON answers
        BEGIN SELECT RAISE(ABORT, 'answers are immutable: record a new answer instead'); END;
        """
    )


@migrations()
def m003_sync(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE devices (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,         -- bound at the first push, forever
            last_seq INTEGER NOT NULL DEFAULT 0,
            last_answer_at TEXT,           -- effective time of its latest answer (clock clamp)
            clock_offset_ms INTEGER,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        );
        CREATE INDEX devices_by_user ON devices(user_id);
        CREATE TABLE mutations (
            device_id TEXT NOT NULL REFERENCES devices(id),
            client_seq INTEGER NOT NULL,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('applied', 'duplicate', 'rejected')),
            reason TEXT,
            PRIMARY KEY (device_id, client_seq)
        ) WITHOUT ROWID;
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order: SQLite has one writer
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX changes_by_user ON changes(user_id, seq);
        CREATE TABLE progress (
            user_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            state TEXT NOT NULL,           -- JSON, docs/sync.md "progress"
            seq INTEGER NOT NULL,          -- the change that last carried it
            PRIMARY KEY (user_id, question_id)
        ) WITHOUT ROWID;
        CREATE TABLE user_digests (
            user_id TEXT PRIMARY KEY,
            answers INTEGER NOT NULL,
            hash INTEGER NOT NULL          -- XOR of 60-bit id hashes (sync/digest.py)
        );
        CREATE TABLE change_floors (
            user_id TEXT PRIMARY KEY,
            floor INTEGER NOT NULL         -- changes at or below this seq may have been pruned
        );
        CREATE TABLE metrics (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """
    )


@migrations()
def m004_people(db: sqlite_utils.Database) -> None:
    # Users have a generated id so that an email address can change without rewriting
    # everything the person did. Emails are stored normalised (server/people/rules.py), so a
    # plain UNIQUE is case-insensitive in effect; the CHECK keeps it that way.
    db.executescript(
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
            email TEXT NOT NULL UNIQUE
                CHECK (email = lower(trim(email)) AND length(email) <= 254 AND email LIKE '_%@_%._%'),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name = trim(name)),
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE user_roles (
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('rep', 'coach', 'editor', 'manager', 'admin')),
            PRIMARY KEY (user_id, role)
        ) WITHOUT ROWID;
        CREATE TABLE teams (
            id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 40 AND id NOT GLOB '*[^a-z0-9-]*'),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            created_at TEXT NOT NULL
        );
        CREATE TABLE team_members (
            team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('rep', 'coach', 'manager')),
            PRIMARY KEY (team_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX team_members_by_user ON team_members(user_id);
        """
    )


@migrations()
def m005_sign_in(db: sqlite_utils.Database) -> None:
    # Sign-in by emailed code, sessions, device credentials, rate limits and the audit log
    # (docs/auth.md). Secrets are stored only as hashes: a copy of the database signs no one in.
    db.executescript(
        """
        CREATE TABLE sign_in_codes (
            user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,  -- one live code each
            salt TEXT NOT NULL,
            hash TEXT NOT NULL,            -- PBKDF2-SHA256 of the 6-digit code
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,   -- SHA-256 of the cookie's token
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            device_id TEXT,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,    -- idle expiry counts from here
            expires_at TEXT NOT NULL,      -- absolute expiry
            ended_at TEXT,
            end_reason TEXT
        );
        CREATE INDEX sessions_by_user ON sessions(user_id);
        CREATE TABLE device_credentials (
            token_hash TEXT PRIMARY KEY,   -- SHA-256 of the bearer token
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            device_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT NOT NULL,
            revoked_at TEXT,
            revoke_reason TEXT
        );
        CREATE INDEX device_credentials_by_user ON device_credentials(user_id, device_id);
        CREATE TABLE rate_limits (
            bucket TEXT PRIMARY KEY,       -- e.g. code-email:ann@example.com, address:203.0.113.9
            window_start TEXT NOT NULL,
            count INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            event TEXT NOT NULL,           -- sign-in, sign-in-failed, logout, disable, enable, revoke-device
            email TEXT,
            address TEXT,
            detail TEXT
        );
        CREATE INDEX audit_log_by_email ON audit_log(email, id);
        """
    )
    immutable(db, "audit_log")


@migrations()
def m006_hardening(db: sqlite_utils.Database) -> None:
    # Sign-in codes belong to whoever asked for them (docs/auth.md "Nobody can lock you out"):
    # one per (person, requester), so a stranger asking for codes neither replaces nor uses up
    # the owner's. Codes live ten minutes, so the old table is simply replaced.
    db.executescript(
        """
        DROP TABLE sign_in_codes;
        CREATE TABLE sign_in_codes (
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            challenge TEXT NOT NULL,       -- SHA-256 of the requester's sign-in cookie
            network TEXT NOT NULL,         -- the requester's client network (rate-limit key)
            salt TEXT NOT NULL,
            code_hash TEXT NOT NULL,       -- HMAC-SHA256 of the 6-digit code
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, challenge)
        ) WITHOUT ROWID;
        CREATE INDEX sign_in_codes_by_network ON sign_in_codes(user_id, network);
        -- A repeated client_seq must be the same mutation: its hash is compared (docs/sync.md).
        ALTER TABLE mutations ADD COLUMN hash TEXT;
        -- Answers applied since the device last reported progress disagreements: the most it may report.
        ALTER TABLE devices ADD COLUMN unreported_answers INTEGER NOT NULL DEFAULT 0;
        -- The day each learner started each campaign: max(campaign start, the day it reached them).
        CREATE TABLE enrollments (
            user_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            enrolled_day INTEGER NOT NULL,  -- the learner's local day number when it reached them
            start_day INTEGER NOT NULL,     -- max(campaign start, enrolled_day)
            enrolled_at TEXT NOT NULL,
            PRIMARY KEY (user_id, campaign_id)
        ) WITHOUT ROWID;
        """
    )

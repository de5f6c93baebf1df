"""The database schema, as an ordered list of migrations. Never edit one that has shipped."""

from __future__ import annotations

import uuid

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("recap")


def _immutable(db: sqlite_utils.Database, table: str) -> None:
    """Refuse UPDATE and DELETE on a table whose rows are published facts."""
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
        )


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
        _immutable(db, table)


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
    _immutable(db, "audit_log")


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


def _person_key(column: str) -> str:
    """SQL for a sync user key (a normalised email until m007) as a users.id; keys of no user
    (development sign-ins) become `dev:<key>`, as server/auth.py now names them."""
    return f"coalesce((SELECT u.id FROM users AS u WHERE u.email = {column}), 'dev:' || {column})"


@migrations()
def m007_sync_v2(db: sqlite_utils.Database) -> None:
    # 1. One id per person: every sync table refers to users.id; the email is an attribute.
    db.execute("DROP TRIGGER answers_no_update")
    for table in ("answers", "devices", "progress", "user_digests", "enrollments"):
        db.execute(f"UPDATE {table} SET user_id = {_person_key(table + '.user_id')}")
    # 2. Answers and progress are served to pulls from their own tables by seq: the change feed
    #    no longer copies them. Seqs keep their numbers, so devices' cursors stay valid.
    db.executescript(
        """
        ALTER TABLE answers ADD COLUMN seq INTEGER;
        UPDATE answers SET seq = (SELECT c.seq FROM changes AS c WHERE c.kind = 'answer' AND c.entity_id = answers.id);
        CREATE TABLE seq_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
        INSERT INTO seq_counter (id, value)
            VALUES (1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0));
        """
    )
    # An answer whose change was lost (never expected) gets a new seq, after every other.
    missing = [row[0] for row in db.execute("SELECT id FROM answers WHERE seq IS NULL ORDER BY received_at, id")]
    for answer_id in missing:
        db.execute("UPDATE seq_counter SET value = value + 1")
        db.execute("UPDATE answers SET seq = (SELECT value FROM seq_counter) WHERE id = ?", [answer_id])
    db.executescript(
        """
        CREATE UNIQUE INDEX answers_by_seq ON answers(user_id, seq);
        CREATE TRIGGER answers_no_update BEFORE UPDATE ON answers
        BEGIN SELECT RAISE(ABORT, 'answers are immutable: record a new answer instead'); END;
        ALTER TABLE progress ADD COLUMN basis TEXT;  -- JSON: what the stored state was replayed from
        CREATE INDEX progress_by_seq ON progress(user_id, seq);
        DROP TABLE changes;
        DROP TABLE change_floors;
        -- Records shared with several people (acknowledgements, observations) reach each of
        -- them through this feed: one row per (recipient, record), holding the record's latest seq.
        CREATE TABLE feed (
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (user_id, kind, entity_id)
        ) WITHOUT ROWID;
        CREATE INDEX feed_by_seq ON feed(user_id, seq);
        CREATE TABLE acknowledgements (
            id TEXT PRIMARY KEY,            -- UUIDv7 made on the device
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            item_kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            acknowledged INTEGER NOT NULL,
            comment TEXT,
            at TEXT NOT NULL,               -- effective time
            device_time TEXT NOT NULL,
            local_day INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        CREATE INDEX acknowledgements_by_item ON acknowledgements(item_kind, item_id);
        CREATE INDEX acknowledgements_by_user ON acknowledgements(user_id, item_kind, item_id);
        CREATE TRIGGER acknowledgements_no_update BEFORE UPDATE ON acknowledgements
        BEGIN SELECT RAISE(ABORT, 'acknowledgements are immutable: record a new one instead'); END;
        CREATE TABLE observations (
            id TEXT PRIMARY KEY,            -- UUIDv7 made by the creating device
            author_id TEXT NOT NULL,
            rep_id TEXT NOT NULL,
            rev INTEGER NOT NULL,
            shared INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL,            -- JSON: every field's value and stamp, open conflicts
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        CREATE INDEX observations_by_rep ON observations(rep_id);
        CREATE INDEX observations_by_author ON observations(author_id);
        CREATE TABLE observation_revisions (
            observation_id TEXT NOT NULL REFERENCES observations(id),
            rev INTEGER NOT NULL,
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            patch TEXT NOT NULL,            -- JSON: base_rev, set, resolve
            outcome TEXT NOT NULL,          -- JSON: applied, unchanged, lost, conflicted, resolved
            at TEXT NOT NULL,               -- effective time
            received_at TEXT NOT NULL,
            PRIMARY KEY (observation_id, rev)
        ) WITHOUT ROWID;
        CREATE TRIGGER observation_revisions_no_update BEFORE UPDATE ON observation_revisions
        BEGIN SELECT RAISE(ABORT, 'revisions are kept as they were'); END;
        """
    )
    # 3. The audit log names the person by id too (its email column keeps the address as typed).
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("ALTER TABLE audit_log ADD COLUMN user_id TEXT")
    db.execute("UPDATE audit_log SET user_id = (SELECT u.id FROM users AS u WHERE u.email = audit_log.email)")
    db.execute("CREATE INDEX audit_log_by_user ON audit_log(user_id, id)")
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log rows are immutable'); END"
    )
    # 4. The push path writes less: a learner's answers are found by (user, seq) for the rare full
    #    replay, and the mutation ledger keeps one row per push (the ids and content hashes of
    #    its mutations, packed) plus a row only for each mutation that was not applied.
    db.executescript(
        """
        DROP INDEX answers_by_user;
        CREATE TABLE mutation_batches (
            device_id TEXT NOT NULL REFERENCES devices(id),
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            entries BLOB NOT NULL,         -- per mutation, in seq order: 16 bytes of id, 16 of hash
            PRIMARY KEY (device_id, first_seq)
        ) WITHOUT ROWID;
        CREATE TABLE mutation_results (
            device_id TEXT NOT NULL REFERENCES devices(id),
            client_seq INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('duplicate', 'rejected')),
            reason TEXT,
            PRIMARY KEY (device_id, client_seq)
        ) WITHOUT ROWID;
        INSERT INTO mutation_results (device_id, client_seq, status, reason)
            SELECT device_id, client_seq, status, reason FROM mutations WHERE status != 'applied';
        """
    )
    # Each old ledger row becomes a batch of one; its hash (if any) keeps its first 128 bits.
    for device_id, seq, mutation_id, hash_ in db.execute("SELECT device_id, client_seq, id, hash FROM mutations").fetchall():
        db.execute(
            "INSERT INTO mutation_batches (device_id, first_seq, last_seq, entries) VALUES (?, ?, ?, ?)",
            [device_id, seq, seq, pack_entry(mutation_id, hash_)],
        )
    db.execute("DROP TABLE mutations")


def pack_entry(mutation_id: str, content_hash: str | None) -> bytes:
    """One ledger entry: the mutation id's 16 bytes, then 16 bytes of its content hash (zeros
    when it was stored without one). server/storage/sync.py reads them."""
    return uuid.UUID(mutation_id).bytes + (bytes.fromhex(content_hash[:32]) if content_hash else bytes(16))

@migrations()
def m008_authored_files(db: sqlite_utils.Database) -> None:
    # Each published revision keeps its file exactly as authored, so `recap content export`
    # writes the library back byte for byte; `source` now holds its place in the library
    # (`questions/nl/x.yaml`). Rows published before keep NULL: export renders those.
    db.execute("ALTER TABLE item_versions ADD COLUMN raw BLOB")


@migrations()
def m009_daily_limit(db: sqlite_utils.Database) -> None:
    # A learner's total daily limit across campaigns (docs/people.md "Questions a day"): the
    # organisation's, unless the person has their own. One row of organisation-wide settings;
    # later settings are columns added to it.
    db.executescript(
        """
        CREATE TABLE organisation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            daily_limit INTEGER NOT NULL DEFAULT 3 CHECK (daily_limit BETWEEN 1 AND 20),
            updated_at TEXT
        );
        INSERT INTO organisation (id) VALUES (1);
        ALTER TABLE users ADD COLUMN daily_limit INTEGER CHECK (daily_limit IS NULL OR daily_limit BETWEEN 1 AND 20);
        """
    )


@migrations()
def m010_editor(db: sqlite_utils.Database) -> None:
    # The browser editor (server/editor/, docs/editor.md). Depends on no migration after m008.
    db.executescript(
        """
        CREATE TABLE editor_drafts (
            kind TEXT NOT NULL,            -- competency, nugget, question, refresher, campaign
            item_id TEXT NOT NULL,
            revision INTEGER NOT NULL,     -- one more with every save; never restarts for an item
            base_rev INTEGER,              -- the published revision it was started from; NULL: new item
            fields TEXT NOT NULL,          -- JSON: the form's values (kept even where they are wrong)
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'ready')),
            created_by TEXT NOT NULL,      -- user ids
            created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            ready_by TEXT,                 -- who marked it ready for review, and when
            ready_at TEXT,
            PRIMARY KEY (kind, item_id)
        ) WITHOUT ROWID;
        -- Every save of every draft, kept: the common base of a three-way merge, and nothing an
        -- editor saved is ever lost (not by publishing, not by discarding).
        CREATE TABLE editor_draft_revisions (
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            base_rev INTEGER,
            fields TEXT NOT NULL,
            saved_by TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (kind, item_id, revision)
        ) WITHOUT ROWID;
        -- Who published a library version from the browser; a version without a row here was
        -- published from files (`recap content publish`).
        CREATE TABLE library_publishers (
            version INTEGER PRIMARY KEY REFERENCES library_versions(version),
            user_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('publish', 'withdraw', 'roll-back')),
            detail TEXT                    -- a roll-back: the version it restored
        );
        """
    )


@migrations()
def m011_reminders(db: sqlite_utils.Database) -> None:
    # Daily reminders (server/reminders/, docs/operations.md "Reminders"). Depends on no other
    # migration. No foreign keys to users: development users (RECAP_DEV_AUTH) have no row there;
    # erasing a person deletes these rows (server/storage/privacy.py).
    db.executescript(
        """
        -- The server's Web Push (VAPID) key pair, made at first start; one row, never sent out
        -- but the public half. Kept here and not in a file: the database is what gets backed up.
        CREATE TABLE push_keys (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            private_pem TEXT NOT NULL,
            public_key TEXT NOT NULL,      -- base64url of the uncompressed P-256 point
            created_at TEXT NOT NULL
        );
        -- A rep's choices; no row: no reminders (the app writes one from Settings).
        CREATE TABLE reminder_settings (
            user_id TEXT PRIMARY KEY,
            enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            at_minute INTEGER NOT NULL CHECK (at_minute BETWEEN 0 AND 1439),       -- local time
            quiet_start INTEGER NOT NULL CHECK (quiet_start BETWEEN 0 AND 1439),
            quiet_end INTEGER NOT NULL CHECK (quiet_end BETWEEN 0 AND 1439),       -- equal: none
            time_zone TEXT NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),  -- IANA name
            email INTEGER NOT NULL CHECK (email IN (0, 1)),  -- mail when no device takes push
            starts_on TEXT,                -- YYYY-MM-DD: none before (the app's defaults start tomorrow)
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE push_subscriptions (
            endpoint TEXT PRIMARY KEY CHECK (length(endpoint) <= 1024),
            user_id TEXT NOT NULL,
            p256dh TEXT NOT NULL,
            auth TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_sent_at TEXT
        ) WITHOUT ROWID;
        CREATE INDEX push_subscriptions_by_user ON push_subscriptions(user_id);
        -- One row per person and local day, written before anything is sent: a reminder goes
        -- out at most once a day, whatever restarts or second servers do.
        CREATE TABLE reminders_sent (
            user_id TEXT NOT NULL,
            local_date TEXT NOT NULL,      -- YYYY-MM-DD in the rep's time zone
            channel TEXT NOT NULL CHECK (channel IN ('push', 'email')),
            claimed_at TEXT NOT NULL,
            outcome TEXT,                  -- sent, failed: …; NULL while sending
            PRIMARY KEY (user_id, local_date)
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m015_intervision_sessions(db: sqlite_utils.Database) -> None:
    # Intervision sessions (sync/kinds/session.py): edited records like observations, each patch
    # kept as a revision. Depends on m007 (the feed). Erasing a person (server/storage/privacy.py)
    # deletes the sessions they brought as case owner and pseudonymises them as moderator.
    db.executescript(
        """
        CREATE TABLE intervision_sessions (
            id TEXT PRIMARY KEY,            -- UUIDv7 made by the creating device
            moderator_id TEXT NOT NULL,
            team_id TEXT NOT NULL,
            case_owner_id TEXT NOT NULL,
            rev INTEGER NOT NULL,
            state TEXT NOT NULL,            -- JSON: every field's value and stamp, open conflicts
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        CREATE INDEX intervision_sessions_by_team ON intervision_sessions(team_id);
        CREATE INDEX intervision_sessions_by_owner ON intervision_sessions(case_owner_id);
        CREATE INDEX intervision_sessions_by_moderator ON intervision_sessions(moderator_id);
        CREATE TABLE intervision_revisions (
            session_id TEXT NOT NULL REFERENCES intervision_sessions(id),
            rev INTEGER NOT NULL,
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            patch TEXT NOT NULL,            -- JSON: base_rev, set, resolve
            outcome TEXT NOT NULL,          -- JSON: applied, unchanged, lost, conflicted, resolved
            at TEXT NOT NULL,               -- effective time
            received_at TEXT NOT NULL,
            PRIMARY KEY (session_id, rev)
        ) WITHOUT ROWID;
        """
    )


def pending(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations not yet applied to this database."""
    return [m.name for m in migrations.pending(db)]


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    names = pending(db)
    migrations.apply(db)
    return names

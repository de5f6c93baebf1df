"""m008 onwards: authored files, daily limits, the browser editor, reminders, intervision sessions."""

from __future__ import annotations

import sqlite_utils

from server.migrations.registry import migrations


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
def m012_dashboard_aggregates(db: sqlite_utils.Database) -> None:
    # Retention aggregates for the dashboards (server/dashboards/aggregates.py, docs/measures.md):
    # per rep, competency and local day, the counted answers (first of a day, to a question
    # answered on an earlier day), how many were right, and their guessing rates summed in parts
    # per million. Kept up to date by every push; backfilled here from the answers.
    from server.dashboards import aggregates  # the same recomputation the app and tests use

    db.executescript(
        """
        CREATE TABLE retention_days (
            user_id TEXT NOT NULL,
            competency_id TEXT NOT NULL,
            local_day INTEGER NOT NULL,
            n INTEGER NOT NULL,             -- no CHECKs: a push must never fail on its aggregates
            n_right INTEGER NOT NULL,
            guess_ppm INTEGER NOT NULL,
            PRIMARY KEY (user_id, competency_id, local_day)
        ) WITHOUT ROWID;
        -- The pages read a window of days for many reps: a covering index by day.
        CREATE INDEX retention_days_by_day ON retention_days(local_day, user_id, competency_id, n, n_right, guess_ppm);
        """
    )
    aggregates.rebuild(db)


@migrations()
def m013_adoption_events(db: sqlite_utils.Database) -> None:
    # Adoption aggregates for the dashboards (server/dashboards/adoption_aggregates.py,
    # docs/measures.md "Adoption"): per rep and local day, the answers, the repeats that count
    # for timing and those on time. Kept up to date by every push; backfilled here. Opening a
    # refresher or a reminder needs no table: it is an acknowledgement (payload v3, docs/sync.md).
    from server.dashboards import adoption_aggregates  # the same recomputation the app and tests use

    db.executescript(
        """
        CREATE TABLE adoption_days (
            user_id TEXT NOT NULL,
            local_day INTEGER NOT NULL,
            answers INTEGER NOT NULL,       -- no CHECKs: a push must never fail on its aggregates
            repeats INTEGER NOT NULL,
            on_time INTEGER NOT NULL,
            PRIMARY KEY (user_id, local_day)
        ) WITHOUT ROWID;
        CREATE INDEX adoption_days_by_day ON adoption_days(local_day, user_id, answers, repeats, on_time);
        """
    )
    adoption_aggregates.rebuild(db)


@migrations()
def m014_results(db: sqlite_utils.Database) -> None:
    # Commercial results imported from CSV (`recap results import`, docs/results.md): one value
    # per person, period and metric, replaced by a later import. A person's results are theirs:
    # exported and erased with them (server/storage/privacy.py). The xAPI export's secret (the
    # key of its pseudonyms) and how far each learning record store has been sent (docs/operations.md).
    db.executescript(
        """
        CREATE TABLE results (
            user_id TEXT NOT NULL,
            period TEXT NOT NULL,          -- 2026-Q4 or 2026-11 (server/results/periods.py)
            metric TEXT NOT NULL,          -- the CSV column, e.g. win_rate
            value REAL NOT NULL,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (user_id, period, metric)
        ) WITHOUT ROWID;
        CREATE INDEX results_by_period ON results(period, metric);
        CREATE TABLE xapi_secret (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            secret TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE xapi_deliveries (
            endpoint TEXT PRIMARY KEY,
            position TEXT NOT NULL,        -- the latest stored-at time delivered
            delivered INTEGER NOT NULL,    -- statements delivered so far (repeats included)
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        -- The export reads events a page at a time in stored order (server/xapi/store.py).
        CREATE INDEX answers_by_received ON answers(received_at, id);
        CREATE INDEX acknowledgements_by_received ON acknowledgements(received_at, id);
        CREATE INDEX observations_by_updated ON observations(updated_at, id);
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


@migrations()
def m016_leaderboards(db: sqlite_utils.Database) -> None:
    # Leaderboards in the app (docs/measures.md "Leaderboards"), opt-in per organisation: off
    # until an admin turns them on (`recap settings set leaderboards on`, or the admin page).
    db.execute(
        "ALTER TABLE organisation ADD COLUMN leaderboards INTEGER NOT NULL DEFAULT 0 CHECK (leaderboards IN (0, 1))"
    )


@migrations()
def m017_pitches(db: sqlite_utils.Database) -> None:
    # Video pitches (sync/kinds/pitch.py): edited records like observations, each patch kept as a
    # revision. The video travels apart (docs/uploads.md, m018) and is named by its SHA-256.
    # `reviewed` and `exemplar` (proposed AND consented) are kept beside the state for the reads
    # that select on them (the exemplar list, retention, the reviewers' queue).
    db.executescript(
        """
        CREATE TABLE pitches (
            id TEXT PRIMARY KEY,            -- UUIDv7 made by the rep's device
            rep_id TEXT NOT NULL,
            prompt_id TEXT NOT NULL,
            video_sha256 TEXT NOT NULL,
            video_size INTEGER NOT NULL,
            video_type TEXT NOT NULL,
            reviewed INTEGER NOT NULL DEFAULT 0 CHECK (reviewed IN (0, 1)),
            exemplar INTEGER NOT NULL DEFAULT 0 CHECK (exemplar IN (0, 1)),
            rev INTEGER NOT NULL,
            state TEXT NOT NULL,            -- JSON: every field's value and stamp, open conflicts
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        CREATE INDEX pitches_by_rep ON pitches(rep_id, created_at);
        CREATE INDEX pitches_by_video ON pitches(video_sha256);
        CREATE INDEX pitches_exemplars ON pitches(exemplar) WHERE exemplar = 1;
        CREATE TABLE pitch_revisions (
            pitch_id TEXT NOT NULL REFERENCES pitches(id),
            rev INTEGER NOT NULL,
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            patch TEXT NOT NULL,            -- JSON: base_rev, set, resolve
            outcome TEXT NOT NULL,          -- JSON: applied, unchanged, lost, conflicted, resolved
            at TEXT NOT NULL,               -- effective time
            received_at TEXT NOT NULL,
            PRIMARY KEY (pitch_id, rev)
        ) WITHOUT ROWID;
        """
    )

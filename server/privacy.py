"""A person's right to their data: export everything held about them, or erase it all.

Both are audited. An erasure leaves no row that refers to the person: their rows are deleted
and the audit log's entries about them keep only a random pseudonym.
"""

from __future__ import annotations

import datetime
import json
import secrets
from pathlib import Path
from typing import Any

import sqlite_utils

from server import __version__
from server.db import write_transaction
from server.people import rules
from server.storage import auth as auth_store
from server.storage import people
from server.storage import privacy as store
from server.uploads import privacy as video_privacy
from sync.clock import format_utc


class UnknownPerson(LookupError):
    """No account has this address."""


def _who(db: sqlite_utils.Database, email: str) -> tuple[str, str]:
    address = rules.normalise_email(email)
    user_id = people.user_id_for_email(db, address)
    if user_id is None:
        raise UnknownPerson(f"no one has the address {address}")
    return user_id, address


def export(db: sqlite_utils.Database, email: str, out: Path, now: datetime.datetime | None = None) -> dict[str, int]:
    """Write everything held about a person to `out` as JSON; return the row count per table
    (and how many video files are listed under `media`)."""
    moment = format_utc(now or datetime.datetime.now(datetime.UTC))
    with write_transaction(db):
        user_id, address = _who(db, email)
        data = store.collect(db, user_id)
        video_tables, media = video_privacy.collect(db, user_id)
        data.update(video_tables)
        auth_store.audit(db, moment, "export", address, detail=str(out.name))
    document: dict[str, Any] = {
        "exported_at": moment,
        "by": f"recap {__version__}",
        "email": address,
        "media": media,  # their video pitches: each file's hash, size, type and path beside the database
        "tables": data,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return {**{table: len(rows) for table, rows in data.items()}, "video files": len(media)}


def erase(db: sqlite_utils.Database, email: str, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete every row about a person, in one transaction; return what was removed per table."""
    moment = format_utc(now or datetime.datetime.now(datetime.UTC))
    pseudonym = f"erased-{secrets.token_hex(8)}"
    with write_transaction(db):
        user_id, address = _who(db, email)
        removed = store.erase(db, user_id, address, pseudonym)
        video_counts, doomed = video_privacy.erase(db, user_id)
        removed.update(video_counts)
        auth_store.audit(db, moment, "erase", pseudonym, detail=f"{sum(removed.values())} rows")
    removed["video and upload files"] = video_privacy.remove(doomed)  # once the rows are gone for good
    return removed

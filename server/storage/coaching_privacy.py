"""A person's coaching records on export and erasure (server/storage/privacy.py calls these).

Observations, intervision sessions and pitches are about two kinds of people, treated differently
(docs/people.md "Export and erasure"):
- the person they are about (an observation's rep, a session's case owner, a pitch's rep): erasing them
  deletes those records, with every revision, every acknowledgement of them and their feed rows;
- the person who wrote them (an observation's coach, a session's moderator, a pitch's reviewer): the records are
  the rep's and the team's, so they stay; erasing the writer replaces their user id by the
  erasure's pseudonym everywhere in them (the author or moderator column, every field's stamp,
  every revision), and gives each changed record a new seq so that devices that hold it pull the
  pseudonymised state.
Every function runs inside the caller's write transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils

from server.storage.sync import reserve_seqs

# kind -> (table, revisions table, its record column, author column, subject column, no-update trigger or None)
EDITED: dict[str, tuple[str, str, str, str, str, str | None]] = {
    "observation": ("observations", "observation_revisions", "observation_id", "author_id", "rep_id", "observation_revisions_no_update"),
    "session": ("intervision_sessions", "intervision_revisions", "session_id", "moderator_id", "case_owner_id", None),
    # A pitch has no author column: its reviewers appear only in field stamps and revisions.
    "pitch": ("pitches", "pitch_revisions", "pitch_id", "rep_id", "rep_id", None),
}


def collect(
    db: sqlite_utils.Database, user_id: str, rows: Callable[[sqlite_utils.Database, str, list[Any]], list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The coaching records that name the person: those they wrote or are about, and their revisions."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table, revisions, _, author, subject, _ in EDITED.values():
        found[table] = rows(db, f"SELECT * FROM {table} WHERE {author} = ?1 OR {subject} = ?1", [user_id])
        found[revisions] = rows(db, f"SELECT * FROM {revisions} WHERE user_id = ?", [user_id])
    return found


def erase(db: sqlite_utils.Database, user_id: str, pseudonym: str) -> dict[str, int]:
    """Delete the records about the person; pseudonymise them in the records they wrote."""
    done: dict[str, int] = {}
    for kind, (table, revisions, key, author, subject, trigger) in EDITED.items():
        about = [str(r[0]) for r in db.execute(f"SELECT id FROM {table} WHERE {subject} = ?", [user_id])]
        if trigger:
            db.execute(f"DROP TRIGGER {trigger}")
        if about:
            marks = ",".join("?" * len(about))
            done[revisions] = db.execute(f"DELETE FROM {revisions} WHERE {key} IN ({marks})", about).rowcount
            db.execute(
                "DELETE FROM feed WHERE kind = 'acknowledgement' AND entity_id IN"
                f" (SELECT id FROM acknowledgements WHERE item_kind = ? AND item_id IN ({marks}))",
                [kind, *about],
            )
            done[f"acknowledgements of {table}"] = db.execute(
                f"DELETE FROM acknowledgements WHERE item_kind = ? AND item_id IN ({marks})", [kind, *about]
            ).rowcount
            db.execute(f"DELETE FROM feed WHERE kind = ? AND entity_id IN ({marks})", [kind, *about])
            done[table] = db.execute(f"DELETE FROM {table} WHERE id IN ({marks})", about).rowcount
        # Wherever else the person's id appears (as author, in a field's stamp, in a revision).
        done[f"{revisions} (pseudonymised)"] = db.execute(
            f"UPDATE {revisions} SET user_id = ? WHERE user_id = ?", [pseudonym, user_id]
        ).rowcount
        if trigger:
            db.execute(f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {revisions} BEGIN SELECT RAISE(ABORT, 'revisions are kept as they were'); END")
        changed = [str(r[0]) for r in db.execute(f"SELECT id FROM {table} WHERE {author} = ?1 OR instr(state, ?1) > 0", [user_id])]
        if changed:
            first = reserve_seqs(db, len(changed))
            for i, record_id in enumerate(changed):
                db.execute(
                    f"UPDATE {table} SET {author} = CASE {author} WHEN ?1 THEN ?2 ELSE {author} END,"
                    " state = replace(state, ?1, ?2), seq = ?3 WHERE id = ?4",
                    [user_id, pseudonym, first + i, record_id],
                )
                db.execute("UPDATE feed SET seq = ? WHERE kind = ? AND entity_id = ?", [first + i, kind, record_id])
        done[f"{table} (pseudonymised)"] = len(changed)
    return done

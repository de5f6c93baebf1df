"""`recap content publish`: all or nothing, idempotent, immutable versions, marked changes."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from server.library.problems import ContentError
from server.library.publish import publish
from server.storage import content as store
from tests.support.paths import RECAP
from tests.support.server import run_recap

from .test_content_check import edit


def snapshot(db: sqlite_utils.Database, version: int) -> dict[str, Any]:
    row = store.get_snapshot(db, version)
    assert row is not None
    data: dict[str, Any] = json.loads(gzip.decompress(row.body_gzip))
    return data


def question(snap: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in snap["questions"] if q["id"] == qid)


def add_answer(db: sqlite_utils.Database, qid: str, answer_id: str = "a1") -> None:
    db.execute(
        "INSERT INTO answers (id, user_id, device_id, mutation_id, question_id, content_version, rev, choice, correct,"
        " device_correct, answered_at, device_time, local_day, received_at)"
        " VALUES (?, 'u1', 'd1', ?, ?, 1, 1, '[2]', 1, 1, '2026-12-01T09:00:00.000Z', '2026-12-01T09:00:00.000Z',"
        " 20423, '2026-12-01T09:00:01.000Z')",
        [answer_id, "m-" + answer_id, qid],
    )


def test_publish_prints_each_change_and_the_version(library: Path, db_path: Path) -> None:
    first = run_recap("content", "publish", "--create", str(library), db_path=db_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.strip().splitlines()
    assert lines[-1] == "published version 1"
    assert "new question who-else (rev 1)" in lines
    assert len(lines) == 1 + 2 + 1 + 3 + 1 + 1  # changes for every item, then the version line

    again = run_recap("content", "publish", str(library), db_path=db_path)
    assert again.returncode == 0
    assert again.stdout.strip().splitlines() == ["no changes (version 1)"]


def test_substantive_edit_makes_a_new_version_and_keeps_the_old(library: Path, db: sqlite_utils.Database) -> None:
    publish(db, library)
    before = snapshot(db, 1)
    edit(library, "questions/who-else.yaml", "Offer a discount for a quick signature.", "Ask for the budget.")
    result = publish(db, library)
    assert result.version == 2
    assert [str(c) for c in result.changes] == ["substantive question who-else (rev 2)"]
    after = snapshot(db, 2)
    assert question(after, "who-else")["options"][2] == "Ask for the budget."
    assert question(after, "who-else")["epoch"] == 2  # progress restarts from rev 2
    assert snapshot(db, 1) == before  # version 1 is untouched
    assert question(before, "who-else")["options"][2] == "Offer a discount for a quick signature."


def test_answered_question_needs_a_marker_and_nothing_is_published_without_it(library: Path, db: sqlite_utils.Database) -> None:
    publish(db, library)
    add_answer(db, "who-else")
    edit(library, "questions/who-else.yaml", "What do you ask next?", "What do you ask now?")
    edit(library, "nuggets/ask-first.md", "before you talk", "before talking")
    with pytest.raises(ContentError) as caught:
        publish(db, library)
    message = str(caught.value.problems[0])
    assert "who-else.yaml:1: question `who-else` changed and already has 1 answer(s)" in message
    assert "change: cosmetic" in message and "change: substantive" in message
    assert store.latest_version(db) == 1  # the nugget edit was not published either

    edit(library, "questions/who-else.yaml", "difficulty: 1", "difficulty: 1\nchange: cosmetic")
    result = publish(db, library)
    assert {str(c) for c in result.changes} == {"cosmetic question who-else (rev 2)", "substantive nugget ask-first (rev 2)"}
    snap = snapshot(db, 2)
    assert question(snap, "who-else")["epoch"] == 1  # cosmetic: progress kept
    assert "change" not in question(snap, "who-else")


def test_cosmetic_change_may_not_move_the_right_answer(library: Path, db: sqlite_utils.Database) -> None:
    publish(db, library)
    add_answer(db, "who-else")
    edit(library, "questions/who-else.yaml", "correct: 2", "correct: 3\nchange: cosmetic")
    with pytest.raises(ContentError) as caught:
        publish(db, library)
    assert "a cosmetic change cannot change `correct`" in str(caught.value.problems[0])
    edit(library, "questions/who-else.yaml", "change: cosmetic", "change: substantive")
    assert [c.change for c in publish(db, library).changes] == ["substantive"]


def test_broken_content_publishes_nothing(library: Path, db_path: Path) -> None:
    assert run_recap("content", "publish", "--create", str(library), db_path=db_path).returncode == 0
    edit(library, "questions/next-step.yaml", "correct: 2", "correct: 9")
    edit(library, "nuggets/ask-first.md", "before you talk", "before talking")
    result = run_recap("content", "publish", str(library), db_path=db_path)
    assert result.returncode == 1
    assert "nothing was published" in result.stderr
    assert "next-step.yaml:7: correct option 9 is out of range" in result.stdout
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT max(version) FROM library_versions").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM item_versions WHERE rev > 1").fetchone()[0] == 0


def test_removed_and_re_added_items(library: Path, db: sqlite_utils.Database) -> None:
    publish(db, library)
    add_answer(db, "pick-two")
    edit(library, "campaigns/basics.yaml", ", pick-two]", "]")
    saved = (library / "questions" / "pick-two.md").read_text()
    (library / "questions" / "pick-two.md").unlink()
    result = publish(db, library)
    assert "removed question pick-two (rev 2)" in [str(c) for c in result.changes]
    assert all(q["id"] != "pick-two" for q in snapshot(db, 2)["questions"])
    assert db.execute("SELECT count(*) FROM answers WHERE question_id = 'pick-two'").fetchone()[0] == 1
    (library / "questions" / "pick-two.md").write_text(saved)
    result = publish(db, library)
    assert [str(c) for c in result.changes] == ["new question pick-two (rev 3)"]
    assert question(snapshot(db, 3), "pick-two")["epoch"] == 3


def test_published_rows_are_immutable(library: Path, db: sqlite_utils.Database) -> None:
    publish(db, library)
    for sql in (
        "UPDATE item_versions SET data = '{}'",
        "DELETE FROM item_versions",
        "UPDATE snapshots SET etag = 'x'",
        "DELETE FROM library_versions",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            db.execute(sql)


def test_snapshot_renders_markdown_safely(library: Path, db: sqlite_utils.Database) -> None:
    edit(library, "nuggets/ask-first.md", "Ask about", "<script>alert(1)</script> [x](javascript:alert(1)) Ask about")
    publish(db, library)
    nugget = snapshot(db, 1)["nuggets"][0]
    assert "<strong>their</strong>" in nugget["body_html"]
    assert "<script>" not in nugget["body_html"] and "&lt;script&gt;" in nugget["body_html"]
    assert 'href="javascript:' not in nugget["body_html"]


def test_snapshot_is_deterministic(library: Path, tmp_path: Path) -> None:
    """The same library published at the same time gives byte-identical snapshots and ETags."""
    import datetime

    now = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    etags = []
    for name in ("a.db", "b.db"):
        from server import migrations
        from server.db import connect

        database = connect(tmp_path / name)
        migrations.apply(database)
        publish(database, library, now=now)
        row = store.get_snapshot(database, 1)
        assert row is not None
        etags.append((row.etag, row.body_gzip))
        database.close()
    assert etags[0] == etags[1]


def test_concurrent_publishes_make_consecutive_versions(library: Path, tmp_path: Path, db_path: Path) -> None:
    """Two publishers at once: one write lock, so versions 1 and 2, nothing lost or doubled."""
    other = tmp_path / "other"
    shutil.copytree(library, other)
    edit(other, "questions/who-else.yaml", "Send the proposal.", "Send the proposal tonight.")
    env = {**os.environ, "RECAP_DB": str(db_path)}
    assert subprocess.run([RECAP, "migrate"], env=env, capture_output=True).returncode == 0
    procs = [
        subprocess.Popen([RECAP, "content", "publish", str(d)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for d in (library, other)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    finals = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    assert finals == ["published version 1", "published version 2"]
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT count(*) FROM library_versions").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM item_versions WHERE item_id = 'who-else'").fetchone()[0] == 2


def test_writing_out_a_default_value_is_not_a_change(library: Path, db: sqlite_utils.Database) -> None:
    """Hashes leave defaults out, so a field added to the schema later does not touch every item."""
    publish(db, library)
    edit(library, "questions/who-else.yaml", "difficulty: 1", "difficulty: 1\nlanguage: en\ntags: []")
    assert publish(db, library).changes == []
    edit(library, "questions/who-else.yaml", "difficulty: 1", "difficulty: 3")
    assert [str(c) for c in publish(db, library).changes] == ["substantive question who-else (rev 2)"]

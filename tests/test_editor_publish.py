"""Publishing from the browser is publishing files: the same change, made once in the editor's
forms and once by hand in files, gives the same library version. And with review required, a
draft goes out only once marked ready, by another editor. Real servers on real SQLite files."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from server.db import connect
from server.library.export import sources_at, write_library
from tests.support.editor import EDITOR, EDITOR2, csrf_of, item_form, post_form, save, signed_in
from tests.support.forms import form_action, form_fields
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import LiveServer, demo_database, run_recap

REFRESHER = """---
id: how-to-ask-about-budget
title: How do I ask about budget without scaring them?
competency: qualification
tags: [budget]
steps:
  - Ask what the problem costs them today.
  - "Ask how they paid for the last change like this one."
---
Say it plainly: *what would this be worth to you?*
"""


def snapshot(db_path: Path, version: int) -> dict[str, Any]:
    with sqlite3.connect(db_path) as db:
        body = db.execute("SELECT body_gzip FROM snapshots WHERE version = ?", [version]).fetchone()[0]
        revisions = db.execute(
            "SELECT kind, item_id, rev, change, epoch, hash FROM item_versions WHERE version = ? ORDER BY kind, item_id", [version]
        ).fetchall()
    document = json.loads(gzip.decompress(body))
    document.pop("published_at")
    return {"document": document, "revisions": revisions}


def test_the_browser_and_files_publish_identical_versions(tmp_path: Path) -> None:
    browser_db, files_db = demo_database(tmp_path / "browser" / "recap.db"), demo_database(tmp_path / "files" / "recap.db")
    # In the browser: a new refresher, and a clearer teaching point for a question.
    server = LiveServer(browser_db)
    try:
        editor = signed_in(server, EDITOR)
        made = save(
            editor, "/editor/new/refreshers", item_form(editor, "/editor/new/refreshers"),
            id="how-to-ask-about-budget", title="How do I ask about budget without scaring them?", competency="qualification",
            tags="budget", steps__0="Ask what the problem costs them today.", steps__1="Ask how they paid for the last change like this one.",
            body="Say it plainly: *what would this be worth to you?*",
        )  # fmt: skip
        assert made.status_code == 303
        question = "/editor/items/questions/who-else-is-involved"
        edited = save(editor, question, item_form(editor, question), teaching_point="Ask how past decisions were made: the process reveals the people.")
        assert edited.status_code == 303
        page = editor.get("/editor/publish").text
        done = post_form(editor, "/editor/publish", form_fields(page))
        assert done.status_code == 200 and "Published version 2" in done.text
    finally:
        server.stop()
    # In files, by hand: the same change.
    folder = tmp_path / "content"
    shutil.copytree(DEMO_LIBRARY, folder)
    (folder / "refreshers" / "how-to-ask-about-budget.md").write_text(REFRESHER)
    path = folder / "questions" / "who-else-is-involved.yaml"
    old = "teaching_point: \"Ask how past decisions were made, not whether he's the decision-maker: the process reveals the people.\""
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, "teaching_point: 'Ask how past decisions were made: the process reveals the people.'"))
    published = run_recap("content", "publish", str(folder), db_path=files_db)
    assert published.returncode == 0 and "published version 2" in published.stdout, published.stdout + published.stderr

    assert snapshot(browser_db, 2) == snapshot(files_db, 2)
    # Files stay first-class: the library exported after the browser's publish publishes again
    # as no change at all, and `make run` (publish --initial) leaves what the browser published.
    exported = tmp_path / "exported"
    with sqlite3.connect(browser_db) as db:
        assert db.execute("SELECT raw IS NOT NULL, source FROM item_versions WHERE item_id = 'how-to-ask-about-budget'").fetchone() == (1, "refreshers/how-to-ask-about-budget.md")
    database = connect(browser_db)
    try:
        write_library(exported, sources_at(database, 2))
    finally:
        database.close()
    assert (exported / "refreshers" / "how-to-ask-about-budget.md").read_text().startswith("---\nid: how-to-ask-about-budget\n")
    again = run_recap("content", "publish", str(exported), db_path=browser_db)
    assert again.returncode == 0 and again.stdout.strip() == "no changes (version 2)", again.stdout + again.stderr
    demo = run_recap("content", "publish", "--initial", str(DEMO_LIBRARY), db_path=browser_db)
    assert demo.returncode == 0 and demo.stdout.startswith("not published: the database already has library version 2")
    assert snapshot(browser_db, 2)["revisions"] == [
        ("question", "who-else-is-involved", 2, "substantive", 2, snapshot(files_db, 2)["revisions"][0][5]),
        ("refresher", "how-to-ask-about-budget", 1, "new", 1, snapshot(files_db, 2)["revisions"][1][5]),
    ]


@pytest.fixture
def review_server(tmp_path: Path) -> Any:
    server = LiveServer(demo_database(tmp_path / "review" / "recap.db"), env={"RECAP_EDITOR_REVIEW": "1"})
    yield server
    server.stop()


def test_with_review_required_another_editor_publishes_a_ready_draft(review_server: LiveServer) -> None:
    author, reviewer = signed_in(review_server, EDITOR), signed_in(review_server, EDITOR2)
    path = "/editor/items/refreshers/how-to-open-a-customer-meeting"
    assert save(author, path, item_form(author, path), title="How do I open a first customer meeting?").status_code == 303

    def publish(client: Any) -> Any:
        page = client.get(path + "/publish").text
        return page, post_form(client, form_action(page) or "", [*form_fields(page), ("draft", "refresher:how-to-open-a-customer-meeting:1")])

    page, refused = publish(reviewer)
    assert "is not marked ready for review" in page and refused.status_code == 409
    item = author.get(path).text
    ready = post_form(author, path + "/ready", [("csrf_token", csrf_of(item)), ("_revision", "1"), ("ready", "yes")])
    assert ready.status_code == 303
    assert "ready for review" in reviewer.get("/editor/review").text and "marked by editor@example.com" in reviewer.get("/editor/review").text
    page, own = publish(author)
    assert own.status_code == 409 and "needs another editor" in own.text
    page, done = publish(reviewer)
    assert done.status_code == 200 and "Published version 2" in done.text
    # Erasing an editor keeps the content they wrote and published, under a pseudonym.
    with sqlite3.connect(review_server.db_path) as db:
        user_id = db.execute("SELECT id FROM users WHERE email = ?", [EDITOR2]).fetchone()[0]
    erased = run_recap("users", "erase", EDITOR2, "--yes", db_path=review_server.db_path)
    assert erased.returncode == 0, erased.stdout + erased.stderr
    with sqlite3.connect(review_server.db_path) as db:
        dump = "\n".join(db.iterdump())
        assert user_id not in dump and EDITOR2 not in dump
        assert db.execute("SELECT user_id LIKE 'erased-%' FROM library_publishers WHERE version = 2").fetchone() == (1,)

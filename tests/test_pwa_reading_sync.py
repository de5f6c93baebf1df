"""A lesson marked as done follows the learner to their other devices, in a real Chromium.

Two browser contexts are two devices of rep@example.com, each signed in by emailed code against
a real server with the demo library. On the phone, a lesson is marked as done: an
acknowledgement goes through the outbox ("Sync now"), and the server keeps it once. The laptop,
signed in afterwards, pulls it and shows the lesson as done, in the list and in the reader; the
server still has it once.

And a lesson marked as done by the previous version of the app (on the device only) stays done
after the update, and its "done" reaches the server, at the time it was marked.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.mail import EMAIL, VIEWPORT, sign_in
from tests.support.server import LiveServer

NUGGET = "the-value-wedge"


@pytest.fixture
def devices(browser: Any) -> Iterator[tuple[Any, Any, list[str]]]:
    """Two 360×740 contexts (two devices, nothing shared between them) and their page errors."""
    contexts = [
        browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam") for _ in range(2)
    ]
    errors: list[str] = []
    pages = []
    for context in contexts:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        pages.append(page)
    yield pages[0], pages[1], errors
    for context in contexts:
        context.close()


def server_acknowledgements(server: LiveServer) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(server.db_path) as db:
        return db.execute(
            "SELECT u.email, a.item_kind, a.item_id, a.acknowledged FROM acknowledgements AS a"
            " JOIN users AS u ON u.id = a.user_id ORDER BY a.seq"
        ).fetchall()


def open_lessons(page: Any) -> Any:
    page.get_by_role("navigation").get_by_role("link", name="Lessons").click()
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Two-minute lessons")).to_be_visible()
    return main


def test_a_lesson_done_on_one_device_is_done_on_the_other(demo_server: LiveServer, devices: Any) -> None:
    phone, laptop, errors = devices
    banner = phone.get_by_role("banner")

    # The phone: sign in, open a lesson, mark it as done; it waits in the outbox, then syncs.
    phone.goto(demo_server.url + "/")
    sign_in(phone, demo_server.db_path, EMAIL)
    expect(banner.get_by_text("All synced")).to_be_visible(timeout=15_000)
    main = open_lessons(phone)
    expect(main.get_by_text(re.compile(r"^0 of \d+ lessons done\.$"))).to_be_visible()
    main.get_by_role("link").filter(has_text="value wedge").first.click()
    main.get_by_role("button", name="Mark as done").click()
    expect(main.get_by_role("status")).to_have_text("Marked as done.")
    expect(main.get_by_role("button", name="Mark as not done")).to_be_focused()
    banner.get_by_role("button", name="Sync now").click()
    expect(banner.get_by_text("All synced")).to_be_visible(timeout=15_000)
    assert server_acknowledgements(demo_server) == [(EMAIL, "nugget", NUGGET, 1)]

    # The laptop: the same person signs in; the pull brings the lesson's "done".
    laptop.goto(demo_server.url + "/")
    sign_in(laptop, demo_server.db_path, EMAIL)
    main = open_lessons(laptop)
    expect(main.get_by_text(re.compile(r"^1 of \d+ lessons? done\.$"))).to_be_visible(timeout=15_000)
    lesson = main.get_by_role("link").filter(has_text="value wedge").first
    expect(lesson).to_contain_text("Done")
    lesson.click()
    expect(main.get_by_role("button", name="Mark as not done")).to_be_visible()
    expect(laptop.get_by_role("banner").get_by_text("All synced")).to_be_visible(timeout=15_000)

    # Exactly once on the server, whoever pulled it.
    assert server_acknowledgements(demo_server) == [(EMAIL, "nugget", NUGGET, 1)]
    assert errors == []


# The app's IndexedDB as the previous version left it (schema 3, pwa/src/db/schema.js steps 1–3),
# with one lesson marked as done on the device only.
OLD_APP_DATABASE = """async (doneAt) => {
    await new Promise((resolve, reject) => {
        const open = indexedDB.open("recap", 3);
        open.onupgradeneeded = () => {
            const db = open.result;
            db.createObjectStore("content", {keyPath: "key"});
            db.createObjectStore("answers", {keyPath: "id"}).createIndex("by_question", "question_id");
            db.createObjectStore("outbox", {keyPath: "client_seq"});
            db.createObjectStore("meta", {keyPath: "key"});
            db.createObjectStore("progress", {keyPath: "question_id"});
            db.createObjectStore("settings", {keyPath: "key"});
            db.createObjectStore("rejections", {keyPath: "answerId"});
            db.createObjectStore("reading", {keyPath: "id"}).put({id: "the-value-wedge", kind: "nugget", done_at: doneAt});
        };
        open.onsuccess = () => { open.result.close(); resolve(); };
        open.onerror = () => reject(open.error);
    });
}"""


def test_a_lesson_marked_done_before_the_update_stays_done_and_syncs(demo_server: LiveServer, devices: Any) -> None:
    phone, _, errors = devices
    # A page of the app's origin that does not open the database, to leave the old one there.
    phone.goto(demo_server.url + "/sync/info")
    done_at = "2026-11-30T17:45:00.000Z"
    phone.evaluate(OLD_APP_DATABASE, done_at)

    # The new app upgrades the database; the lesson is still done, and its "done" syncs.
    phone.goto(demo_server.url + "/")
    sign_in(phone, demo_server.db_path, EMAIL)
    expect(phone.get_by_role("banner").get_by_text("All synced")).to_be_visible(timeout=15_000)
    main = open_lessons(phone)
    expect(main.get_by_text(re.compile(r"^1 of \d+ lessons? done\.$"))).to_be_visible()
    expect(main.get_by_role("link").filter(has_text="value wedge").first).to_contain_text("Done")
    assert server_acknowledgements(demo_server) == [(EMAIL, "nugget", NUGGET, 1)]
    with sqlite3.connect(demo_server.db_path) as db:
        assert db.execute("SELECT device_time FROM acknowledgements").fetchall() == [(done_at,)]
    assert errors == []

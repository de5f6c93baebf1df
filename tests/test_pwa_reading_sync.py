"""A lesson marked as done follows the learner to their other devices, in a real Chromium.

Two browser contexts are two devices of rep@example.com, each signed in by emailed code against
a real server with the demo library. On the phone, a lesson is marked as done: an
acknowledgement goes through the outbox ("1 not synced", then "Sync now"), and the server keeps
it once. The laptop, signed in afterwards, pulls it and shows the lesson as done, in the list
and in the reader; the server still has it once.
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

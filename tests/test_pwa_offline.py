"""The installed app offline, in a real Chromium, against a real server, signed in by emailed code.

One browser profile on disk across two launches (a persistent context), so that IndexedDB and
the service worker survive closing the browser, as on a phone: sign in online; go offline;
answer two of the day's three questions; close; reopen still offline (the answers and today's
queue are there, "2 not synced"); go online, "Sync now", and the server has exactly those two
answers. Then the page clock moves on five days and an answered question is back as a repeat.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import CHROMIUM_ARGS, chromium_path, wait_for_offline_ready
from tests.support.mail import EMAIL, FEEDBACK, MORNING, VIEWPORT, sign_in
from tests.support.server import LiveServer


def launch(browser: Any, profile: Path, *, offline: bool, at: dt.datetime) -> tuple[Any, Any, list[str]]:
    """Chromium on a profile directory that outlives the context; the page clock set to `at`."""
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS,
        headless=True,
        offline=offline,
        viewport=VIEWPORT,
        locale="en-GB",
        timezone_id="Europe/Amsterdam",
        reduced_motion="reduce",  # no smooth scrolling: screenshots show where the app scrolled to
    )
    context.clock.install(time=at)
    page = context.pages[0] if context.pages else context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def screenshot_dir(tmp_path: Path) -> Path:
    """Where the 360×740 screenshots go: RECAP_SCREENSHOTS if set (to look at them), else tmp."""
    target = Path(os.environ.get("RECAP_SCREENSHOTS") or tmp_path / "screens")
    target.mkdir(parents=True, exist_ok=True)
    return target


def server_answers(server: LiveServer) -> list[tuple[str, str, str]]:
    with sqlite3.connect(server.db_path) as db:
        # The person by their address: records refer to the user id behind it.
        return db.execute(
            "SELECT a.id, u.email, a.device_id FROM answers AS a JOIN users AS u ON u.id = a.user_id ORDER BY a.id"
        ).fetchall()


def test_answers_recorded_offline_survive_a_restart_and_sync_exactly_once(
    demo_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    shots = screenshot_dir(tmp_path)

    # 1. First visit, online: sign in; the app installs for offline use and downloads the library.
    context, page, errors = launch(browser, profile, offline=False, at=MORNING)
    page.goto(demo_server.url + "/")
    main = page.get_by_role("main")
    sign_in(page, demo_server.db_path, EMAIL)
    wait_for_offline_ready(page)
    # Three a day: the rep's daily limit.
    expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    # The first pull has brought the rep's plan (their campaigns): "All synced" alone says only
    # that nothing waits to be pushed, and without a plan the device would study every campaign.
    page.wait_for_function("async () => Boolean(await globalThis.recap?.store.plan())", polling=100, timeout=15_000)

    # 2. Offline: the app still opens, and two questions are answered.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Recap")).to_be_visible()
    stems = []
    for number in (1, 2):
        expect(main.get_by_role("heading", name=f"Question {number} of 3")).to_be_visible(timeout=10_000)
        stems.append(main.locator(".stem").inner_text())
        group = main.get_by_role("radiogroup")
        expect(group.get_by_role("radio").first).to_be_visible()
        if number == 1:
            page.screenshot(path=str(shots / "question-360x740.png"))
        group.get_by_role("radio").first.check()
        main.get_by_role("button", name="Check answer").click()
        feedback = main.get_by_role("status").filter(has_text=FEEDBACK)
        expect(feedback).to_be_visible()
        expect(feedback).to_contain_text(re.compile(r"Back (tomorrow|in \d+ days)|will not come back"))
        if number == 1:
            page.screenshot(path=str(shots / "feedback-360x740.png"))
        expect(page.get_by_text(f"{number} not synced")).to_be_visible()
        main.get_by_role("button", name="Next").click()
    expect(main.get_by_role("heading", name="Question 3 of 3")).to_be_visible()
    third = main.locator(".stem").inner_text()
    assert third not in stems
    assert errors == []
    context.close()

    # 3. The browser restarts on the same profile, still offline: nothing was lost.
    context, page, errors = launch(browser, profile, offline=True, at=MORNING + dt.timedelta(minutes=20))
    page.goto(demo_server.url + "/")
    main = page.get_by_role("main")
    expect(page.get_by_text("2 not synced")).to_be_visible(timeout=15_000)
    expect(main.get_by_role("heading", name="Question 3 of 3")).to_be_visible()
    expect(main.locator(".stem")).to_have_text(third)
    assert server_answers(demo_server) == []

    # 4. Online again: "Sync now" sends the two answers, exactly once.
    context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    rows = server_answers(demo_server)
    assert len(rows) == 2
    assert {user for _, user, _ in rows} == {EMAIL}
    assert len({device for _, _, device in rows}) == 1
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible()
    assert len(server_answers(demo_server)) == 2

    # 5. Five days later an answered question is due again, and comes first, as a repeat.
    page.clock.fast_forward(5 * 24 * 3600 * 1000)
    expect(main.get_by_text("Repeat", exact=True)).to_be_visible(timeout=10_000)
    expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    assert main.locator(".stem").inner_text() in stems
    assert errors == []
    context.close()

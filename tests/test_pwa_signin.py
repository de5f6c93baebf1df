"""Sign-in by emailed code in the app, in a real Chromium against a real server (docs/auth.md).

The server has the demo library and accounts and no development sign-in; the code is read from
the .eml file it writes under var/mail/. Signed in, an answer syncs; offline, another waits; the
server revokes the device credential; back online, sync gets 401, the app asks to sign in again
and keeps the waiting answer; signed in with a new code, it syncs exactly once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.mail import (
    EMAIL,
    FEEDBACK,
    MORNING,
    VIEWPORT,
    ask_for_code,
    mail_files,
    sign_in,
    wait_for_code,
)
from tests.support.server import LiveServer, run_recap


@pytest.fixture
def phone(browser: Any) -> Iterator[tuple[Any, Any, list[str]]]:
    """A 360×740 context on a day the demo campaigns run, its page, and the page's errors."""
    context = browser.new_context(
        viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce"
    )
    context.clock.install(time=MORNING)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield context, page, errors
    context.close()


def server_answers(server: LiveServer) -> list[tuple[str, str, str]]:
    with sqlite3.connect(server.db_path) as db:
        # The person by their address: records refer to the user id behind it.
        return db.execute(
            "SELECT a.id, u.email, a.device_id FROM answers AS a JOIN users AS u ON u.id = a.user_id ORDER BY a.id"
        ).fetchall()


def wait_until(check: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def answer_first_option(main: Any) -> None:
    main.get_by_role("radiogroup").get_by_role("radio").first.check()
    main.get_by_role("button", name="Check answer").click()
    expect(main.get_by_role("status").filter(has_text=FEEDBACK)).to_be_visible()


def device_token(page: Any) -> str:
    token: str = page.evaluate("() => globalThis.recap.settings.device_token")
    return token


def test_a_revoked_credential_asks_for_sign_in_and_loses_nothing(demo_server: LiveServer, phone: Any) -> None:
    context, page, errors = phone
    page.goto(demo_server.url + "/")
    main = page.get_by_role("main")
    banner = page.get_by_role("banner")

    # 1. Sign in with the emailed code; the app keeps the device credential.
    sign_in(page, demo_server.db_path, EMAIL)
    expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    first_token = device_token(page)
    assert first_token.startswith("rcd_")

    # 2. One answer online: it syncs.
    answer_first_option(main)
    wait_until(lambda: len(server_answers(demo_server)) == 1)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    main.get_by_role("button", name="Next").click()
    expect(main.get_by_role("heading", name="Question 2 of 3")).to_be_visible()

    # 3. Offline, another answer waits on the device.
    context.set_offline(True)
    answer_first_option(main)
    expect(page.get_by_text("1 not synced")).to_be_visible()

    # 4. The server revokes the device's credential; back online, sync is refused (401).
    revoked = run_recap("users", "revoke", EMAIL, db_path=demo_server.db_path)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    context.set_offline(False)  # the browser's "online" event starts a sync
    expect(banner.get_by_role("button", name="Sign in")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Sign in to sync.")).to_be_visible()
    expect(page.get_by_text("1 not synced")).to_be_visible()
    # The feedback stays until the learner moves on; then the app asks to sign in again.
    main.get_by_role("button", name="Next").click()
    expect(main.get_by_text("Your session has ended")).to_be_visible(timeout=10_000)
    expect(main.get_by_label("Email")).to_have_value(EMAIL)
    expect(page.get_by_text("1 not synced")).to_be_visible()
    assert len(server_answers(demo_server)) == 1

    # 5. Signed in again with a new code: the waiting answer goes out, once.
    sign_in(page, demo_server.db_path, EMAIL)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    second_token = device_token(page)
    assert second_token.startswith("rcd_") and second_token != first_token
    rows = server_answers(demo_server)
    assert len(rows) == 2
    assert {user for _, user, _ in rows} == {EMAIL}
    assert len({device for _, _, device in rows}) == 1
    banner.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible()
    assert len(server_answers(demo_server)) == 2
    assert errors == []


def test_sign_in_explains_offline_and_too_many_codes(demo_server: LiveServer, phone: Any) -> None:
    context, page, errors = phone
    page.goto(demo_server.url + "/")
    main = page.get_by_role("main")
    email_field = main.get_by_label("Email")
    expect(email_field).to_be_visible(timeout=10_000)

    # Offline: signing in needs a connection, and the app says so.
    context.set_offline(True)
    email_field.fill(EMAIL)
    main.get_by_role("button", name="Email me a code").click()
    expect(main.get_by_role("alert")).to_contain_text("Signing in needs an internet connection")
    context.set_offline(False)

    # Five codes per address per 15 minutes: the sixth is refused, and the app says to wait.
    ask_for_code(page, demo_server.db_path, EMAIL)
    resend = main.get_by_role("button", name="Send a new code")
    for _ in range(4):
        seen = len(mail_files(demo_server.db_path))
        resend.click()
        expect(main.get_by_role("status")).to_contain_text(f"We emailed a new code to {EMAIL}")
        wait_for_code(demo_server.db_path, EMAIL, seen=seen)
        expect(resend).to_be_enabled()
    resend.click()
    expect(main.get_by_role("alert")).to_contain_text("Too many attempts")

    # "Use another address" goes back to the first step, with focus on the email field.
    main.get_by_role("button", name="Use another address").click()
    expect(main.get_by_label("Email")).to_be_focused()
    assert errors == []

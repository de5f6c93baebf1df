"""Signing the app in by emailed code in browser tests: the code is read from the .eml file the
server writes under `var/mail/` next to its database when no SMTP server is configured
(docs/auth.md)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.paths import DEMO_ACCOUNTS
from tests.support.server import run_recap

CODE = re.compile(r"sign-in code is (\d{6})")
# Shared by the app's browser tests: this morning, by today's real date. The demo campaigns start
# on the day they reach a rep, so any day works; a page's clock is installed only so that a test
# can move it forward (a repeat five days later).
MORNING = dt.datetime.now(dt.UTC).replace(hour=8, minute=0, second=0, microsecond=0)
VIEWPORT = {"width": 360, "height": 740}
EMAIL = "rep@example.com"
FEEDBACK = re.compile("Correct|Not quite")


def import_demo_accounts(db_path: Path) -> None:
    """The demo people (rep@example.com, …) in the server's database, as `make run` does."""
    result = run_recap("users", "import", str(DEMO_ACCOUNTS), db_path=db_path)
    assert result.returncode == 0, result.stdout + result.stderr


def mail_files(db_path: Path) -> list[Path]:
    """The mail written so far, oldest first (the file names start with a UTC timestamp)."""
    return sorted((db_path.parent / "mail").glob("*.eml"))


def wait_for_code(db_path: Path, to: str, *, seen: int, timeout: float = 15) -> str:
    """The code in the newest mail to `to`, once more than `seen` mails exist (sent after the answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = mail_files(db_path)
        if len(files) > seen:
            message = email.message_from_bytes(files[-1].read_bytes(), policy=email.policy.default)
            assert message["To"] == to, f"the newest mail is to {message['To']}, not {to}"
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            found = CODE.search(body.get_content())
            assert found, body.get_content()
            return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no sign-in mail to {to} in {db_path.parent / 'mail'} within {timeout} s")


def ask_for_code(page: Any, db_path: Path, to: str, *, typed: str | None = None) -> str:
    """On the sign-in screen's first step: type the address, ask for a code, return the code."""
    main = page.get_by_role("main")
    seen = len(mail_files(db_path))
    main.get_by_label("Email").fill(typed if typed is not None else to)
    main.get_by_role("button", name="Email me a code").click()
    code_field = main.get_by_label("Sign-in code")
    expect(code_field).to_be_focused()
    expect(main.get_by_text(f"Enter the 6-digit code we emailed to {to}.")).to_be_visible()
    return wait_for_code(db_path, to, seen=seen)


def sign_in(page: Any, db_path: Path, to: str) -> None:
    """The whole sign-in: address, code from the mail, and the app moves on from the sign-in screen."""
    code = ask_for_code(page, db_path, to)
    main = page.get_by_role("main")
    main.get_by_label("Sign-in code").fill(code)
    main.get_by_role("button", name="Sign in").click()
    expect(main.get_by_label("Sign-in code")).to_have_count(0, timeout=10_000)


def signed_in_phone(
    browser: Any, url: str, db_path: Path, to: str = EMAIL, **options: Any
) -> tuple[Any, Any, list[str]]:
    """A new 360×740 browser context (en-GB, Amsterdam, reduced motion; `options` for more) with
    the app at `url`, signed in as `to`: (context, page, the page's uncaught errors)."""
    context = browser.new_context(
        viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce", **options
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url + "/")
    sign_in(page, db_path, to)
    return context, page, errors

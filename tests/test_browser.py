"""The built app, opened in a real Chromium against a real server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import expect

from .conftest import LiveServer

# The fixture campaign starts on 2026-12-01; the page's clock is set after that, whatever today is.
CAMPAIGN_DAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def test_first_visit_signs_in_and_a_refused_credential_never_blocks_studying(
    live_server: LiveServer, page: Any
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.clock.install(time=CAMPAIGN_DAY)
    page.goto(live_server.url + "/")
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", name="Recap")).to_be_visible()
    expect(main.get_by_role("heading", name="Sign in")).to_be_visible()
    main.get_by_label("Email").fill("not an email")
    main.get_by_role("button", name="Sign in").click()
    expect(main.get_by_role("alert")).to_contain_text("Enter an email address")
    main.get_by_label("Email").fill("Rep@Example.com")
    main.get_by_role("button", name="Sign in").click()
    # This server runs without RECAP_DEV_AUTH, so it refuses the credential: sync pauses and
    # the sign-in screen comes back, saying nothing was lost.
    expect(main.get_by_text("Your session has ended")).to_be_visible(timeout=10_000)
    expect(main.get_by_label("Email")).to_have_value("rep@example.com")
    # Studying goes on without it: the library came from the server without sign-in.
    main.get_by_role("button", name="Not now").click()
    expect(main.get_by_role("heading", name="Question 1 of 2")).to_be_visible(timeout=10_000)
    expect(main.locator(".stem")).to_contain_text('The buyer says "I decide this alone."')
    group = main.get_by_role("radiogroup")
    expect(group.get_by_role("radio")).to_have_count(3)
    group.get_by_role("radio", name="Ask who will use it, and who signed off the last purchase like this.").check()
    main.get_by_role("button", name="Check answer").click()
    feedback = main.get_by_role("status")
    expect(feedback).to_contain_text("Correct")
    expect(feedback).to_contain_text("Ask about the process, not the person.")
    expect(page.get_by_text("1 not synced")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign in")).to_be_visible()
    assert errors == []


def test_the_shell_installs_and_opens_offline(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Ready to work offline")).to_be_visible(timeout=15_000)
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Recap")).to_be_visible()
    page.goto(live_server.url + "/some/unknown/route")  # offline: the app, not the browser's error page
    expect(page.get_by_role("heading", name="Recap")).to_be_visible()
    manifest = page.evaluate("() => document.querySelector('link[rel=manifest]').href")
    assert manifest.endswith("/manifest.webmanifest")

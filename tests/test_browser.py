"""The built app, opened in a real Chromium against a real server."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import LiveServer


def test_start_page_shows_the_published_library(live_server: LiveServer, page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Recap")).to_be_visible()
    expect(page.locator("#library")).to_have_text(
        "Library version 1: 3 questions, 1 nugget, 1 refresher, 1 campaign.", timeout=10_000
    )
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

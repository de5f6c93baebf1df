"""The built app, opened in a real Chromium against a real server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import expect

from tests.support.mail import ask_for_code, import_demo_accounts, sign_in
from tests.support.server import LiveServer, run_recap

# Today, by the real date (the fixture campaign started on 2026-12-01, before any day this runs).
CAMPAIGN_DAY = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)


def test_first_visit_signs_in_by_code_and_a_refused_credential_never_blocks_studying(
    live_server: LiveServer, page: Any
) -> None:
    import_demo_accounts(live_server.db_path)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.clock.install(time=CAMPAIGN_DAY)
    page.goto(live_server.url + "/")
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", name="Recap")).to_be_visible()
    expect(main.get_by_role("heading", name="Sign in")).to_be_visible()
    header = page.get_by_role("banner")
    expect(header.get_by_role("button", name="Sign in")).to_be_visible()  # nothing to sync before sign-in
    expect(header.get_by_role("button", name="Sync now")).to_have_count(0)
    main.get_by_label("Email").fill("not an email")
    main.get_by_role("button", name="Email me a code").click()
    expect(main.get_by_role("alert")).to_contain_text("Enter an email address")
    # The address as typed; the app asks for the code for it trimmed and lower-cased.
    code = ask_for_code(page, live_server.db_path, "rep@example.com", typed=" Rep@Example.com ")
    field = main.get_by_label("Sign-in code")
    expect(field).to_have_attribute("inputmode", "numeric")
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    field.fill("000000" if code != "000000" else "111111")
    main.get_by_role("button", name="Sign in").click()
    expect(main.get_by_role("alert")).to_contain_text("That code is wrong or has expired")
    expect(field).to_have_attribute("aria-invalid", "true")
    field.fill(code)
    main.get_by_role("button", name="Sign in").click()
    expect(main.get_by_role("heading", name="Question 1 of 2")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("banner").get_by_role("button", name="Sync now")).to_be_visible()

    # The server revokes the credential: the next sync is refused, and studying goes on.
    revoked = run_recap("users", "revoke", "rep@example.com", db_path=live_server.db_path)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    expect(main.locator(".stem")).to_contain_text('The buyer says "I decide this alone."')
    group = main.get_by_role("radiogroup")
    expect(group.get_by_role("radio")).to_have_count(3)
    group.get_by_role("radio", name="Ask who will use it, and who signed off the last purchase like this.").check()
    main.get_by_role("button", name="Check answer").click()
    feedback = main.get_by_role("status")
    expect(feedback).to_contain_text("Correct")
    expect(feedback).to_contain_text("Ask about the process, not the person.")
    # Sync pauses; the feedback stays on screen, and the header offers "Sign in".
    expect(page.get_by_role("banner").get_by_role("button", name="Sign in")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("1 not synced")).to_be_visible()
    main.get_by_role("button", name="Next").click()
    # Then the sign-in screen, saying nothing was lost; "Not now" goes back to studying.
    expect(main.get_by_text("Your session has ended")).to_be_visible(timeout=10_000)
    expect(main.get_by_label("Email")).to_have_value("rep@example.com")
    main.get_by_role("button", name="Not now").click()
    expect(main.get_by_role("heading", name="Question 2 of 2")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("1 not synced")).to_be_visible()
    assert errors == []


def test_before_any_sign_in_the_app_keeps_the_library_the_server_announces(live_server: LiveServer, page: Any) -> None:
    """The first-run download (pwa/src/sync/library.js, the pull's own): no credential, kept
    with its ETag and the content cursor, so the first pull after sign-in downloads nothing."""
    page.goto(live_server.url + "/")
    expect(page.get_by_role("main").get_by_role("heading", name="Sign in")).to_be_visible()
    kept = page.evaluate(
        """async () => {
            for (let i = 0; i < 100; i++) {
                const store = globalThis.recap?.store;
                const content = store && (await store.content());
                if (content) {
                    const error = await store.contentError();
                    return {version: content.version, etag: content.etag, cursors: await store.getCursors(), error};
                }
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            return null;
        }"""
    )
    etag = live_server.get("/content/snapshot/1").headers["etag"]
    assert kept == {"version": 1, "etag": etag, "cursors": {"content": 1, "records": 0}, "error": None}


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


def test_signing_out_keeps_unsynced_answers_and_online_revokes_the_device(live_server: LiveServer, page: Any) -> None:
    import_demo_accounts(live_server.db_path)
    page.clock.install(time=CAMPAIGN_DAY)
    page.goto(live_server.url + "/")
    sign_in(page, live_server.db_path, "rep@example.com")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Question 1 of 2")).to_be_visible(timeout=10_000)
    page.context.set_offline(True)
    main.get_by_role("radio").first.check()
    main.get_by_role("button", name="Check answer").click()
    expect(page.get_by_text("1 not synced")).to_be_visible()
    page.get_by_role("link", name="Settings").click()
    main.get_by_role("button", name="Sign out").click()
    expect(main.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("1 not synced")).to_be_visible()  # the answer stays on the device
    page.context.set_offline(False)
    sign_in(page, live_server.db_path, "rep@example.com")
    page.get_by_role("banner").get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=10_000)
    answers = run_recap("users", "export", "rep@example.com", "--out", str(live_server.db_path.parent / "rep.json"), db_path=live_server.db_path)
    assert answers.returncode == 0 and "1 answers" in answers.stdout
    page.get_by_role("link", name="Settings").click()
    main.get_by_role("button", name="Sign out").click()  # online this time: the server hears of it
    expect(main.get_by_role("heading", name="Sign in")).to_be_visible()
    deadline = dt.datetime.now() + dt.timedelta(seconds=10)
    log = ""
    while "signed out" not in log and dt.datetime.now() < deadline:
        log = run_recap("audit", "list", "--email", "rep@example.com", db_path=live_server.db_path).stdout
    assert "signed out" in log

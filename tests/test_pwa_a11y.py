"""An accessibility scan (axe-core) of the app's screens, in a real Chromium at 360×740.

The demo library and accounts are on a real server (sign-in by emailed code); the page clock is
on a day the demo campaigns run. axe runs on both sign-in steps (the email, then the emailed
code), the study screen (a question, then its feedback), the refresher search with results, a
nugget in the reader, and the progress screen. Violations of impact "serious" or "critical" fail
the test; they are printed with their targets."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.support.mail import FEEDBACK, MORNING, VIEWPORT, ask_for_code
from tests.support.paths import ROOT
from tests.support.server import LiveServer

AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}



def blocking_violations(page: Page, where: str) -> list[str]:
    """Run axe on the page as it is; the serious and critical violations, described."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }"""
    )
    found = [
        f"{where}: [{v['impact']}] {v['id']}: {v['help']} at {', '.join(v['targets'])}"
        for v in violations
        if v["impact"] in BLOCKING
    ]
    for line in found:
        print(line)
    return found


def test_screens_have_no_serious_accessibility_violations(
    demo_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    assert AXE.exists(), "axe-core is not installed: run `npm install` in pwa/"
    shots = Path(os.environ.get("RECAP_SCREENSHOTS") or tmp_path / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    # bypass_csp: the server's Content-Security-Policy (rightly) refuses the inline script tag
    # that injects axe; the app's own CSP compliance is not what this test is about.
    context = browser.new_context(
        viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce", bypass_csp=True
    )
    context.clock.install(time=MORNING)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    problems: list[str] = []

    page.goto(demo_server.url + "/")
    main = page.get_by_role("main")
    # Sign-in by emailed code: both steps.
    expect(main.get_by_label("Email")).to_be_visible(timeout=10_000)
    page.screenshot(path=str(shots / "sign-in-email-360x740.png"))
    problems += blocking_violations(page, "sign-in, email")
    code = ask_for_code(page, demo_server.db_path, "rep@example.com")
    page.screenshot(path=str(shots / "sign-in-code-360x740.png"))
    problems += blocking_violations(page, "sign-in, code")
    main.get_by_label("Sign-in code").fill(code)
    main.get_by_role("button", name="Sign in").click()

    # The study screen: a question, then its feedback.
    expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible(timeout=20_000)
    problems += blocking_violations(page, "question")
    main.get_by_role("radiogroup").get_by_role("radio").first.check()
    main.get_by_role("button", name="Check answer").click()
    expect(main.get_by_role("status").filter(has_text=FEEDBACK)).to_be_visible()
    problems += blocking_violations(page, "feedback")
    main.get_by_role("button", name="Next").click()
    expect(main.get_by_role("heading", name="Question 2 of 3")).to_be_visible()

    # The refresher search, with results; one tap opens a result.
    page.get_by_role("navigation").get_by_role("link", name="How do I…?").click()
    main.get_by_label("Search the refreshers").fill("who decides")
    results = main.get_by_role("listitem")
    expect(results.first).to_contain_text("who else is involved")
    expect(main.get_by_role("status")).to_contain_text("found")
    page.screenshot(path=str(shots / "refresher-search-360x740.png"))
    problems += blocking_violations(page, "refresher search")
    results.first.get_by_role("link").click()
    expect(main.get_by_role("heading", level=2)).to_contain_text("who else is involved")
    expect(main.locator("ol.steps li").first).to_be_visible()
    page.screenshot(path=str(shots / "refresher-360x740.png"))
    problems += blocking_violations(page, "refresher")

    # A nugget in the reader, marked as done.
    page.get_by_role("navigation").get_by_role("link", name="Lessons").click()
    expect(main.get_by_role("heading", name="Two-minute lessons")).to_be_visible()
    page.screenshot(path=str(shots / "nuggets-360x740.png"))
    main.get_by_role("link").filter(has_text="value wedge").first.click()
    expect(main.get_by_role("button", name="Mark as done")).to_be_visible()
    problems += blocking_violations(page, "nugget reader")
    main.get_by_role("button", name="Mark as done").click()
    expect(main.get_by_role("status")).to_have_text("Marked as done.")
    page.screenshot(path=str(shots / "nugget-360x740.png"))
    problems += blocking_violations(page, "nugget reader, done")

    # Progress.
    page.get_by_role("navigation").get_by_role("link", name="Progress").click()
    expect(main.get_by_role("heading", name="Your progress")).to_be_visible()
    expect(main.get_by_text(re.compile(r"Likely to recall today: about \d+%")).first).to_be_visible()
    page.screenshot(path=str(shots / "progress-360x740.png"))
    problems += blocking_violations(page, "progress")

    context.close()
    assert errors == []
    assert problems == [], "\n".join(problems)

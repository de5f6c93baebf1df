"""A rep's day in a real Chromium at 360×740 against a real server with the demo library: each
question after "Next" opens at the top of the page with its heading focused; a progress bar says
how far through the day's questions; a question published mid-day does not replace the pending
one; after the last question, the day's summary (right answers, the streak, the week's goal,
what comes back when), in English and in Dutch."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.mail import FEEDBACK, VIEWPORT, signed_in_phone
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import LiveServer, run_recap
from tests.test_pwa_a11y import blocking_violations

DAILY = 3  # the demo rep's questions a day
CONTENT_VERSION = "async () => (await globalThis.recap.store.content())?.version"


def publish_new_first_question(db_path: Path, library: Path) -> None:
    """An editor publishes a new question, first in the rep's campaign."""
    shutil.copytree(DEMO_LIBRARY, library)
    source = (library / "questions" / "who-else-is-involved.yaml").read_text()
    (library / "questions" / "published-mid-day.yaml").write_text(
        source.replace("id: who-else-is-involved", "id: published-mid-day").replace("Kevin Jacobs", "Published Midday")
    )
    campaign = library / "campaigns" / "value-selling-foundations.yaml"
    campaign.write_text(campaign.read_text().replace("questions:\n", "questions:\n  - published-mid-day\n", 1))
    result = run_recap("content", "publish", str(library), db_path=db_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_day_of_questions_ends_in_a_summary(demo_server: LiveServer, browser: Any, tmp_path: Path) -> None:
    # bypass_csp: to inject axe (tests/test_pwa_a11y.py) for the scans of the new parts.
    context, page, errors = signed_in_phone(browser, demo_server.url, demo_server.db_path, bypass_csp=True)
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name=f"Question 1 of {DAILY}")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    progress = main.get_by_role("progressbar", name="Today's questions")
    expect(progress).to_have_attribute("aria-valuenow", "0")
    expect(progress).to_have_attribute("aria-valuemax", str(DAILY))
    expect(progress).to_have_attribute("aria-valuetext", f"0 of {DAILY} answered today")
    expect(main.get_by_text("This week: 0 of 5 days studied")).to_be_visible()
    version = page.evaluate(CONTENT_VERSION)
    problems = blocking_violations(page, "question with the day's progress")
    shots = Path(os.environ.get("RECAP_SCREENSHOTS") or tmp_path)  # set it to look at them
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "day-question-360x740.png"))

    right = 0
    stems: list[str] = []
    for number in range(1, DAILY + 1):
        heading = main.get_by_role("heading", name=f"Question {number} of {DAILY}")
        expect(heading).to_be_visible(timeout=10_000)
        stems.append(main.locator(".stem").inner_text())
        if number > 1:
            # After "Next": the page is at the top, the heading on screen and focused.
            expect(heading).to_be_focused()
            assert page.evaluate("() => window.scrollY") == 0
            box = heading.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"] / 2, box
            print(f"question {number}: heading at y={box['y']} px after Next")
        if number == 2:
            # Mid-day, an editor publishes a question first in the rep's campaign; it syncs.
            publish_new_first_question(demo_server.db_path, tmp_path / "content")
            page.get_by_role("banner").get_by_role("button", name="Sync now").click()
            page.wait_for_function(
                f"async () => (await globalThis.recap.store.content())?.version > {version}",
                polling=200,
                timeout=15_000,
            )
            page.get_by_role("link", name="Progress").click()  # away and back: Today is drawn afresh
            page.get_by_role("link", name="Today").click()
            expect(heading).to_be_visible()
            expect(main.locator(".stem")).to_have_text(stems[-1])  # still the pending question
        main.get_by_role("radio").first.check()
        main.get_by_role("button", name="Check answer").click()
        feedback = main.get_by_role("status").filter(has_text=FEEDBACK)
        expect(feedback).to_be_visible()
        right += "Correct" in feedback.inner_text()
        expect(progress).to_have_attribute("aria-valuenow", str(number))
        expect(main.get_by_text(f"{number} of {DAILY} answered today")).to_be_visible()
        expect(main.get_by_text("This week: 1 of 5 days studied")).to_be_visible()
        # The feedback is scrolled into view: the next question must come back up.
        assert page.evaluate("() => window.scrollY") > 100
        main.get_by_role("button", name="Next").click()
    assert not any("Published Midday" in stem for stem in stems)
    assert len(set(stems)) == DAILY

    # The day's summary.
    summary = main.locator("section.summary")
    expect(main.get_by_role("heading", name="Done for today")).to_be_focused()
    expect(summary.locator(".stat").nth(0)).to_have_text(f"{right} of {DAILY}right today")
    expect(summary.locator(".stat").nth(1)).to_have_text("1day in a row")
    expect(summary.locator(".stat").nth(2)).to_have_text("1 of 5days studied this week")
    expect(summary.get_by_role("heading", name="Coming back")).to_be_visible()
    back = summary.locator(".coming-back li")
    assert back.count() >= 1
    total = 0
    for line in back.all_inner_texts():
        found = re.fullmatch(r"(Tomorrow|\w+day \d+ \w+): (\d+) questions?", line)
        assert found, line
        total += int(found.group(2))
    assert total == DAILY  # each answered question comes back on one of these days
    expect(summary.locator(".next-day")).to_have_text(
        re.compile(r"Your next question comes (tomorrow|on \w+day \d+ \w+)\.")
    )
    page.screenshot(path=str(shots / "day-summary-360x740.png"), full_page=True)
    problems += blocking_violations(page, "the day's summary")
    assert problems == [], "\n".join(problems)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]

    # The same summary in Dutch.
    page.get_by_role("link", name="Settings").click()
    main.get_by_role("radio", name="Nederlands").check()
    page.get_by_role("link", name="Vandaag").click()
    expect(main.get_by_role("heading", name="Klaar voor vandaag")).to_be_visible()
    expect(summary.locator(".stat").nth(0)).to_have_text(f"{right} van {DAILY}goed vandaag")
    expect(summary.locator(".stat").nth(2)).to_have_text("1 van 5dagen geoefend deze week")
    expect(summary.locator(".next-day")).to_have_text(
        re.compile(r"Je volgende vraag komt (morgen|op \w+dag \d+ \w+)\.")
    )
    assert errors == []
    context.close()

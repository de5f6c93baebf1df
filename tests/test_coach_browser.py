"""Coach mode in a real Chromium against the real demo server (issue 13 §2, docs/coaching.md).

The coach signs in by emailed code and syncs once; then, offline: Team, "New observation", the
rep, a competency, a behaviour rated and its evidence typed; the page is closed mid-form and a
new page (same browser profile, still offline) reopens the draft from Team with every value
restored; the coach finishes, "Share with rep" says "Shared" and the bar "1 not synced". Back
online, "Sync now" sends it: the server's SQLite holds exactly one observation, of the rep,
shared, with the rating; Team shows the rep's summary from the server. Then the rep's app (a
new profile): the observation on "Feedback", acknowledged with a comment offline, synced once;
"Today" asks the behaviour's linked questions first with "From your coaching on <date>"; no
"Team". The coach's app, synced, shows the rep's comment on the observation. A manager reads
Team without "New observation". Axe finds nothing serious on Team,
the form with a rubric shown, and the observation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.support.browser import wait_for_offline_ready
from tests.support.mail import VIEWPORT, sign_in
from tests.support.server import LiveServer
from tests.test_pwa_a11y import blocking_violations

COACH = "coach@example.com"
REP = "rep@example.com"
MANAGER = "manager@example.com"
BEHAVIOUR = "Asks about the customer's goals before presenting anything"
RATING = "rating:discovery-rubric:asks-about-goals"
EVIDENCE = "Opened the slide deck after one question about their plans."
COMMENT = "Fair. I will ask about their goals first on Thursday."
YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def new_context(browser: Any, **options: Any) -> Any:
    return browser.new_context(
        viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce", **options
    )


def watched(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def signed_in_coach(page: Page, server: LiveServer) -> None:
    """Signed in as the coach, synced once, installed for offline use, with "Team" in the navigation."""
    page.goto(server.url + "/")
    sign_in(page, server.db_path, COACH)
    wait_for_offline_ready(page)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("navigation").get_by_role("link", name="Team")).to_be_visible(timeout=15_000)


def server_observations(server: LiveServer) -> list[tuple[str, int, dict[str, Any]]]:
    with sqlite3.connect(server.db_path) as db:
        rows = db.execute(
            "SELECT u.email, o.shared, o.state FROM observations AS o JOIN users AS u ON u.id = o.rep_id ORDER BY o.id"
        ).fetchall()
    return [(email, shared, json.loads(state)) for email, shared, state in rows]


def test_coach_observes_offline_closes_mid_form_and_shares(demo_server: LiveServer, browser: Any) -> None:
    context = new_context(browser)
    page = context.new_page()
    errors = watched(page)
    main = page.get_by_role("main")
    signed_in_coach(page, demo_server)

    # Offline from here: Team, then a new observation.
    context.set_offline(True)
    page.get_by_role("navigation").get_by_role("link", name="Team").click()
    expect(main.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Robin Rep")).to_be_visible()
    expect(main.get_by_text("Not observed yet.")).to_be_visible()
    main.get_by_role("button", name="New observation").click()
    expect(main.get_by_role("heading", name="New observation")).to_be_visible()

    # Sharing an empty form says what is missing and goes to it.
    rep = main.get_by_role("combobox", name="Rep", exact=True)
    main.get_by_role("button", name="Share with rep").click()
    expect(main.get_by_text("Choose the rep you observed.")).to_be_visible()
    expect(rep).to_be_focused()
    expect(main.get_by_text("Rate at least one behaviour")).to_be_visible()

    rep.select_option(label="Robin Rep")
    main.get_by_label("Customer", exact=True).fill("Acme Logistics")
    main.get_by_label("Meeting type", exact=True).fill("First meeting")
    main.get_by_label("Buyer-journey phase").select_option(label="Exploring")
    assert main.get_by_label("Observed on").input_value() == dt.date.today().isoformat()  # the default
    # Yesterday's ride-along, logged today: its practice starts today (the day after).
    observed_on = YESTERDAY.isoformat()
    main.get_by_label("Observed on").fill(observed_on)
    main.get_by_label("Needs analysis").check()
    group = main.get_by_role("radiogroup", name=BEHAVIOUR, exact=True)
    expect(group.get_by_role("radio")).to_have_count(4)
    group.get_by_role("radio", name="2", exact=True).check()
    # Typed key by key: every key is a change; saves are paced one at a time, the last has all.
    main.get_by_label(f"Evidence: {BEHAVIOUR}").press_sequentially(EVIDENCE)
    expect(main.get_by_text("Draft saved on this device.")).to_be_visible()

    # The app is closed mid-form; a new page, still offline, has the draft.
    page.close()
    page = context.new_page()
    errors += watched(page)
    main = page.get_by_role("main")
    page.goto(demo_server.url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Team").click()
    main.get_by_role("link", name="Resume the draft for Robin Rep").click()
    expect(main.get_by_role("heading", name="New observation")).to_be_visible()
    rep = main.get_by_role("combobox", name="Rep", exact=True)
    assert rep.evaluate("(s) => s.selectedOptions[0].textContent") == "Robin Rep"
    expect(main.get_by_label("Customer", exact=True)).to_have_value("Acme Logistics")
    expect(main.get_by_label("Meeting type", exact=True)).to_have_value("First meeting")
    assert main.get_by_label("Buyer-journey phase").evaluate("(s) => s.selectedOptions[0].textContent") == "Exploring"
    expect(main.get_by_label("Observed on")).to_have_value(observed_on)
    expect(main.get_by_label("Needs analysis")).to_be_checked()
    group = main.get_by_role("radiogroup", name=BEHAVIOUR, exact=True)
    expect(group.get_by_role("radio", name="2", exact=True)).to_be_checked()
    expect(main.get_by_label(f"Evidence: {BEHAVIOUR}")).to_have_value(EVIDENCE)

    # Finish and share, still offline.
    main.get_by_label("Strengths").fill("Warm, well-prepared opening.")
    main.get_by_label("Agreed next step").fill("Ask two follow-up questions about goals before any slide.")
    main.get_by_label("Next step due").fill("2030-01-15")
    main.get_by_role("button", name="Share with rep").click()
    expect(main.get_by_role("status")).to_have_text("Shared")
    expect(page.get_by_text("1 not synced")).to_be_visible()
    assert server_observations(demo_server) == []

    # Online: "Sync now" sends it, once.
    context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    rows = server_observations(demo_server)
    assert len(rows) == 1
    email, shared, state = rows[0]
    assert (email, shared) == (REP, 1)
    fields = {name: v["value"] for name, v in state["fields"].items()}
    assert fields[RATING] == 2
    assert fields["evidence:discovery-rubric:asks-about-goals"] == EVIDENCE
    assert fields["customer"] == "Acme Logistics"
    assert fields["next_step_due"] == "2030-01-15"

    # Team lists it as shared, and the server's summary of the rep (from the pull) names the
    # behaviour rated 2 and the practice it added; the detail shows the behaviour and the rating.
    page.get_by_role("button", name="Back to Team").click()
    robin = main.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Robin Rep"))
    expect(robin).to_contain_text("Last observed on")
    expect(robin.get_by_role("listitem").filter(has_text=BEHAVIOUR)).to_contain_text("2 of 4")
    expect(robin).to_contain_text(re.compile(r"0 of [1-9]\d* practice questions? answered, 0 right\."))
    observation = main.get_by_role("link").filter(has_text="Acme Logistics")
    expect(observation).to_contain_text("Shared")
    expect(observation).not_to_contain_text("Not synced")
    observation.click()
    expect(main.get_by_role("heading", name="Observation of Robin Rep")).to_be_visible()
    expect(main.get_by_text(BEHAVIOUR)).to_be_visible()
    expect(main.get_by_text("2 of 4")).to_be_visible()
    expect(main.get_by_text("Robin Rep has not acknowledged it yet.")).to_be_visible()

    # The rep's app: the observation on Feedback, acknowledged with a comment offline, synced
    # once; Today asks the linked practice first, with its reason; never a "Team".
    rep_context = new_context(browser)
    rep_page = rep_context.new_page()
    errors += watched(rep_page)
    rep_main = rep_page.get_by_role("main")
    nav = rep_page.get_by_role("navigation", name="Main")
    rep_page.goto(demo_server.url + "/")
    sign_in(rep_page, demo_server.db_path, REP)
    expect(rep_page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    nav.get_by_role("link", name="Feedback").click()
    card = rep_main.get_by_role("article")
    expect(card).to_have_count(1)
    expect(card.get_by_text(BEHAVIOUR)).to_be_visible()
    expect(card.get_by_text(EVIDENCE)).to_be_visible()
    expect(nav.get_by_role("link", name="Team")).to_have_count(0)
    rep_context.set_offline(True)
    card.get_by_label("Comment").fill(COMMENT)
    card.get_by_role("button", name="Acknowledge").click()
    expect(rep_page.get_by_text("1 not synced")).to_be_visible()
    rep_context.set_offline(False)
    rep_page.get_by_role("button", name="Sync now").click()
    expect(rep_page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    with sqlite3.connect(demo_server.db_path) as db:
        acks = db.execute("SELECT item_kind, acknowledged, comment FROM acknowledgements WHERE item_kind = 'observation'").fetchall()
    assert acks == [("observation", 1, COMMENT)]
    nav.get_by_role("link", name="Today").click()
    expect(rep_main.get_by_text(f"From your coaching on {YESTERDAY.day} {YESTERDAY:%B}")).to_be_visible(timeout=15_000)
    expect(rep_main.get_by_role("heading", name=re.compile(r"^Question 1 of \d$"))).to_be_visible()
    practice = {"from-feature-request-to-goal", "make-a-vague-goal-concrete"}  # the behaviour's questions (content/rubrics)
    shown = rep_page.evaluate("async () => (await globalThis.recap.store.dayQueue())?.items.map((i) => i.questionId) ?? []")
    assert set(shown[:2]) == practice, shown
    rep_context.close()

    # The coach's app hears the rep: the thread shows the comment after a sync.
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    page.get_by_role("navigation").get_by_role("link", name="Team").click()
    main.get_by_role("link").filter(has_text="Acme Logistics").click()
    expect(main.get_by_text(COMMENT)).to_be_visible(timeout=15_000)
    assert errors == []
    context.close()

    # A manager of the team reads Team, and writes nothing.
    context = new_context(browser)
    page = context.new_page()
    main = page.get_by_role("main")
    page.goto(demo_server.url + "/")
    sign_in(page, demo_server.db_path, MANAGER)
    page.get_by_role("navigation").get_by_role("link", name="Team").click(timeout=15_000)
    expect(main.get_by_role("heading", name="Robin Rep")).to_be_visible()
    expect(main.get_by_text(BEHAVIOUR)).to_be_visible()
    expect(main.get_by_role("button", name="New observation")).to_have_count(0)
    context.close()


def test_coach_screens_have_no_serious_accessibility_violations(
    demo_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("RECAP_SCREENSHOTS") or tmp_path / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    # bypass_csp: the server's CSP (rightly) refuses the inline script tag that injects axe.
    context = new_context(browser, bypass_csp=True)
    page = context.new_page()
    errors = watched(page)
    main = page.get_by_role("main")
    signed_in_coach(page, demo_server)
    problems: list[str] = []

    page.get_by_role("navigation").get_by_role("link", name="Team").click()
    expect(main.get_by_role("heading", name="Robin Rep")).to_be_visible()
    page.screenshot(path=str(shots / "team-360x740.png"), full_page=True)
    problems += blocking_violations(page, "team")

    main.get_by_role("button", name="New observation").click()
    main.get_by_role("combobox", name="Rep", exact=True).select_option(label="Robin Rep")
    main.get_by_label("Needs analysis").check()
    group = main.get_by_role("radiogroup", name=BEHAVIOUR, exact=True)
    group.get_by_role("radio", name="3", exact=True).check()
    main.get_by_role("button", name="Share with rep").click()
    expect(main.get_by_role("status")).to_have_text("Shared")
    page.get_by_role("button", name="Back to Team").click()
    # Team with a draft and an observation; then the form with a rubric and an error shown.
    main.get_by_role("button", name="New observation").click()
    main.get_by_label("Customer", exact=True).fill("Draft Ltd")
    expect(main.get_by_text("Draft saved on this device.")).to_be_visible()
    main.get_by_label("Needs analysis").check()
    expect(main.get_by_role("radiogroup", name=BEHAVIOUR, exact=True)).to_be_visible()
    main.get_by_role("button", name="Share with rep").click()
    expect(main.get_by_text("Choose the rep you observed.")).to_be_visible()
    page.screenshot(path=str(shots / "observe-360x740.png"))
    main.get_by_role("radiogroup", name=BEHAVIOUR, exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "observe-rubric-360x740.png"))
    problems += blocking_violations(page, "new observation")

    page.get_by_role("link", name="Back to Team").click()
    expect(main.get_by_role("link", name=re.compile("Resume a draft"))).to_be_visible()
    page.screenshot(path=str(shots / "team-draft-360x740.png"), full_page=True)
    problems += blocking_violations(page, "team with a draft")
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    main.get_by_role("link").filter(has_text="Shared").first.click()
    expect(main.get_by_role("heading", name="Observation of Robin Rep")).to_be_visible()
    page.screenshot(path=str(shots / "observation-360x740.png"), full_page=True)
    problems += blocking_violations(page, "observation")

    # A draft can be deleted, after a confirmation.
    page.get_by_role("link", name="Back to Team").click()
    main.get_by_role("link", name=re.compile("Resume a draft")).click()
    expect(main.get_by_label("Customer", exact=True)).to_have_value("Draft Ltd")
    page.once("dialog", lambda dialog: dialog.accept())
    main.get_by_role("button", name="Delete draft").click()
    expect(main.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    expect(main.get_by_role("link", name=re.compile("Resume"))).to_have_count(0)
    assert problems == []
    assert errors == []
    context.close()

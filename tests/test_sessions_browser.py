"""An intervision session run end to end in real Chromium, against the real demo server.

The coach (coach@example.com, coach of team demo) signs in on a browser profile kept on disk (a
persistent context, so IndexedDB and the service worker survive closing it, as on a phone),
syncs, goes offline, starts a session with Robin Rep (rep@example.com) as the case owner, writes
stage 1, closes the browser while typing stage 2, reopens it still offline (the draft is there),
and moves through the four stages in order: each stage offers only "Next stage", never a later
one. At stage 4 the commitment and a follow-up date of today; online again, "Sync now", and the
server's SQLite holds exactly one session, at stage 4, with the commitment. Then the rep signs in
in a new context: the session is in "Sessions", read-only, with the confidentiality rule, and
Today shows the commitment with "Done". axe runs on the list and on the session at stages 1 and 4,
and (in dark mode) on the rep's read-only session and Today with the commitment.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.support.browser import CHROMIUM_ARGS, chromium_path, wait_for_offline_ready
from tests.support.mail import VIEWPORT, sign_in, signed_in_phone
from tests.support.server import LiveServer
from tests.test_pwa_a11y import AXE, blocking_violations

COACH = "coach@example.com"
REP = "rep@example.com"
RULE = "What is shared in this session stays in this group. Do not repeat a case outside it without the case owner's consent."
QUESTION = "What can I do differently when the purchasing director will not meet me?"
CLARIFYING = "Who below the director have you spoken to?\nWho uses the product every day?"
IDEAS = "Start with the ward managers who use it daily."
REFLECTION = "I have only ever talked to directors."
COMMITMENT = "Call two ward managers before Friday."


def launch(browser: Any, profile: Path, *, offline: bool) -> tuple[Any, Any, list[str]]:
    """Chromium on a profile directory that outlives the context (bypass_csp: axe is injected)."""
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS,
        headless=True,
        offline=offline,
        viewport=VIEWPORT,
        locale="en-GB",
        timezone_id="Europe/Amsterdam",
        reduced_motion="reduce",
        bypass_csp=True,
    )
    page = context.pages[0] if context.pages else context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def server_sessions(server: LiveServer) -> list[tuple[str, dict[str, Any]]]:
    """Every session on the server: (case owner's email, field name -> value)."""
    with sqlite3.connect(server.db_path) as db:
        rows = db.execute(
            "SELECT u.email, s.state FROM intervision_sessions AS s JOIN users AS u ON u.id = s.case_owner_id"
        ).fetchall()
    return [(email, {name: v["value"] for name, v in json.loads(state)["fields"].items()}) for email, state in rows]


def until(page: Page, script: str, wanted: Any, timeout: float = 15) -> None:
    """Poll an (async) script in the page until it returns `wanted` (its promise is awaited)."""
    deadline = time.monotonic() + timeout
    while (got := page.evaluate(script)) != wanted:
        assert time.monotonic() < deadline, f"{script} returned {got!r}, not {wanted!r}"
        time.sleep(0.05)


def stage_heading(main: Any, n: int, name: str) -> Any:
    return main.get_by_role("heading", name=f"Stage {n} of 4: {name}")


def only_next_stage(main: Any) -> None:
    """The current stage offers one way on: "Next stage", no later stage to jump to."""
    expect(main.get_by_role("button")).to_have_text(["Next stage"])


def test_a_session_runs_offline_through_four_stages_and_the_commitment_comes_back(
    demo_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    assert AXE.exists(), "axe-core is not installed: run `npm install` in pwa/"
    profile = tmp_path / "coach-profile"
    shots = Path(os.environ.get("RECAP_SCREENSHOTS") or tmp_path / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    # 1. The coach signs in online; the first sync brings who they are (their team and its members).
    context, page, errors = launch(browser, profile, offline=False)
    page.goto(demo_server.url + "/")
    main = page.get_by_role("main")
    sign_in(page, demo_server.db_path, COACH)
    wait_for_offline_ready(page)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
    until(page, "async () => Boolean((await globalThis.recap?.store.me())?.teams?.length)", True)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sessions")).to_be_attached()

    # 2. Offline: a new session with Robin Rep as case owner.
    context.set_offline(True)
    page.goto(demo_server.url + "/#/sessions")
    expect(main.get_by_role("heading", name="Intervision sessions")).to_be_visible()
    expect(main.get_by_text(RULE)).to_be_visible()
    expect(main.get_by_text("No sessions yet.")).to_be_visible()
    main.get_by_role("button", name="New session").click()
    expect(main.get_by_role("heading", name="New session")).to_be_visible()
    expect(main.get_by_text(RULE)).to_be_visible()
    main.get_by_label("Case owner").select_option(label="Robin Rep")
    held_on = main.get_by_label("Date held").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", held_on)
    main.get_by_role("button", name="Start session").click()

    # Stage 1: the owner's question; nothing later is open yet.
    expect(stage_heading(main, 1, "case and question")).to_be_visible(timeout=10_000)
    expect(main.get_by_text(RULE)).to_be_visible()
    expect(stage_heading(main, 2, "clarifying questions")).to_have_count(0)
    only_next_stage(main)
    page.screenshot(path=str(shots / "session-stage-1-360x740.png"), full_page=True)
    problems += blocking_violations(page, "session, stage 1")
    main.get_by_role("button", name="Next stage").click()  # no question yet: refused, said why
    expect(main.get_by_role("alert")).to_have_text("Write down the case owner's question first.")
    expect(stage_heading(main, 2, "clarifying questions")).to_have_count(0)
    main.get_by_label("The case owner's question", exact=True).fill(QUESTION)
    main.get_by_role("button", name="Next stage").click()

    # Stage 2: stage 1 is read-only now; the clarifying questions are typed, and the app closed.
    expect(stage_heading(main, 2, "clarifying questions")).to_be_focused()
    expect(main.get_by_label("The case owner's question", exact=True)).to_have_count(0)
    expect(main.get_by_text(QUESTION)).to_be_visible()
    expect(page.get_by_text("2 not synced")).to_be_visible()
    main.get_by_label("Clarifying questions", exact=True).press_sequentially(CLARIFYING[:20])
    main.get_by_label("Clarifying questions", exact=True).fill(CLARIFYING)
    # Typing is kept as it goes: the draft on the device holds every character before the app closes.
    until(
        page,
        "async () => (await recap.store.drafts('session')).map((d) => d.values.clarifying_questions)",
        [CLARIFYING],
    )
    assert errors == []
    context.close()

    # 3. Reopened, still offline: the session is there, at stage 2, with the draft.
    context, page, errors = launch(browser, profile, offline=True)
    page.goto(demo_server.url + "/#/sessions")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Intervision sessions")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("2 not synced")).to_be_visible(timeout=15_000)
    item = main.get_by_role("listitem").filter(has_text="Robin Rep")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Stage 2 of 4: clarifying questions")
    expect(item).to_contain_text("Not synced")
    page.screenshot(path=str(shots / "sessions-360x740.png"), full_page=True)
    problems += blocking_violations(page, "sessions list")
    item.get_by_role("link").click()
    expect(stage_heading(main, 2, "clarifying questions")).to_be_visible(timeout=10_000)
    expect(main.get_by_label("Clarifying questions", exact=True)).to_have_value(CLARIFYING)
    only_next_stage(main)
    main.get_by_role("button", name="Next stage").click()

    # Stage 3, then 4: one stage at a time.
    expect(stage_heading(main, 3, "explore and advise")).to_be_focused()
    only_next_stage(main)
    main.get_by_label("Ideas and advice", exact=True).fill(IDEAS)
    main.get_by_role("button", name="Next stage").click()
    expect(stage_heading(main, 4, "reflect and commit")).to_be_focused()
    expect(main.get_by_role("button", name="Next stage")).to_have_count(0)
    for earlier in (QUESTION, IDEAS):
        expect(main.get_by_text(earlier)).to_be_visible()
    main.get_by_label("The case owner's reflection", exact=True).fill(REFLECTION)
    main.get_by_label("Commitment", exact=True).fill(COMMITMENT)
    main.get_by_label("Follow-up date", exact=True).fill(held_on)
    main.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. It syncs when you are online.")).to_be_visible()
    expect(main.get_by_text(RULE)).to_be_visible()
    page.screenshot(path=str(shots / "session-stage-4-360x740.png"), full_page=True)
    problems += blocking_violations(page, "session, stage 4")
    assert server_sessions(demo_server) == []

    # 4. Online: everything syncs, once; the server has the one session at stage 4.
    context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    sessions = server_sessions(demo_server)
    assert len(sessions) == 1
    owner, fields = sessions[0]
    assert owner == REP
    assert fields["stage"] == 4
    assert fields["commitment"] == COMMITMENT
    assert fields["question"] == QUESTION
    assert fields["clarifying_questions"] == CLARIFYING
    assert fields["follow_up_on"] == held_on
    with sqlite3.connect(demo_server.db_path) as db:
        outcomes = [json.loads(o) for (o,) in db.execute("SELECT outcome FROM intervision_revisions ORDER BY rev")]
    assert all(not o["conflicted"] and not o["lost"] for o in outcomes), outcomes
    assert errors == []
    context.close()

    # 5. The case owner: the session, read-only, with the rule; the commitment on Today.
    context, page, errors = signed_in_phone(
        browser, demo_server.url, demo_server.db_path, REP, bypass_csp=True, color_scheme="dark"
    )
    main = page.get_by_role("main")
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    until(page, "async () => Boolean((await globalThis.recap?.store.me())?.teams?.length)", True)
    card = main.locator("section.commitment")
    expect(card).to_contain_text(f": {COMMITMENT}", timeout=15_000)
    expect(card).to_contain_text("Your commitment from intervision on ")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    expect(main.get_by_text(RULE)).to_be_visible()
    item = main.get_by_role("listitem").filter(has_text="Robin Rep")
    expect(item).to_contain_text("Stage 4 of 4: reflect and commit")
    expect(main.get_by_role("button", name="New session")).to_have_count(0)
    item.get_by_role("link").click()
    expect(stage_heading(main, 4, "reflect and commit")).to_be_visible(timeout=10_000)
    expect(main.get_by_text(RULE)).to_be_visible()
    expect(main.get_by_text(COMMITMENT)).to_be_visible()
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    page.screenshot(path=str(shots / "session-read-only-360x740.png"), full_page=True)
    problems += blocking_violations(page, "session, read-only, dark")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    card = main.locator("section.commitment")
    expect(card).to_be_visible(timeout=10_000)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "today-commitment-360x740.png"))
    problems += blocking_violations(page, "Today with a commitment, dark")
    card.get_by_role("button", name="Done").click()
    expect(main.locator("section.commitment")).to_have_count(0)
    page.reload()
    expect(main.get_by_role("heading", name=re.compile(r"Question 1 of \d|Today"))).to_be_visible(timeout=15_000)
    expect(main.locator("section.commitment")).to_have_count(0)
    # "Done" is an acknowledgement of the session: synced, it is on the server (and so on the
    # owner's other devices and the moderator's).
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    with sqlite3.connect(demo_server.db_path) as db:
        done = db.execute("SELECT item_kind, item_id, acknowledged FROM acknowledgements WHERE item_kind = 'session'").fetchall()
    with sqlite3.connect(demo_server.db_path) as db:
        session_ids = [r[0] for r in db.execute("SELECT id FROM intervision_sessions")]
    assert done == [("session", session_ids[0], 1)]
    assert errors == []
    context.close()

    assert problems == []

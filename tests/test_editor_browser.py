"""The browser editor in a real Chromium against a real server with the demo library and accounts.

1. An editor signs in (emailed code, sent back to the editor afterwards), creates a refresher and
   a question through the forms, sees both on the phone preview (the question, then the feedback
   after a right answer), puts the question first in a campaign and publishes the three drafts.
   A rep's app, signed in before, syncs and has both: the question is its first of the day, the
   refresher is found by search. The editor rolls back to version 1; the rep's next sync drops
   the question again.
2. Two editors edit one refresher at once: the second one's autosave is refused, "Compare and
   merge" shows the merge view, they keep their title, and the other editor's change stays.
3. A pitch prompt's behaviours follow the rubric chosen, without a reload.
4. axe-core finds no serious or critical violation on any editor page.

Pages run under the server's Content-Security-Policy (scripts and styles from the server only),
except in the axe test, which injects axe (as tests/test_pwa_a11y.py does)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.editor import EDITOR, EDITOR2, item_form, save, signed_in
from tests.support.mail import EMAIL as REP
from tests.support.mail import MORNING, VIEWPORT, sign_in
from tests.support.server import LiveServer, demo_database
from tests.test_pwa_a11y import blocking_violations

DESK = {"width": 1280, "height": 900}
QUESTION = "budget-next-year"
STEM = "Priya, the finance director, says: “There is no budget left this year.” What do you ask her?"
OPTIONS = [
    "Offer a 20% discount if she signs this quarter.",
    "Ask what it costs her team each month to leave the problem as it is.",
    "Send the proposal anyway, so it is ready for next year.",
]
REFRESHER = "how-to-ask-about-budget"
REFRESHER_TITLE = "How do I ask about budget without scaring them?"


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(demo_database(tmp_path_factory.mktemp("editor-browser") / "live" / "recap.db"))
    yield server
    server.stop()


@pytest.fixture
def own_editor_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own, for a test that signs in again: sign-in codes are rate-limited per
    address (docs/auth.md), and the module's server has handed out its share to `EDITOR`."""
    server = LiveServer(demo_database(tmp_path / "live" / "recap.db"))
    yield server
    server.stop()


class Watch:
    """A page's script errors and Content-Security-Policy complaints."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self.errors.append(msg.text) if "Content Security Policy" in msg.text else None)


def desk(browser: Any, server: LiveServer, email: str | None = None, **options: Any) -> tuple[Any, Page, Watch]:
    """A laptop-sized context, signed in as `email` with a session from a real sign-in (or not)."""
    context = browser.new_context(viewport=DESK, locale="en-GB", timezone_id="Europe/Amsterdam", **options)
    if email:
        http = signed_in(server, email)
        host = httpx.URL(server.url).host
        context.add_cookies([{"name": c.name, "value": c.value or "", "domain": host, "path": "/"} for c in http.cookies.jar])
        http.close()
    page = context.new_page()
    return context, page, Watch(page)


def box(scope: Any, label: str) -> Any:
    """The text field (input or text area) labelled `label` (with "(required)" after it, or not)."""
    return scope.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}( \(required\))?$"))


def fill_new_refresher(page: Page) -> None:
    main = page.get_by_role("main")
    main.get_by_role("link", name="refresher", exact=True).click()
    expect(page.get_by_role("heading", name="New refresher")).to_be_visible()
    box(main, "Id").fill(REFRESHER)
    box(main, "Title").fill(REFRESHER_TITLE)
    main.get_by_label("Competency").select_option("qualification")
    main.get_by_role("textbox", name="Step 1", exact=True).fill("Ask what the problem costs them today.")
    main.get_by_role("button", name="Add step").click()
    main.get_by_role("textbox", name="Step 2", exact=True).fill("Ask how they paid for the last change like this one.")
    box(main, "Body").fill("Say it plainly: *what would this be worth to you?*")
    expect(main.locator("#f-body-md em")).to_have_text("what would this be worth to you?")  # the live Markdown preview
    main.get_by_role("button", name="Create the draft").first.click()
    expect(page.get_by_role("heading", name=f"Refresher {REFRESHER}")).to_be_visible()


def fill_new_question(page: Page) -> None:
    page.goto(page.url.split("/editor")[0] + "/editor/new/questions")
    main = page.get_by_role("main")
    box(main, "Id").fill(QUESTION)
    main.get_by_label("Competency").select_option("qualification")
    box(main, "Stem").fill(STEM)
    for i, text in enumerate(OPTIONS, start=1):
        if i > 2:  # a new question shows two option rows; the script adds more
            main.get_by_role("button", name="Add option").click()
        main.get_by_role("textbox", name=f"Option {chr(64 + i)}", exact=True).fill(text)
    main.locator("#f-correct-1").check()
    box(main, "Explanation").fill("A cost of doing nothing turns *no budget* into a priority question.")
    box(main, "Teaching point").fill("No budget means no priority yet: find the cost of waiting.")
    main.get_by_role("button", name="Create the draft").first.click()
    expect(page.get_by_role("heading", name=f"Question {QUESTION}")).to_be_visible()


def rep_phone(browser: Any, server: LiveServer) -> tuple[Any, Page, Watch]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce")
    context.clock.install(time=MORNING)
    page = context.new_page()
    watch = Watch(page)
    page.goto(server.url + "/")
    sign_in(page, server.db_path, REP)
    expect(page.get_by_role("main").get_by_role("heading", name="Question 1 of 3")).to_be_visible(timeout=20_000)
    return context, page, watch


def sync_now(phone: Page) -> None:
    banner = phone.get_by_role("banner")
    banner.get_by_role("button", name="Sync now").click()
    expect(banner.get_by_text("All synced")).to_be_visible(timeout=15_000)


def test_an_editor_publishes_a_refresher_and_a_question_a_rep_gets_them_and_a_roll_back_takes_them_away(
    editor_server: LiveServer, browser: Any
) -> None:
    rep_context, phone, rep_watch = rep_phone(browser, editor_server)
    context, page, watch = desk(browser, editor_server)
    try:
        # Signing in from the editor comes back to the editor.
        page.goto(editor_server.url + "/editor")
        expect(page.get_by_role("main").get_by_label("Email")).to_be_visible(timeout=10_000)
        sign_in(page, editor_server.db_path, EDITOR)
        expect(page.get_by_role("heading", name="The library")).to_be_visible(timeout=15_000)
        assert page.url == editor_server.url + "/editor"

        fill_new_refresher(page)
        phone_frame = page.frame_locator("iframe[name=phone]")
        expect(phone_frame.get_by_role("heading", name=REFRESHER_TITLE)).to_be_visible(timeout=10_000)
        expect(phone_frame.locator("ol.steps li")).to_have_text(["Ask what the problem costs them today.", "Ask how they paid for the last change like this one."])

        fill_new_question(page)
        phone_frame = page.frame_locator("iframe[name=phone]")
        expect(phone_frame.locator(".stem")).to_have_text(STEM, timeout=10_000)
        expect(phone_frame.get_by_role("radiogroup").locator(".option-text")).to_have_text(OPTIONS)
        page.get_by_role("link", name="After a right answer").click()
        expect(phone_frame.get_by_role("status")).to_contain_text("Correct")
        expect(phone_frame.locator("label.right")).to_contain_text(OPTIONS[1])
        page.get_by_role("link", name="After a wrong answer").click()
        expect(phone_frame.get_by_role("status")).to_contain_text("Not quite")
        # Letters as on the rep's phone, and the published refresher of its competency to read.
        expect(phone_frame.locator(".option-letter")).to_have_text(["A", "B", "C", "D"][: len(OPTIONS)])
        related = phone_frame.get_by_role("navigation", name="Read more").locator("ul.related a")
        expect(related).to_have_text(["How do I test whether a buyer is really willing to change?"])

        # Into a campaign the rep gets, first in line.
        main = page.get_by_role("main")
        main.get_by_label("Add to campaign").select_option("value-selling-foundations")
        main.get_by_label("Where").select_option("first")
        main.get_by_role("button", name="Add to the campaign's draft").click()
        expect(page.get_by_role("status").filter(has_text="Added")).to_contain_text("Added to the draft of campaign value-selling-foundations")

        page.get_by_role("navigation", name="Editor").get_by_role("link", name="Publish").click()
        expect(page.get_by_role("table")).to_contain_text(REFRESHER)
        expect(page.get_by_role("checkbox")).to_have_count(3)
        page.get_by_role("button", name="Publish the ticked drafts").click()
        expect(page.get_by_role("heading", name="Published version 2")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(f"new question {QUESTION}")

        # The rep's app, after a sync: today's questions stay as they were shown (docs/scheduler.md
        # §6), the new question is first the next day, and the refresher is found at once.
        rep = phone.get_by_role("main")
        pending = rep.locator(".stem").inner_text()
        sync_now(phone)
        phone.get_by_role("navigation").get_by_role("link", name="Progress").click()
        phone.get_by_role("navigation").get_by_role("link", name="Today").click()
        expect(rep.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
        expect(rep.locator(".stem")).to_have_text(pending)
        phone.clock.fast_forward(24 * 3600 * 1000)
        expect(rep.locator(".stem")).to_have_text(STEM, timeout=15_000)
        phone.get_by_role("navigation").get_by_role("link", name="How do I…?").click()
        rep.get_by_label("Search the refreshers").fill("budget scaring")
        expect(rep.get_by_role("listitem").first).to_contain_text(REFRESHER_TITLE)

        # Roll back to version 1 in the browser.
        page.get_by_role("navigation", name="Editor").get_by_role("link", name="Versions").click()
        expect(page.get_by_role("row").filter(has_text="editor@example.com in the browser")).to_have_count(1)
        page.get_by_role("link", name="Roll back to version 1…").click()
        expect(page.get_by_role("heading", name="Roll back to version 1?")).to_be_visible()
        page.get_by_role("button", name="Roll back to version 1").click()
        expect(page.get_by_role("heading", name="Published version 3")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(f"removed question {QUESTION}")
        page.get_by_role("link", name="Versions").first.click()
        expect(page.get_by_role("row").filter(has_text="roll-back to version 1")).to_contain_text("3 (current)")

        phone.get_by_role("navigation").get_by_role("link", name="Today").click()
        sync_now(phone)
        expect(rep.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
        expect(rep.locator(".stem")).not_to_have_text(STEM)
        assert watch.errors == [] and rep_watch.errors == []
    finally:
        context.close()
        rep_context.close()


def test_two_editors_saving_one_item_merge_instead_of_overwriting(editor_server: LiveServer, browser: Any) -> None:
    path = editor_server.url + "/editor/items/refreshers/how-to-tell-where-the-buyer-is"
    first_context, first, first_watch = desk(browser, editor_server, EDITOR)
    second_context, second, second_watch = desk(browser, editor_server, EDITOR2)
    try:
        first.goto(path)
        second.goto(path)
        box(first, "Title").fill("How do I tell where the buyer is in their journey?")
        first.get_by_role("textbox", name="Step 1", exact=True).fill("Listen for the trigger that started it.")
        expect(first.locator("#autosave")).to_contain_text("Saved at", timeout=10_000)

        box(second, "Title").fill("How do I tell how far along the buyer is?")
        conflict = second.get_by_role("alert").filter(has_text="saved this draft")
        expect(conflict).to_contain_text("editor@example.com saved this draft", timeout=10_000)
        expect(second.locator("#autosave")).to_contain_text("someone else changed this item")
        conflict.get_by_role("button", name="Compare and merge").click()

        expect(second.get_by_role("heading", name="Someone else changed this refresher: merge")).to_be_visible()
        title_row = second.get_by_role("row").filter(has=second.get_by_role("rowheader", name="Title"))
        expect(title_row).to_contain_text("How do I tell where the buyer is in their journey?")
        expect(title_row).to_contain_text("How do I tell how far along the buyer is?")
        second.get_by_role("group", name="Keep for Title").get_by_label("yours").check()
        second.get_by_role("button", name="Save the merged draft").click()

        expect(second.get_by_role("status").filter(has_text="Merged")).to_contain_text(re.compile(r"Merged and saved \(draft revision \d+\)"))
        expect(box(second, "Title")).to_have_value("How do I tell how far along the buyer is?")
        expect(second.get_by_role("textbox", name="Step 1", exact=True)).to_have_value("Listen for the trigger that started it.")  # theirs, kept
        assert first_watch.errors == [] and second_watch.errors == []
    finally:
        first_context.close()
        second_context.close()


def test_a_closed_tab_loses_no_edit(editor_server: LiveServer, browser: Any) -> None:
    """Edits kept in this browser come back when the page is opened again, and are saved."""
    context, page, watch = desk(browser, editor_server, EDITOR)
    try:
        path = editor_server.url + "/editor/items/nuggets/offers-too-soon"
        page.goto(path)
        context.set_offline(True)  # the autosave cannot reach the server
        box(page, "Title").fill("Why an early offer loses the deal")
        expect(page.locator("#autosave")).to_contain_text("no connection", timeout=10_000)
        page.close()
        context.set_offline(False)
        page = context.new_page()
        page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
        page.goto(path)
        expect(page.locator("#autosave")).to_contain_text("Restored edits", timeout=10_000)
        expect(box(page, "Title")).to_have_value("Why an early offer loses the deal")
        expect(page.locator("#autosave")).to_contain_text("Saved at", timeout=10_000)
        page.reload()
        expect(box(page, "Title")).to_have_value("Why an early offer loses the deal")
        assert watch.errors == []
    finally:
        context.close()


def test_a_rubric_gets_a_behaviour_in_the_browser_with_its_four_levels(editor_server: LiveServer, browser: Any) -> None:
    """A rubric's form in the browser: a behaviour is filled in with its four levels and practice,
    another row is added (numbered after it), the draft is saved by itself, and the phone preview
    shows the behaviour with its levels."""
    context, page, watch = desk(browser, editor_server, EDITOR)
    try:
        path = editor_server.url + "/editor/items/rubrics/remote-safety-rubric"
        page.goto(path)
        expect(box(page, "Level 1 (behaviour 1)")).to_have_value(re.compile("^Asks \"whose fault is it"))
        box(page, "Id (behaviour 5)").fill("celebrates-early-warnings")
        box(page, "Text (behaviour 5)").fill("Thanks people in public for raising risks early")
        for n, text in enumerate(
            ["Never mentions risks raised early.", "Thanks people in private only.", "Thanks people by name in the team call.", "Names the early warning and what it saved, in the team call and in writing."],
            start=1,
        ):
            box(page, f"Level {n} (behaviour 5)").fill(text)
        box(page, "Questions, ids separated by commas (behaviour 5)").fill("leader-goes-first-with-mistakes")
        page.get_by_role("button", name="Add behaviour").click()
        expect(box(page, "Level 4 (behaviour 6)")).to_have_value("")
        expect(page.get_by_role("button", name="Add behaviour")).to_be_disabled()  # 6 is the most a rubric has
        expect(page.locator("#autosave")).to_contain_text("Saved at", timeout=10_000)
        page.reload()
        expect(box(page, "Level 4 (behaviour 5)")).to_have_value("Names the early warning and what it saved, in the team call and in writing.")
        expect(page.get_by_role("main")).to_contain_text("0 problems to fix before publishing")
        page.goto(path + "/preview?screen=item")
        expect(page.get_by_role("heading", name="Thanks people in public for raising risks early")).to_be_visible(timeout=10_000)
        expect(page.get_by_role("listitem").filter(has_text="Thanks people in private only.")).to_be_visible()
        assert watch.errors == []
    finally:
        context.close()


def test_a_pitch_prompt_s_behaviours_follow_the_rubric_chosen_in_the_browser(editor_server: LiveServer, browser: Any) -> None:
    """A pitch prompt's form in the browser: choosing another rubric redraws the behaviours'
    checkboxes (by the editor's script, no reload); the ticks and a new time limit are saved by
    themselves and come back after a reload; the phone preview shows the prompt as a rep reads it."""
    context, page, watch = desk(browser, editor_server, EDITOR)
    try:
        path = editor_server.url + "/editor/items/pitch-prompts/why-change-now"
        page.goto(path)
        main = page.get_by_role("main")
        behaviours = main.get_by_role("group", name=re.compile("^Behaviours"))
        expect(behaviours.get_by_role("checkbox", name=re.compile("^Makes the cost of doing nothing clear"))).to_be_checked()
        expect(behaviours.get_by_role("checkbox")).to_have_count(4)
        expect(main.locator("#f-time_limit_s")).to_have_attribute("max", "180")
        main.locator("#f-rubric").select_option("conversation-rubric")
        expect(behaviours.get_by_role("checkbox")).to_have_count(5)
        expect(behaviours.get_by_role("checkbox", name=re.compile("^Makes the cost"))).to_have_count(0)
        for text in ("Summarises what was heard before proposing anything", "Ends with a concrete next step the customer owns"):
            behaviours.get_by_role("checkbox", name=re.compile(f"^{re.escape(text)}")).check()
        main.locator("#f-time_limit_s").fill("150")
        expect(page.locator("#autosave")).to_contain_text("Saved at", timeout=10_000)
        page.reload()
        expect(main.locator("#f-rubric")).to_have_value("conversation-rubric")
        expect(main.locator("#f-time_limit_s")).to_have_value("150")
        ticked = behaviours.locator("input[type=checkbox]:checked")
        expect(ticked).to_have_count(2)
        assert [ticked.nth(i).get_attribute("value") for i in range(2)] == ["summarises-before-proposing", "agrees-a-customer-next-step"]
        expect(main.locator("#p-behaviours li")).to_have_count(0)
        page.goto(path + "/preview?screen=item")
        expect(page.get_by_role("heading", name='"Our current system works fine"')).to_be_visible(timeout=10_000)
        expect(page.get_by_text("Record at most 2:30.")).to_be_visible()
        expect(page.get_by_role("listitem").filter(has_text="Summarises what was heard before proposing anything")).to_be_visible()
        expect(page.locator("blockquote")).to_contain_text("Why would we change now?")
        assert watch.errors == []
    finally:
        context.close()


def test_every_editor_page_has_no_serious_accessibility_violation(own_editor_server: LiveServer, browser: Any, tmp_path: Path) -> None:
    editor_server = own_editor_server
    # bypass_csp: the server's policy (rightly) refuses the inline script tag that injects axe.
    context, page, watch = desk(browser, editor_server, EDITOR, bypass_csp=True)
    problems: list[str] = []
    base = editor_server.url
    try:
        def scan(path: str | None, where: str, ready: str = "main h1") -> None:
            if path:
                page.goto(base + path)
            expect(page.locator(ready).first).to_be_visible(timeout=10_000)
            problems.extend(blocking_violations(page, where))

        scan("/editor", "list")
        scan("/editor?kind=question&quality=flagged", "list, filtered")
        for folder in ("competencies", "nuggets", "questions", "refreshers", "campaigns", "rubrics", "pitch-prompts"):
            scan(f"/editor/new/{folder}", f"new {folder}")
        items = {
            "competencies": "value-messaging", "nuggets": "the-value-wedge", "questions": "who-else-is-involved",
            "refreshers": "how-to-find-who-else-decides", "campaigns": "value-selling-foundations",
            "rubrics": "discovery-rubric", "pitch-prompts": "too-expensive-at-the-end",
        }  # fmt: skip
        for folder, item_id in items.items():
            scan(f"/editor/items/{folder}/{item_id}", f"{folder} form")
        # A draft: its diff, publish confirmation, discard confirmation, the review queue.
        page.goto(base + "/editor/items/questions/who-else-is-involved")
        box(page, "Teaching point").fill("Ask about the process: it reveals the people.")
        expect(page.locator("#autosave")).to_contain_text("Saved at", timeout=10_000)
        page.reload()
        scan(None, "question form with a draft")
        scan("/editor/items/questions/who-else-is-involved/diff", "diff")
        scan("/editor/items/questions/who-else-is-involved/publish", "publish one")
        scan("/editor/items/questions/who-else-is-involved/discard", "discard")
        scan("/editor/publish", "publish drafts")
        scan("/editor/review", "review queue")
        scan("/editor/versions", "versions")
        scan("/editor/versions/1/rollback", "roll-back confirmation")
        scan("/editor/items/refreshers/how-to-find-who-else-decides/withdraw", "withdraw confirmation")
        scan("/editor/items/questions/who-else-is-involved/preview?screen=right", "phone preview", ready="#feedback p")
        scan("/editor/items/rubrics/discovery-rubric/preview?screen=item", "rubric preview", ready="h3")
        scan("/editor/items/pitch-prompts/too-expensive-at-the-end/preview?screen=item", "pitch prompt preview", ready="article h2")
        # The merge view: someone else saves while this page is open.
        page.goto(base + "/editor/items/nuggets/the-value-wedge")
        other = signed_in(editor_server, EDITOR2)
        try:
            fields = item_form(other, "/editor/items/nuggets/the-value-wedge")
            assert save(other, "/editor/items/nuggets/the-value-wedge", fields, title="The value wedge, again").status_code == 303
        finally:
            other.close()
        box(page, "Title").fill("The value wedge, mine")
        page.get_by_role("button", name="Save the draft").first.click()
        scan(None, "merge view")
        expect(page.get_by_role("heading", name=re.compile("merge"))).to_be_visible()
        assert watch.errors == []
    finally:
        context.close()
    assert problems == [], "\n".join(problems)

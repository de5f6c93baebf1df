"""The rep's side of coaching, in a real Chromium against the real demo server (issue 13 §3–4).

The coach is a device of our own over HTTP: signed in by the emailed code like the app, it
pushes a shared observation through POST /sync/push (the sync protocol, docs/sync.md). The rep
signs in in the browser, reads it under "Feedback", acknowledges it with a comment offline (the
sync bar counts it), syncs once back online (the server keeps exactly one acknowledgement, with
the comment, and the coach's device receives it), and "Today" asks the practice the coaching
assigned, with its reason. Another team's rep never sees any of it; axe finds nothing serious
on Feedback, in light and dark.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.device import Device
from tests.support.ids import uuid7
from tests.support.mail import VIEWPORT, mail_files, sign_in, wait_for_code
from tests.support.server import LiveServer
from tests.test_pwa_a11y import blocking_violations

pytestmark = pytest.mark.browser

ZONE = ZoneInfo("Europe/Amsterdam")
RUBRIC = "discovery-rubric"
GOALS = "Asks about the customer's goals before presenting anything"
GOALS_LEVEL_1 = (
    "Pitches features or the slide deck before asking a single question about what the customer wants to achieve."
)
WHO_DECIDES = "Finds out who else is involved and what each of them cares about"
COMMENT = "Agreed. I will ask about goals first in Thursday's meeting."


@dataclass
class SignedInDevice(Device):
    """The sync test device, with the credential a real sign-in gave it instead of a dev token."""

    token: str = ""

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def signed_in_device(server: LiveServer, email: str) -> SignedInDevice:
    """Sign `email` in as the app does (POST /auth/code, the emailed code, POST /auth/verify)."""
    http = httpx.Client(base_url=server.url, timeout=10)
    device_id = str(uuid.uuid4())
    seen = len(mail_files(server.db_path))
    assert http.post("/auth/code", json={"email": email}).status_code in (200, 202)
    code = wait_for_code(server.db_path, email, seen=seen)
    answer = http.post("/auth/verify", json={"email": email, "code": code, "device_id": device_id})
    assert answer.status_code == 200, answer.text
    return SignedInDevice(user_id=email, http=http, device_id=device_id, token=answer.json()["device_token"])


def who_am_i(device: SignedInDevice) -> dict[str, Any]:
    """The `me` of a full pull from zero (it comes on the last page)."""
    cursors = {"content": 0, "records": 0}
    while True:
        body = {"protocol": 1, "device_id": device.device_id, "cursors": cursors, "limit": 1000}
        page = device.http.post("/sync/pull", json=body, headers=device._auth()).json()
        cursors = page["cursors"]
        if not page["has_more"]:
            me: dict[str, Any] = page["me"]
            return me


def local_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def test_a_rep_reads_acknowledges_offline_and_practises_their_feedback(
    demo_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    today = dt.datetime.now(ZONE).date()
    yesterday = today - dt.timedelta(days=1)

    # The coach shares an observation of yesterday's meeting, through the sync API.
    coach = signed_in_device(demo_server, "coach@example.com")
    me = who_am_i(coach)
    assert "coach" in me["roles"]
    [demo] = [t for t in me["teams"] if t["id"] == "demo"]
    [rep] = [m for m in demo["members"] if m["name"] == "Robin Rep"]
    observation_id = uuid7()
    coach.edit(
        observation_id,
        {
            "rep_id": rep["user_id"],
            "observed_on": yesterday.isoformat(),
            "meeting_type": "First meeting",
            "customer": "Acme Logistics",
            "competencies": ["needs-analysis"],
            f"rating:{RUBRIC}:asks-about-goals": 1,
            f"evidence:{RUBRIC}:asks-about-goals": "Opened with the product deck on slide one.",
            f"rating:{RUBRIC}:maps-who-decides": 2,
            "strengths": "Clear, calm explanation of delivery times.",
            "next_step": "Open the next meeting with two questions about their goals.",
            "next_step_due": (today + dt.timedelta(days=7)).isoformat(),
            "shared": True,
        },
        local_day(today),
        version=2,
    )
    coach.sync()
    assert not coach.outbox and not coach.rejected_mutations, coach.rejected_mutations

    # The rep signs in; the app syncs and shows Today, then Feedback.
    context = browser.new_context(
        viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce", bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_server.url + "/")
    sign_in(page, demo_server.db_path, "rep@example.com")
    nav = page.get_by_role("navigation", name="Main")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible(timeout=15_000)
    nav.get_by_role("link", name="Feedback").click()
    card = main.get_by_role("article")
    expect(card).to_have_count(1)
    long_yesterday = f"{yesterday:%A} {yesterday.day} {yesterday:%B}"
    expect(card.get_by_role("heading", name=f"Observation of {long_yesterday}")).to_be_visible()
    expect(card.get_by_text("Not acknowledged yet")).to_be_visible()
    expect(card.get_by_text("By Casey Coach")).to_be_visible()
    expect(card.get_by_text(GOALS)).to_be_visible()
    expect(card.get_by_text(f"1 of 4 — {GOALS_LEVEL_1}")).to_be_visible()
    expect(card.get_by_text("Opened with the product deck on slide one.")).to_be_visible()
    expect(card.get_by_text(WHO_DECIDES)).to_be_visible()
    expect(card.get_by_text("Open the next meeting with two questions about their goals.")).to_be_visible()
    refresher = card.get_by_role("link", name="Practise: How do I find out who else is involved in the decision?")
    expect(refresher).to_have_attribute("href", "#/refreshers/how-to-find-who-else-decides")
    assert blocking_violations(page, "feedback, not acknowledged") == []

    # Offline: a comment and the acknowledgement wait in the outbox.
    context.set_offline(True)
    card.get_by_label("Comment").fill(COMMENT)
    card.get_by_role("button", name="Acknowledge").click()
    expect(card.get_by_text("Acknowledged", exact=True)).to_be_focused()
    expect(page.get_by_text("1 not synced")).to_be_visible()
    expect(card.get_by_text("Not acknowledged yet")).to_have_count(0)
    thread = card.get_by_role("list").filter(has_text=COMMENT)
    expect(thread.get_by_role("listitem")).to_have_count(1)
    expect(thread).to_contain_text("You")
    expect(thread).to_contain_text("not synced yet")
    page.screenshot(path=str(tmp_path / "feedback.png"), full_page=True)
    assert blocking_violations(page, "feedback, acknowledged") == []
    page.emulate_media(color_scheme="dark")
    assert blocking_violations(page, "feedback, dark") == []
    page.emulate_media(color_scheme="light")

    # Online again: it syncs once, and the server has exactly that acknowledgement.
    context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    with sqlite3.connect(demo_server.db_path) as db:
        rows = db.execute(
            "SELECT item_kind, acknowledged, comment FROM acknowledgements WHERE item_id = ?", (observation_id,)
        ).fetchall()
    assert rows == [("observation", 1, COMMENT)]
    expect(thread).not_to_contain_text("not synced yet")

    # The rep marks the agreed next step done (a patch of the rep's own field); the coach sees both.
    card.get_by_role("button", name="Mark next step done").click()
    expect(card.get_by_text("Next step done")).to_be_focused()
    expect(page.get_by_text("1 not synced")).to_be_visible()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)  # the app syncs soon after
    coach.sync()
    assert [(a["item_id"], a["comment"]) for a in coach.pulled_acks.values()] == [(observation_id, COMMENT)]
    assert coach.observations[observation_id]["fields"]["next_step_done"] is True

    # Today asks the practice first, with its reason (at most two a day, then the campaign's).
    nav.get_by_role("link", name="Today").click()
    reason = f"From your coaching on {yesterday.day} {yesterday:%B}"
    expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    expect(main.get_by_text(reason)).to_be_visible()
    page.screenshot(path=str(tmp_path / "today.png"), full_page=True)
    assert errors == []
    context.close()


def test_a_rep_of_another_team_never_sees_it(demo_server: LiveServer, browser: Any) -> None:
    today = dt.datetime.now(ZONE).date()
    coach = signed_in_device(demo_server, "coach@example.com")
    [demo] = [t for t in who_am_i(coach)["teams"] if t["id"] == "demo"]
    [rep] = [m for m in demo["members"] if m["name"] == "Robin Rep"]
    coach.edit(
        uuid7(),
        {
            "rep_id": rep["user_id"],
            "observed_on": (today - dt.timedelta(days=1)).isoformat(),
            f"rating:{RUBRIC}:asks-about-goals": 1,
            "shared": True,
        },
        local_day(today),
        version=2,
    )
    coach.sync()
    assert not coach.outbox and not coach.rejected_mutations

    context = browser.new_context(
        viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(demo_server.url + "/")
    sign_in(page, demo_server.db_path, "rep2@example.com")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible(timeout=15_000)
    expect(main.get_by_text("From your coaching")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feedback").click()
    expect(main.get_by_text("No feedback yet.", exact=False)).to_be_visible()
    expect(main.get_by_text(GOALS)).to_have_count(0)
    context.close()

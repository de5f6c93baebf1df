"""Pitch reviews and good examples in a real Chromium against the real demo server (issue 15 §4–5,
docs/coaching.md "Pitch reviews" and "Good examples").

A real WebM is recorded at test time in the browser itself (MediaRecorder on a canvas). The rep's
pitch is seeded over HTTP as the app would send it: the creating patch pushed by a device signed
in by emailed code, and the video uploaded through tus (`/uploads/`) with that device's
credential. Then, each person in their own browser profile, signed in by emailed code:

- the coach opens Team → "Pitches to review (1)" → the pitch, scores the judged behaviours, pins
  a comment to the moment the video was paused at, writes feedback, proposes it as a good
  example; offline, the app closed and opened again, the draft brings every value back; shared
  offline, it waits in the outbox, and once online the server holds ONE review patch with all
  of it;
- the rep opens the pitch, reads "1 of 4 — <level>", moves the video with the comment's "0:01",
  acknowledges with a comment (acknowledgement v4 on the server) and consents to share it;
- the manager (another member of the team) reads the review without a form, finds it under
  "Good examples", saves it for offline and plays it offline from Cache Storage; offline, the
  coach's phone, which did not save it, says "Not saved on this phone";
- the rep stops sharing: after the manager's next sync it is gone from the list and from Cache
  Storage; the coach changes the shared review and the rep's app shows the new feedback. A rep
  of another team never receives it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import sqlite3
import time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser import wait_for_offline_ready
from tests.support.ids import uuid7
from tests.support.mail import VIEWPORT, sign_in
from tests.support.server import LiveServer
from tests.test_feedback_browser import SignedInDevice, local_day, signed_in_device, who_am_i
from tests.test_pwa_a11y import blocking_violations

pytestmark = pytest.mark.browser

ZONE = ZoneInfo("Europe/Amsterdam")
PROMPT = "discovery-first-meeting"
PROMPT_TITLE = "The first meeting with a new operations director"
RUBRIC = "discovery-rubric"
GOALS = "Asks about the customer's goals before presenting anything"
GOALS_LEVEL_1 = (
    "Pitches features or the slide deck before asking a single question about what the customer wants to achieve."
)
CONCRETE = "Turns vague wishes into measurable outcomes"
WHO_DECIDES = "Finds out who else is involved and what each of them cares about"
MOMENT = "Here you show the product before asking anything."
FEEDBACK = "A confident opening. Start with her board's goal, then ask two follow-ups."
ACK = "Thanks, I will open with the board's goal next time."
FEEDBACK_AGAIN = "Watched it again: your close was strong too. Keep the two follow-ups."
LAPTOP = "From the laptop: a good pause before the price."
LAPTOP_FEEDBACK = "From the laptop: a strong close."
LAPTOP_FEEDBACK_AGAIN = "From the laptop again: keep the strong close."
PHONE_FEEDBACK = "From the phone, offline: name the next step."
FEEDBACK_SETTLED = "Keep the strong close, and name the next step."

# A real WebM of about 2.5 s, recorded by the browser from a changing canvas (no binary in the repo).
RECORD_WEBM = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 160;
  canvas.height = 120;
  const g = canvas.getContext("2d");
  const stream = canvas.captureStream(15);
  const recorder = new MediaRecorder(stream, { mimeType: "video/webm;codecs=vp8" });
  const chunks = [];
  recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  const start = performance.now();
  recorder.start(250);
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const t = performance.now() - start;
      g.fillStyle = `hsl(${Math.round(t / 8) % 360}, 80%, 50%)`;
      g.fillRect(0, 0, 160, 120);
      g.fillStyle = "#fff";
      g.fillText(String(Math.round(t)), 10, 60);
      if (t > 2500) {
        clearInterval(timer);
        resolve();
      }
    }, 40);
  });
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}"""

# Play the pitch's video muted until it passes `seconds`, then pause it there.
PLAY_UNTIL = """async ([selector, seconds]) => {
  const video = document.querySelector(selector);
  video.muted = true;
  await video.play();
  await new Promise((resolve) => {
    const check = () => (video.currentTime > seconds ? resolve() : setTimeout(check, 20));
    check();
  });
  video.pause();
  return video.currentTime;
}"""

SAVED_VIDEOS = """async () => {
  if (!(await caches.has("recap-examples"))) return [];
  const cache = await caches.open("recap-examples");
  return (await cache.keys()).map((r) => new URL(r.url).pathname);
}"""


def record_webm(browser: Any, url: str) -> bytes:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/")
    data = base64.b64decode(page.evaluate(RECORD_WEBM))
    context.close()
    assert data[:4] == b"\x1a\x45\xdf\xa3" and len(data) > 1000, "a WebM recording"
    return data


def upload(server: LiveServer, device: SignedInDevice, pitch_id: str, data: bytes) -> None:
    """The whole video through tus, as the app's uploader sends it (docs/uploads.md)."""
    sha = hashlib.sha256(data).hexdigest()
    meta = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {"pitch_id": pitch_id, "sha256": sha, "filetype": "video/webm"}.items()
    )
    headers = {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {device.token}"}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        created = http.post("/uploads/", headers={**headers, "Upload-Length": str(len(data)), "Upload-Metadata": meta})
        assert created.status_code == 201, created.text
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        patch_headers = {
            **headers,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
            "Upload-Checksum": f"sha256 {digest}",
        }
        sent = http.patch(created.headers["location"], headers=patch_headers, content=data)
        assert sent.status_code == 204, sent.text


def phone(browser: Any, server: LiveServer, email: str, *, axe: bool = True) -> tuple[Any, Any, list[str]]:
    """A signed-in 360 px phone. `axe`: bypass the CSP so that axe's inline script can run; the
    manager's phone keeps it, so playing a saved example from its blob: URL is checked under it."""
    context = browser.new_context(
        viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce", bypass_csp=axe
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + "/")
    sign_in(page, server.db_path, email)
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)
    return context, page, errors


def sync_now(page: Any) -> None:
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("All synced")).to_be_visible(timeout=20_000)


def eventually(check: Any, what: str, timeout: float = 20) -> None:
    """Wait until `check()` is true: the app syncs a moment after a change (App#syncSoon)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def pitch_row(server: LiveServer, pitch_id: str) -> tuple[int, int, int]:
    with sqlite3.connect(server.db_path) as db:
        row = db.execute("SELECT reviewed, exemplar, rev FROM pitches WHERE id = ?", (pitch_id,)).fetchone()
    assert row is not None
    return (int(row[0]), int(row[1]), int(row[2]))


def test_a_pitch_is_reviewed_acknowledged_and_shared_as_a_good_example_until_withdrawn(
    demo_server: LiveServer, browser: Any
) -> None:
    today = dt.datetime.now(ZONE).date()
    data = record_webm(browser, demo_server.url)
    sha = hashlib.sha256(data).hexdigest()

    # The rep's pitch: the creating patch through sync, the video through tus.
    rep_device = signed_in_device(demo_server, "rep@example.com")
    assert "rep" in who_am_i(rep_device)["roles"]
    pitch_id = uuid7()
    creation = {
        "prompt_id": PROMPT,
        "recorded_on": today.isoformat(),
        "video_sha256": sha,
        "video_size": len(data),
        "video_type": "video/webm",
        "duration_ms": 2500,
    }
    rep_device.edit(pitch_id, creation, local_day(today), kind="pitch", version=1)
    rep_device.sync()
    assert not rep_device.outbox and not rep_device.rejected_mutations, rep_device.rejected_mutations
    upload(demo_server, rep_device, pitch_id, data)

    # The coach: Team → the pitch → the review, shared in one patch.
    coach_ctx, coach, coach_errors = phone(browser, demo_server, "coach@example.com")
    main = coach.get_by_role("main")
    coach.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    rep_card = main.get_by_role("listitem").filter(has=coach.get_by_role("heading", name="Robin Rep"))
    expect(rep_card.get_by_text("Pitches to review (1)")).to_be_visible()
    rep_card.get_by_role("link", name=re.compile(PROMPT_TITLE)).click()
    expect(main.get_by_role("heading", name="Pitch by Robin Rep")).to_be_visible()
    video = main.locator("video")
    expect(video).to_have_attribute("src", f"/videos/{sha}")
    expect(main.get_by_text("You are meeting", exact=False)).to_be_visible()
    goals = main.get_by_role("radiogroup", name=GOALS)
    goals.get_by_role("radio", name="1").check()
    main.get_by_role("radiogroup", name=CONCRETE).get_by_role("radio", name="3").check()
    expect(main.get_by_role("radiogroup", name=WHO_DECIDES)).to_be_visible()
    expect(main.get_by_text(GOALS_LEVEL_1)).to_be_visible()
    at = coach.evaluate(PLAY_UNTIL, ["main video", 1.2])
    assert 1.2 < at < 2.0
    main.get_by_label("Comment", exact=True).fill(MOMENT)
    main.get_by_role("button", name="Add a comment at 0:01").click()
    expect(main.get_by_role("button", name="Play from 0:01")).to_be_visible()
    main.get_by_label("Overall feedback").fill(FEEDBACK)
    main.get_by_label("Propose as a good example").check()
    expect(main.get_by_text("Saved on this device.")).to_be_visible()
    assert blocking_violations(coach, "pitch review form") == []

    # Offline, the app closed mid-review: a new page has every value back from the draft.
    wait_for_offline_ready(coach)
    coach_ctx.set_offline(True)
    coach.close()
    coach = coach_ctx.new_page()
    coach.on("pageerror", lambda exc: coach_errors.append(str(exc)))
    coach.goto(f"{demo_server.url}/#/pitches/{pitch_id}")
    main = coach.get_by_role("main")
    expect(main.get_by_role("radiogroup", name=GOALS).get_by_role("radio", name="1")).to_be_checked()
    expect(main.get_by_role("radiogroup", name=CONCRETE).get_by_role("radio", name="3")).to_be_checked()
    expect(main.get_by_role("button", name="Play from 0:01")).to_be_visible()
    expect(main.get_by_label("Overall feedback")).to_have_value(FEEDBACK)
    expect(main.get_by_label("Propose as a good example")).to_be_checked()
    main.get_by_role("button", name="Share review with rep").click()
    expect(main.get_by_text("It reaches them at the next sync", exact=False)).to_be_focused()
    expect(coach.get_by_text("1 not synced")).to_be_visible()
    assert pitch_row(demo_server, pitch_id)[0] == 0, "nothing left the phone offline"
    coach_ctx.set_offline(False)
    sync_now(coach)
    reviewed, exemplar, _ = pitch_row(demo_server, pitch_id)
    assert (reviewed, exemplar) == (1, 0)
    with sqlite3.connect(demo_server.db_path) as db:
        patches = [
            row[0]
            for row in db.execute("SELECT patch FROM pitch_revisions WHERE pitch_id = ? ORDER BY rev", (pitch_id,))
        ]
    assert len(patches) == 2, "the creation and ONE review patch"
    review = json.loads(patches[1])["set"]
    assert review == {
        f"score:{RUBRIC}:asks-about-goals": 1,
        f"score:{RUBRIC}:makes-goals-concrete": 3,
        "comments": [{"t_ms": review["comments"][0]["t_ms"], "text": MOMENT}],
        "feedback": FEEDBACK,
        "reviewed": True,
        "exemplar_proposed": True,
    }
    assert 1200 <= review["comments"][0]["t_ms"] < 2000, "pinned where the video was paused"

    # The rep reads the review, moves the video to the comment's moment, acknowledges, consents.
    rep_ctx, rep, rep_errors = phone(browser, demo_server, "rep@example.com")
    rep.goto(f"{demo_server.url}/#/pitches/{pitch_id}")
    main = rep.get_by_role("main")
    expect(main.get_by_text("Reviewed", exact=True)).to_be_visible()
    expect(main.get_by_text(GOALS)).to_be_visible()
    expect(main.get_by_text(f"1 of 4 — {GOALS_LEVEL_1}")).to_be_visible()
    expect(main.get_by_text(FEEDBACK)).to_be_visible()
    expect(main.get_by_text(MOMENT)).to_be_visible()
    rep.wait_for_function("() => document.querySelector('main video')?.readyState >= 1")
    main.get_by_role("button", name="Play from 0:01").click()
    rep.wait_for_function("() => Math.abs(document.querySelector('main video').currentTime - 1) < 0.6")
    expect(main.locator("video")).to_be_focused()
    main.get_by_label("Comment", exact=True).fill(ACK)
    main.get_by_role("button", name="Acknowledge").click()
    expect(main.get_by_text("Acknowledged", exact=True)).to_be_focused()
    expect(main.get_by_text("Your coach proposes this pitch as a good example for your team.")).to_be_visible()
    assert blocking_violations(rep, "the rep's pitch view") == []
    rep.emulate_media(color_scheme="dark")
    assert blocking_violations(rep, "the rep's pitch view, dark") == []
    rep.emulate_media(color_scheme="light")
    main.get_by_role("button", name="Share with my team").click()
    expect(main.get_by_text("Your team sees this pitch under Good examples.")).to_be_focused()

    def acks() -> list[tuple[str, int, str]]:
        with sqlite3.connect(demo_server.db_path) as db:
            sql = "SELECT item_kind, acknowledged, comment FROM acknowledgements WHERE item_id = ?"
            return db.execute(sql, (pitch_id,)).fetchall()

    eventually(lambda: acks() == [("pitch", 1, ACK)], "exactly one acknowledgement, with the comment")
    eventually(lambda: pitch_row(demo_server, pitch_id)[:2] == (1, 1), "the rep's consent reached the server")

    # The manager, another member of the team: reads the review (no form), then Good examples.
    manager_ctx, manager, manager_errors = phone(browser, demo_server, "manager@example.com", axe=False)
    main = manager.get_by_role("main")
    manager.goto(f"{demo_server.url}/#/pitches/{pitch_id}")
    expect(main.get_by_text("You manage this team", exact=False)).to_be_visible()
    expect(main.get_by_text(f"1 of 4 — {GOALS_LEVEL_1}")).to_be_visible()
    expect(main.get_by_role("button", name="Share review with rep")).to_have_count(0)
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Good examples").click()
    example = main.get_by_role("article").filter(has_text=PROMPT_TITLE)
    expect(example).to_have_count(1)
    expect(example.get_by_text(re.compile(r"Robin Rep · .* · 0:02"))).to_be_visible()
    example.get_by_role("button", name="Save for offline").click()
    expect(example.get_by_text("Saved for offline")).to_be_focused(timeout=15_000)
    assert manager.evaluate(SAVED_VIDEOS) == [f"/videos/{sha}"]
    manager_ctx.set_offline(True)
    example.get_by_role("button", name="Play").click()
    manager.wait_for_function("() => document.querySelector('main video')?.src.startsWith('blob:')")
    manager.evaluate("() => { document.querySelector('main video').muted = true; }")
    manager.evaluate("() => document.querySelector('main video').play()")
    manager.wait_for_function("() => document.querySelector('main video').currentTime > 0.5", timeout=15_000)

    # Offline, the coach (who did not save it) is told so.
    coach.get_by_role("navigation", name="Main").get_by_role("link", name="Good examples").click()
    sync_now(coach)
    expect(coach.get_by_role("main").get_by_role("button", name="Save for offline")).to_be_visible()
    assert blocking_violations(coach, "good examples") == []
    coach_ctx.set_offline(True)
    coach_example = coach.get_by_role("main").get_by_role("article").filter(has_text=PROMPT_TITLE)
    expect(coach_example.get_by_text("Not saved on this phone", exact=False)).to_be_visible()
    expect(coach_example.get_by_role("button", name="Play")).to_be_disabled()

    # The rep stops sharing: at the manager's next sync the example leaves the list and the phone.
    rep.get_by_role("main").get_by_role("button", name="Stop sharing").click()
    eventually(lambda: pitch_row(demo_server, pitch_id)[:2] == (1, 0), "the withdrawal reached the server")
    manager.evaluate("() => document.querySelector('main video').pause()")  # a playing example is never redrawn away
    manager_ctx.set_offline(False)
    sync_now(manager)
    expect(main.get_by_text("No good examples yet", exact=False)).to_be_visible()
    assert manager.evaluate(SAVED_VIDEOS) == []

    # The coach changes the review after sharing it: the rep's app shows the new feedback.
    coach_ctx.set_offline(False)
    coach.goto(f"{demo_server.url}/#/pitches/{pitch_id}")
    review_form = coach.get_by_role("main")
    expect(review_form.get_by_text("Review shared with Robin Rep.")).to_be_visible()
    expect(review_form.get_by_label("Overall feedback")).to_have_value(FEEDBACK)
    review_form.get_by_label("Overall feedback").fill(FEEDBACK_AGAIN)
    expect(review_form.get_by_text("Saved on this device.")).to_be_visible()
    # Meanwhile the coach, on their laptop, adds a comment, changes a score and the feedback. The
    # phone's open draft shares its own changes only, never its stale copy of the rest
    # (pitching.js rebaseReview), and says whose feedback its own replaces.
    laptop = signed_in_device(demo_server, "coach@example.com")
    laptop.sync()
    held = laptop.pitches[pitch_id]["fields"]["comments"]
    concrete = f"score:{RUBRIC}:makes-goals-concrete"
    laptop.edit(
        pitch_id, {"comments": [*held, {"t_ms": 2_000, "text": LAPTOP}], concrete: 4, "feedback": LAPTOP_FEEDBACK},
        local_day(today), kind="pitch",
    )  # fmt: skip
    laptop.sync()
    assert not laptop.outbox and not laptop.rejected_mutations, laptop.rejected_mutations
    sync_now(coach)
    expect(review_form.get_by_text(LAPTOP)).to_be_visible()
    expect(review_form.get_by_role("radiogroup", name=CONCRETE).get_by_role("radio", name="4")).to_be_checked()
    expect(review_form.get_by_label("Overall feedback")).to_have_value(FEEDBACK_AGAIN)
    expect(review_form.get_by_text(f"Another reviewer changed the overall feedback meanwhile: “{LAPTOP_FEEDBACK}”.")).to_be_visible()
    review_form.get_by_role("button", name="Share review with rep").click()
    sync_now(coach)

    def feedback_on_server() -> str | None:
        with sqlite3.connect(demo_server.db_path) as db:
            sql = "SELECT patch FROM pitch_revisions WHERE pitch_id = ? ORDER BY rev DESC LIMIT 1"
            return json.loads(db.execute(sql, (pitch_id,)).fetchone()[0])["set"].get("feedback")

    eventually(lambda: feedback_on_server() == FEEDBACK_AGAIN, "the changed review reached the server")
    with sqlite3.connect(demo_server.db_path) as db:
        state = json.loads(db.execute("SELECT state FROM pitches WHERE id = ?", (pitch_id,)).fetchone()[0])
    assert [c["text"] for c in state["fields"]["comments"]["value"]] == [MOMENT, LAPTOP], "no comment lost"
    assert state["fields"][f"score:{RUBRIC}:makes-goals-concrete"]["value"] == 4, "the laptop's score stands"
    sync_now(rep)
    expect(rep.get_by_role("main").get_by_text(FEEDBACK_AGAIN)).to_be_visible()
    expect(rep.get_by_role("main").get_by_text(FEEDBACK, exact=True)).to_have_count(0)

    # The phone (offline) and the laptop share a new feedback from the same revision: the server
    # keeps the first to arrive and the phone's as a conflict, which the phone's form shows until
    # a review shared having seen it settles it.
    coach_ctx.set_offline(True)
    review_form.get_by_label("Overall feedback").fill(PHONE_FEEDBACK)
    review_form.get_by_role("button", name="Share review with rep").click()
    expect(coach.get_by_text("1 not synced")).to_be_visible()
    laptop.sync()
    laptop.edit(pitch_id, {"feedback": LAPTOP_FEEDBACK_AGAIN}, local_day(today), kind="pitch")
    laptop.sync()
    assert not laptop.outbox and not laptop.rejected_mutations, laptop.rejected_mutations
    coach_ctx.set_offline(False)
    sync_now(coach)
    expect(review_form.get_by_label("Overall feedback")).to_have_value(LAPTOP_FEEDBACK_AGAIN)
    other = review_form.get_by_text(f"Another version, from another device: {PHONE_FEEDBACK}")
    expect(other).to_be_visible()
    review_form.get_by_label("Overall feedback").fill(FEEDBACK_SETTLED)
    review_form.get_by_role("button", name="Share review with rep").click()
    sync_now(coach)

    def feedback_state() -> tuple[str, dict[str, Any]]:
        with sqlite3.connect(demo_server.db_path) as db:
            stored = json.loads(db.execute("SELECT state FROM pitches WHERE id = ?", (pitch_id,)).fetchone()[0])
        return stored["fields"]["feedback"]["value"], stored["conflicts"]

    eventually(lambda: feedback_state() == (FEEDBACK_SETTLED, {}), "the conflict settled by the shared review")
    expect(other).to_have_count(0)

    # The coach's web session ends (12 idle hours) while the app's device credential still works:
    # the review's video, refused to the cookie, plays from the file fetched with the credential.
    later_ctx, later, later_errors = phone(browser, demo_server, "coach@example.com", axe=False)
    later_ctx.clear_cookies()
    later.goto(f"{demo_server.url}/#/pitches/{pitch_id}")
    later.wait_for_function("() => document.querySelector('main video')?.src.startsWith('blob:')", timeout=15_000)
    later.wait_for_function("() => document.querySelector('main video').readyState >= 1", timeout=15_000)
    later_ctx.close()
    assert later_errors == []

    # A rep of another team never received it.
    other = signed_in_device(demo_server, "rep2@example.com")
    other.sync()
    assert pitch_id not in other.pitches
    assert coach_errors == rep_errors == manager_errors == []
    for context in (coach_ctx, rep_ctx, manager_ctx):
        context.close()

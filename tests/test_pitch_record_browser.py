"""A rep records a pitch with no signal and forgets about it (issue 15): real Chromium at 360×740
with a fake camera and microphone, the real server behind a fault-injecting proxy.

Offline, the rep records a short pitch, watches it and submits it; the app closes; reopened (still offline) it lists the pitch "Waiting to upload".
Back online, through a proxy that fails and drops upload requests and responses, the video
uploads resumably (the app closed and opened again mid-upload too) and exactly once: the server holds one `videos` row and one complete upload
for the pitch, the file's SHA-256 is the one the app computed, the pitch record carries it, and
the app says "Uploaded" and has dropped its copy of the video; opened again and synced, it sends
nothing more.

The room check before recording is a pure decision and its words (pwa/test/pitches.test.js); in
the browser, a phone with little room (navigator.storage.estimate()'s quota lowered to the usage +
1 MB) is told so before the camera starts, and can record once there is room again."""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM_ARGS, chromium_path, page_log, wait_for_app
from tests.support.fault_proxy import FaultProxy
from tests.support.mail import signed_in_phone
from tests.support.server import LiveServer, demo_database
from tests.test_pwa_a11y import blocking_violations

# Faults on every upload request (POST, HEAD, PATCH): failed with a 503, dropped before the
# server, or answered by the server and the answer lost (the server has the bytes; the app never hears).
RECORD_S = 16  # about 3 MB of the fake camera's noise: several 1 MiB chunks
UPLOAD_FAULTS = {"pass": 35, "delay": 10, "fail": 20, "drop_request": 15, "drop_response": 20}
SHORTEST_PROMPT = """async () => {
    const { snapshot } = await globalThis.recap.store.content();
    const prompts = [...(snapshot.pitch_prompts ?? [])].filter((p) => p.language === "en");
    prompts.sort((a, b) => a.time_limit_s - b.time_limit_s);
    return prompts[0] ?? null;
}"""
# A phone with `room` bytes left: the browser's own estimate, its quota lowered to usage + room
# (null: as the browser says). The disk is the one thing faked, as the camera is: Chromium 156
# accepts the DevTools protocol's Storage.overrideQuotaForOrigin but estimate() does not reflect it.
LITTLE_ROOM = """(room) => {
    const manager = globalThis.StorageManager.prototype;
    if (!manager.realEstimate) {
        manager.realEstimate = manager.estimate;
        manager.estimate = async function () {
            const real = await manager.realEstimate.call(this);
            return globalThis.recapRoom == null ? real : { ...real, quota: real.usage + globalThis.recapRoom };
        };
    }
    globalThis.recapRoom = room;
}"""
MY_VIDEOS = """async () => (await globalThis.recap.store.pitchVideos()).map((v) => ({
    pitch_id: v.pitch_id, sha256: v.sha256, size: v.size, type: v.type, duration_ms: v.duration_ms,
    blob: v.blob ? v.blob.size : null, done: v.upload.done,
}))"""


# Part of the video is on the server and the upload's address is kept on the phone.
PART_SENT = """(id) => globalThis.recap.store.pitchVideo(id)
    .then((v) => v.upload.url !== null && v.upload.offset > 0 && !v.upload.done)"""
MY_VIDEOS_STATE = "async () => JSON.stringify((await globalThis.recap.store.pitchVideos()).map((v) => v.upload))"


def noise_video(path: Path, *, width: int = 320, height: int = 240, frames: int = 8) -> Path:
    """A Y4M file of random frames for Chromium's fake camera (it loops it): noise does not
    compress, so the recorder writes near its full bitrate and the video spans several 1 MiB chunks."""
    rng = random.Random(15)
    frame = width * height * 3 // 2  # 4:2:0
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + rng.randbytes(frame))
    return path


@pytest.fixture(scope="module")
def camera_browser(playwright: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium whose fake camera films noise (the session's browser films a calm test pattern)."""
    video = noise_video(tmp_path_factory.mktemp("camera") / "noise.y4m")
    args = [*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={video}"]
    instance = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=args)
    yield instance
    instance.close()


@pytest.fixture
def flaky_uploads(tmp_path: Path) -> Iterator[tuple[LiveServer, FaultProxy]]:
    server = LiveServer(demo_database(tmp_path / "live" / "recap.db"))
    proxy = FaultProxy(server.url, seed=15, weights=UPLOAD_FAULTS, paths=("/uploads/",))
    yield server, proxy
    proxy.stop()
    server.stop()


def rows(db_path: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as db:
        return db.execute(sql, args).fetchall()


def test_a_pitch_recorded_offline_uploads_once_through_a_flaky_network(
    flaky_uploads: tuple[LiveServer, FaultProxy], camera_browser: Any
) -> None:
    server, proxy = flaky_uploads
    context, page, errors = signed_in_phone(camera_browser, proxy.url, server.db_path)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Pitches")).to_have_count(1, timeout=30_000)  # the first pull brought `me`
    prompt = page.evaluate(SHORTEST_PROMPT)
    assert prompt, "the demo library has a pitch prompt in English"

    context.set_offline(True)
    page.goto(f"{proxy.url}/#/pitches")
    main = page.get_by_role("main")
    record = main.get_by_role("link", name=f"Record: {prompt['title']}")
    expect(record).to_be_visible()
    record.click()
    expect(main.get_by_role("heading", name="Record a pitch")).to_be_visible()
    limit = f"{prompt['time_limit_s'] // 60}:{prompt['time_limit_s'] % 60:02d}"
    expect(main.get_by_text(f"Record at most {limit}.")).to_be_visible()
    main.get_by_role("button", name="Start recording").click()
    expect(main.get_by_role("status")).to_have_text("Recording starts in 3")
    expect(main.get_by_role("status")).to_have_text("Recording", timeout=10_000)
    expect(main.get_by_role("button", name="Stop")).to_be_focused()
    expect(main.get_by_text(re.compile(rf"^0:0[1-9] of {limit}$"))).to_be_visible()
    page.wait_for_timeout(RECORD_S * 1000)  # a short pitch: the rep stops before the limit
    main.get_by_role("button", name="Stop").click()
    expect(main.get_by_role("button", name="Submit")).to_be_visible(timeout=15_000)
    length = main.get_by_text(re.compile(r"^Length: \d+:\d\d$")).inner_text()
    minutes, seconds = length.removeprefix("Length: ").split(":")
    assert RECORD_S - 1 <= int(minutes) * 60 + int(seconds) <= RECORD_S + 3, length
    expect(main.get_by_label("Your recording")).to_be_visible()
    # The take plays from its blob: URL under the app's real Content-Security-Policy.
    page.wait_for_function("() => document.querySelector('video[aria-label=\"Your recording\"]').readyState >= 1")
    main.get_by_role("button", name="Submit").click()
    expect(main.get_by_text("Saved on this phone. It uploads when you're online.")).to_be_visible(timeout=20_000)
    [video] = page.evaluate(MY_VIDEOS)
    assert video["blob"] == video["size"] > 2 * 1024 * 1024, "the video spans several 1 MiB chunks"
    assert video["duration_ms"] <= prompt["time_limit_s"] * 1000
    assert video["type"] == "video/webm"
    assert rows(server.db_path, "SELECT count(*) FROM uploads")[0][0] == 0, "nothing left the phone offline"
    page.close()

    # The app is opened again, still with no signal: the pitch waits on the phone.
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log = page_log(page)
    page.goto(f"{proxy.url}/#/pitches")
    main = page.get_by_role("main")
    mine = main.get_by_role("region", name="My pitches")
    wait_for_app(page, log)  # the test reads the phone's store through the running app below
    expect(mine.get_by_role("link", name=prompt["title"])).to_be_visible()
    expect(mine.get_by_text("Waiting to upload")).to_be_visible()
    # A second tab of the app: one tab sends (the upload lock), and both show its progress.
    other = context.new_page()
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    other.goto(f"{proxy.url}/#/pitches")
    theirs = other.get_by_role("main").get_by_role("region", name="My pitches")
    expect(theirs.get_by_text("Waiting to upload")).to_be_visible()

    # Online, through the faults: the upload starts by itself, resumes after each fault, ends once.
    proxy.hold_part_way(video["size"])  # a chunk arrives, then the network holds the rest until the app is closed
    context.set_offline(False)
    for tab in (mine, theirs):
        expect(tab.get_by_text(re.compile(r"^Uploading \d+ %$"))).to_be_visible(timeout=60_000)
    # The app is closed mid-upload, once a chunk has arrived.
    deadline = time.monotonic() + 60
    while not page.evaluate(PART_SENT, video["pitch_id"]):
        assert time.monotonic() < deadline, f"no chunk arrived: {dict(proxy.seen)}"
        page.wait_for_timeout(50)
    created = sum(n for key, n in proxy.seen.items() if key.startswith("POST"))
    print(f"closed mid-upload at: {page.evaluate(MY_VIDEOS_STATE)}")
    page.close()
    other.close()
    [(offset, completed)] = rows(server.db_path, 'SELECT "offset", completed_at FROM uploads')
    assert 0 < offset < video["size"] and completed is None, "closed with part of the video on the server"
    proxy.release()
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log = page_log(page)
    page.goto(f"{proxy.url}/#/pitches")
    mine = page.get_by_role("main").get_by_role("region", name="My pitches")
    wait_for_app(page, log)
    try:
        expect(mine.get_by_text("Uploaded", exact=True)).to_be_visible(timeout=120_000)
    except AssertionError as err:
        state = page.evaluate(MY_VIDEOS_STATE)
        raise AssertionError(f"not uploaded: faults {dict(proxy.seen)}, on the phone {state}") from err
    pitch_id, sha256 = video["pitch_id"], video["sha256"]
    assert rows(server.db_path, "SELECT sha256, size, content_type FROM videos WHERE pitch_id = ?", pitch_id) == [
        (sha256, video["size"], "video/webm")
    ]
    completed = rows(
        server.db_path, "SELECT sha256 FROM uploads WHERE pitch_id = ? AND completed_at IS NOT NULL", pitch_id
    )
    assert completed == [(sha256,)], "one complete upload, never a second"
    stored = next((server.db_path.parent / "videos").glob(f"*/{sha256}"))
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha256, "the server's file is the app's, byte for byte"
    # The pitch record went through the outbox meanwhile and names the same video.
    expect(page.get_by_role("banner").get_by_text("All synced")).to_be_visible(timeout=60_000)
    assert rows(server.db_path, "SELECT video_sha256, video_size FROM pitches WHERE id = ?", pitch_id) == [
        (sha256, video["size"])
    ]
    # The pull may say "uploaded" before this phone hears it: its uploader then learns it by HEAD.
    deadline = time.monotonic() + 60
    while not (after := page.evaluate(MY_VIDEOS)[0])["done"]:
        assert time.monotonic() < deadline, f"the phone never marked it uploaded: {dict(proxy.seen)}"
        page.wait_for_timeout(100)
    assert after["blob"] is None, "the phone's copy is dropped once uploaded"
    after_restart = sum(n for key, n in proxy.seen.items() if key.startswith("POST"))
    assert after_restart == created, "reopened, the app resumed the upload at its kept address (HEAD), not a new one"
    # Never twice: the app opened again, online, syncing, sends nothing more for it.
    sent = dict(proxy.seen)
    page.close()
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{proxy.url}/#/pitches")
    expect(page.get_by_role("main").get_by_text("Uploaded", exact=True)).to_be_visible()
    page.get_by_role("banner").get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("banner").get_by_text("All synced")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2_000)
    assert dict(proxy.seen) == sent, "no upload request after the upload was done"
    assert len(rows(server.db_path, "SELECT id FROM uploads WHERE pitch_id = ?", pitch_id)) == 1
    print(f"upload requests through the proxy: {sent}")
    faulted = sum(n for key, n in proxy.seen.items() if not key.endswith(" pass"))
    patches = sum(n for key, n in proxy.seen.items() if key.startswith("PATCH"))
    assert faulted >= 2 and patches >= 4, f"the upload met faults on the way: {dict(proxy.seen)}"
    assert errors == []
    context.close()


def test_the_pitch_screens_pass_an_accessibility_scan_in_dark_mode(
    demo_server: LiveServer, camera_browser: Any
) -> None:
    """axe on the Pitches list, the no-room message, the camera preview, a take ready to submit
    and My pitches (bypass_csp: axe is injected), at 360 px in dark mode."""
    context, page, errors = signed_in_phone(
        camera_browser, demo_server.url, demo_server.db_path, bypass_csp=True, color_scheme="dark"
    )
    expect(page.get_by_role("navigation").get_by_role("link", name="Pitches")).to_have_count(1, timeout=30_000)
    expect(page.get_by_role("banner").get_by_text("All synced")).to_be_visible(timeout=30_000)
    prompt = page.evaluate(SHORTEST_PROMPT)
    page.get_by_role("navigation").get_by_role("link", name="Pitches").click()
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Situations to pitch")).to_be_visible()
    problems = blocking_violations(page, "pitches")
    # A phone with about 1 MB left for the app: told before the camera starts, with a way to try again.
    page.evaluate(LITTLE_ROOM, 1_000_000)
    main.get_by_role("link", name=f"Record: {prompt['title']}").click()
    no_room = main.get_by_role("alert")
    expect(no_room).to_have_text(re.compile(r"^Not enough space on this phone to record .+: free up about \d+ MB$"))
    expect(main.get_by_text("Delete photos, videos or apps you do not need, then try again.")).to_be_visible()
    expect(main.get_by_role("button", name="Start recording")).to_have_count(0)
    assert page.evaluate("() => document.querySelectorAll('video').length") == 0, "the camera never started"
    problems += blocking_violations(page, "no room to record")
    page.evaluate(LITTLE_ROOM, None)  # room again
    main.get_by_role("button", name="Try again").click()
    expect(main.get_by_role("button", name="Start recording")).to_be_visible(timeout=10_000)
    problems += blocking_violations(page, "camera preview")
    main.get_by_role("button", name="Start recording").click()
    expect(main.get_by_role("button", name="Stop")).to_be_visible(timeout=10_000)
    page.wait_for_timeout(1_500)
    main.get_by_role("button", name="Stop").click()
    expect(main.get_by_role("button", name="Submit")).to_be_visible(timeout=10_000)
    problems += blocking_violations(page, "take to submit")
    main.get_by_role("button", name="Retake").click()
    expect(main.get_by_role("button", name="Start recording")).to_be_focused()
    main.get_by_role("button", name="Start recording").click()
    main.get_by_role("button", name="Stop").click(timeout=10_000)
    main.get_by_role("button", name="Submit").click()
    expect(main.get_by_text("Saved on this phone. It uploads when you're online.")).to_be_visible(timeout=10_000)
    main.get_by_role("link", name="My pitches").click()
    expect(main.get_by_role("region", name="My pitches").get_by_role("listitem")).to_have_count(1)
    problems += blocking_violations(page, "my pitches")
    assert problems == []
    assert len(page.evaluate(MY_VIDEOS)) == 1, "the retaken take was not kept"
    assert errors == []
    context.close()

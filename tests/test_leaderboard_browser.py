"""The Leaderboard screen in a real Chromium (docs/app.md "Leaderboard"): a demo server with
leaderboards turned on through the real `recap settings` command before the rep signs in; the top
10, the rep's own place as a separate private line, the team table, axe, and offline after a
reload (the kept leaderboard), and gone after the setting is turned off and the app syncs. Reps
ranked below 10 never reach the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlite_utils
from playwright.sync_api import expect

from tests.support.browser import wait_for_offline_ready
from tests.support.mail import MORNING, VIEWPORT, sign_in
from tests.support.server import LiveServer, demo_database, run_recap
from tests.test_pwa_a11y import blocking_violations

TODAY = (MORNING.date() - dt.date(1970, 1, 1)).days  # the page clock's local day in Amsterdam


def leaderboard_database(path: Path) -> Path:
    """The demo database with 12 more reps in team Big (Crowd 01..12 scoring 24, 22, .., 2 in the
    retention aggregates; the import names the team by its id), the demo rep scoring 3, and leaderboards on."""
    demo_database(path)
    people = path.parent / "crowd.csv"
    people.write_text("email,name,roles,teams\n" + "".join(f"crowd-{i:02}@example.com,Crowd {i:02},rep,big:rep\n" for i in range(1, 13)))
    assert run_recap("users", "import", str(people), db_path=path).returncode == 0
    db = sqlite_utils.Database(path)
    try:
        ids = dict(db.execute("SELECT email, id FROM users").fetchall())
        scores = {ids[f"crowd-{i:02}@example.com"]: (13 - i) * 2 for i in range(1, 13)} | {ids["rep@example.com"]: 3}
        with db.conn:
            for user, score in scores.items():
                db.execute("INSERT INTO retention_days (user_id, competency_id, local_day, n, n_right, guess_ppm) VALUES (?, 'c', ?, ?, ?, 0)",
                           [user, TODAY - 3, score + 2, score])  # fmt: skip
    finally:
        db.close()
    done = run_recap("settings", "set", "leaderboards", "on", db_path=path)
    assert done.returncode == 0 and done.stdout.strip() == "leaderboards: off -> on", done.stderr
    return path


def test_a_rep_sees_the_top_ten_their_private_place_and_the_teams_also_offline(browser: Any, tmp_path: Path) -> None:
    server = LiveServer(leaderboard_database(tmp_path / "live" / "recap.db"))
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce", bypass_csp=True)
    try:
        context.clock.install(time=MORNING)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server.url + "/")
        sign_in(page, server.db_path, "rep@example.com")
        wait_for_offline_ready(page)
        link = page.get_by_role("navigation").get_by_role("link", name="Leaderboard")
        expect(link).to_have_count(1, timeout=20_000)
        link.click()
        main = page.get_by_role("main")
        expect(main.get_by_role("heading", name="Leaderboard")).to_be_visible()

        top = main.get_by_role("table", name="Top 10 reps")
        expect(top.get_by_role("row")).to_have_count(11)  # the header and ten reps
        expect(top.get_by_role("row").nth(1)).to_contain_text("Crowd 01")
        expect(top.get_by_role("row").nth(1)).to_contain_text("24")
        expect(top.get_by_role("row").nth(10)).to_contain_text("10th")
        # The demo rep has 3 points: 11 crowd reps have more, so 12th of 14 (rep2 has 0).
        mine = main.get_by_role("region", name="Your place (only you see this)")
        expect(mine).to_have_text("Your place (only you see this)You: 12th of 14, 3 points.")
        teams = main.get_by_role("table", name="Teams by average points per rep")
        expect(teams.get_by_role("row")).to_have_count(2)
        expect(teams.get_by_role("row").nth(1)).to_contain_text("big")
        expect(teams.get_by_role("row").nth(1)).to_contain_text("13.0")
        expect(main).to_contain_text("As of")
        text = main.inner_text()
        assert "Crowd 11" not in text and "Crowd 12" not in text, "ranked below 10"
        kept = page.evaluate("async () => JSON.stringify(await globalThis.recap.store.leaderboard())")
        assert "Crowd 10" in kept and "Crowd 11" not in kept and "Crowd 12" not in kept
        shots = tmp_path / "screens"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / "leaderboard-360x740.png"), full_page=True)
        assert blocking_violations(page, "leaderboard") == []

        # Offline, after a reload: the kept leaderboard is shown.
        context.set_offline(True)
        page.reload()
        expect(page.get_by_role("main").get_by_role("region", name="Your place (only you see this)")).to_contain_text("You: 12th of 14, 3 points.", timeout=15_000)

        # Turned off: the next sync forgets the kept one; the link goes, the screen says so.
        context.set_offline(False)
        assert run_recap("settings", "set", "leaderboards", "off", db_path=server.db_path).returncode == 0
        page.get_by_role("button", name="Sync now").click()
        expect(page.get_by_role("navigation").get_by_role("link", name="Leaderboard")).to_have_count(0, timeout=20_000)
        expect(page.get_by_role("main")).to_contain_text("Your organisation has no leaderboard.")
        assert errors == []
    finally:
        context.close()
        server.stop()

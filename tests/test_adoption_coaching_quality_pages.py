"""The adoption, coaching and content quality pages over HTTP, on the hand-worked fixture
(tests/support/dashboard_fixture.py): figures in the pages and their CSV downloads, who may open
which, bad input, and axe in a real browser (the tables read by a screen reader)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from tests.support.dashboard_fixture import Q, build
from tests.support.paths import ROOT
from tests.support.server import LiveServer
from tests.test_pwa_a11y import AXE, blocking_violations

NOW = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)  # DAY


def as_(email: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:{email}"} if email else {}


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("pages")) / "dash.db"
    build(path)
    return path


@pytest.fixture(scope="module")
def client(db_file: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    settings = Settings(db_path=db_file, dev_auth=True, pwa_dist=ROOT / "pwa" / "dist")
    with TestClient(create_app(settings, clock=lambda: NOW)) as c:
        yield c


def table(client: TestClient, url: str, email: str = "admin@example.com") -> list[dict[str, str]]:  # type: ignore[type-arg]
    response = client.get(url, headers=as_(email))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_adoption_figures_in_the_csv_downloads(client: TestClient) -> None:  # type: ignore[type-arg]
    reps = {r["Rep"]: r for r in table(client, "/dashboards/teams/demo/adoption?format=csv&table=adoption-reps")}
    assert set(reps) == {"rep@example.com", "ann@example.com"}
    robin, ann = reps["rep@example.com"], reps["ann@example.com"]
    assert (robin["active_days"], robin["answers"], robin["on_time"], robin["on_time_answers"], robin["repeat_answers"]) == ("3", "3", "1.0", "1", "1")
    assert (robin["streak"], robin["longest_streak"], robin["nuggets_read"], robin["reminders_sent"], robin["last_answer"]) == ("3", "3", "1", "1", "2026-12-01")
    assert (robin["reminders_opened_share"], robin["reminders_opened"], ann["reminders_opened_share"], ann["reminders_opened"]) == ("1.0", "1", "", "0")
    assert (robin["refreshers_opened"], robin["refreshers_different"], ann["refreshers_opened"]) == ("2", "1", "0")
    assert (ann["active_days"], ann["on_time"], ann["on_time_answers"], ann["repeat_answers"], ann["streak"], ann["longest_streak"]) == ("1", "0.0", "0", "1", "0", "1")
    days = {r["Day"]: r for r in table(client, "/dashboards/teams/demo/adoption?format=csv&table=adoption-days")}
    assert len(days) == 28 and "2026-11-04" in days and "2026-11-03" not in days
    assert (days["2026-12-01"]["active_reps"], days["2026-12-01"]["reps"]) == ("1", "2")
    assert (days["2026-11-30"]["participation"], days["2026-11-30"]["participating"], days["2026-11-30"]["enrolled"]) == ("0.5", "1", "2")
    assert (days["2026-11-29"]["participating"], days["2026-11-29"]["enrolled"]) == ("0", "1")  # Robin not yet enrolled
    assert days["2026-11-21"]["participating"] == "1"  # Ann
    weeks = {r["Week of"]: r for r in table(client, "/dashboards/teams/demo/adoption?format=csv&table=adoption-weeks&days=7")}
    assert weeks == {
        "2026-11-30": {"Week of": "2026-11-30", "Days in the period": "2", "active_reps": "1", "reps": "2"},
        "2026-11-23": {"Week of": "2026-11-23", "Days in the period": "5", "active_reps": "1", "reps": "2"},
    }
    everyone = {r["Rep"] for r in table(client, "/dashboards/adoption?format=csv&table=adoption-reps")}
    assert everyone == {"rep@example.com", "ann@example.com", "rep2@example.com"}


def test_adoption_page_shows_counts_beside_shares_and_says_what_is_not_recorded(client: TestClient) -> None:  # type: ignore[type-arg]
    page = client.get("/dashboards/teams/demo/adoption", headers=as_("manager@example.com")).text
    assert "<dt>Participation over the period (rep-days)</dt><dd>" in page
    assert "<dt>Repeats answered on time</dt><dd>50 % (1 of 2)</dd>" in page  # Robin 1 of 1, Ann 0 of 1
    assert "<dt>Active today</dt><dd>50 % (1 of 2)</dd>" in page
    assert "<dt>Reminders opened, of those sent</dt><dd>100 % (1 of 1)</dd>" in page
    assert "<dt>Refreshers opened (a refresher counts once a day)</dt><dd>2</dd>" in page
    assert "How this is computed:" in page and "docs/measures.md" in page
    assert 'data-chart="trend"' in page and '<th scope="col">Rep</th>' in page
    assert "table=adoption-reps" in page and "table=adoption-days" in page and "table=adoption-weeks" in page


def test_coaching_figures(client: TestClient) -> None:  # type: ignore[type-arg]
    coaches = table(client, "/dashboards/teams/demo/coaching?format=csv&table=coaching-coaches", "coach@example.com")
    assert coaches == [{"Coach": "Casey Coach", "observations": "2", "last_observed": "2026-11-28", "reps_observed": "2"}]
    reps = {r["Rep"]: r for r in table(client, "/dashboards/teams/demo/coaching?format=csv&table=coaching-reps")}
    assert (reps["Robin Rep"]["observations"], reps["Robin Rep"]["last_observed"]) == ("1", "2026-11-25")
    assert (reps["Robin Rep"]["follow_through"], reps["Robin Rep"]["practised"], reps["Robin Rep"]["assigned"], reps["Robin Rep"]["practised_right"]) == ("1.0", "1", "1", "0")
    assert (reps["Ann Adams"]["observations"], reps["Ann Adams"]["assigned"]) == ("1", "0")  # hers was not shared: nothing assigned
    low = table(client, "/dashboards/teams/demo/coaching?format=csv&table=coaching-low-behaviours")
    assert [(r["Behaviour"], r["team"], r["low"], r["rated"], r["reps"]) for r in low] == [
        ("Finds out who else is involved and what each of them cares about", "demo", "2", "2", "2"),
        ("Listens and follows up on the customer's own words", "demo", "1", "1", "1"),
    ]
    everyone = table(client, "/dashboards/coaching?format=csv&table=coaching-low-behaviours")
    assert [r["team"] for r in everyone] == ["demo", "demo"]  # north has no observations
    sessions = table(client, "/dashboards/coaching?format=csv&table=coaching-sessions")
    assert [(r["Team"], r["sessions"], r["held"], r["last_held"]) for r in sessions] == [("demo", "2", "1", "2026-11-17"), ("north", "0", "0", "")]
    north = {r["Rep"]: r["observations"] for r in table(client, "/dashboards/teams/north/coaching?format=csv&table=coaching-reps", "manager2@example.com")}
    assert north == {"Riley Rep": "0"}  # never observed, still listed


def test_content_quality_figures_for_everyone_and_for_a_team(client: TestClient) -> None:  # type: ignore[type-arg]
    rows = {r["Question"]: r for r in table(client, "/dashboards/content-quality?format=csv", "editor@example.com")}
    q = rows[Q]
    assert (q["right_first_learners"], q["learners"], q["wrong_option"], q["wrong_learners"], q["median_seconds"], q["timed_answers"], q["answers"]) == ("1", "3", "B", "2", "10.0", "5", "5")
    # Wilson 95 % for 1 of 3: 0.0615 to 0.7923
    assert (q["interval_low"], q["interval_high"]) == ("0.0615", "0.7923")
    assert list(rows)[:2] == [Q, "match-the-message-to-the-buyer"]  # answered first, lowest right-first first
    team = {r["Question"]: r for r in table(client, "/dashboards/teams/demo/content-quality?format=csv", "coach@example.com")}
    assert (team[Q]["learners"], team[Q]["right_first_learners"], team[Q]["median_seconds"], team[Q]["wrong_share"]) == ("2", "1", "9.0", "0.5")
    page = client.get("/dashboards/content-quality", headers=as_("editor@example.com")).text
    assert f'href="/editor/items/questions/{Q}"' in page and "fewer than 10 learners: too few to judge" in page


@pytest.mark.parametrize(
    ("url", "allowed", "denied"),
    [
        ("/dashboards/teams/demo/adoption", {"manager", "coach", "admin"}, {"manager2", "coach2", "rep", "editor"}),
        ("/dashboards/teams/north/coaching", {"manager2", "coach2", "admin"}, {"manager", "coach", "rep2", "editor"}),
        ("/dashboards/teams/demo/content-quality", {"manager", "coach", "admin"}, {"manager2", "rep", "editor"}),
        ("/dashboards/adoption", {"admin"}, {"manager", "coach", "rep", "editor"}),
        ("/dashboards/coaching", {"admin"}, {"manager", "coach", "rep", "editor"}),
        ("/dashboards/content-quality", {"editor", "admin"}, {"manager", "coach", "rep"}),
    ],
)
def test_who_may_open_which_page(client: TestClient, url: str, allowed: set[str], denied: set[str]) -> None:  # type: ignore[type-arg]
    for who in allowed:
        assert client.get(url, headers=as_(f"{who}@example.com")).status_code == 200, (url, who)
        assert client.get(url + "?format=csv", headers=as_(f"{who}@example.com")).status_code == 200, (url, who)
    for who in denied:
        assert client.get(url, headers=as_(f"{who}@example.com")).status_code == 403, (url, who)
        assert client.get(url + "?format=csv", headers=as_(f"{who}@example.com")).status_code == 403, (url, who)
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].endswith("#/sign-in")


def test_bad_input_is_a_clear_400_and_an_unknown_team_is_403_or_for_an_admin_404(client: TestClient) -> None:  # type: ignore[type-arg]
    admin = as_("admin@example.com")
    for days in ("6", "367", "abc", "-1", "1e3", "9" * 400):
        response = client.get(f"/dashboards/teams/demo/adoption?days={days}", headers=admin)
        assert response.status_code == 400 and "days must be a whole number from 7 to 366" in response.text, days
    response = client.get("/dashboards/teams/demo/coaching?format=csv&table=nope", headers=admin)
    assert response.status_code == 400 and "table must be one of coaching-coaches" in response.text
    assert client.get("/dashboards/teams/demo/coaching?format=pdf", headers=admin).status_code == 400
    assert client.get("/dashboards/teams/nowhere/adoption", headers=admin).status_code == 404
    assert client.get("/dashboards/teams/nowhere/adoption", headers=as_("manager@example.com")).status_code == 403
    assert client.get("/dashboards/teams/demo/adoption?days=366", headers=admin).status_code == 200


def test_the_pages_have_no_serious_accessibility_violations(db_file: Path, browser: Any, tmp_path: Path) -> None:
    assert AXE.exists(), "axe-core is not installed: run `npm install` in pwa/"
    copy = tmp_path / "a11y.db"
    copy.write_bytes(db_file.read_bytes())
    server = LiveServer(copy, env={"RECAP_DEV_AUTH": "1"})
    context = browser.new_context(bypass_csp=True, extra_http_headers=as_("admin@example.com"))
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        found = []
        for path in ("/dashboards/teams/demo/adoption", "/dashboards/teams/demo/coaching", "/dashboards/content-quality", "/dashboards/coaching"):
            page.goto(server.url + path)
            assert page.locator("table caption").count() >= 1
            page.wait_for_selector("figure.chart svg", timeout=10_000)  # the bundle drew the chart
            found += blocking_violations(page, path)
        assert found == [] and errors == []
    finally:
        context.close()
        server.stop()


def test_opening_a_refresher_or_a_reminder_in_the_app_reaches_the_server_once(demo_server: LiveServer, browser: Any) -> None:
    from playwright.sync_api import expect

    from tests.support.mail import signed_in_phone

    context, page, errors = signed_in_phone(browser, demo_server.url, demo_server.db_path, "rep@example.com")
    try:
        main = page.get_by_role("main")
        for _ in range(2):  # opened twice the same day: recorded once
            page.goto(demo_server.url + "/#/refreshers/how-to-build-a-why-change-message")
            expect(main.locator("ol.steps li").first).to_be_visible()
            page.goto(demo_server.url + "/#/refreshers")
        page.get_by_role("banner").get_by_role("button", name="Sync now").click()
        db = sqlite_utils.Database(demo_server.db_path)
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=10)
        rows: list[Any] = []
        while datetime.datetime.now() < deadline and not rows:
            rows = db.execute("SELECT item_kind, item_id, acknowledged FROM acknowledgements WHERE item_kind = 'refresher'").fetchall()
            page.wait_for_timeout(200)
        assert rows == [("refresher", "how-to-build-a-why-change-message", 1)]
        page.get_by_role("banner").get_by_role("button", name="Sync now").click()  # nothing more to send
        page.wait_for_timeout(1000)
        assert db.execute("SELECT count(*) FROM acknowledgements").fetchone()[0] == 1

        # Reminders sent today and yesterday; one opened from the notification into a new window
        # (?reminder=), the other while the app was open (the service worker's message).
        today = datetime.date.today()
        days = [today.isoformat(), (today - datetime.timedelta(days=1)).isoformat()]
        rep = db.execute("SELECT id FROM users WHERE email = 'rep@example.com'").fetchone()[0]
        with db.conn:
            for day in days:
                db.execute("INSERT INTO reminders_sent VALUES (?, ?, 'push', '2026-12-01T08:00:00.000Z', 'sent')", [rep, day])
        page.goto(f"{demo_server.url}/?reminder={days[0]}#/study")
        expect(main.get_by_role("heading").first).to_be_visible()
        assert "reminder=" not in page.url
        page.evaluate(
            "(date) => navigator.serviceWorker.dispatchEvent(new MessageEvent('message', {data: {type: 'reminder-opened', date}}))", days[1]
        )
        page.get_by_role("banner").get_by_role("button", name="Sync now").click()
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=10)
        found: set[str] = set()
        while datetime.datetime.now() < deadline and found != set(days):
            found = {r[0] for r in db.execute("SELECT item_id FROM acknowledgements WHERE item_kind = 'reminder'")}
            page.wait_for_timeout(200)
        assert found == set(days)
        assert errors == []
    finally:
        context.close()

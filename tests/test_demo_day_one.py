"""The demo works on the day it is installed, every day, and `make run` never undoes anything (issue 9 §2).

`make run`'s set-up is the same four commands run here: `recap migrate`, `recap content publish
--initial content`, `recap users import --new-only server/demo/accounts.csv`, `recap serve`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from playwright.sync_api import expect

from server.library.loader import load_library
from sync import enrollment
from sync.enrollment import CampaignAt
from tests.support.mail import FEEDBACK, VIEWPORT, sign_in
from tests.support.paths import DEMO_LIBRARY, ROOT
from tests.support.server import LiveServer, run_recap

ACCOUNTS = ROOT / "server" / "demo" / "accounts.csv"
MAKEFILE = (ROOT / "Makefile").read_text()


def make_run_setup(db_file: Path) -> list[str]:
    """`make run`'s commands before `recap serve`, as the Makefile runs them; their output."""
    outputs = []
    for args in (("migrate",), ("content", "publish", "--initial", "content"), ("users", "import", "--new-only", str(ACCOUNTS))):
        result = run_recap(*args, db_path=db_file)
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(result.stdout + result.stderr)
    return outputs


def test_the_makefile_runs_the_setup_these_tests_run() -> None:
    run = MAKEFILE.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "$(RECAP) migrate" in run
    assert "$(RECAP) content publish --initial content" in run
    assert "$(RECAP) users import --new-only server/demo/accounts.csv" in run


def test_no_demo_campaign_waits_for_a_date() -> None:
    library, problems = load_library(DEMO_LIBRARY)
    assert problems == []
    campaigns = library.of("campaigns")
    assert campaigns and all(c.item.start is None for c in campaigns.values())  # type: ignore[attr-defined]


# --- the rep's first day, in a real browser at today's real date --------------------------------


@pytest.fixture
def made_run(tmp_path: Path) -> Iterator[LiveServer]:
    db_file = tmp_path / "var" / "recap.db"
    make_run_setup(db_file)
    server = LiveServer(db_file)
    yield server
    server.stop()


def test_a_rep_signing_in_on_the_day_of_make_run_gets_a_question(made_run: LiveServer, browser: Any) -> None:
    # No clock is installed: the page runs at today's real date, whatever day the test runs.
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", reduced_motion="reduce")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(made_run.url + "/")
        main = page.get_by_role("main")
        sign_in(page, made_run.db_path, "rep@example.com")
        # The first screen after sign-in is a question, not "Nothing to answer right now".
        # Three: the rep's total daily limit (the coaching campaign is for managers and coaches).
        expect(main.get_by_role("heading", name="Question 1 of 3")).to_be_visible(timeout=15_000)
        main.get_by_role("radiogroup").get_by_role("radio").first.check()
        main.get_by_role("button", name="Check answer").click()
        expect(main.get_by_role("status").filter(has_text=FEEDBACK)).to_be_visible()
        expect(page.get_by_text("All synced")).to_be_visible(timeout=15_000)
        assert errors == []
    finally:
        context.close()
    with sqlite3.connect(made_run.db_path) as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 1
        # Enrolled today in the campaigns for everyone ("all"), not in the managers' and coaches' one.
        rows = db.execute("SELECT campaign_id, enrolled_day, start_day FROM enrollments ORDER BY campaign_id").fetchall()
    today = enrollment.day_number(dt.datetime.now(dt.UTC).date())
    assert [r[0] for r in rows] == ["value-selling-foundations", "value-selling-foundations-nl"]
    assert all(abs(r[1] - today) <= 1 and r[2] == r[1] for r in rows)  # ±1: the device's time zone


# --- make run undoes nothing ----------------------------------------------------------------------


def test_make_run_publishes_the_demo_only_into_an_empty_database(tmp_path: Path) -> None:
    db_file = tmp_path / "var" / "recap.db"
    first = make_run_setup(db_file)
    assert "published version 1" in first[1]
    # An editor publishes from another folder: the demo library plus a question of their own.
    other = tmp_path / "editor"
    shutil.copytree(DEMO_LIBRARY, other)
    extra = other / "questions" / "their-own-question.yaml"
    extra.write_text((DEMO_LIBRARY / "questions" / "who-else-is-involved.yaml").read_text().replace(
        "id: who-else-is-involved", "id: their-own-question"))  # fmt: skip
    published = run_recap("content", "publish", str(other), db_path=db_file)
    assert published.returncode == 0 and "published version 2" in published.stdout, published.stdout + published.stderr
    # `make run` again: it says it skips, and nothing is removed or withdrawn.
    again = make_run_setup(db_file)
    assert "not published: the database already has library version 2" in again[1]
    assert "removed" not in again[1]
    with sqlite3.connect(db_file) as db:
        assert db.execute("SELECT max(version) FROM library_versions").fetchone()[0] == 2
        change = db.execute("SELECT change FROM item_versions WHERE item_id = 'their-own-question' ORDER BY rev DESC").fetchone()
    assert change == ("new",)


def test_make_run_keeps_what_an_admin_changed_about_the_demo_people(tmp_path: Path) -> None:
    db_file = tmp_path / "var" / "recap.db"
    make_run_setup(db_file)
    changed = run_recap("users", "add", "rep@example.com", "--role", "rep", "--role", "coach", "--team", "north:coach", db_path=db_file)
    assert changed.returncode == 0, changed.stderr
    again = make_run_setup(db_file)
    assert "existing kept as they are" in again[2]
    listed = {line.split("\t")[0]: line.split("\t") for line in run_recap("users", "list", db_path=db_file).stdout.splitlines()}
    assert listed["rep@example.com"][2:] == ["rep;coach", "north:coach"]


def test_publish_refuses_a_database_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "recap.db"
    by_option = subprocess.run(
        [str(Path(run_recap.__globals__["RECAP"])), "content", "publish", str(DEMO_LIBRARY), "--db", str(missing)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    by_env = run_recap("content", "publish", str(DEMO_LIBRARY), db_path=missing)
    for result in (by_option, by_env):
        assert result.returncode == 1
        assert f"there is no database at {missing}" in result.stderr and "--create" in result.stderr
    assert not missing.exists() and not missing.parent.exists()
    created = run_recap("content", "publish", "--create", str(DEMO_LIBRARY), db_path=missing)
    assert created.returncode == 0 and "published version 1" in created.stdout


def test_serve_prints_the_folder_sign_in_codes_are_written_to(tmp_path: Path) -> None:
    db_file = tmp_path / "somewhere" / "else.db"
    assert run_recap("migrate", db_path=db_file).returncode == 0
    server = LiveServer(db_file)
    try:
        assert server.process.stdout is not None
        line = server.process.stdout.readline()
    finally:
        server.stop()
    assert f"{(tmp_path / 'somewhere' / 'mail').resolve()}/" in line
    assert "var/mail" not in MAKEFILE  # the banner no longer guesses


# --- the enrollment rule -------------------------------------------------------------------------


def campaign(cid: str, audience: tuple[str, ...] = ("all",), start: int | None = None) -> CampaignAt:
    return CampaignAt(id=cid, audience=audience, start_day=start)


def test_learners_start_on_the_later_of_the_campaign_start_and_the_day_it_reaches_them() -> None:
    today = 20_423
    found = enrollment.new_enrollments(
        [campaign("now"), campaign("later", start=today + 6), campaign("past", start=today - 30),
         campaign("north-only", ("north",)), campaign("managers", ("role:manager",)), campaign("known")],
        teams={"demo": "rep"}, roles={"rep"}, enrolled={"known"}, today=today,
    )  # fmt: skip
    assert [(e.campaign_id, e.enrolled_day, e.start_day) for e in found] == [
        ("now", today, today), ("later", today, today + 6), ("past", today, today),
    ]  # fmt: skip
    north = enrollment.new_enrollments([campaign("north-only", ("north",))], {"north": "rep"}, {"rep"}, (), today)
    assert [e.campaign_id for e in north] == ["north-only"]
    assert enrollment.parse_start("1970-01-02") == 1 and enrollment.parse_start(None) is None


def test_a_pull_enrolls_once_with_the_devices_local_day(tmp_path: Path) -> None:
    from litestar.testing import TestClient

    from server.app import create_app
    from server.settings import Settings

    db_file = tmp_path / "var" / "recap.db"
    make_run_setup(db_file)
    device = "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77"
    with TestClient(create_app(Settings(db_path=db_file, dev_auth=True))) as client:
        dev = {"Authorization": "Bearer dev:rep@example.com"}
        for day in (20_500, 20_501):
            answer = client.post("/sync/pull", json={"protocol": 1, "device_id": device, "local_day": day}, headers=dev)
            assert answer.status_code == 200
        bad = client.post("/sync/pull", json={"protocol": 1, "device_id": device, "local_day": -1}, headers=dev)
        assert bad.status_code == 400
    with sqlite3.connect(db_file) as db:
        rows = db.execute(
            "SELECT campaign_id, enrolled_day, start_day FROM enrollments"
            " WHERE user_id = (SELECT id FROM users WHERE email = 'rep@example.com')"
        ).fetchall()
    # Only the campaigns in the rep's reach (the Dutch one is for "all" too), each once, on the first day.
    assert sorted(rows) == [(c, 20_500, 20_500) for c in ("value-selling-foundations", "value-selling-foundations-nl")]
    exported = run_recap("users", "export", "rep@example.com", "--out", str(tmp_path / "rep.json"), db_path=db_file)
    assert exported.returncode == 0
    assert len(msgspec.json.decode((tmp_path / "rep.json").read_bytes())["tables"]["enrollments"]) == 2

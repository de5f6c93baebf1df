"""Campaigns with audiences: who a campaign reaches, the plan a pull sends, the total daily limit
(set by admins), and the preview and reach counts the editors' pages show."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.campaigns.preview import campaign_preview
from server.campaigns.reach import campaign_reach
from server.db import connect
from server.errors import NotFound
from server.library.publish import publish
from server.settings import Settings
from server.storage import people as people_store
from sync import enrollment
from sync.enrollment import BadAudience, parse_audience_entry, reach, reaches
from tests.support.device import Device
from tests.support.paths import DEMO_ACCOUNTS, DEMO_LIBRARY
from tests.support.server import run_recap

from .test_admin import form_token, signed_in

DEVICE = "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77"
DAY = 20_800


# ---- audiences, pure --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "teams", "roles", "reached"),
    [
        ("all", {}, set(), True),
        ("north", {"north": "rep"}, {"rep"}, True),
        ("north", {"north": "manager"}, {"manager"}, True),
        ("north", {"south": "rep"}, {"rep"}, False),
        ("role:manager", {}, {"manager"}, True),
        ("role:manager", {"north": "rep"}, {"rep", "coach"}, False),
        ("role:editor", {}, {"editor"}, True),
        ("north:rep", {"north": "rep"}, {"rep"}, True),
        ("north:rep", {"north": "coach"}, {"coach", "rep"}, False),  # a rep elsewhere, a coach here
        ("north:coach", {"north": "coach", "south": "rep"}, {"coach", "rep"}, True),
    ],
)
def test_an_audience_entry_reaches_people_by_team_and_role(entry: str, teams: dict[str, str], roles: set[str], reached: bool) -> None:
    assert reaches([entry], teams, roles) is reached


def test_a_campaign_reaches_whom_any_entry_reaches_and_the_count_says_how_many() -> None:
    class Person:
        def __init__(self, teams: dict[str, str], roles: set[str]) -> None:
            self.teams, self.roles = teams, frozenset(roles)

    people = [Person({"north": "rep"}, {"rep"}), Person({"north": "manager"}, {"manager"}), Person({}, {"admin"})]
    assert reach(["north:rep", "role:admin"], people) == 2
    assert reach(["north"], people) == 2
    assert reach(["all"], people) == 3
    assert reach(["south", "role:coach"], people) == 0
    assert enrollment.unreached_entries(["north:rep", "south", "role:coach"], people) == ["south", "role:coach"]
    assert reaches(["Not An Entry", "role:boss"], {"north": "rep"}, {"rep"}) is False  # never published: check refuses them


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("role:boss", "unknown role `boss` in `role:boss`: roles are rep, coach, editor, manager, admin"),
        ("north:admin", "`admin` in `north:admin` is not a team role: use north:rep, north:coach, north:manager; for everyone who holds the admin role write `role:admin`"),
        ("north:chief", "`chief` in `north:chief` is not a team role: use north:rep, north:coach, north:manager"),
        ("North", "`North` is not an audience: write `all`, a team id"),
        ("-north", "is not an audience"),
    ],
)
def test_a_bad_audience_entry_says_what_to_write(entry: str, message: str) -> None:
    with pytest.raises(BadAudience) as caught:
        parse_audience_entry(entry)
    assert message in str(caught.value)


def test_an_ended_campaign_reaches_no_one_new() -> None:
    ended = enrollment.CampaignAt(id="old", audience=("all",), start_day=None, end_day=DAY - 1)
    last_day = enrollment.CampaignAt(id="today", audience=("all",), start_day=None, end_day=DAY)
    found = enrollment.new_enrollments([ended, last_day], {}, ["rep"], (), DAY)
    assert [e.campaign_id for e in found] == ["today"]


# ---- the demo, with a real database and real HTTP ---------------------------------------------------


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo library published and the demo accounts imported, as `make run` does."""
    path = tmp_path / "var" / "recap.db"
    db = connect(path)
    migrations.apply(db)
    publish(db, DEMO_LIBRARY)
    db.close()
    assert run_recap("users", "import", str(DEMO_ACCOUNTS), db_path=path).returncode == 0
    return path


@pytest.fixture
def client(demo: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(Settings(db_path=demo, dev_auth=True))) as c:
        yield c


def pull(client: TestClient, email: str, local_day: int = DAY, device: str = DEVICE) -> dict[str, Any]:  # type: ignore[type-arg]
    answer = client.post("/sync/pull", json={"protocol": 1, "device_id": device, "local_day": local_day}, headers={"Authorization": f"Bearer dev:{email}"})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def plan_of(body: dict[str, Any]) -> tuple[int, list[tuple[str, int]]]:
    return body["plan"]["daily_limit"], [(c["campaign_id"], c["start_day"]) for c in body["plan"]["campaigns"]]


def user_id(db_file: Path, email: str) -> str:
    with sqlite3.connect(db_file) as db:
        return str(db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0])


def test_a_pull_sends_the_learners_campaigns_by_audience_and_their_daily_limit(client: TestClient, demo: Path) -> None:  # type: ignore[type-arg]
    # The rep: the value-selling campaigns (for all); not the coaching one (for managers and coaches).
    assert plan_of(pull(client, "rep@example.com")) == (3, [("value-selling-foundations", DAY), ("value-selling-foundations-nl", DAY)])
    manager = plan_of(pull(client, "manager@example.com", DAY + 2, "6b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77"))
    assert manager == (3, [("coaching-and-remote-teams", DAY + 2), ("value-selling-foundations", DAY + 2), ("value-selling-foundations-nl", DAY + 2)])
    # A later pull keeps each start day; the enrollments table says the same.
    assert plan_of(pull(client, "rep@example.com", DAY + 5))[1][0] == ("value-selling-foundations", DAY)
    with sqlite3.connect(demo) as db:
        rows = db.execute("SELECT campaign_id FROM enrollments WHERE user_id = ?", [user_id(demo, "rep@example.com")]).fetchall()
    assert sorted(r[0] for r in rows) == ["value-selling-foundations", "value-selling-foundations-nl"]


def test_a_plan_follows_the_learners_teams_roles_and_limit(client: TestClient, demo: Path) -> None:  # type: ignore[type-arg]
    pull(client, "rep@example.com")
    # Made a coach: the coaching campaign reaches them from the day of their next pull.
    assert run_recap("users", "add", "rep@example.com", "--role", "rep", "--role", "coach", db_path=demo).returncode == 0
    assert run_recap("settings", "set", "daily-limit", "5", "--person", "rep@example.com", db_path=demo).returncode == 0
    limit, campaigns = plan_of(pull(client, "rep@example.com", DAY + 1))
    assert limit == 5 and ("coaching-and-remote-teams", DAY + 1) in campaigns
    # No longer a coach: it stops (the enrollment is kept for the dashboards); the organisation's limit again.
    assert run_recap("users", "add", "rep@example.com", "--role", "rep", db_path=demo).returncode == 0
    assert run_recap("settings", "set", "daily-limit", "default", "--person", "rep@example.com", db_path=demo).returncode == 0
    assert run_recap("settings", "set", "daily-limit", "2", db_path=demo).returncode == 0
    limit, campaigns = plan_of(pull(client, "rep@example.com", DAY + 2))
    assert limit == 2 and [c for c, _ in campaigns] == ["value-selling-foundations", "value-selling-foundations-nl"]
    with sqlite3.connect(demo) as db:
        assert db.execute("SELECT count(*) FROM enrollments WHERE campaign_id = 'coaching-and-remote-teams'").fetchone()[0] == 1


def test_every_page_carries_the_plan(client: TestClient, demo: Path) -> None:  # type: ignore[type-arg]
    phone = Device(user_id="rep@example.com", http=client, device_id=DEVICE)
    phone.answer("who-else-is-involved", [1], False, DAY)
    assert phone.push_once().status == 200
    headers = {"Authorization": "Bearer dev:rep@example.com"}
    body = {"protocol": 1, "device_id": DEVICE, "cursors": {"content": 0, "records": 0}, "limit": 1, "local_day": DAY}
    kinds = []
    for _ in range(4):
        page = client.post("/sync/pull", json=body, headers=headers).json()
        kinds.append(page["changes"][0]["kind"])
        # The first page brings the library; its plan comes with it, so the two are kept together.
        assert plan_of(page) == (3, [("value-selling-foundations", DAY), ("value-selling-foundations-nl", DAY)])
        body["cursors"] = page["cursors"]
        if not page["has_more"]:
            break
    assert kinds == ["content", "answer", "progress"]


def test_admins_set_the_daily_limit_on_the_pages_with_the_form_token(demo: Path) -> None:
    admin = signed_in(demo, "admin@example.com")
    try:
        token = form_token(admin.get("/admin").text)
        assert admin.post("/admin/settings/daily-limit", data={"daily_limit": "4"}, follow_redirects=False).status_code == 403
        saved = admin.post("/admin/settings/daily-limit", data={"daily_limit": "4", "csrf_token": token}, follow_redirects=False)
        assert saved.status_code == 303
        assert 'value="4"' in admin.get(saved.headers["location"]).text
        assert admin.post("/admin/settings/daily-limit", data={"daily_limit": "21", "csrf_token": token}).status_code == 400
        rep = user_id(demo, "rep@example.com")
        page = admin.get(f"/admin/people/{rep}").text
        assert "Questions a day" in page and 'placeholder="4"' in page
        own = admin.post(f"/admin/people/{rep}/daily-limit", data={"daily_limit": "6", "csrf_token": token}, follow_redirects=False)
        assert own.status_code == 303 and "Daily limit saved" in admin.get(own.headers["location"]).text
        assert admin.post(f"/admin/people/{rep}/daily-limit", data={"daily_limit": "six", "csrf_token": token}).status_code == 400
        assert admin.post(f"/admin/people/{rep}/daily-limit", data={"daily_limit": "6"}, follow_redirects=False).status_code == 403
    finally:
        admin.__exit__(None, None, None)
    db = connect(demo)
    try:
        assert people_store.daily_limit_of(db, rep) == 6
        assert people_store.daily_limit_of(db, user_id(demo, "rep2@example.com")) == 4
    finally:
        db.close()
    audit = run_recap("audit", "list", db_path=demo).stdout
    assert "daily-limit\t-\t-\torganisation: 3 -> 4" in audit and "daily-limit\trep@example.com\t-\tthe organisation's -> 6" in audit
    shown = run_recap("settings", "show", db_path=demo).stdout.splitlines()
    assert shown == ["daily-limit\t4", "leaderboards\toff", "video-retention-days\t180", "daily-limit\t6\trep@example.com"]


def test_the_settings_command_refuses_bad_values_and_unknown_people(demo: Path) -> None:
    for args, message in (
        (("0",), "'0' is not a daily limit: give a whole number of questions a day from 1 to 20"),
        (("default",), "'default' is not a daily limit"),
        (("3", "--person", "nobody@example.com"), "no one has the address or id nobody@example.com"),
    ):
        result = run_recap("settings", "set", "daily-limit", *args, db_path=demo)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    assert run_recap("settings", "show", db_path=demo).stdout == "daily-limit\t3\nleaderboards\toff\nvideo-retention-days\t180\n"


# ---- what the editors' pages call ------------------------------------------------------------------------


@pytest.fixture
def db(demo: Path) -> Iterator[sqlite_utils.Database]:
    database = connect(demo)
    yield database
    database.close()


def test_reach_counts_the_enabled_people_each_campaign_reaches(db: sqlite_utils.Database, demo: Path) -> None:
    everyone = len(DEMO_ACCOUNTS.read_text().splitlines()) - 1  # `all`: every demo account
    assert campaign_reach(db) == {"coaching-and-remote-teams": 2, "value-selling-foundations": everyone, "value-selling-foundations-nl": everyone}
    assert run_recap("users", "disable", "coach@example.com", db_path=demo).returncode == 0
    assert campaign_reach(db)["coaching-and-remote-teams"] == 1


def test_publish_notes_audience_entries_that_reach_nobody(demo: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"
    shutil.copytree(DEMO_LIBRARY, library)
    path = library / "campaigns" / "coaching-and-remote-teams.yaml"
    path.write_text(path.read_text().replace("audience: [role:manager, role:coach]", "audience: [role:manager, sooth, demo:coach]"))
    result = run_recap("content", "publish", str(library), db_path=demo)
    assert result.returncode == 0 and "published version 2" in result.stdout
    assert "note: campaign coaching-and-remote-teams: no one matches `sooth` in its audience" in result.stderr
    db = connect(demo)
    try:
        assert campaign_reach(db)["coaching-and-remote-teams"] == 2  # the manager, and the coach of team demo
    finally:
        db.close()


def test_the_preview_shows_a_learners_first_two_weeks_with_their_other_campaigns(db: sqlite_utils.Database, demo: Path) -> None:
    manager = user_id(demo, "manager@example.com")
    shown = campaign_preview(db, "coaching-and-remote-teams", manager, today=DAY)
    assert shown.reaches and shown.start_day == DAY and shown.daily_limit == 3 and shown.language == "en"
    assert shown.campaign_ids == ("coaching-and-remote-teams", "value-selling-foundations")  # the Dutch one is in another language
    assert [d.day for d in shown.days] == list(range(DAY, DAY + 14))
    first = shown.days[0].items
    # Both English campaigns share the total of 3: the coaching campaign's cap of 2 first (id order), then value selling.
    assert [(i.campaign_id, i.repeat) for i in first] == [("coaching-and-remote-teams", False)] * 2 + [("value-selling-foundations", False)]
    assert all(len(d.items) == 3 for d in shown.days)
    # Right the first time under fsrs: value selling's first question is back 4 days later, before new ones.
    fifth = shown.days[4].items
    assert fifth[0].question_id == first[2].question_id and fifth[0].repeat
    # Classic: the coaching questions come back 24 days after a right answer, beyond two weeks.
    assert not any(i.repeat for d in shown.days for i in d.items if i.campaign_id == "coaching-and-remote-teams")


def test_the_preview_of_a_campaign_outside_a_persons_audience_says_so(db: sqlite_utils.Database, client: TestClient, demo: Path) -> None:  # type: ignore[type-arg]
    pull(client, "rep@example.com", DAY - 3)  # enrolled three days ago: the preview starts there
    rep = user_id(demo, "rep@example.com")
    mine = campaign_preview(db, "value-selling-foundations", rep, days=3, today=DAY)
    assert mine.reaches and mine.start_day == DAY - 3 and len(mine.days) == 3
    other = campaign_preview(db, "coaching-and-remote-teams", rep, days=2, today=DAY)
    assert not other.reaches and other.start_day == DAY
    with pytest.raises(NotFound, match="no published campaign `nope`"):
        campaign_preview(db, "nope", rep)
    with pytest.raises(NotFound, match="no such person"):
        campaign_preview(db, "value-selling-foundations", "no-such-id")

"""Leaderboards (docs/measures.md "Leaderboards"): the pure rules against hand-computed
fixtures, the organisation setting (CLI, admin form), and the pull over HTTP on a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.db import connect
from server.settings import Settings
from sync import leaderboard as lb
from tests.support.device import Device
from tests.support.paths import DEMO_ACCOUNTS
from tests.support.server import demo_database, run_recap

DAY = 20_788  # 2026-12-01


def reps(**scores: int) -> list[lb.Rep]:
    return [lb.Rep(user_id=name, name=name.title(), score=score) for name, score in scores.items()]


# ---- the pure rules ----------------------------------------------------------------------------


def test_competition_ranks_share_equal_scores_and_skip() -> None:
    assert lb.competition_ranks([9, 7, 7, 5, 5, 5, 1]) == [1, 2, 2, 4, 4, 4, 7]
    assert lb.competition_ranks([]) == []
    assert lb.competition_ranks([0, 0]) == [1, 1]
    with pytest.raises(ValueError):
        lb.competition_ranks([1, 2])


def test_reps_are_ranked_high_to_low_ties_listed_by_name() -> None:
    ranked = lb.rank_reps(reps(cleo=5, ann=7, bob=7, dan=0))
    assert [(r.rank, r.name, r.score) for r in ranked] == [(1, "Ann", 7), (1, "Bob", 7), (3, "Cleo", 5), (4, "Dan", 0)]


def test_a_teams_average_counts_reps_who_have_not_started_as_zero() -> None:
    teams = [
        lb.Team(team_id="north", name="North", rep_ids=("a", "b", "c", "d")),  # (12 + 6 + 0 + 0) / 4 = 4.5
        lb.Team(team_id="south", name="South", rep_ids=("e", "f", "g")),  # (5 + 4 + 0) / 3 = 3
        lb.Team(team_id="east", name="East", rep_ids=("h", "i", "j")),  # 9 / 3 = 3: ties South
        lb.Team(team_id="pair", name="Pair", rep_ids=("k", "l")),  # too small to show
    ]
    scores = {"a": 12, "b": 6, "e": 5, "f": 4, "h": 9, "k": 100}  # c, d, g, i, j, l never answered
    got = lb.rank_teams(teams, scores)
    assert [(t.rank, t.team_id, t.average, t.reps) for t in got] == [
        (1, "north", Fraction(9, 2), 4), (2, "east", Fraction(3), 3), (2, "south", Fraction(3), 3),
    ]  # fmt: skip
    assert lb.average_shown(Fraction(10, 3)) == 3.3


def test_a_rep_sees_the_top_ten_and_their_own_place_beyond_it() -> None:
    # 14 reps scoring 14, 13, ..., 1, and one who has not started.
    field = [lb.Rep(user_id=f"r{n:02}", name=f"Rep {n:02}", score=15 - n) for n in range(1, 15)]
    field.append(lb.Rep(user_id="new", name="New", score=0))
    whole = lb.board(field, [])
    seen = lb.view_for(whole, "r13")
    assert [(r.rank, r.name, r.score) for r in seen.top] == [(n, f"Rep {n:02}", 15 - n) for n in range(1, 11)]
    assert seen.me == lb.Position(rank=13, of=15, score=2)
    assert lb.view_for(whole, "new").me == lb.Position(rank=15, of=15, score=0)
    assert lb.view_for(whole, "a-manager").me is None, "not a rep: no place of their own"


def test_ties_at_the_cut_never_show_more_than_ten_nor_anyone_ranked_below_ten() -> None:
    # Ranks 1..8, then four tied at 9 (rows 9-12), then one at 13.
    scores = [30, 29, 28, 27, 26, 25, 24, 23, 10, 10, 10, 10, 5]
    field = [lb.Rep(user_id=f"u{i:02}", name=f"U{i:02}", score=s) for i, s in enumerate(scores)]
    seen = lb.view_for(lb.board(field, []), "u12")
    assert len(seen.top) == 10 and [r.rank for r in seen.top][-2:] == [9, 9]
    assert [r.name for r in seen.top][-2:] == ["U08", "U09"], "a tie at the cut is cut by name"
    assert seen.me == lb.Position(rank=13, of=13, score=5)
    assert lb.view_for(lb.board(field, []), "u11").me == lb.Position(rank=9, of=13, score=10), "cut off: their rank still says 9th"
    # Rank 11 and below are never in the top even when there is room; a score of 0 is never listed.
    few = lb.board(reps(a=3, b=0, c=0), [])
    assert [r.name for r in lb.view_for(few, "b").top] == ["A"]


def test_the_window_is_the_last_thirty_days_including_today() -> None:
    assert lb.window(DAY) == (DAY - 29, DAY)


# ---- the setting and the pull, on a real database through the real app ------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    path = demo_database(tmp_path / "leader.db")
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as c:
        c.db_path = path  # type: ignore[attr-defined]
        yield c


def _db(client: TestClient) -> sqlite_utils.Database:  # type: ignore[type-arg]
    return sqlite_utils.Database(client.db_path)  # type: ignore[attr-defined]


def uid(client: TestClient, email: str) -> str:  # type: ignore[type-arg]
    db = _db(client)
    try:
        return str(db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0])
    finally:
        db.close()


def crowd(client: TestClient, n: int = 14) -> None:  # type: ignore[type-arg]
    """`n` reps in team `big`, Crowd 01 scoring n*2 down to Crowd n scoring 2, in the aggregates."""
    db = _db(client)
    with db.conn:
        db.execute("INSERT INTO teams (id, name, created_at) VALUES ('big', 'Big team', '2026-11-01T00:00:00Z')")
        for i in range(1, n + 1):
            user = f"crowd-{i:02}"
            db.execute("INSERT INTO users (id, email, name, created_at, updated_at) VALUES (?, ?, ?, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
                       [user, f"{user}@example.com", f"Crowd {i:02}"])  # fmt: skip
            db.execute("INSERT INTO team_members (team_id, user_id, role) VALUES ('big', ?, 'rep')", [user])
            score = (n + 1 - i) * 2
            # Split over two competencies and two days in the window; one day before it (not counted).
            for comp, day, right in (("c1", DAY, score // 2), ("c2", DAY - 29, score - score // 2), ("c1", DAY - 30, 50)):
                db.execute("INSERT INTO retention_days (user_id, competency_id, local_day, n, n_right, guess_ppm) VALUES (?, ?, ?, ?, ?, 0)",
                           [user, comp, day, right + 1, right])  # fmt: skip
    db.close()


def pull(device: Device, client: TestClient, local_day: int = DAY, **extra: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    body = {"protocol": 1, "device_id": device.device_id, "cursors": {}, "local_day": local_day, **extra}
    response = client.post("/sync/pull", json=body, headers=device._auth())
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def settings(client: TestClient, *args: str) -> Any:  # type: ignore[type-arg]
    return run_recap("settings", *args, db_path=client.db_path)  # type: ignore[attr-defined]


def test_off_by_default_the_pull_carries_no_leaderboard(client: TestClient) -> None:  # type: ignore[type-arg]
    crowd(client)
    rep = Device("rep@example.com", client)  # type: ignore[arg-type]
    assert pull(rep, client)["leaderboard"] is None
    shown = settings(client, "show")
    assert "leaderboards\toff" in shown.stdout


def test_the_setting_from_the_command_line_is_checked_and_audited(client: TestClient) -> None:  # type: ignore[type-arg]
    bad = settings(client, "set", "leaderboards", "maybe")
    assert bad.returncode == 1 and "'maybe' is not on or off" in bad.stderr
    person = settings(client, "set", "leaderboards", "on", "--person", "rep@example.com")
    assert person.returncode == 1 and "organisation-wide" in person.stderr
    assert "leaderboards\toff" in settings(client, "show").stdout, "nothing changed"
    on = settings(client, "set", "leaderboards", "on")
    assert on.returncode == 0 and on.stdout.strip() == "leaderboards: off -> on"
    assert settings(client, "set", "leaderboards", "ON").stdout.strip() == "leaderboards: on (no change)"
    assert "leaderboards\ton" in settings(client, "show").stdout
    db = _db(client)
    try:
        audited = db.execute("SELECT detail FROM audit_log WHERE event = 'leaderboards'").fetchall()
    finally:
        db.close()
    assert audited == [("organisation: off -> on",)]


def test_on_a_rep_gets_the_top_ten_their_own_place_and_never_anyone_ranked_below_ten(client: TestClient) -> None:  # type: ignore[type-arg]
    crowd(client)
    assert settings(client, "set", "leaderboards", "on").returncode == 0
    rep = Device("crowd-13@example.com", client)  # type: ignore[arg-type]
    page = pull(rep, client)
    board = page["leaderboard"]
    assert board["as_of"] == "2026-12-01" and board["window_days"] == 30
    # Crowd 01..14 score 28..2; the demo reps (rep, rep2) score 0. 16 reps in all.
    assert board["top"] == [{"rank": i, "name": f"Crowd {i:02}", "score": (15 - i) * 2} for i in range(1, 11)]
    assert board["me"] == {"rank": 13, "of": 16, "score": 4}
    assert "Crowd 11" not in json.dumps(board) and "Crowd 14" not in json.dumps(board)
    # A rep of another team (demo): the whole page holds no one ranked below 10, by name or id.
    outsider = json.dumps(pull(Device("rep@example.com", client), client))  # type: ignore[arg-type]
    assert "Crowd 10" in outsider
    for hidden in ("Crowd 11", "Crowd 12", "Crowd 13", "Crowd 14", "crowd-11", "crowd-12", "crowd-13", "crowd-14"):
        assert hidden not in outsider, f"{hidden} is ranked below 10 and must never reach another rep's device"
    # Teams: big has 14 reps averaging (28 + ... + 2) / 14 = 15; demo's one rep and north's one
    # rep are too few to show an average without showing a person.
    assert board["teams"] == [{"rank": 1, "team_id": "big", "name": "Big team", "average": 15.0, "reps": 14}]
    # A rep who has not started sees their place at the bottom, shared with the other 0.
    assert pull(Device("rep@example.com", client), client)["leaderboard"]["me"] == {"rank": 15, "of": 16, "score": 0}  # type: ignore[arg-type]
    # Someone who is not a rep sees the board without a place.
    assert pull(Device("manager@example.com", client), client)["leaderboard"]["me"] is None  # type: ignore[arg-type]


def test_a_real_answer_moves_the_score_and_off_again_removes_the_board(client: TestClient) -> None:  # type: ignore[type-arg]
    assert settings(client, "set", "leaderboards", "on").returncode == 0
    rep = Device("rep@example.com", client)  # type: ignore[arg-type]
    rep.answer("who-else-is-involved", [1], True, DAY - 2)  # the first answer: not counted yet
    rep.answer("who-else-is-involved", [1], True, DAY)  # a later day, right: one point
    rep.answer("who-else-is-involved", [1], True, DAY)  # the same day again: not counted
    assert rep.push_once().status == 200
    board = pull(rep, client)["leaderboard"]
    assert board["me"] == {"rank": 1, "of": 2, "score": 1}
    assert board["top"] == [{"rank": 1, "name": next(iter(_names(client, "rep@example.com"))), "score": 1}]
    # The window follows the device's local day: 30 days on, the point has left it.
    assert pull(rep, client, DAY + 29)["leaderboard"]["me"]["score"] == 1
    assert pull(rep, client, DAY + 30)["leaderboard"]["me"] == {"rank": 1, "of": 2, "score": 0}
    assert pull(rep, client, DAY + 30)["leaderboard"]["top"] == []
    assert settings(client, "set", "leaderboards", "off").returncode == 0
    assert pull(rep, client)["leaderboard"] is None


def _names(client: TestClient, email: str) -> list[str]:  # type: ignore[type-arg]
    db = _db(client)
    try:
        return [r[0] for r in db.execute("SELECT name FROM users WHERE email = ?", [email])]
    finally:
        db.close()


def test_the_leaderboard_is_only_on_the_last_page(client: TestClient) -> None:  # type: ignore[type-arg]
    assert settings(client, "set", "leaderboards", "on").returncode == 0
    rep = Device("rep@example.com", client)  # type: ignore[arg-type]
    rep.answer("who-else-is-involved", [1], True, DAY - 2)
    rep.answer("who-else-is-involved", [1], True, DAY)
    assert rep.push_once().status == 200
    first = pull(rep, client, limit=1)
    assert first["has_more"] is True and first["leaderboard"] is None
    last = pull(rep, client, cursors=first["cursors"])
    assert last["has_more"] is False and last["leaderboard"] is not None


def test_the_admin_form_turns_leaderboards_on_and_off_with_its_token(tmp_path: Path) -> None:
    from tests.test_admin import form_token, signed_in

    path = tmp_path / "admin.db"
    db = connect(path)
    migrations.apply(db)
    db.close()
    assert run_recap("users", "import", str(DEMO_ACCOUNTS), db_path=path).returncode == 0
    admin = signed_in(path, "admin@example.com")
    try:
        page = admin.get("/admin").text
        assert 'action="/admin/settings/leaderboards"' in page and 'value="off" checked' in page
        token = form_token(page)
        forged = admin.post("/admin/settings/leaderboards", data={"leaderboards": "on", "csrf_token": "x" * 40}, follow_redirects=False)
        assert forged.status_code == 403
        bad = admin.post("/admin/settings/leaderboards", data={"leaderboards": "sometimes", "csrf_token": token})
        assert bad.status_code == 400 and "is not on or off" in bad.text
        assert "leaderboards\toff" in run_recap("settings", "show", db_path=path).stdout
        done = admin.post("/admin/settings/leaderboards", data={"leaderboards": "on", "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and "Leaderboards+on" in done.headers["location"]
        assert 'value="on" checked' in admin.get("/admin").text
        assert "leaderboards\ton" in run_recap("settings", "show", db_path=path).stdout
    finally:
        admin.__exit__(None, None, None)


def test_the_ranking_is_kept_for_thirty_seconds_and_then_computed_again(client: TestClient) -> None:  # type: ignore[type-arg]
    from server.leaderboards import view

    assert settings(client, "set", "leaderboards", "on").returncode == 0
    rep = Device("rep@example.com", client)  # type: ignore[arg-type]
    rep.answer("who-else-is-involved", [1], True, DAY - 2)
    assert rep.push_once().status == 200
    assert pull(rep, client)["leaderboard"]["me"]["score"] == 0
    rep.answer("who-else-is-involved", [1], True, DAY)
    assert rep.push_once().status == 200
    assert pull(rep, client)["leaderboard"]["me"]["score"] == 0, "the kept ranking (at most MAX_AGE_SECONDS old)"
    view.forget_kept()  # as when it has expired
    assert pull(rep, client)["leaderboard"]["me"]["score"] == 1


def test_many_local_days_keep_no_more_than_a_few_rankings(client: TestClient) -> None:  # type: ignore[type-arg]
    from server.leaderboards import view

    assert settings(client, "set", "leaderboards", "on").returncode == 0
    rep = Device("rep@example.com", client)  # type: ignore[arg-type]
    for day in range(DAY, DAY + 3 * view.MAX_KEPT):
        assert pull(rep, client, day)["leaderboard"]["as_of"] is not None
    assert len(view._boards) <= view.MAX_KEPT
    assert pull(rep, client, 200_000)["leaderboard"]["as_of"] == "2517-08-01", "the largest local day the protocol accepts"

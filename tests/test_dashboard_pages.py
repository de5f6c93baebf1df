"""Every figure on the dashboards against a hand-computed fixture: a real SQLite file with known
answers, the real app, the pages as HTML and as CSV (docs/measures.md has the definitions)."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from tests.support.dashboards import build
from tests.support.paths import ROOT

TODAY = datetime.datetime(2026, 2, 16, 12, 0, tzinfo=datetime.UTC)  # local day 20500 = BASE_DAY


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:  # type: ignore[type-arg]
    path = tmp_path / "dash.db"
    ids = build(path)
    app = create_app(Settings(db_path=path, dev_auth=True, pwa_dist=ROOT / "pwa" / "dist"), clock=lambda: TODAY)
    with TestClient(app) as client:
        yield client, ids


def as_(email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:{email}"}


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_team_heatmap_by_hand(env: tuple[TestClient, dict[str, str]]) -> None:  # type: ignore[type-arg]
    client, ids = env
    page = client.get("/dashboards/teams/demo/heatmap", headers=as_("manager@example.com"))
    assert page.status_code == 200
    # Robin, discovery: 24 counted answers in the window (days 20471–20494; 20460 is a first
    # sight, 20465 is outside the window, the second answer of day 20471 is not a first), 20 right,
    # guessing 1/3 each. p = 20/24 = 0.833333; retention = (0.833333 − 0.333333)/0.666667 = 0.75.
    # Wilson: z²/n = 0.160061, centre = (0.833333 + 0.080030)/1.160061 = 0.787342,
    # half = 1.689535 × √(0.0057870 + 0.0016673) = 0.145872 → (0.641470, 0.933214)
    # → corrected (0.462204, 0.899820): "75 % (46–90 %)", n = 24.
    assert "75 % (46–90 %)<br><small>n = 24</small>" in page.text
    # Robin, closing: day 20490 is the first sight; 20495 (right) and 20500 (wrong) count: n = 2, greyed.
    # Sam, discovery: 6 counted, greyed; closing: none.
    assert (
        page.text.count('class="muted-cell">n = 2<br><small>too few answers (under 20)</small>') == 2
    )  # Robin, and the team row
    assert 'class="muted-cell">n = 6<br><small>too few answers (under 20)</small>' in page.text
    # Whole team, discovery: 24 + 6 = 30 counted, 20 + 3 = 23 right, guessing 1/3.
    # p = 0.766667 → (0.766667 − 0.333333)/0.666667 = 0.65; Wilson (0.590717, 0.882076)
    # → corrected (0.386075, 0.823114): "65 % (39–82 %)", n = 30.
    assert "65 % (39–82 %)<br><small>n = 30</small>" in page.text
    assert '<th scope="row"><a href="/dashboards/reps/' + ids["rep@example.com"] + '">Robin Rep</a></th>' in page.text
    assert "Riley" not in page.text  # another team's rep
    rows = csv_rows(client.get("/dashboards/teams/demo/heatmap?format=csv", headers=as_("manager@example.com")))
    header = [
        "Rep",
        "closing retention",
        "closing low",
        "closing high",
        "closing n",
        "discovery retention",
        "discovery low",
        "discovery high",
        "discovery n",
    ]
    assert rows[0] == header
    assert rows[1:] == [
        ["rep@example.com", "0.0", "0.0", "0.811", "2", "0.75", "0.462", "0.9", "24"],
        ["sam@example.com", "", "", "", "0", "0.25", "0.0", "0.719", "6"],
        ["Whole team", "0.0", "0.0", "0.811", "2", "0.65", "0.386", "0.823", "30"],
    ]
    # Closing, n = 2, 1 right, guessing 1/2: p = 0.5 → (0.5 − 0.5)/0.5 = 0. Wilson(1, 2):
    # z²/n = 1.920729, centre 0.5, half = 1.959964/2.920729 × √(0.125 + 3.841459/16) = 0.405469
    # → (0.094531, 0.905469) → corrected (0, (0.905469 − 0.5)/0.5 = 0.810938).


def test_the_chart_data_island_holds_the_table_figures(env: tuple[TestClient, dict[str, str]]) -> None:  # type: ignore[type-arg]
    client, _ = env
    page = client.get("/dashboards/teams/demo/heatmap", headers=as_("coach@example.com")).text
    island = page.split('<script type="application/json" id="heatmap-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(island)
    cells = {(c["row"], c["column"]): (c["value"], c["n"]) for c in data["cells"]}
    assert cells[("Robin Rep", "Discovery")] == (0.75, 24)
    assert cells[("Whole team", "Discovery")] == (0.65, 30)
    assert cells[("Sam Rep", "Discovery")] == (None, 6)  # too few: the chart greys it too


def test_hr_sees_teams_by_competencies(env: tuple[TestClient, dict[str, str]]) -> None:  # type: ignore[type-arg]
    client, _ = env
    rows = csv_rows(client.get("/dashboards/teams?format=csv", headers=as_("admin@example.com")))
    # demo pools Robin and Sam (as the team row above); north: Riley's pick-two, first sight on
    # day 20480, then 10 counted right answers (20490–20499): n = 10, greyed on the page.
    # p = 1 → (1 − 1/3)/(2/3) = 1; Wilson(10, 10) = (0.722467, 1) → (0.583701, 1).
    assert rows[1:] == [
        ["demo", "0.0", "0.0", "0.811", "2", "0.65", "0.386", "0.823", "30"],
        ["north", "", "", "", "0", "1.0", "0.584", "1.0", "10"],
    ]
    page = client.get("/dashboards/teams", headers=as_("admin@example.com")).text
    assert "65 % (39–82 %)" in page and 'class="muted-cell">n = 10<br>' in page
    assert client.get("/dashboards/teams", headers=as_("manager@example.com")).status_code == 403


def test_the_forecast_is_labelled_an_estimate(env: tuple[TestClient, dict[str, str]]) -> None:  # type: ignore[type-arg]
    client, _ = env
    page = client.get("/dashboards/teams/demo/heatmap?view=forecast", headers=as_("manager@example.com"))
    assert page.status_code == 200
    assert "model estimate, not measured" in page.text and "Show measured retention" in page.text
    assert "heatmap-data" not in page.text  # no chart of estimates beside measurements
    assert (
        client.get("/dashboards/teams/demo/heatmap?view=guess", headers=as_("manager@example.com")).status_code == 400
    )


def test_the_rep_drill_down_by_hand(env: tuple[TestClient, dict[str, str]]) -> None:  # type: ignore[type-arg]
    client, ids = env
    url = f"/dashboards/reps/{ids['rep@example.com']}"
    gain = csv_rows(client.get(url + "?table=gain&format=csv", headers=as_("coach@example.com")))
    # Discovery (who-else): 27 answers, 21 right (20460, 20471–20490); first right, latest
    # (20494) wrong: initial 1, current 0, final 0 (no campaign end), average 21/27 = 0.778, gain −1.
    # Closing (next-step): 3 answers, 1 right; first (20490) and latest (20500) wrong: 0, 0, 1/3.
    assert gain[0][:8] == [
        "Competency",
        "Questions",
        "Answers",
        "Initial",
        "Current",
        "Final",
        "Average",
        "Gain (current − initial)",
    ]
    assert gain[1:] == [
        ["closing", "1", "3", "0.0", "0.0", "0.0", "0.333", "0.0", "0.0", "0.0", "0.811", "2"],
        ["discovery", "1", "27", "1.0", "0.0", "0.0", "0.778", "-1.0", "0.75", "0.462", "0.9", "24"],
    ]
    weeks = csv_rows(client.get(url + "?table=weeks&format=csv", headers=as_("manager@example.com")))
    # Weeks start on Mondays. Day 20465 is Mon 2026-01-12, 20471 Sun 2026-01-18: that week counts
    # 20465 (wrong) and 20471 (its 09:00 answer, right): n = 2, 1 right, guessing 1/3:
    # p = 0.5 → (0.5 − 1/3)/(2/3) = 0.25; Wilson(1, 2) = (0.094531, 0.905469) → (0, 0.858204).
    # Week of 2026-02-09 (20493–20499): 20493, 20494 wrong (discovery); 20495 right (closing).
    by_week = {r[0]: r for r in weeks[1:]}
    assert next(iter(by_week)) == "2026-01-12" and "2026-01-05" not in by_week  # 20460 is a first sight
    assert by_week["2026-01-12"][5:] == ["0.25", "0.0", "0.858", "2"]
    assert by_week["2026-02-09"][1:] == ["1.0", "0.0", "1.0", "1", "0.0", "0.0", "0.486", "2"]
    # ... closing: 1 of 1 right, guessing 1/2: (1 − 0.5)/0.5 = 1; Wilson(1, 1) = (0.206549, 1)
    # → (0, 1). Discovery: 0 of 2, guessing 1/3: 0; Wilson(0, 2) = (0, 0.657620) → (0, 0.486430).
    page = client.get(url, headers=as_("manager@example.com")).text
    assert "Ask who else decides" in page and "asks-who: 2; discovery-rubric:listens: 3" not in page
    assert "2.5 of 4 (2 ratings)" in page and "Casey Coach" in page
    obs = csv_rows(client.get(url + "?table=observations&format=csv", headers=as_("manager@example.com")))
    assert obs[1] == [
        "2026-02-02",
        "Casey Coach",
        "discovery",
        "asks-who: 2; listens: 3",
        "2.5",
        "Ask who else decides",
        "yes",
    ]


def test_bad_requests_get_clear_answers(env: tuple[TestClient, dict[str, str]]) -> None:  # type: ignore[type-arg]
    client, ids = env
    admin = as_("admin@example.com")
    assert client.get("/dashboards/teams/nowhere/heatmap", headers=admin).status_code == 404
    assert client.get("/dashboards/reps/nobody", headers=admin).status_code == 404
    bad_table = client.get(f"/dashboards/reps/{ids['rep@example.com']}?table=secrets&format=csv", headers=admin)
    assert bad_table.status_code == 400 and "table must be one of" in bad_table.text
    assert client.get("/dashboards/teams?format=pdf", headers=admin).status_code == 400
    # A manager asking about a rep of another team, or another team: 403, whatever the format.
    manager = as_("manager@example.com")
    assert client.get(f"/dashboards/reps/{ids['rep2@example.com']}?format=csv", headers=manager).status_code == 403
    assert client.get("/dashboards/teams/north/heatmap?format=csv", headers=manager).status_code == 403

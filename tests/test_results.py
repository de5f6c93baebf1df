"""Commercial results: the CSV import, proficiency beside results, the rank correlation."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.db import connect
from server.results.csv_import import parse_results_csv
from server.results.periods import BadPeriod, bounds, parse_period, sort_key
from server.results.proficiency import of_reps, pooled
from server.results.stats import mean_difference_bootstrap, ranks, spearman, spearman_bootstrap
from server.settings import Settings
from tests.support.paths import ROOT
from tests.support.results import OCTOBER_1, results_database
from tests.support.server import run_recap


def as_(email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:{email}"}


# --- the file -----------------------------------------------------------------------------------


def test_a_spreadsheet_export_with_bom_crlf_quotes_and_blank_lines_reads() -> None:
    data = '\ufeffEmail,Period,win_rate,"revenue"\r\n"rep@example.com",2026-q4,0.42,"125000.50"\r\n,,,\r\nRep2@Example.com,2026-11,,-3\r\n'.encode()
    parsed = parse_results_csv("r.csv", data)
    assert parsed.problems == [] and parsed.metrics == ["win_rate", "revenue"]
    assert [(r.line, r.email, r.period, r.values) for r in parsed.rows] == [
        (2, "rep@example.com", "2026-Q4", {"win_rate": 0.42, "revenue": 125000.5}),
        (4, "rep2@example.com", "2026-11", {"revenue": -3.0}),  # an empty cell is a missing value
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"email,period,win_rate\nrep@example.com,2026-Q5,0.1\n", ["r.csv:2: period '2026-Q5' is not a quarter or a month: write a quarter as 2026-Q4 or a month as 2026-11"]),
        (b"email,period,win_rate\nrep@example.com,2026-13,0.1\n", ["r.csv:2: period '2026-13' has no month 13: write a quarter as 2026-Q4 or a month as 2026-11"]),
        (b"email,period,win_rate\nrep@example.com,2026-Q4,\"4,5\"\n", ["r.csv:2: win_rate: '4,5' uses a decimal comma: write 4.5"]),
        (b"email,period,win_rate\nrep@example.com,2026-Q4,45%\n", ["r.csv:2: win_rate: '45%' is a percentage: write it as a fraction (0.45) or a number without %"]),
        (b"email,period,win_rate\nrep@example.com,2026-Q4,n/a\nnot-an-email,2026-Q4,1\n", [
            "r.csv:2: win_rate: 'n/a' is not a number: use digits with a decimal point, e.g. 0.42 or 125000",
            "r.csv:3: 'not-an-email' is not an email address",
        ]),
        (b"email,period,win_rate\nrep@example.com,2026-Q4,1,2\n", ["r.csv:2: 4 fields, but the header has 3"]),
        (b"email,period,win_rate\nrep@example.com,2026-Q4,0.1\nREP@example.com,2026-q4,0.2\n", ["r.csv:3: rep@example.com has a row for 2026-Q4 already, on line 2"]),
        (b"email,period,win_rate\nrep@example.com,2026-Q4,1e400\n", ["r.csv:2: win_rate: '1e400' is not a number: use digits with a decimal point, e.g. 0.42 or 125000"]),
    ],
)  # fmt: skip
def test_every_bad_row_is_reported_with_its_file_and_line(data: bytes, expected: list[str]) -> None:
    parsed = parse_results_csv("r.csv", data)
    assert not parsed.fatal
    got = [str(p) for p in parsed.problems]
    assert [g.split(" is not an email")[0] for g in got] == [e.split(" is not an email")[0] for e in expected]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "r.csv: the file is empty: the first line must be the header email,period,<metric>,\u2026"),
        (b"email;period;win_rate\n", "r.csv:1: the columns are separated by ';': save the file with commas between columns"),
        (b"email,win_rate\n", "r.csv:1: missing column(s): period (the header must name email, period and at least one metric)"),
        (b"email,period\n", "r.csv:1: no metric column: add one or more, e.g. email,period,win_rate,margin"),
        (b"email,period,Win Rate\n", "r.csv:1: column 'Win Rate' is not a metric name: use lower-case letters, digits and _ (starting with a letter, at most 40), e.g. win_rate"),
        (b"email,period,x,x\n", "r.csv:1: column 'x' appears twice"),
        (b"email,period,x\nr\xe9p@example.com,2026-Q4,1\n", "r.csv:2: not UTF-8 (byte 0xe9): save the file as 'CSV UTF-8'"),
        (b'email,period,x\n"rep@example.com,2026-Q4,1\n', "r.csv:2: not valid CSV: unexpected end of data"),
    ],
)  # fmt: skip
def test_an_unreadable_file_is_refused_as_a_whole(data: bytes, expected: str) -> None:
    parsed = parse_results_csv("r.csv", data)
    assert parsed.fatal and parsed.rows == []
    assert str(parsed.problems[0]) == expected


def test_oversized_files_are_refused_by_rows_and_by_bytes() -> None:
    rows = b"email,period,x\n" + b"".join(b"r%d@example.com,2026-Q4,1\n" % i for i in range(11))
    parsed = parse_results_csv("r.csv", rows, max_rows=10)
    assert parsed.fatal and [str(p) for p in parsed.problems] == ["r.csv:12: more than 10 rows: split the file into several files"]
    parsed = parse_results_csv("r.csv", rows, max_bytes=100)
    assert parsed.fatal and "larger than 100 bytes" in str(parsed.problems[0])


def test_periods_are_quarters_or_months_in_time_order() -> None:
    assert parse_period(" 2026-q4 ") == "2026-Q4" and parse_period("2026-01") == "2026-01"
    for bad in ("2026", "Q4-2026", "2026-1", "1999-Q1", "2026/11", ""):
        with pytest.raises(BadPeriod):
            parse_period(bad)
    assert [str(d) for d in bounds("2026-Q4")] == ["2026-10-01", "2026-12-31"]
    assert [str(d) for d in bounds("2024-02")] == ["2024-02-01", "2024-02-29"]
    assert sorted(["2026-11", "2026-Q4", "2025-Q1", "2026-10"], key=sort_key) == ["2025-Q1", "2026-Q4", "2026-10", "2026-11"]


# --- the command --------------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return results_database(tmp_path)


def _stored(db_path: Path) -> list[tuple[str, str, str, float]]:
    db = connect(db_path)
    try:
        return [
            tuple(r)  # type: ignore[misc]
            for r in db.execute(
                "SELECT u.email, r.period, r.metric, r.value FROM results r JOIN users u ON u.id = r.user_id ORDER BY 1, 2, 3"
            )
        ]
    finally:
        db.close()


def test_an_import_is_all_or_nothing_names_unknown_people_and_is_idempotent(db_path: Path, tmp_path: Path) -> None:
    before = _stored(db_path)
    assert ("rep2@example.com", "2026-Q4", "margin", 12.0) in before and len(before) == 8
    again = run_recap("results", "import", str(tmp_path / "results.csv"), db_path=db_path)
    assert again.returncode == 0 and again.stdout.strip() == "no changes (8 values unchanged)"

    bad = tmp_path / "bad.csv"
    # Out of order periods are fine; an unknown address and a bad value are not.
    bad.write_text("email,period,win_rate\nrep@example.com,2027-01,0.5\nghost@example.com,2026-Q4,0.2\nrep@example.com,2026-11,0.3\nr1@example.com,2026-12,x\n")
    refused = run_recap("results", "import", str(bad), db_path=db_path)
    assert refused.returncode == 1
    assert refused.stdout.splitlines() == [
        f"{bad}:3: no one has the address ghost@example.com: add them first (recap users import)",
        f"{bad}:5: win_rate: 'x' is not a number: use digits with a decimal point, e.g. 0.42 or 125000",
    ]
    assert "nothing was imported: 2 problem(s)" in refused.stderr
    assert _stored(db_path) == before

    partial = run_recap("results", "import", "--partial", str(bad), db_path=db_path)
    assert partial.returncode == 1 and "imported: 2 new, 0 changed, 0 unchanged values; 2 bad row(s) skipped" in partial.stderr
    after = _stored(db_path)
    assert ("rep@example.com", "2026-11", "win_rate", 0.3) in after and ("rep@example.com", "2027-01", "win_rate", 0.5) in after

    changed = tmp_path / "changed.csv"
    changed.write_bytes(b"\xef\xbb\xbfemail,period,win_rate,margin\r\nrep@example.com,2026-Q4,0.15,\r\n")
    result = run_recap("results", "import", str(changed), db_path=db_path)
    assert result.returncode == 0 and result.stdout.strip() == "imported: 0 new, 1 changed, 0 unchanged values"
    assert ("rep@example.com", "2026-Q4", "win_rate", 0.15) in _stored(db_path)
    assert ("rep@example.com", "2026-Q4", "margin", 12.0) not in _stored(db_path)  # an empty cell added nothing


def test_a_file_over_the_size_limit_is_refused_by_the_command(db_path: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.write(b"email,period,x\n")
        line = b"rep@example.com,2026-Q4,1" + b"0" * 200 + b"\n"
        f.write(line * (10 * 1024 * 1024 // len(line) + 1))
    result = run_recap("results", "import", str(big), db_path=db_path)
    assert result.returncode == 1 and "the file is larger than 10 MiB" in result.stdout
    assert "nothing was imported" in result.stderr


def test_results_are_exported_and_erased_with_their_person(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep.json"
    assert run_recap("users", "export", "rep@example.com", "--out", str(out), db_path=db_path).returncode == 0
    exported = json.loads(out.read_text())["tables"]["results"]
    assert [(r["period"], r["metric"], r["value"]) for r in exported] == [("2026-Q4", "win_rate", 0.1)]
    erased = run_recap("users", "erase", "rep@example.com", "--yes", db_path=db_path)
    assert erased.returncode == 0 and "1 results" in erased.stdout
    assert not any(row[0] == "rep@example.com" for row in _stored(db_path))
    db = connect(db_path)
    assert db.execute("SELECT count(*) FROM results").fetchone()[0] == 7
    db.close()


# --- the measures -------------------------------------------------------------------------------


def test_spearman_matches_a_hand_computed_case() -> None:
    # Ranks 1..5 against 2,1,4,3,5: d = -1,1,-1,1,0, sum d² = 4, rho = 1 - 6·4/(5·24) = 0.8.
    assert spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50]) == pytest.approx(0.8)
    assert ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    # With ties: Pearson of the ranks [1,2.5,2.5,4] and [1,2,3,4] = 4.5/sqrt(4.5·5) = 0.948683.
    assert spearman([10, 20, 20, 30], [1, 2, 3, 4]) == pytest.approx(0.9486833)
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_the_bootstrap_interval_is_seeded_holds_rho_and_narrows_with_more_reps() -> None:
    x = [0.1, 0.3, 0.2, 0.5, 0.4, 0.7, 0.6, 0.9, 0.8, 1.0]
    y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    first, second = spearman_bootstrap(x, y), spearman_bootstrap(x, y)
    assert first == second and first.n == 10 and first.resamples > 1_900
    assert first.low is not None and first.high is not None
    assert first.low < first.rho < first.high <= 1.0  # type: ignore[operator]
    wide = spearman_bootstrap(x[:5], y[:5])
    assert wide.high - wide.low > first.high - first.low  # type: ignore[operator]
    assert spearman_bootstrap(x[:4], y[:4]).low is None  # fewer than 5 pairs: no interval


def test_proficiency_in_a_period_is_the_retention_measure_of_its_days(tmp_path: Path) -> None:
    path = results_database(tmp_path)
    db = connect(path)
    five = str(db.execute("SELECT id FROM users WHERE email = 'r5@example.com'").fetchone()[0])
    counts = of_reps(db, [five], *bounds("2026-Q4"))
    january = of_reps(db, [five], *bounds("2027-01"))
    db.close()
    assert counts == {five: (24, 24, 24 * 333_333)}  # October's firsts of days; not January's
    assert january == {five: (3, 0, 3 * 333_333)}
    assert pooled([counts[five], january[five]]).n == 27


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(Settings(db_path=db_path, dev_auth=True, pwa_dist=ROOT / "pwa" / "dist"))) as c:
        yield c


def test_the_page_sets_proficiency_beside_results_with_hand_computed_figures(client: TestClient) -> None:  # type: ignore[type-arg]
    page = client.get("/dashboards/results", headers=as_("manager@example.com"))
    assert page.status_code == 200
    text = page.text
    # Rep Four: 20 of 24 right on a 3-option question: p = 0.8333, (p - 1/3)/(2/3) = 0.75; Wilson
    # 95 % for 20/24 is 0.6415 to 0.9332, corrected 0.462 to 0.900.
    assert "75 % (46 % to 90 %, n=24)" in text
    # Robin Rep: 8 of 24: p = 1/3, exactly guessing: 0 %. Rep Five: 24 of 24 in the quarter (the
    # wrong answers of January are another period).
    assert "0 % (" in text and "100 % (" in text
    # Ranks of proficiency 1..6 against win rate ranks 1,3,2,4,5,6: sum d² = 2, rho = 1 - 12/210 = 0.943.
    assert "+0.94" in text and "Correlation is not causation" in text
    assert "Riley Rep" not in text  # team north is not the manager's
    assert '<script type="application/json" id="scatter-' in text and 'data-chart="scatter"' in text
    # The team row pools 144 answers, 94 right: p = 0.6528, (p - 1/3)/(2/3) = 0.479; Wilson
    # 0.5717 to 0.7258, corrected 0.358 to 0.589.
    assert "48 % (36 % to 59 %, n=144)" in text


def test_the_reps_table_downloads_as_csv(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/dashboards/results?period=2026-Q4&format=csv", headers=as_("manager@example.com"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Rep", "Teams", "proficiency", "low", "high", "answers", "win_rate"]
    four = next(r for r in rows if r[0] == "r4@example.com")
    assert float(four[2]) == pytest.approx(0.75) and four[5] == "24" and four[6] == "0.5"
    assert len(rows) == 7


def test_who_may_see_which_results(client: TestClient) -> None:  # type: ignore[type-arg]
    assert 'href="/dashboards/results"' in client.get("/dashboards", headers=as_("manager@example.com")).text
    assert 'href="/dashboards/results"' not in client.get("/dashboards", headers=as_("coach@example.com")).text
    admin = client.get("/dashboards/results", headers=as_("admin@example.com")).text
    assert "Riley Rep" in admin and "Robin Rep" in admin
    for who in ("rep@example.com", "coach@example.com", "editor@example.com"):
        assert client.get("/dashboards/results", headers=as_(who)).status_code == 403
    assert client.get("/dashboards/teams/demo/results", headers=as_("manager@example.com")).status_code == 200
    assert client.get("/dashboards/teams/north/results", headers=as_("manager@example.com")).status_code == 403
    assert client.get("/dashboards/teams/nowhere/results", headers=as_("manager@example.com")).status_code == 403
    assert client.get("/dashboards/teams/demo/results", headers=as_("coach@example.com")).status_code == 403
    assert client.get("/dashboards/teams/north/results", headers=as_("admin@example.com")).status_code == 200
    assert client.get("/dashboards/results?period=2026-Q9", headers=as_("admin@example.com")).status_code == 400
    anonymous = client.get("/dashboards/results", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].endswith("#/sign-in")


def test_the_holdout_comparison_sets_started_teams_against_teams_not_started(db_path: Path, tmp_path: Path) -> None:
    for email, name in (("n1@example.com", "North One"), ("n2@example.com", "North Two")):
        added = run_recap("users", "add", email, "--name", name, "--role", "rep", "--team", "north:rep", db_path=db_path)
        assert added.returncode == 0, added.stderr
    more = tmp_path / "north.csv"
    more.write_text("email,period,win_rate\nn1@example.com,2026-Q4,0.2\nn2@example.com,2026-Q4,0.4\n")
    assert run_recap("results", "import", str(more), db_path=db_path).returncode == 0
    db = connect(db_path)
    with db.conn:  # team demo's reps started campaign c1 ten days before the quarter; north never did
        for (user_id,) in db.execute("SELECT user_id FROM team_members WHERE team_id = 'demo' AND role = 'rep'").fetchall():
            db.execute(
                "INSERT INTO enrollments (user_id, campaign_id, enrolled_day, start_day, enrolled_at) VALUES (?, 'c1', ?, ?, '2026-09-21')",
                [user_id, OCTOBER_1 - 10, OCTOBER_1 - 10],
            )
    db.close()
    with TestClient(create_app(Settings(db_path=db_path, dev_auth=True, pwa_dist=ROOT / "pwa" / "dist"))) as client:
        text = client.get("/dashboards/results?period=2026-Q4&campaign=c1", headers=as_("admin@example.com")).text
        # demo: win rates 0.1, 0.3, 0.2, 0.4, 0.5, 0.6, mean 0.35; north: 0.9, 0.2, 0.4, mean 0.5.
        assert "0.35 (n=6)" in text and "0.5 (n=3)" in text and "-0.15 (" in text
        assert "Teams were not assigned at random" in text
        assert "<h2>Holdout comparison</h2>" not in client.get("/dashboards/results?period=2026-Q4", headers=as_("admin@example.com")).text


def test_a_difference_of_means_has_a_seeded_bootstrap_interval() -> None:
    d = mean_difference_bootstrap([1, 2, 3], [0, 0, 0])
    assert d.difference == 2 and d.low is not None and d.high is not None
    assert 1 <= d.low < 2 < d.high <= 3 and d == mean_difference_bootstrap([1, 2, 3], [0, 0, 0])
    assert not mean_difference_bootstrap([1, 2], [0, 0, 0]).enough

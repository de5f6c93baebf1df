"""The dashboards' shell: the page index per role, tables as HTML and as CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.dashboards.tables import Cell, Column, Row, Table
from server.db import connect
from server.settings import Settings
from tests.support.paths import ROOT
from tests.support.server import run_recap


def as_(email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:{email}"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    path = tmp_path / "dash.db"
    db = connect(path)
    migrations.apply(db)
    db.close()
    result = run_recap("users", "import", str(ROOT / "server" / "demo" / "accounts.csv"), db_path=path)
    assert result.returncode == 0, result.stdout + result.stderr
    with TestClient(create_app(Settings(db_path=path, dev_auth=True, pwa_dist=ROOT / "pwa" / "dist"))) as c:
        yield c


def test_a_table_downloads_as_csv_quoted_and_safe_from_formulas() -> None:
    table = Table(
        caption="c", row_label="Rep", name="x",
        columns=[Column(label="Retention", csv_labels=("retention", "n"))],
        rows=[
            Row(header=Cell(text='Ann "A", B'), cells=[Cell(text="50 %", csv=(0.5, 20))]),
            Row(header=Cell(text="=HYPERLINK(1)"), cells=[Cell(text="–", csv=(None, 3))]),
        ],
    )  # fmt: skip
    assert table.csv_text() == 'Rep,retention,n\r\n"Ann ""A"", B",0.5,20\r\n\'=HYPERLINK(1),,3\r\n'
    with pytest.raises(ValueError, match="2 CSV values for 1 columns"):
        Table(
            caption="c",
            row_label="r",
            columns=[Column(label="a")],
            rows=[Row(header=Cell(text="r"), cells=[Cell(text="t", csv=(1, 2))])],
        ).csv_text()


def test_the_index_lists_the_teams_each_person_leads(client: TestClient) -> None:  # type: ignore[type-arg]
    manager = client.get("/dashboards", headers=as_("manager@example.com"))
    assert manager.status_code == 200
    assert "/dashboards/teams/demo/heatmap" in manager.text and "/dashboards/teams/north/heatmap" not in manager.text
    assert "All teams × competencies" not in manager.text
    admin = client.get("/dashboards", headers=as_("admin@example.com"))
    assert "/dashboards/teams/demo/heatmap" in admin.text and "/dashboards/teams/north/heatmap" in admin.text
    assert '/dashboards/teams"' in admin.text
    assert client.get("/dashboards", headers=as_("rep@example.com")).status_code == 403
    anonymous = client.get("/dashboards", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].endswith("#/sign-in")


def test_the_page_loads_the_chart_bundle_and_print_styles(client: TestClient) -> None:  # type: ignore[type-arg]
    page = client.get("/dashboards", headers=as_("admin@example.com")).text
    assert '<script type="module" src="/assets/dashboard-' in page
    assert 'href="/static/dashboards-print.css" media="print"' in page
    assert '<th scope="col">Team</th>' in page and '<th scope="row">demo</th>' in page
    assert client.get("/static/dashboards-print.css").status_code == 200


def test_the_index_downloads_as_csv(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/dashboards?format=csv", headers=as_("admin@example.com"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="dashboards.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Team", "Your role", "Heatmap", "Adoption", "Coaching", "Content quality"],
        ["demo", "admin", *(f"/dashboards/teams/demo/{p}" for p in ("heatmap", "adoption", "coaching", "content-quality"))],
        ["north", "admin", *(f"/dashboards/teams/north/{p}" for p in ("heatmap", "adoption", "coaching", "content-quality"))],
    ]
    assert client.get("/dashboards?format=xml", headers=as_("admin@example.com")).status_code == 400

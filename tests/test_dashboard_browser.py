"""The dashboards in a real browser against a real server: tables readable by a screen reader
(axe), the chart drawn beside its table under the strict Content-Security-Policy."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.dashboards.views import day_of
from tests.support.dashboards import build
from tests.support.server import LiveServer
from tests.test_pwa_a11y import blocking_violations


@pytest.fixture
def dash_server(tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    path = tmp_path / "live" / "recap.db"
    path.parent.mkdir(parents=True)
    ids = build(path, today=day_of(datetime.datetime.now(datetime.UTC)))
    server = LiveServer(path, env={"RECAP_DEV_AUTH": "1"})
    yield server, ids
    server.stop()


def _open(browser: Any, url: str, email: str, bypass_csp: bool) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(extra_http_headers={"Authorization": f"Bearer dev:{email}"}, bypass_csp=bypass_csp)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    return context, page, problems


def test_the_heatmap_draws_its_chart_under_the_csp(
    dash_server: tuple[LiveServer, dict[str, str]], browser: Any
) -> None:
    server, _ = dash_server
    context, page, problems = _open(
        browser, server.url + "/dashboards/teams/demo/heatmap", "manager@example.com", bypass_csp=False
    )
    try:
        page.wait_for_selector("figure.chart svg", timeout=10_000)
        assert page.locator("table caption").first.inner_text().startswith("Retention, demo")
        assert page.locator("figure.chart > [aria-hidden='true'] svg").count() >= 1  # Plot's figure: legend and plot
        assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    finally:
        context.close()


@pytest.mark.parametrize("which", ["heatmap", "teams", "rep"])
def test_the_dashboards_have_no_serious_accessibility_violations(
    dash_server: tuple[LiveServer, dict[str, str]], browser: Any, which: str
) -> None:
    server, ids = dash_server
    path = {
        "heatmap": "/dashboards/teams/demo/heatmap",
        "teams": "/dashboards/teams",
        "rep": f"/dashboards/reps/{ids['rep@example.com']}",
    }[which]
    context, page, _ = _open(browser, server.url + path, "admin@example.com", bypass_csp=True)
    try:
        page.wait_for_selector("figure.chart svg", timeout=10_000)
        assert blocking_violations(page, path) == []
        # Every data cell is reachable from its row and column headers.
        assert page.locator("th[scope='col']").count() >= 3 and page.locator("th[scope='row']").count() >= 2
    finally:
        context.close()

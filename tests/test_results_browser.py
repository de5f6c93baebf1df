"""The results page in a real browser: the scatter drawn under the strict CSP, and no serious
accessibility violation (axe)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.results import results_database
from tests.support.server import LiveServer
from tests.test_pwa_a11y import blocking_violations

MANAGER = {"Authorization": "Bearer dev:manager@example.com"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(results_database(tmp_path), env={"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"})
    try:
        yield live
    finally:
        live.stop()


def test_the_scatter_is_drawn_under_the_csp_beside_its_table(server: LiveServer, browser: Any) -> None:
    context = browser.new_context(extra_http_headers=MANAGER)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.url + "/dashboards/results")
    page.wait_for_selector("figure[data-chart=scatter] svg", timeout=10_000)
    assert page.locator("figure[data-chart=scatter] svg[aria-hidden=true]").count() == 1  # win_rate (margin: no demo values)
    assert page.get_by_role("table", name="Rank correlation of proficiency with each result, 2026-Q4").is_visible()
    assert "Correlation is not causation" in page.locator("main").inner_text()
    # The browser asks for /favicon.ico, which the server does not have (404): not this page's.
    unexpected = [e for e in errors if "404 (Not Found)" not in e]
    assert unexpected == []
    context.close()


def test_the_results_page_has_no_serious_accessibility_violations(server: LiveServer, browser: Any) -> None:
    # bypass_csp: the CSP (rightly) refuses the inline script that injects axe.
    context = browser.new_context(extra_http_headers=MANAGER, bypass_csp=True)
    page = context.new_page()
    page.goto(server.url + "/dashboards/results")
    page.wait_for_selector("figure[data-chart=scatter] svg", timeout=10_000)
    assert blocking_violations(page, "results page") == []
    page.goto(server.url + "/dashboards/teams/demo/results?period=2026-Q4")
    assert blocking_violations(page, "team results page") == []
    context.close()

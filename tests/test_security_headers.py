"""Security headers on pages, API answers, static files and errors, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.server import LiveServer

REQUIRED_CSP = ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),  # the app's page
        ("/content/latest", 200),  # API
        ("/sw.js", 200),
        ("/manifest.webmanifest", 200),
        ("/static/pages.css", 200),  # static files
        ("/icons/icon-192.png", 200),
        ("/no-such-page", 404),  # errors
        ("/content/snapshot/999", 404),
        ("/schema/openapi.json", 200),
    ],
)
def test_every_response_carries_the_security_headers(live_server: LiveServer, path: str, status: int) -> None:
    response = live_server.get(path)
    assert response.status_code == status
    csp = response.headers["content-security-policy"]
    for directive in REQUIRED_CSP:
        assert directive in csp, f"{path}: {directive} missing from {csp}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # plain http: HSTS would be a lie


def test_sync_errors_carry_them_too(live_server: LiveServer) -> None:
    import httpx

    response = httpx.post(live_server.url + "/sync/push", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 401)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_app_runs_under_its_policy_without_violations(live_server: LiveServer, page: Any) -> None:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Recap").first).to_be_visible()
    page.wait_for_timeout(500)
    assert violations == []

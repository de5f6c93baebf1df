"""The HTTP surface over a real server process: readiness, content, errors, OpenAPI, logs."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import httpx
import pytest
from litestar import get
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.db import connect
from server.settings import Settings
from tests.support.server import LiveServer


def test_ready_answers_503_until_migrations_have_run(tmp_path: Path) -> None:
    db_path = tmp_path / "fresh.db"
    last = migrations.migrations.pending(connect(db_path))[-1].name
    db = connect(db_path)
    migrations.migrations.apply(db, stop_before=last)
    server = LiveServer(db_path, env={"RECAP_MIGRATE": "0"})
    try:
        response = server.get("/-/ready")
        assert response.status_code == 503
        assert response.json() == {"error": "not_ready", "detail": f"pending migrations: {last}"}
        migrations.apply(db)
        db.close()
        response = server.get("/-/ready")
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "content_version": 0}
    finally:
        server.stop()


def test_latest_points_at_the_snapshot(live_server: LiveServer) -> None:
    latest = live_server.get("/content/latest")
    assert latest.status_code == 200
    assert latest.headers["cache-control"] == "no-cache"
    body = latest.json()
    assert body["version"] == 1
    assert body["snapshot"] == "/content/snapshot/1"
    snap = live_server.get(body["snapshot"])
    assert snap.status_code == 200
    assert snap.headers["etag"] == body["etag"]
    assert len(snap.content) == body["size"]


def test_snapshot_round_trips_with_and_without_gzip(live_server: LiveServer) -> None:
    plain = httpx.get(live_server.url + "/content/snapshot/1", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert "content-encoding" not in plain.headers
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["content-type"].startswith("application/json")
    document = plain.json()
    assert document["version"] == 1
    assert {q["id"] for q in document["questions"]} == {"who-else", "next-step", "pick-two"}
    who_else = next(q for q in document["questions"] if q["id"] == "who-else")
    assert who_else["correct"] == 2 and who_else["rev"] == 1 and who_else["epoch"] == 1
    assert who_else["stem_html"].startswith("<p>The buyer says")

    with httpx.stream("GET", live_server.url + "/content/snapshot/1", headers={"Accept-Encoding": "gzip"}) as raw:
        assert raw.headers["content-encoding"] == "gzip"
        assert raw.headers["vary"] == "Accept-Encoding"
        compressed = b"".join(raw.iter_raw())
    assert json.loads(gzip.decompress(compressed)) == document
    assert len(compressed) < len(plain.content)


def test_snapshot_revalidates_by_etag(live_server: LiveServer) -> None:
    first = live_server.get("/content/snapshot/1")
    again = live_server.get("/content/snapshot/1", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    other = live_server.get("/content/snapshot/1", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


@pytest.mark.parametrize("path", ["/content/snapshot/2", "/content/snapshot/0", "/content/snapshot/-1", "/content/snapshot/99999999999999999999999"])
def test_unknown_snapshot_versions_are_404_json(live_server: LiveServer, path: str) -> None:
    response = live_server.get(path)
    assert response.status_code in (404,), response.text
    assert response.json()["error"] == "not_found"


def test_malformed_snapshot_version_is_a_json_error(live_server: LiveServer) -> None:
    response = live_server.get("/content/snapshot/latest")
    assert response.status_code in (400, 404)
    assert set(response.json()) >= {"error", "detail"}


def test_pages_get_html_errors_and_every_request_is_logged(live_server: LiveServer) -> None:
    response = live_server.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in response.text
    logged: list[dict[str, object]] = []
    deadline = time.monotonic() + 5
    while not logged and time.monotonic() < deadline:  # the line is written just after the response
        lines = [json.loads(line) for line in live_server.logs().splitlines() if line.startswith('{"event":"request"')]
        logged = [line for line in lines if line["path"] == "/no-such-page"]
        time.sleep(0.05)
    assert logged and logged[0]["status"] == 404 and logged[0]["method"] == "GET"
    assert isinstance(logged[0]["ms"], float)


def test_openapi_describes_the_routes(live_server: LiveServer) -> None:
    schema = live_server.get("/schema/openapi.json").json()
    assert schema["info"]["title"] == "Recap"
    assert {"/-/ready", "/content/latest", "/content/snapshot/{version}"} <= set(schema["paths"])


def test_app_shell_is_served_without_caching(live_server: LiveServer) -> None:
    response = live_server.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="/assets/app-' in response.text
    asset = response.text.split('src="', 1)[1].split('"', 1)[0]
    script = live_server.get(asset)
    assert script.status_code == 200
    assert "immutable" in script.headers["cache-control"]


@pytest.fixture
def client_with_failing_route(tmp_path: Path) -> TestClient:  # type: ignore[type-arg]
    app = create_app(Settings(db_path=tmp_path / "t.db"))

    @get("/api/boom", opt={"access": "public"})
    async def api_boom() -> None:
        raise RuntimeError("secret internals")

    @get("/boom", opt={"access": "public"})
    async def page_boom() -> None:
        raise RuntimeError("secret internals")

    app.register(api_boom)
    app.register(page_boom)
    return TestClient(app, raise_server_exceptions=False)


def test_unexpected_errors_are_json_for_the_api_and_html_for_people(client_with_failing_route: TestClient) -> None:  # type: ignore[type-arg]
    with client_with_failing_route as client:
        api = client.get("/api/boom")
        assert api.status_code == 500
        assert api.json() == {"error": "internal_error", "detail": "an unexpected error occurred; it has been logged"}
        page = client.get("/boom", headers={"Accept": "text/html"})
        assert page.status_code == 500
        assert "Something went wrong on our side" in page.text
        assert "secret internals" not in page.text and "secret internals" not in api.text
        wrong_method = client.post("/content/latest")
        assert wrong_method.status_code == 405
        assert wrong_method.json()["error"] == "method_not_allowed"


def test_every_immutable_table_keeps_its_guards_after_every_migration(tmp_path: Path) -> None:
    """Migrations that rebuild a table or its columns must put its triggers back."""
    db = connect(tmp_path / "guards.db")
    migrations.apply(db)
    triggers = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    db.close()
    for table in ("library_versions", "item_versions", "snapshots", "audit_log"):
        assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers, table
    assert {"answers_no_update", "acknowledgements_no_update", "observation_revisions_no_update"} <= triggers

"""/schema/openapi.json describes the machine API as it really is (issue 9 §4).

Every JSON route is in it with its real request body and every response it can give, built from
the same msgspec Structs; a schema-driven fuzzer (Schemathesis) run against the real server finds
no undocumented status, content type or body. HTML pages and static files are for browsers and
stay out of the API document (docs/api.md lists them).
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.library.snapshot import SnapshotDocument
from server.openapi import ErrorBody
from server.policy import declared_routes
from server.reminders.routes import ReminderChoices, SubscribeRequest, UnsubscribeRequest
from server.routes.auth import CodeRequest, VerifyRequest
from server.settings import Settings
from sync.protocol import PullRequest, PushRequest
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import LiveServer, run_recap

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
# Browser routes: pages, the app's shell and files. Everything else is API and must be documented.
BROWSER_ONLY = re.compile(r"^/(admin|editor|dashboards|assets|icons|static|sw\.js|manifest\.webmanifest|index\.html|$)")
# What the fuzzer checks: nothing undocumented, nothing that breaks the document's promises.
# Left out, on purpose: positive_data_acceptance (schema-valid requests that business rules refuse,
# such as a wrong sign-in code, are 400 by contract) and negative_data_rejection (an oversized
# schema-invalid body is rightly 413, which that check does not expect).
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
    "response_headers_conformance", "unsupported_method", "missing_required_header", "use_after_free",
    "ensure_resource_availability",
])  # fmt: skip


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with TestClient(create_app(Settings(db_path=tmp_path_factory.mktemp("openapi") / "x.db"))) as client:
        answer = client.get("/schema/openapi.json")
        assert answer.status_code == 200
        schema: dict[str, Any] = answer.json()
        return schema


def test_every_api_route_is_documented_and_nothing_else(document: dict[str, Any], tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "x.db"))
    api = {
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", path), method.lower())
        for path, method, _ in declared_routes(app)
        if method not in ("OPTIONS", "HEAD") and not path.startswith("/schema") and not BROWSER_ONLY.match(path)
    }
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == api


@pytest.mark.parametrize(
    ("path", "struct"),
    [
        ("/auth/code", CodeRequest), ("/auth/verify", VerifyRequest), ("/sync/push", PushRequest), ("/sync/pull", PullRequest),
        ("/reminders/settings", ReminderChoices), ("/reminders/subscribe", SubscribeRequest),
        ("/reminders/unsubscribe", UnsubscribeRequest),
    ],
)
def test_json_routes_document_the_body_they_decode(document: dict[str, Any], path: str, struct: type) -> None:
    body = document["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{struct.__name__}"}
    component = document["components"]["schemas"][struct.__name__]
    expected = msgspec.json.schema(struct)
    own = expected["$defs"][struct.__name__] if "$defs" in expected else expected
    assert set(component["required"]) == set(own.get("required", []))
    assert set(component["properties"]) == set(own["properties"])


def test_every_documented_error_is_the_one_error_body(document: dict[str, Any]) -> None:
    errors = [
        (path, method, status, response)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        for status, response in op["responses"].items()
        if int(status) >= 400
    ]
    assert errors, "no error responses are documented"
    for path, method, status, response in errors:
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (path, method, status)
    assert set(document["components"]["schemas"]["ErrorBody"]["properties"]) == {f.name for f in msgspec.structs.fields(ErrorBody)}
    statuses = {(path, method): set(op["responses"]) for path, ops in document["paths"].items() for method, op in ops.items()}
    assert {"401", "403", "409", "413", "415"} <= statuses[("/sync/push", "post")]
    assert {"400", "413", "415", "429"} <= statuses[("/auth/code", "post")]
    assert {"304", "404"} <= statuses[("/content/snapshot/{version}", "get")]
    assert {"400", "401", "403", "413", "415"} <= statuses[("/reminders/subscribe", "post")]


def test_the_snapshot_is_documented_as_the_document_it_is(document: dict[str, Any], tmp_path: Path) -> None:
    response = document["paths"]["/content/snapshot/{version}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SnapshotDocument"}
    # The schema is strict (no unknown fields), so the demo library's real snapshot must fit it exactly.
    db_file = tmp_path / "demo.db"
    assert run_recap("content", "publish", "--create", str(DEMO_LIBRARY), db_path=db_file).returncode == 0
    with TestClient(create_app(Settings(db_path=db_file))) as client:
        body = client.get("/content/snapshot/1", headers={"Accept-Encoding": "identity"}).content
    decoded = msgspec.json.decode(body, type=SnapshotDocument)
    assert decoded.version == 1 and len(decoded.questions) > 40
    assert gzip.compress(body)  # the bytes are JSON, not a string holding JSON


# --- the fuzzer, against the real server ---------------------------------------------------------


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db_file = tmp_path_factory.mktemp("fuzz") / "recap.db"
    assert run_recap("content", "publish", "--create", str(DEMO_LIBRARY), db_path=db_file).returncode == 0
    # No reminder schedule: nothing the fuzzer subscribes may ever be sent to.
    server = LiveServer(db_file, env={"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"})
    yield server
    server.stop()


@pytest.mark.parametrize("caller", ["anonymous", "signed-in"])
def test_a_schema_driven_fuzzer_finds_nothing_undocumented(fuzzed_server: LiveServer, caller: str, tmp_path: Path) -> None:
    headers = ["-H", "Authorization: Bearer dev:fuzzer@example.com"] if caller == "signed-in" else []
    result = subprocess.run(
        [SCHEMATHESIS, "run", fuzzed_server.url + "/schema/openapi.json", "--checks", CHECKS,
         "--max-examples", "25", "--seed", "20261201", *headers],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,  # its cache goes there, not in the project
    )  # fmt: skip
    summary = result.stdout[-6000:]
    assert result.returncode == 0, f"{summary}\n--- server log ---\n{fuzzed_server.logs()[-3000:]}"
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert tested and int(tested.group(1)) == 22, summary  # every operation of the document (17, and 5 of uploads and videos)
    assert "internal_error" not in fuzzed_server.logs()

"""Admin pages: people, roles, devices; every form needs the session's CSRF token."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.db import connect
from server.settings import Settings
from tests.support.paths import ROOT
from tests.support.server import run_recap

from .test_auth import latest_code

ADMIN = "admin@example.com"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "admin.db"
    db = connect(path)
    migrations.apply(db)
    db.close()
    assert run_recap("users", "import", str(ROOT / "server" / "demo" / "accounts.csv"), db_path=path).returncode == 0
    return path


def signed_in(db_file: Path, address: str) -> TestClient:  # type: ignore[type-arg]
    client = TestClient(create_app(Settings(db_path=db_file)), base_url="http://testserver.local")
    client.__enter__()
    assert client.post("/auth/code", json={"email": address}).status_code == 200
    answer = client.post("/auth/verify", json={"email": address, "code": latest_code(db_file, address), "device_id": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.text
    return client


@pytest.fixture
def admin(db_file: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    client = signed_in(db_file, ADMIN)
    yield client
    client.__exit__(None, None, None)


def form_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token in its forms"
    return match.group(1)


def test_the_people_page_lists_everyone_for_admins_only(admin: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    page = admin.get("/admin")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for address in ("rep@example.com", "rep2@example.com", "coach@example.com", "manager@example.com"):
        assert address in page.text
    rep = signed_in(db_file, "rep@example.com")
    try:
        assert rep.get("/admin").status_code == 403
    finally:
        rep.__exit__(None, None, None)
    with TestClient(create_app(Settings(db_path=db_file))) as anonymous:
        assert anonymous.get("/admin").status_code == 401


def test_roles_are_changed_with_the_form_token_and_audited(admin: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    token = form_token(admin.get("/admin/people/rep@example.com").text)
    refused = admin.post("/admin/people/rep@example.com/roles", data={"roles": ["rep", "coach"]}, follow_redirects=False)
    assert refused.status_code == 403
    wrong = admin.post("/admin/people/rep@example.com/roles", data={"roles": ["rep", "coach"], "csrf_token": "x" * 40}, follow_redirects=False)
    assert wrong.status_code == 403
    done = admin.post("/admin/people/rep@example.com/roles", data={"roles": ["rep", "coach"], "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    listing = {line.split("\t")[0]: line for line in run_recap("users", "list", db_path=db_file).stdout.splitlines()}
    assert set(listing["rep@example.com"].split("\t")[2].split(";")) == {"rep", "coach"}
    assert "role-change" in run_recap("audit", "list", "--email", "rep@example.com", db_path=db_file).stdout


def test_devices_are_listed_and_revoked(admin: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    rep = signed_in(db_file, "rep@example.com")
    try:
        page = admin.get("/admin/people/rep@example.com").text
        device = re.search(r"<code>([0-9a-f-]{36})</code>", page)
        assert device, "the enrolled device is not listed"
        revoked = admin.post(
            f"/admin/people/rep@example.com/devices/{device.group(1)}/revoke", data={"csrf_token": form_token(page)}, follow_redirects=False
        )
        assert revoked.status_code == 303
        assert "Revoked 1 device credential" in admin.get(revoked.headers["location"]).text
        assert rep.post("/sync/pull", json={"protocol": 1, "device_id": device.group(1)}, headers={"X-CSRF-Token": rep.cookies.get("recap_csrf", "")}).status_code == 401
    finally:
        rep.__exit__(None, None, None)


def test_disable_and_enable(admin: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    token = form_token(admin.get("/admin/people/rep2@example.com").text)
    assert admin.post("/admin/people/rep2@example.com/disable", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert "disabled" in admin.get("/admin/people/rep2@example.com").text
    assert admin.post("/admin/people/rep2@example.com/enable", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert admin.post("/admin/people/rep2@example.com/explode", data={"csrf_token": token}).status_code == 404
    assert admin.get("/admin/people/nobody@example.com").status_code == 404


def test_the_audit_log_is_visible_to_admins(admin: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    assert "sign-in" in page.text and ADMIN in page.text
    rep = signed_in(db_file, "rep@example.com")
    try:
        assert rep.get("/admin/audit").status_code == 403
    finally:
        rep.__exit__(None, None, None)


def test_people_and_teams_are_managed_from_the_pages(admin: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    token = form_token(admin.get("/admin").text)
    made = admin.post(
        "/admin/people",
        data={"email": "New@Example.com", "name": "Nia New", "roles": ["rep"], "teams": "south", "csrf_token": token},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/admin/people/")
    assert "Nia New" in admin.get(made.headers["location"]).text  # a person's pages are addressed by their id
    moved = admin.post("/admin/people/new@example.com/teams", data={"teams": "demo; north", "csrf_token": token}, follow_redirects=False)
    assert moved.status_code == 303
    listing = {line.split("\t")[0]: line.split("\t") for line in run_recap("users", "list", db_path=db_file).stdout.splitlines()}
    assert listing["new@example.com"][1:] == ["Nia New", "rep", "demo:rep;north:rep"]
    bad = admin.post("/admin/people", data={"email": "not-an-address", "name": "X", "csrf_token": token})
    assert bad.status_code == 400
    wrong_role = admin.post("/admin/people/new@example.com/teams", data={"teams": "demo:manager", "csrf_token": token})
    assert wrong_role.status_code == 400  # managing a team needs the manager role


def test_pages_are_well_formed(admin: TestClient) -> None:  # type: ignore[type-arg]
    for path in ("/admin", "/admin/people/rep@example.com", "/admin/audit"):
        page = admin.get(path).text
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title and "<" not in title.group(1), f"{path}: broken title"
        assert page.count("<form") == page.count("</form>")
        assert page.count('name="csrf_token"') == page.count("<form")


def test_an_email_is_changed_from_the_page_and_everything_follows(admin: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    page = admin.get("/admin/people/rep@example.com")
    token = form_token(page.text)
    action = re.search(r'<form method="post" action="([^"]+/email)">', page.text)
    assert action, "the person's page has no email form"
    taken = admin.post(action.group(1), data={"email": "rep2@example.com", "csrf_token": token})
    assert taken.status_code == 400 and "someone else has the address" in taken.text
    moved = admin.post(action.group(1), data={"email": "Robin@Example.org", "csrf_token": token}, follow_redirects=False)
    assert moved.status_code == 303
    after = admin.get(moved.headers["location"]).text
    assert "robin@example.org" in after and "Email changed" in after
    listing = {line.split("\t")[0]: line.split("\t") for line in run_recap("users", "list", db_path=db_file).stdout.splitlines()}
    assert listing["robin@example.org"][1:] == ["Robin Rep", "rep", "demo:rep"] and "rep@example.com" not in listing
    assert "email-change" in run_recap("audit", "list", "--email", "robin@example.org", db_path=db_file).stdout

"""The outside security probe's findings (issue 9 §3), one section each; every test failed before its fix.

The real app over real SQLite files (TestClient), and the real server over HTTP where the
server's own URL handling matters (uvicorn decodes `%00` before the app sees it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlite_utils
from litestar.testing import TestClient

from server import signin
from server.app import create_app
from server.settings import Settings
from tests.support.clock import Clock
from tests.support.paths import ROOT
from tests.support.people import ANN, BO, people_db
from tests.support.server import LiveServer, run_recap

from .test_auth import DEVICE, ask_code, csrf, latest_code, mails, make_client, pull, sign_in
from .test_sync_api import mutation, push_body

DEMO_ACCOUNTS = ROOT / "server" / "demo" / "accounts.csv"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """A database with the fixture library and two reps, Ann and Bo."""
    return people_db(tmp_path / "var" / "recap.db")


def admin_db(tmp_path: Path) -> Path:
    path = tmp_path / "admin" / "recap.db"
    assert run_recap("users", "import", str(DEMO_ACCOUNTS), db_path=path).returncode == 0
    return path


def signed_in_admin(db_file: Path, clock: Clock, device_id: str | None = None) -> tuple[TestClient, dict[str, Any]]:  # type: ignore[type-arg]
    client = TestClient(create_app(Settings(db_path=db_file), clock=clock), base_url="http://testserver.local")
    client.__enter__()
    assert client.post("/auth/code", json={"email": "admin@example.com"}).status_code == 200
    body = {"email": "admin@example.com", "code": latest_code(db_file, "admin@example.com")}
    if device_id:
        body["device_id"] = device_id
    answer = client.post("/auth/verify", json=body)
    assert answer.status_code == 200, answer.text
    return client, answer.json()


def form_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def people(db_file: Path) -> dict[str, list[str]]:
    listed = run_recap("users", "list", db_path=db_file).stdout.splitlines()
    return {line.split("\t")[0]: line.split("\t") for line in listed}


# --- 1. Device credentials are for sync only, and expire when idle -------------------------


def test_a_device_credential_opens_no_admin_page_and_bypasses_no_form_token(tmp_path: Path) -> None:
    db_file = admin_db(tmp_path)
    client, signed = signed_in_admin(db_file, Clock(), device_id=DEVICE)
    try:
        bearer = {"Authorization": f"Bearer {signed['device_token']}"}
        client.cookies.clear()
        for path in ("/admin", "/admin/audit", "/admin/people/rep@example.com"):
            assert client.get(path, headers=bearer).status_code == 401, path
        form = {"email": "mallory@example.com", "name": "Mallory", "roles": ["admin"]}
        assert client.post("/admin/people", data=form, headers=bearer, follow_redirects=False).status_code == 401
        assert client.post("/admin/people/rep@example.com/disable", data={}, headers=bearer, follow_redirects=False).status_code == 401
        assert "mallory@example.com" not in people(db_file)
        assert "disabled" not in people(db_file)["rep@example.com"]
        # What a device needs still works with it: sync, and signing the device out.
        assert pull(client, bearer).status_code == 200
        assert client.post("/auth/logout", headers=bearer).status_code == 200
        assert pull(client, bearer).status_code == 401
    finally:
        client.__exit__(None, None, None)


def test_device_credentials_expire_after_60_idle_days_and_each_use_renews_them(tmp_path: Path) -> None:
    db_file = admin_db(tmp_path)
    clock = Clock()
    client, signed = signed_in_admin(db_file, clock, device_id=DEVICE)
    try:
        bearer = {"Authorization": f"Bearer {signed['device_token']}"}
        client.cookies.clear()
        for _ in range(3):  # used every 59 days: alive for half a year
            clock.advance(days=59)
            assert pull(client, bearer).status_code == 200
        clock.advance(days=60)
        expired = pull(client, bearer)
        assert expired.status_code == 401 and expired.json()["error"] == "unauthorized"  # as if revoked: sign in again
        assert client.post("/sync/push", json=push_body(DEVICE, [mutation(1)]), headers=bearer).status_code == 401
    finally:
        client.__exit__(None, None, None)
    with TestClient(create_app(Settings(db_path=db_file, device_idle_days=1), clock=clock)) as other:
        assert other.get("/-/ready").status_code == 200  # the setting is read; its use is above


def test_an_expired_device_credential_is_not_listed_as_enrolled(tmp_path: Path) -> None:
    db_file = admin_db(tmp_path)
    clock = Clock()
    client, _ = signed_in_admin(db_file, clock, device_id=DEVICE)
    try:
        page = client.get("/admin/people/admin@example.com").text
        assert DEVICE in page
        clock.advance(days=61)
        # The session has ended by now too: a new sign-in, then the page.
        assert client.post("/auth/code", json={"email": "admin@example.com"}).status_code == 200
        verify = {"email": "admin@example.com", "code": latest_code(db_file, "admin@example.com")}
        assert client.post("/auth/verify", json=verify).status_code == 200
        assert DEVICE not in client.get("/admin/people/admin@example.com").text
    finally:
        client.__exit__(None, None, None)


# --- 2. Nobody can lock the owner out --------------------------------------------------------


def stranger(db_file: Path, clock: Clock, n: int) -> TestClient:  # type: ignore[type-arg]
    return make_client(db_file, clock, peer=f"198.51.100.{n}")


def test_strangers_asking_for_codes_from_many_networks_do_not_lock_the_owner_out(db_file: Path, clock: Clock) -> None:
    attackers = [stranger(db_file, clock, n) for n in range(1, 31)]
    for attacker in attackers:
        attacker.__enter__()
    try:
        # The probe's attack: five anonymous requests for the victim's address, each from elsewhere.
        for attacker in attackers[:5]:
            assert ask_code(attacker).status_code == 200
        with make_client(db_file, clock, peer="203.0.113.7") as owner:
            asked = ask_code(owner)
            assert asked.status_code == 200, asked.text
            code = latest_code(db_file)
            # Strangers go on asking (from 25 more networks, past the address's ceiling) and
            # guessing while the owner types: the owner's code is neither replaced nor used up.
            for attacker in attackers[5:]:
                assert ask_code(attacker).status_code == 200
                for guess in ("000000", "111111"):
                    assert attacker.post("/auth/verify", json={"email": ANN, "code": guess}).status_code == 400
            signed = owner.post("/auth/verify", json={"email": ANN, "code": code, "device_id": DEVICE})
            assert signed.status_code == 200, signed.text
    finally:
        for attacker in attackers:
            attacker.__exit__(None, None, None)


def test_a_network_that_keeps_asking_is_limited_and_told_when_to_retry(db_file: Path, clock: Clock) -> None:
    with stranger(db_file, clock, 1) as attacker, make_client(db_file, clock, peer="203.0.113.7") as owner:
        answers = [ask_code(attacker) for _ in range(signin.PAIR_CODE_REQUESTS + 1)]
        assert [a.status_code for a in answers] == [200] * signin.PAIR_CODE_REQUESTS + [429]
        retry = int(answers[-1].headers["Retry-After"])
        assert 0 < retry <= signin.PAIR_WINDOW.total_seconds() and answers[-1].json()["retry_after"] == retry
        assert ask_code(owner).status_code == 200  # only the asker is stopped
        clock.advance(seconds=retry)
        assert ask_code(attacker).status_code == 200


def test_mail_to_one_address_is_capped_but_a_new_network_still_gets_its_code(db_file: Path, clock: Clock) -> None:
    sent_before = len(mails(db_file))
    clients = [stranger(db_file, clock, n) for n in range(1, 6)]
    for client in clients:
        client.__enter__()
    try:
        statuses = [ask_code(client).status_code for client in clients for _ in range(signin.PAIR_CODE_REQUESTS)]
        # Four networks reach the ceiling (20); the fifth still gets its first code, no more.
        assert statuses == [200] * (signin.ADDRESS_CODE_REQUESTS + 1) + [429] * 4
        with make_client(db_file, clock, peer="203.0.113.7") as owner:
            assert ask_code(owner).status_code == 200  # past the ceiling, a first request still goes through
            assert ask_code(owner).status_code == 429  # but not a repeat
        assert len(mails(db_file)) - sent_before == signin.ADDRESS_CODE_REQUESTS + 2
    finally:
        for client in clients:
            client.__exit__(None, None, None)


def test_a_code_works_for_the_browser_that_asked_even_from_another_network(db_file: Path, clock: Clock) -> None:
    """A phone moves from Wi-Fi to mobile data between asking and typing: its cookie carries the code."""
    with make_client(db_file, clock, peer="203.0.113.7") as wifi:
        assert ask_code(wifi).status_code == 200
        code = latest_code(db_file)
        cookie = wifi.cookies.get("recap_signin")
        assert cookie
    with make_client(db_file, clock, peer="192.0.2.50") as mobile:
        mobile.cookies.set("recap_signin", cookie, domain="testserver.local")
        assert mobile.post("/auth/verify", json={"email": ANN, "code": code}).status_code == 200
    # Without the cookie, from another network, the same kind of code is no use.
    with make_client(db_file, clock, peer="203.0.113.7") as wifi:
        assert ask_code(wifi).status_code == 200
        code = latest_code(db_file)
    with make_client(db_file, clock, peer="192.0.2.51") as elsewhere:
        assert elsewhere.post("/auth/verify", json={"email": ANN, "code": code}).status_code == 400


# --- 3. Deeply nested JSON is a 400, never a 500 ----------------------------------------------


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_malformed_on_every_json_route(db_file: Path, clock: Clock, depth: int) -> None:
    deep = nested(depth)
    push = json.dumps(push_body(DEVICE, [mutation(1)])).encode().replace(b'"question_id"', b'"deep": ' + deep + b', "question_id"')
    pull_body = b'{"protocol": 1, "device_id": "' + DEVICE.encode() + b'", "cursors": ' + deep + b"}"
    dev = {"Authorization": "Bearer dev:ann@example.com", **JSON}
    with make_client(db_file, clock) as client:
        for path, body in (("/sync/push", push), ("/sync/pull", pull_body), ("/sync/push", deep), ("/sync/pull", b"[" * depth + b"]" * depth)):
            answer = client.post(path, content=body, headers=dev)
            assert answer.status_code in (400, 413), (path, answer.status_code, answer.text[:200])
            if answer.status_code == 400:
                assert answer.json()["error"] == "malformed"
        for path in ("/auth/code", "/auth/verify"):
            body = b'{"email": ' + nested(depth)[: 1_500] + b"}"
            answer = client.post(path, content=body, headers=JSON)
            assert answer.status_code in (400, 413), (path, answer.status_code)
    assert client.app  # the app is still up: every answer above was given


# --- 4. File names that cannot be files are 404s ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/static/pages.css%00.txt",
        "/assets/app.js%00",
        "/icons/icon-192.png%00.txt",
        "/static/" + "a" * 300,
        "/assets/" + "b" * 300 + ".js",
        "/icons/" + "c" * 256 + ".png",
        "/static/pages.css/more",  # a path through a file
        "/static/%2e%2e/settings.py",
    ],
)
def test_impossible_file_names_are_404_over_http(live_server: LiveServer, path: str) -> None:
    answer = httpx.get(live_server.url + path, timeout=10)
    assert answer.status_code == 404, answer.text[:200]
    assert "internal_error" not in answer.text


# --- 5. Email addresses are validated whole, and never carry a control character -------------


BAD_ADDRESSES = ["x\n@example.com", "x@example.com\nBcc: victim@example.com", "x\r@example.com", "x\t@example.com", "x@exa\nmple.com"]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_an_address_with_a_control_character_is_refused_by_the_api(db_file: Path, clock: Clock, address: str) -> None:
    with make_client(db_file, clock) as client:
        answer = client.post("/auth/code", json={"email": address})
        assert answer.status_code == 400 and answer.json()["error"] == "bad_request", answer.text
        assert client.post("/auth/verify", json={"email": address, "code": "123456"}).status_code == 400
    assert mails(db_file) == []


def test_an_address_with_a_control_character_is_refused_by_the_admin_form_csv_and_command(tmp_path: Path) -> None:
    db_file = admin_db(tmp_path)
    client, _ = signed_in_admin(db_file, Clock())
    try:
        token = form_token(client.get("/admin").text)
        made = client.post("/admin/people", data={"email": "x\n@example.com", "name": "X", "roles": ["rep"], "csrf_token": token})
        assert made.status_code == 400 and "control character" in made.text
    finally:
        client.__exit__(None, None, None)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text('email,name,roles\n"x\n@example.com",X,rep\nok@example.com,Ok,rep\n')
    imported = run_recap("users", "import", str(csv_file), db_path=db_file)
    assert imported.returncode == 1 and f"{csv_file}:2: the email contains a control character" in imported.stdout
    added = run_recap("users", "add", "x\n@example.com", "--name", "X", "--role", "rep", db_path=db_file)
    assert added.returncode == 1 and "control character" in added.stderr
    listed = run_recap("users", "list", db_path=db_file).stdout
    assert "x\n" not in listed and "ok@example.com" not in listed  # nothing of a bad file is imported


# --- 6. Login CSRF: JSON routes take JSON only, with no duplicate keys ------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""])
def test_a_cross_site_form_cannot_sign_a_browser_in(db_file: Path, clock: Clock, content_type: str) -> None:
    with make_client(db_file, clock) as client:
        assert ask_code(client).status_code == 200
        code = latest_code(db_file)
        body = json.dumps({"email": ANN, "code": code}).encode()
        headers = {"Content-Type": content_type} if content_type else {}
        answer = client.post("/auth/verify", content=body, headers=headers)
        assert answer.status_code == 415 and answer.json()["error"] == "unsupported_media_type"
        assert not client.cookies.get("recap_session")
        assert client.post("/auth/code", content=json.dumps({"email": ANN}).encode(), headers=headers).status_code == 415
        # The same body as JSON works: the code was not used up by the refused attempt.
        assert client.post("/auth/verify", content=body, headers=JSON).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/verify", b'{"email": "ann@example.com", "code": "123456", "email": "bo@example.com"}'),
        ("/auth/code", b'{"email": "ann@example.com", "email": "bo@example.com"}'),
        ("/sync/pull", b'{"protocol": 1, "device_id": "' + DEVICE.encode() + b'", "limit": 5, "limit": 6}'),
    ],
)
def test_duplicate_keys_are_refused(db_file: Path, clock: Clock, path: str, body: bytes) -> None:
    with make_client(db_file, clock) as client:
        answer = client.post(path, content=body, headers={**JSON, "Authorization": "Bearer dev:ann@example.com"})
        assert answer.status_code == 400 and "given twice" in answer.json()["detail"], answer.text


def test_a_push_with_a_duplicate_key_inside_a_payload_changes_nothing(db_file: Path, clock: Clock) -> None:
    body = json.dumps(push_body(DEVICE, [mutation(1, choice=[1])])).encode().replace(b'"choice": [1]', b'"choice": [1], "choice": [2]')
    with make_client(db_file, clock) as client:
        answer = client.post("/sync/push", content=body, headers={**JSON, "Authorization": "Bearer dev:ann@example.com"})
        assert answer.status_code == 400 and answer.json()["error"] == "malformed"
    db = sqlite_utils.Database(db_file)
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
    db.close()


# --- 7. Nothing personal is cached ------------------------------------------------------------


def test_personal_answers_say_no_store(tmp_path: Path) -> None:
    db_file = admin_db(tmp_path)
    client, _ = signed_in_admin(db_file, Clock(), device_id=DEVICE)
    try:
        assert client.post("/auth/code", json={"email": "admin@example.com"}).headers["cache-control"] == "no-store"
        verify = client.post("/auth/verify", json={"email": "admin@example.com", "code": latest_code(db_file, "admin@example.com")})
        assert verify.status_code == 200 and verify.headers["cache-control"] == "no-store"
        for path in ("/admin", "/admin/audit", "/admin/people/rep@example.com"):
            assert client.get(path).headers["cache-control"] == "no-store", path
        answer = client.post("/sync/pull", json={"protocol": 1, "device_id": DEVICE}, headers=csrf(client))
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        pushed = client.post("/sync/push", json=push_body(DEVICE, []), headers=csrf(client))
        assert pushed.headers["cache-control"] == "no-store"
        assert client.post("/auth/logout", headers=csrf(client)).headers["cache-control"] == "no-store"
        assert client.get("/no-such-page").headers["cache-control"] == "no-store"
        # Files that may be cached still say so.
        assert "max-age=3600" in client.get("/static/pages.css").headers["cache-control"]
    finally:
        client.__exit__(None, None, None)


# --- 8. Links to people are URL-encoded -------------------------------------------------------


@pytest.mark.parametrize("address", ["%70ct@example.com", "a?b#c@example.com", "x/y+z@example.com", "50%25@example.com"])
def test_every_address_can_be_opened_and_managed_from_the_admin_pages(tmp_path: Path, address: str) -> None:
    db_file = admin_db(tmp_path)
    assert run_recap("users", "add", "pct@example.com", "--name", "Decoy", "--role", "rep", db_path=db_file).returncode == 0
    assert run_recap("users", "add", address, "--name", "Target", "--role", "rep", db_path=db_file).returncode == 0
    client, _ = signed_in_admin(db_file, Clock())
    try:
        listing = client.get("/admin").text
        links = re.findall(r'<a href="(/admin/people/[^"]+)">([^<]+)</a>', listing)
        href = next(h for h, text in links if text == address.replace("&", "&amp;"))
        page = client.get(href)
        assert page.status_code == 200 and "<h1>Target</h1>" in page.text, href
        # Its forms act on that person too.
        token = form_token(page.text)
        action = re.search(r'<form method="post" action="([^"]+/roles)">', page.text)
        assert action
        saved = client.post(action.group(1), data={"roles": ["rep", "coach"], "csrf_token": token}, follow_redirects=False)
        assert saved.status_code == 303
        back = client.get(saved.headers["location"])
        assert "<h1>Target</h1>" in back.text and "Roles saved" in back.text
        assert set(people(db_file)[address][2].split(";")) == {"rep", "coach"}
        assert people(db_file)["pct@example.com"][2] == "rep"  # the decoy is untouched
    finally:
        client.__exit__(None, None, None)


# --- 9. Information worth fixing --------------------------------------------------------------


def test_every_429_says_when_to_retry(db_file: Path, clock: Clock) -> None:
    with make_client(db_file, clock, peer="203.0.113.9") as client:
        for i in range(signin.NETWORK_REQUESTS):
            client.post("/auth/verify", json={"email": f"p{i}@example.com", "code": "123456"})
        for answer in (client.post("/auth/verify", json={"email": ANN, "code": "1"}), ask_code(client, BO)):
            assert answer.status_code == 429
            assert 0 < int(answer.headers["Retry-After"]) <= signin.NETWORK_WINDOW.total_seconds()


def test_a_device_cannot_inflate_the_disagreement_counter(db_file: Path, clock: Clock) -> None:
    dev = {"Authorization": "Bearer dev:ann@example.com"}
    with make_client(db_file, clock) as client:
        for _ in range(3):
            assert client.post("/sync/pull", json={"protocol": 1, "device_id": DEVICE, "disagreements": 100_000}, headers=dev).status_code == 200
        assert client.get("/sync/info").json()["progress_disagreements"] == 0  # nothing pushed: nothing to disagree on
        assert client.post("/sync/push", json=push_body(DEVICE, [mutation(1), mutation(2)]), headers=dev).status_code == 200
        for _ in range(3):
            client.post("/sync/pull", json={"protocol": 1, "device_id": DEVICE, "disagreements": 100_000}, headers=dev)
        assert client.get("/sync/info").json()["progress_disagreements"] == 2  # at most one per answer pushed
        # Another person cannot report for this device either.
        other = {"Authorization": "Bearer dev:bo@example.com"}
        assert client.post("/sync/pull", json={"protocol": 1, "device_id": DEVICE, "disagreements": 5}, headers=other).status_code == 403


@pytest.mark.parametrize("name", ["Ann\u202eniwdE", "Bo\u200bBaker", "\u2066Evil\u2069", "\ufeffBom"])
def test_names_with_bidi_overrides_or_invisible_characters_are_refused(tmp_path: Path, name: str) -> None:
    db_file = admin_db(tmp_path)
    added = run_recap("users", "add", "new@example.com", "--name", name, "--role", "rep", db_path=db_file)
    assert added.returncode == 1 and "invisible formatting character" in added.stderr
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(f"email,name,roles\nnew@example.com,{name},rep\n")
    imported = run_recap("users", "import", str(csv_file), db_path=db_file)
    assert imported.returncode == 1 and "invisible formatting character" in imported.stdout
    assert "new@example.com" not in people(db_file)


def test_names_in_scripts_that_need_joiners_are_kept(tmp_path: Path) -> None:
    db_file = admin_db(tmp_path)
    name = "نام\u200cخانوادگی"  # Persian: the zero-width non-joiner is part of the spelling
    assert run_recap("users", "add", "fa@example.com", "--name", name, "--role", "rep", db_path=db_file).returncode == 0
    assert people(db_file)["fa@example.com"][1] == name


@pytest.mark.parametrize("path", ["/", "/index.html", "/sw.js", "/manifest.webmanifest", "/static/pages.css", "/icons/icon-192.png", "/content/latest", "/-/ready", "/sync/info"])
def test_head_is_answered_wherever_get_is(live_server: LiveServer, path: str) -> None:
    got = httpx.get(live_server.url + path, timeout=10)
    head = httpx.head(live_server.url + path, timeout=10)
    assert got.status_code == head.status_code == 200, (path, head.status_code)
    assert head.content == b""
    for header in ("content-type", "cache-control", "content-security-policy"):
        assert head.headers.get(header) == got.headers.get(header), header


def test_the_service_worker_names_its_charset_once(live_server: LiveServer) -> None:
    assert httpx.get(live_server.url + "/sw.js", timeout=10).headers["content-type"] == "text/javascript; charset=utf-8"


def test_signing_out_without_a_live_session_is_fine_and_clears_the_cookies(db_file: Path, clock: Clock) -> None:
    with make_client(db_file, clock) as client:
        anonymous = client.post("/auth/logout")
        assert anonymous.status_code == 200 and anonymous.json() == {"status": "signed out"}
        sign_in(client, db_file)
        clock.advance(days=31)  # the session has ended
        late = client.post("/auth/logout", headers=csrf(client))
        assert late.status_code == 200
        assert all("max-age=0" in c.lower() for c in late.headers.get_list("set-cookie"))
        # A live session still needs its CSRF token to be ended: another site cannot sign you out.
        sign_in(client, db_file)
        assert client.post("/auth/logout").status_code == 403
        assert pull(client, csrf(client)).status_code == 200


def test_the_api_doc_says_what_an_anonymous_logout_gets() -> None:
    doc = (ROOT / "docs" / "api.md").read_text()
    row = next(line for line in doc.splitlines() if line.startswith("| `POST /auth/logout`"))
    assert "| public |" in row and "200" in row


"""Sign-in by emailed code, sessions, device credentials, CSRF and rate limits (docs/auth.md).

The real app over real SQLite files; a clock the tests move instead of sleeping.
"""

from __future__ import annotations

import email
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from litestar.testing import TestClient

from server import signin
from server.app import create_app
from server.settings import Settings
from tests.support.clock import Clock
from tests.support.people import ANN, BO, people_db
from tests.support.server import run_recap

from .test_sync_api import mutation, push_body

DEVICE = "5b0c1c2e-8f0a-4c55-9d61-3f1f0e0d9a77"
OTHER_DEVICE = "0e6f2b1c-1a2b-4c3d-8e9f-001122334455"


class Peer:
    """The app behind a socket peer of our choosing (TestClient's own is the string `testclient`)."""

    def __init__(self, app: Any, host: str) -> None:
        self.app = app
        self.host = host

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (self.host, 40000)}
        await self.app(scope, receive, send)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return people_db(tmp_path / "var" / "recap.db")


def make_client(db_file: Path, clock: Clock, base_url: str = "http://testserver.local", peer: str | None = None, **settings: Any) -> TestClient:  # type: ignore[type-arg]
    app: Any = create_app(Settings(db_path=db_file, dev_auth=True, **settings), clock=clock)
    return TestClient(Peer(app, peer) if peer else app, base_url=base_url)


@pytest.fixture
def client(db_file: Path, clock: Clock) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with make_client(db_file, clock) as c:
        yield c


def mails(db_file: Path) -> list[Path]:
    folder = db_file.parent / "mail"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def latest_code(db_file: Path, to: str = ANN) -> str:
    for path in reversed(mails(db_file)):
        msg = email.message_from_bytes(path.read_bytes())
        if msg["To"] == to:
            body = msg.get_payload(decode=True)
            assert isinstance(body, bytes)
            match = re.search(rb"\b(\d{6})\b", body)
            assert match
            return match.group(1).decode()
    raise AssertionError(f"no mail to {to}")


def ask_code(client: TestClient, address: str = ANN, **kwargs: Any) -> Any:  # type: ignore[type-arg]
    return client.post("/auth/code", json={"email": address}, **kwargs)


def sign_in(client: TestClient, db_file: Path, address: str = ANN, device_id: str | None = None) -> dict[str, Any]:  # type: ignore[type-arg]
    assert ask_code(client, address).status_code == 200
    body: dict[str, Any] = {"email": address, "code": latest_code(db_file, address)}
    if device_id:
        body["device_id"] = device_id
    answer = client.post("/auth/verify", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def pull(client: TestClient, headers: dict[str, str] | None = None, device: str = DEVICE) -> Any:  # type: ignore[type-arg]
    return client.post("/sync/pull", json={"protocol": 1, "device_id": device}, headers=headers or {})


def csrf(client: TestClient, name: str = "recap_csrf") -> dict[str, str]:  # type: ignore[type-arg]
    return {"X-CSRF-Token": client.cookies.get(name) or ""}


def put_cookie(client: TestClient, name: str, value: str) -> None:  # type: ignore[type-arg]
    """Replace a cookie in the client's jar, as a browser holding an old or forged copy would send it."""
    client.cookies.delete(name)
    client.cookies.set(name, value, domain=client.base_url.host)


def audit(db_file: Path) -> list[tuple[str, str, str]]:
    db = sqlite_utils.Database(db_file)
    try:
        return [(r[0], r[1], r[2]) for r in db.execute("SELECT event, email, detail FROM audit_log ORDER BY id")]
    finally:
        db.close()


# --- asking for a code ---------------------------------------------------------------------


def test_the_code_answer_is_the_same_for_known_unknown_and_disabled_addresses(
    client: TestClient, db_file: Path, caplog: pytest.LogCaptureFixture  # type: ignore[type-arg]
) -> None:
    assert run_recap("users", "disable", BO, db_path=db_file).returncode == 0
    with caplog.at_level(logging.INFO, logger="recap.mail"):
        known = ask_code(client, "  Ann@Example.COM ")
        unknown = ask_code(client, "nobody@example.com")
        disabled = ask_code(client, BO)
    assert known.status_code == unknown.status_code == disabled.status_code == 200
    assert known.content == unknown.content == disabled.content
    # Each gets a sign-in cookie of the same shape (a fresh random value): nothing to tell them apart.
    shapes = [[(c.split("=", 1)[0], len(c.split(";", 1)[0]), c.split(";", 1)[1]) for c in a.headers.get_list("set-cookie")] for a in (known, unknown, disabled)]
    assert shapes[0] == shapes[1] == shapes[2] and [name for name, _, _ in shapes[0]] == ["recap_signin"]
    # One message, to Ann only, with a 6-digit code; the log line names the file, not the code.
    [sent] = mails(db_file)
    msg = email.message_from_bytes(sent.read_bytes())
    assert msg["To"] == ANN and msg["Subject"] == "Your Recap sign-in code"
    code = latest_code(db_file)
    assert len(code) == 6 and code.isdigit()
    lines = [r.getMessage() for r in caplog.records if r.name == "recap.mail"]
    assert len(lines) == 1 and ANN in lines[0] and str(sent) in lines[0] and code not in lines[0]
    # Stored hashed: the code itself is nowhere in the database.
    db = sqlite_utils.Database(db_file)
    assert code not in repr(list(db.execute("SELECT * FROM sign_in_codes")))
    db.close()


def test_a_new_code_replaces_the_old_one(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    ask_code(client)
    first = latest_code(db_file)
    ask_code(client)
    second = latest_code(db_file)
    if first != second:  # one chance in a million that they are equal
        assert client.post("/auth/verify", json={"email": ANN, "code": first}).status_code == 400
    assert client.post("/auth/verify", json={"email": ANN, "code": second}).status_code == 200


# --- verifying it --------------------------------------------------------------------------


def cookie_headers(response: Any) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_verify_starts_a_session_with_an_httponly_lax_cookie(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    ask_code(client)
    answer = client.post("/auth/verify", json={"email": "ANN@example.com", "code": latest_code(db_file)})
    assert answer.status_code == 200
    assert answer.json()["email"] == ANN and "device_token" not in answer.json()
    cookies = cookie_headers(answer)
    session = cookies["recap_session"].lower()
    assert "httponly" in session and "samesite=lax" in session and "path=/" in session
    assert "secure" not in session  # plain http (development)
    assert "httponly" not in cookies["recap_csrf"].lower()
    assert answer.json()["csrf_token"] == client.cookies.get("recap_csrf")
    assert pull(client, csrf(client)).status_code == 200
    assert ("sign-in", ANN, "") in audit(db_file)


def test_over_https_the_cookies_are_secure_and_host_prefixed(db_file: Path, clock: Clock) -> None:
    with make_client(db_file, clock, base_url="https://testserver.local") as client:
        ask_code(client)
        answer = client.post("/auth/verify", json={"email": ANN, "code": latest_code(db_file)})
        assert answer.status_code == 200
        cookies = cookie_headers(answer)
        assert set(cookies) == {"__Host-recap_session", "__Host-recap_csrf", "__Host-recap_signin"}
        assert "max-age=0" in cookies["__Host-recap_signin"].lower()  # the code is used: its cookie goes
        session = cookies["__Host-recap_session"].lower()
        assert "secure" in session and "httponly" in session and "samesite=lax" in session and "path=/" in session
        assert "domain=" not in session
        assert "secure" in cookies["__Host-recap_csrf"].lower()
        assert pull(client, csrf(client, "__Host-recap_csrf")).status_code == 200
        # An unprefixed cookie (which a network attacker could plant over http) counts for nothing.
        token = client.cookies.get("__Host-recap_session")
        client.cookies.clear()
        put_cookie(client, "__Host-recap_session", token or "")
        put_cookie(client, "__Host-recap_csrf", signin.csrf_token(token or ""))
        assert pull(client, csrf(client, "__Host-recap_csrf")).status_code == 200
        client.cookies.clear()
        put_cookie(client, "recap_session", token or "")
        put_cookie(client, "recap_csrf", signin.csrf_token(token or ""))
        assert pull(client, csrf(client)).status_code == 401


def test_wrong_expired_and_reused_codes_are_refused(client: TestClient, db_file: Path, clock: Clock) -> None:  # type: ignore[type-arg]
    ask_code(client)
    code = latest_code(db_file)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post("/auth/verify", json={"email": ANN, "code": wrong})
    assert refused.status_code == 400 and refused.json()["error"] == "code_rejected"
    assert client.post("/auth/verify", json={"email": ANN, "code": code}).status_code == 200
    reused = client.post("/auth/verify", json={"email": ANN, "code": code})
    assert reused.status_code == 400 and reused.json() == refused.json()
    # Ten minutes: a code asked for now is dead at 10:00 and after.
    ask_code(client)
    code = latest_code(db_file)
    clock.advance(minutes=10)
    assert client.post("/auth/verify", json={"email": ANN, "code": code}).status_code == 400
    # Unknown people get the same answer.
    assert client.post("/auth/verify", json={"email": "nobody@example.com", "code": code}).json() == refused.json()
    events = [e for e, who, _ in audit(db_file) if who == ANN]
    assert events == ["sign-in-failed", "sign-in", "sign-in-failed", "sign-in-failed"]


def test_guessing_is_locked_out_after_five_wrong_codes(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    ask_code(client)
    code = latest_code(db_file)
    wrong = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 6)]
    for guess in wrong:
        assert client.post("/auth/verify", json={"email": ANN, "code": guess}).status_code == 400
    # The code is dead: even the right one fails now.
    assert client.post("/auth/verify", json={"email": ANN, "code": code}).status_code == 400
    assert any("code locked" in detail for _, _, detail in audit(db_file))


def test_code_requests_are_limited_per_address_known_or_not(client: TestClient, clock: Clock) -> None:  # type: ignore[type-arg]
    for address in (ANN, "nobody@example.com"):
        answers = [ask_code(client, address).status_code for _ in range(signin.PAIR_CODE_REQUESTS + 1)]
        assert answers == [200] * signin.PAIR_CODE_REQUESTS + [429]
    clock.advance(minutes=15)
    assert ask_code(client).status_code == 200


def exhaust(client: TestClient, headers: dict[str, str] | None = None) -> None:  # type: ignore[type-arg]
    """Spend one client address's allowance of sign-in requests."""
    for i in range(signin.NETWORK_REQUESTS):
        answer = client.post("/auth/verify", json={"email": f"p{i}@example.com", "code": "123456"}, headers=headers or {})
        assert answer.status_code == 400
    assert client.post("/auth/verify", json={"email": ANN, "code": "1"}, headers=headers or {}).status_code == 429


def test_requests_are_limited_per_client_address_and_spoofed_forwarding_headers_change_nothing(
    db_file: Path, clock: Clock
) -> None:
    with make_client(db_file, clock, peer="203.0.113.9") as client:
        exhaust(client)
        assert ask_code(client, BO).status_code == 429
        for spoof in ("198.51.100.1", "198.51.100.2, 198.51.100.3", "garbage"):
            assert ask_code(client, BO, headers={"X-Forwarded-For": spoof}).status_code == 429
        clock.advance(minutes=15)
        assert ask_code(client, BO).status_code == 200


def test_a_trusted_proxys_forwarded_address_is_honoured(db_file: Path, clock: Clock) -> None:
    with make_client(db_file, clock, peer="10.0.0.2", trusted_proxies=("10.0.0.0/24",)) as client:
        exhaust(client, {"X-Forwarded-For": "203.0.113.9"})
        # Another client behind the same proxy has its own allowance...
        assert ask_code(client, headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 200
        # ...but the limited client cannot escape by prepending its own entries: the right-most
        # untrusted entry (written by the proxy) is the one counted, proxies in the chain skipped.
        for forwarded in ("1.2.3.4, 203.0.113.9", "1.2.3.4, 203.0.113.9, 10.0.0.7"):
            assert ask_code(client, headers={"X-Forwarded-For": forwarded}).status_code == 429
        # X-Forwarded-Proto from the proxy makes the request https: the cookies follow.
        answer = client.post(
            "/auth/verify",
            json={"email": ANN, "code": "123456"},
            headers={"X-Forwarded-For": "203.0.113.11", "X-Forwarded-Proto": "https"},
        )
        assert answer.status_code == 400
        assert "strict-transport-security" in answer.headers


# --- sessions end --------------------------------------------------------------------------


def test_logout_ends_the_session(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    sign_in(client, db_file)
    token = client.cookies.get("recap_session")
    headers = csrf(client)
    put_cookie(client, "recap_session", token or "")  # the helper works: the same cookie still signs in
    assert pull(client, headers).status_code == 200
    out = client.post("/auth/logout", headers=headers)
    assert out.status_code == 200
    assert "max-age=0" in cookie_headers(out)["recap_session"].lower()
    put_cookie(client, "recap_session", token or "")  # an old copy of the cookie is no use
    assert pull(client, headers).status_code == 401
    assert [e for e, _, _ in audit(db_file)][-1] == "logout"


def test_sessions_expire_when_idle_and_at_their_absolute_limit(db_file: Path, clock: Clock) -> None:
    with make_client(db_file, clock) as client:
        sign_in(client, db_file)
        clock.advance(hours=11, minutes=59)
        assert pull(client, csrf(client)).status_code == 200  # a request resets the idle clock
        clock.advance(hours=11, minutes=59)
        assert pull(client, csrf(client)).status_code == 200
        clock.advance(hours=12)
        assert pull(client, csrf(client)).status_code == 401
    with make_client(db_file, clock, session_idle_minutes=7 * 24 * 60, session_max_days=2) as client:
        sign_in(client, db_file)
        for _ in range(47):
            clock.advance(hours=1)
            assert pull(client, csrf(client)).status_code == 200
        clock.advance(hours=1)
        assert pull(client, csrf(client)).status_code == 401


def test_disabling_a_user_ends_their_sessions_and_device_credentials(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    token = sign_in(client, db_file, device_id=DEVICE)["device_token"]
    device = {"Authorization": f"Bearer {token}"}
    assert pull(client, csrf(client)).status_code == 200
    assert pull(client, device).status_code == 200
    result = run_recap("users", "disable", ANN, db_path=db_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"disabled {ANN}: 1 session(s) ended, 1 device credential(s) revoked"
    assert pull(client, csrf(client)).status_code == 401
    assert pull(client, device).status_code == 401
    assert run_recap("users", "enable", ANN, db_path=db_file).returncode == 0
    assert pull(client, device).status_code == 401  # enabling again does not bring credentials back
    sign_in(client, db_file)
    listed = run_recap("audit", "list", "--email", ANN, db_path=db_file).stdout.splitlines()
    assert [line.split("\t")[1] for line in listed] == ["sign-in", "enable", "disable", "sign-in"]


# --- device credentials --------------------------------------------------------------------


def test_a_device_credential_syncs_after_the_session_has_gone_until_revoked(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    token = sign_in(client, db_file, device_id=DEVICE)["device_token"]
    device = {"Authorization": f"Bearer {token}"}
    assert client.post("/auth/logout", headers=csrf(client)).status_code == 200
    client.cookies.clear()
    pushed = client.post("/sync/push", json=push_body(DEVICE, [mutation(1)]), headers=device)
    assert pushed.status_code == 200, pushed.text
    assert pull(client, device).status_code == 200
    # Bound to its device, and its user key is the normalised email, as for every credential.
    assert pull(client, device, device=OTHER_DEVICE).status_code == 403
    db = sqlite_utils.Database(db_file)
    ann_id = db.execute("SELECT id FROM users WHERE email = ?", [ANN]).fetchone()[0]
    assert list(db.execute("SELECT user_id FROM devices WHERE id = ?", [DEVICE])) == [(ann_id,)]  # her user id
    assert token not in repr(list(db.execute("SELECT * FROM device_credentials")))
    db.close()
    sessions = run_recap("users", "sessions", ANN, db_path=db_file)
    assert f"device {DEVICE}" in sessions.stdout
    revoked = run_recap("users", "revoke", ANN, "--device", DEVICE, db_path=db_file)
    assert revoked.returncode == 0 and "1 device credential(s) revoked" in revoked.stdout
    assert client.post("/sync/push", json=push_body(DEVICE, [mutation(2)]), headers=device).status_code == 401
    assert pull(client, device).status_code == 401
    assert client.post("/sync/pull", json={}, headers={"Authorization": "Bearer rcd_" + "x" * 43}).status_code == 401


def test_signing_in_again_on_a_device_replaces_its_credential(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    old = sign_in(client, db_file, device_id=DEVICE)["device_token"]
    new = sign_in(client, db_file, device_id=DEVICE)["device_token"]
    assert old != new
    assert pull(client, {"Authorization": f"Bearer {old}"}).status_code == 401
    assert pull(client, {"Authorization": f"Bearer {new}"}).status_code == 200


def test_the_dev_credential_still_works_and_is_normalised(client: TestClient, db_file: Path) -> None:  # type: ignore[type-arg]
    pushed = client.post("/sync/push", json=push_body(DEVICE, [mutation(1)]), headers={"Authorization": "Bearer dev:Ann@Example.com"})
    assert pushed.status_code == 200
    assert pull(client, {"Authorization": f"Bearer dev:{ANN}"}).status_code == 200
    db = sqlite_utils.Database(db_file)
    ann_id = db.execute("SELECT id FROM users WHERE email = ?", [ANN]).fetchone()[0]
    assert list(db.execute("SELECT user_id FROM devices")) == [(ann_id,)]
    db.close()


def test_without_dev_auth_the_dev_credential_is_refused(db_file: Path, clock: Clock) -> None:
    with TestClient(create_app(Settings(db_path=db_file), clock=clock)) as client:
        assert pull(client, {"Authorization": f"Bearer dev:{ANN}"}).status_code == 401


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sync/push", "/sync/pull", "/auth/logout"])
def test_cookie_authenticated_unsafe_requests_need_the_csrf_token(client: TestClient, db_file: Path, path: str) -> None:  # type: ignore[type-arg]
    sign_in(client, db_file)
    body = push_body(DEVICE, [mutation(1)]) if path == "/sync/push" else {"protocol": 1, "device_id": DEVICE}
    missing = client.post(path, json=body)
    assert missing.status_code == 403 and missing.json()["reason"] == "csrf"
    assert client.post(path, json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    # A token that matches a forged cookie but not the session is refused too.
    put_cookie(client, "recap_csrf", "f" * 64)
    assert client.post(path, json=body, headers={"X-CSRF-Token": "f" * 64}).status_code == 403
    put_cookie(client, "recap_csrf", signin.csrf_token(client.cookies.get("recap_session") or ""))
    assert client.post(path, json=body, headers=csrf(client)).status_code == 200


# --- bad bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/auth/code", b"not json", 400),
        ("/auth/code", b"{}", 400),
        ("/auth/code", b'{"email": 5}', 400),
        ("/auth/code", b'{"email": "not-an-address"}', 400),
        ("/auth/code", b'{"email": "a@example.com", "extra": 1}', 400),
        ("/auth/code", b'{"email": "' + b"a" * 4000 + b'@example.com"}', 413),
        ("/auth/verify", b'{"email": "a@example.com"}', 400),
        ("/auth/verify", b'{"email": "a@example.com", "code": "' + b"1" * 100 + b'"}', 400),
        ("/auth/verify", b'{"email": "a@example.com", "code": "123456", "device_id": "phone"}', 400),
        ("/auth/verify", b"[1, 2]", 400),
    ],
)
def test_malformed_or_oversized_bodies_get_a_4xx(client: TestClient, path: str, body: bytes, status: int) -> None:  # type: ignore[type-arg]
    answer = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == status, answer.text
    assert "error" in answer.json()


def test_auth_settings_are_read_and_checked() -> None:
    from server.settings import SettingsError, settings_from_env

    settings = settings_from_env(
        {"RECAP_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8", "RECAP_SESSION_IDLE_MINUTES": "30", "RECAP_SMTP_TLS": "TLS"}
    )
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert settings.session_idle_minutes == 30 and settings.smtp_tls == "tls"
    with pytest.raises(SettingsError, match="RECAP_TRUSTED_PROXIES"):
        settings_from_env({"RECAP_TRUSTED_PROXIES": "proxy.example.com"})
    with pytest.raises(SettingsError, match="RECAP_SMTP_TLS"):
        settings_from_env({"RECAP_SMTP_TLS": "maybe"})

"""The reminder routes over HTTP, against the real server (docs/api.md "Reminders").

Signed in the way the app is: a session cookie from an emailed code (with its CSRF token on
writes) and the device credential that the same sign-in gives.
"""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.mail import mail_files, wait_for_code
from tests.support.people import ANN, BO, people_db
from tests.support.push import Subscriber
from tests.support.server import LiveServer

JSON = {"Accept": "application/json"}
CHOICES = {"enabled": True, "time": "08:15", "quiet_start": "22:00", "quiet_end": "06:30", "time_zone": "Europe/Amsterdam", "email": False}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db_file = people_db(tmp_path_factory.mktemp("reminders") / "var" / "recap.db")
    live = LiveServer(db_file, env={"RECAP_REMINDERS": "0"})
    yield live
    live.stop()


class Person:
    """An httpx client signed in by emailed code: cookies in its jar, and a device credential."""

    def __init__(self, server: LiveServer, address: str) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=10, headers=JSON)
        seen = len(mail_files(server.db_path))
        assert self.http.post("/auth/code", json={"email": address}).status_code == 200
        code = wait_for_code(server.db_path, address, seen=seen)
        verified = self.http.post("/auth/verify", json={"email": address, "code": code, "device_id": str(uuid.uuid4())})
        assert verified.status_code == 200, verified.text
        self.csrf = {"X-CSRF-Token": verified.json()["csrf_token"]}
        self.device = {"Authorization": f"Bearer {verified.json()['device_token']}"}

    def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, json=body, headers={**self.csrf, **kwargs.pop("headers", {})}, **kwargs)

    def by_device(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """As the installed app calls: the device credential, no cookies."""
        with httpx.Client(base_url=str(self.http.base_url), timeout=10, headers={**JSON, **self.device}) as bare:
            return bare.request(method, path, json=body)


@pytest.fixture(scope="module")
def ann(server: LiveServer) -> Iterator[Person]:
    person = Person(server, ANN)
    yield person
    person.http.close()


@pytest.fixture(scope="module")
def bo(server: LiveServer) -> Iterator[Person]:
    person = Person(server, BO)
    yield person
    person.http.close()


def subscription(name: str, subscriber: Subscriber | None = None) -> dict[str, Any]:
    return {"endpoint": f"https://push.example.net/send/{name}", "expirationTime": None, "keys": (subscriber or Subscriber()).keys()}


def test_the_push_key_is_public_and_a_p256_point(server: LiveServer) -> None:
    answer = server.get("/reminders/key")
    assert answer.status_code == 200
    raw = base64.urlsafe_b64decode(answer.json()["public_key"] + "==")
    assert len(raw) == 65 and raw[0] == 4
    assert server.get("/reminders/key").json() == answer.json()


def test_the_key_is_kept_across_restarts(tmp_path: Path) -> None:
    db_file = people_db(tmp_path / "var" / "recap.db")
    keys = []
    for _ in range(2):
        live = LiveServer(db_file, env={"RECAP_REMINDERS": "0"})
        try:
            keys.append(live.get("/reminders/key").json()["public_key"])
        finally:
            live.stop()
    assert keys[0] == keys[1]


def test_choices_start_as_defaults_and_are_saved_for_the_caller_only(ann: Person, bo: Person) -> None:
    first = ann.http.get("/reminders/settings")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert first.json() == {"enabled": False, "time": "09:00", "quiet_start": "21:00", "quiet_end": "07:00", "time_zone": "UTC",
                            "email": True, "saved": False, "push_devices": 0}  # fmt: skip
    saved = ann.post("/reminders/settings", CHOICES)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {**CHOICES, "saved": True, "push_devices": 0}
    assert ann.by_device("GET", "/reminders/settings").json() == saved.json()  # the installed app reads the same
    assert bo.http.get("/reminders/settings").json()["saved"] is False
    turned_off = ann.by_device("POST", "/reminders/settings", {**CHOICES, "enabled": False})
    assert turned_off.status_code == 200 and turned_off.json()["enabled"] is False


def test_the_apps_defaults_never_overwrite_a_choice_and_start_tomorrow(server: LiveServer, bo: Person) -> None:
    defaults = {**CHOICES, "time": "09:00", "email": True, "defaults": True}
    first = bo.by_device("POST", "/reminders/settings", defaults)
    assert first.status_code == 200 and first.json()["saved"] is True and first.json()["time"] == "09:00"
    with sqlite3.connect(server.db_path) as db:
        [(starts_on,)] = db.execute(
            "SELECT starts_on FROM reminder_settings JOIN users ON users.id = user_id WHERE users.email = ?", [BO]
        ).fetchall()
    amsterdam = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    assert starts_on == (amsterdam + dt.timedelta(days=1)).isoformat()
    chosen = bo.post("/reminders/settings", {**CHOICES, "time": "18:45"})
    assert chosen.json()["time"] == "18:45"
    # Signing in again on another device sends the defaults again: the choice stays.
    assert bo.by_device("POST", "/reminders/settings", defaults).json()["time"] == "18:45"
    bo.post("/reminders/settings", {**CHOICES, "enabled": False})  # leave Bo as the other tests expect


def test_subscribing_twice_keeps_one_and_unsubscribing_touches_only_your_own(ann: Person, bo: Person) -> None:
    mine = subscription("ann-phone")
    assert ann.by_device("POST", "/reminders/subscribe", mine).json() == {"status": "subscribed", "push_devices": 1}
    again = ann.by_device("POST", "/reminders/subscribe", mine)
    assert again.status_code == 200 and again.json()["push_devices"] == 1  # a duplicate is one subscription
    assert ann.post("/reminders/subscribe", subscription("ann-laptop")).json()["push_devices"] == 2
    # Bo cannot remove Ann's.
    assert bo.post("/reminders/unsubscribe", {"endpoint": mine["endpoint"]}).json() == {"status": "unknown", "push_devices": 0}
    assert ann.http.get("/reminders/settings").json()["push_devices"] == 2
    assert ann.post("/reminders/unsubscribe", {"endpoint": mine["endpoint"]}).json() == {"status": "unsubscribed", "push_devices": 1}
    assert ann.post("/reminders/unsubscribe", {"endpoint": mine["endpoint"]}).json()["status"] == "unknown"
    # A browser that changes hands: Bo signs in on Ann's laptop and subscribes it; it is his now.
    assert bo.post("/reminders/subscribe", subscription("ann-laptop")).json()["push_devices"] == 1
    assert ann.http.get("/reminders/settings").json()["push_devices"] == 0


def test_without_a_credential_or_with_a_wrong_one_it_is_401(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10, headers=JSON) as anonymous:
        assert anonymous.get("/reminders/settings").status_code == 401
        assert anonymous.post("/reminders/subscribe", json=subscription("x")).status_code == 401
        forged = {"Authorization": "Bearer rcd_" + "A" * 43}
        assert anonymous.post("/reminders/settings", json=CHOICES, headers=forged).status_code == 401
        assert anonymous.get("/reminders/settings", headers={"Authorization": "Bearer dev:ann@example.com"}).status_code == 401


@pytest.mark.parametrize("path", ["/reminders/settings", "/reminders/subscribe", "/reminders/unsubscribe"])
def test_a_cookie_write_without_the_csrf_token_is_refused(ann: Person, path: str) -> None:
    body = CHOICES if path.endswith("settings") else subscription("csrf") if path.endswith("/subscribe") else {"endpoint": "https://push.example.net/x"}
    missing = ann.http.post(path, json=body)
    assert missing.status_code == 403 and missing.json()["reason"] == "csrf"
    wrong = ann.http.post(path, json=body, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    assert ann.post(path, body).status_code == 200


GOOD_KEYS = Subscriber().keys()


@pytest.mark.parametrize(
    ("path", "body", "status", "says"),
    [
        ("/reminders/settings", b"not json", 400, "not valid JSON"),
        ("/reminders/settings", b"[1]", 400, "not a valid request"),
        ("/reminders/settings", b'{"enabled": true}', 400, "missing required field"),
        ("/reminders/settings", {**CHOICES, "time": "9:00"}, 400, "HH:MM"),
        ("/reminders/settings", {**CHOICES, "quiet_end": "24:00"}, 400, "HH:MM"),
        ("/reminders/settings", {**CHOICES, "time_zone": "Mars/Olympus"}, 400, "IANA"),
        ("/reminders/settings", {**CHOICES, "enabled": "yes"}, 400, "Expected `bool`"),
        ("/reminders/settings", {**CHOICES, "extra": 1}, 400, "unknown field"),
        ("/reminders/settings", b'{"enabled": true, "enabled": false}', 400, "given twice"),
        ("/reminders/subscribe", {"endpoint": "http://push.example.net/x", "keys": GOOD_KEYS}, 400, "https"),
        ("/reminders/subscribe", {"endpoint": "https://user:pw@push.example.net/x", "keys": GOOD_KEYS}, 400, "https"),
        ("/reminders/subscribe", {"endpoint": "javascript:alert(1)", "keys": GOOD_KEYS}, 400, "https"),
        ("/reminders/subscribe", {"endpoint": "https://push.example.net/" + "x" * 1100, "keys": GOOD_KEYS}, 400, "length"),
        ("/reminders/subscribe", {"endpoint": "https://push.example.net/x", "keys": {**GOOD_KEYS, "auth": "abc"}}, 400, "16 bytes"),
        ("/reminders/subscribe", {"endpoint": "https://push.example.net/x", "keys": {**GOOD_KEYS, "p256dh": "!!!"}}, 400, "65 bytes"),
        ("/reminders/subscribe", {"endpoint": "https://push.example.net/x", "keys": {**GOOD_KEYS, "p256dh": "BA" + "A" * 85}}, 400, "P-256"),
        ("/reminders/subscribe", {"endpoint": "https://push.example.net/x"}, 400, "keys"),
        ("/reminders/unsubscribe", {}, 400, "endpoint"),
        ("/reminders/subscribe", b'{"endpoint": "' + b"x" * 5000 + b'"}', 413, "Too Large"),
    ],
)  # fmt: skip
def test_malformed_or_oversized_bodies_get_a_clear_4xx(ann: Person, path: str, body: Any, status: int, says: str) -> None:
    raw = body if isinstance(body, bytes) else httpx.Request("POST", "/", json=body).content
    answer = ann.http.post(path, content=raw, headers={**ann.csrf, "Content-Type": "application/json"})
    assert answer.status_code == status, answer.text
    assert says in answer.json()["detail"], answer.json()


def test_a_body_that_is_not_json_by_its_media_type_is_415(ann: Person) -> None:
    answer = ann.http.post("/reminders/settings", content=b"enabled=1", headers={**ann.csrf, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 415 and answer.json()["error"] == "unsupported_media_type"

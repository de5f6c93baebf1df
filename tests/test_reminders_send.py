"""Sending reminders: once a day per person, whatever checks twice (issue 12 §8).

Real SQLite files, the real sender and mailer (mail goes to var/mail/ as .eml files), a push
service of our own on 127.0.0.1 (tests/support/push.py), and clocks passed in. The property
that matters, never twice for one person and day, is checked for a repeated check, a restart,
two processes racing on one database, and two real servers.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from server.db import connect, write_transaction
from server.reminders import keys, rules, schedule, sender, store
from server.settings import Settings
from server.storage import enrollments, people
from sync.enrollment import Enrollment
from tests.support.device import Device
from tests.support.people import ANN, BO, people_db
from tests.support.push import FakePushService, Subscriber, vapid_claims
from tests.support.server import LiveServer

UTC = dt.UTC
TODAY = dt.datetime.now(UTC).date()
NOON = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=UTC)
ALWAYS = rules.Preferences(enabled=True, at_minute=0, quiet_start=0, quiet_end=0, time_zone="UTC", email=True)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return people_db(tmp_path / "var" / "recap.db")


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    service = FakePushService()
    yield service
    service.close()


def user_id(db_file: Path, address: str) -> str:
    db = connect(db_file)
    try:
        found = people.user_id_for_email(db, address)
        assert found is not None
        return found
    finally:
        db.close()


def choose(db_file: Path, address: str, prefs: rules.Preferences = ALWAYS, enrolled: bool = True) -> str:
    """`address` makes these choices, and (as a pull would) is enrolled in a campaign."""
    who = user_id(db_file, address)
    db = connect(db_file)
    try:
        store.save_preferences(db, who, prefs, "2026-01-01T00:00:00.000Z")
        if enrolled:
            with write_transaction(db):
                enrollments.add(db, who, [Enrollment(campaign_id="fixture-campaign", enrolled_day=20_000, start_day=20_000)], "2026-01-01T00:00:00.000Z")
    finally:
        db.close()
    return who


def mails_to(db_file: Path, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted((db_file.parent / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append(message)
    return found  # type: ignore[return-value]


def check(db_file: Path, now: dt.datetime, **settings: object) -> list[sender.Sent]:
    db = connect(db_file)
    try:
        return sender.check(db, Settings(db_path=db_file, **settings), now)  # type: ignore[arg-type]
    finally:
        db.close()


def sent_rows(db_file: Path) -> list[tuple[str, str, str, str]]:
    db = connect(db_file)
    try:
        return [tuple(r) for r in db.execute("SELECT user_id, local_date, channel, outcome FROM reminders_sent ORDER BY user_id")]
    finally:
        db.close()


def test_a_due_rep_gets_one_mail_and_checking_again_sends_nothing(db_file: Path) -> None:
    ann = choose(db_file, ANN)
    assert check(db_file, NOON) == [sender.Sent(ann, TODAY, "email", "sent")]
    assert check(db_file, NOON) == []
    assert check(db_file, NOON + dt.timedelta(hours=6)) == []  # later the same day, a "restart": a new connection
    assert len(mails_to(db_file, ANN)) == 1
    assert mails_to(db_file, BO) == []  # Bo chose nothing: no reminders
    editor = choose(db_file, BO, enrolled=False)  # no campaign reaches Bo: nothing to answer, no reminder
    assert check(db_file, NOON) == [] and mails_to(db_file, BO) == []
    assert editor not in {row[0] for row in sent_rows(db_file)}
    body = mails_to(db_file, ANN)[0].get_body(preferencelist=("plain",))
    assert body is not None and "today" in body.get_content() and "Settings" in body.get_content()
    # The next day is a new day.
    tomorrow = NOON + dt.timedelta(days=1)
    assert check(db_file, tomorrow) == [sender.Sent(ann, tomorrow.date(), "email", "sent")]
    assert len(mails_to(db_file, ANN)) == 2


def test_the_schedule_job_runs_the_same_check_with_the_apps_clock(db_file: Path) -> None:
    ann = choose(db_file, ANN)
    settings = Settings(db_path=db_file)
    assert schedule.run_once(settings, lambda: NOON) == [sender.Sent(ann, TODAY, "email", "sent")]
    assert schedule.run_once(settings, lambda: NOON) == []
    assert len(mails_to(db_file, ANN)) == 1


def test_a_rep_who_studied_today_or_opted_out_gets_nothing(db_file: Path, tmp_path: Path) -> None:
    choose(db_file, ANN)
    choose(db_file, BO, msgspec.structs.replace(ALWAYS, enabled=False))
    server = LiveServer(db_file, env={"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"})
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            phone = Device(user_id=ANN, http=http)
            phone.answer("who-else", [1], True, local_day=(TODAY - dt.date(1970, 1, 1)).days)
            assert phone.push_once().status == 200
    finally:
        server.stop()
    assert check(db_file, dt.datetime.now(UTC)) == []  # Ann answered just now; Bo is opted out
    assert mails_to(db_file, ANN) == [] and mails_to(db_file, BO) == []


def test_a_send_that_fails_after_its_claim_is_not_retried_the_same_day(db_file: Path, push_service: FakePushService) -> None:
    ann = choose(db_file, ANN, msgspec.structs.replace(ALWAYS, email=False))
    db = connect(db_file)
    subscriber = Subscriber()
    store.subscribe(db, ann, store.Subscription(push_service.endpoint("ann"), **subscriber.keys()), "2026-01-01T00:00:00.000Z")
    db.close()
    push_service.status = 500
    assert check(db_file, NOON, push_insecure_hosts=("127.0.0.1",)) == [sender.Sent(ann, TODAY, "push", "failed: no device took it")]
    push_service.status = 201
    assert check(db_file, NOON + dt.timedelta(minutes=1), push_insecure_hosts=("127.0.0.1",)) == []
    assert len(push_service.received) == 1


def test_push_is_encrypted_for_the_subscriber_and_signed_with_the_servers_key(db_file: Path, push_service: FakePushService) -> None:
    ann = choose(db_file, ANN)
    subscriber = Subscriber()
    db = connect(db_file)
    store.subscribe(db, ann, store.Subscription(push_service.endpoint("ann"), **subscriber.keys()), "2026-01-01T00:00:00.000Z")
    public = keys.public_key(db, NOON)
    db.close()
    assert check(db_file, NOON) == [sender.Sent(ann, TODAY, "push", "sent")]
    [message] = push_service.received
    assert message.path == "/push/ann"
    assert subscriber.decrypt(message) == {"kind": "daily-reminder", "date": TODAY.isoformat(), "url": "/#/study"}
    claims = vapid_claims(message, public)
    assert claims["aud"] == push_service.url and claims["sub"] == "mailto:recap@localhost"
    assert claims["exp"] > time.time()
    assert int(message.headers["ttl"]) == sender.PUSH_TTL_SECONDS
    assert mails_to(db_file, ANN) == []  # push took it: no mail as well
    # Another subscriber cannot read it.
    with pytest.raises(Exception):  # noqa: B017 - http_ece raises InvalidTag from cryptography
        Subscriber().decrypt(message)


def test_a_gone_subscription_is_dropped_and_mail_goes_instead(db_file: Path, push_service: FakePushService) -> None:
    ann = choose(db_file, ANN)
    db = connect(db_file)
    store.subscribe(db, ann, store.Subscription(push_service.endpoint("gone"), **Subscriber().keys()), "2026-01-01T00:00:00.000Z")
    db.close()
    push_service.status = 410
    assert check(db_file, NOON) == [sender.Sent(ann, TODAY, "email", "sent")]
    db = connect(db_file)
    assert store.subscriptions(db, ann) == []
    db.close()
    assert len(mails_to(db_file, ANN)) == 1


RACER = """
import datetime, sys, time
from pathlib import Path
from server.db import connect
from server.reminders import sender
from server.settings import Settings
db_file, start, now = Path(sys.argv[1]), float(sys.argv[2]), datetime.datetime.fromisoformat(sys.argv[3])
db = connect(db_file)
time.sleep(max(0.0, start - time.time()))
sent = []
for _ in range(3):
    sent += sender.check(db, Settings(db_path=db_file), now)
print(len(sent))
"""


def test_two_processes_checking_at_once_send_each_reminder_once(db_file: Path) -> None:
    db = connect(db_file)
    with write_transaction(db):
        for n in range(30):
            people.insert_user(db, str(uuid.uuid4()), f"rep{n}@example.com", f"Rep {n}", "2026-01-01T00:00:00.000Z")
    db.close()
    everyone = [f"rep{n}@example.com" for n in range(30)]
    for address in everyone:
        choose(db_file, address)
    start = time.time() + 2
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, str(db_file), str(start), NOON.isoformat()], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    counts = [int(r.communicate(timeout=120)[0].strip() or -1) for r in racers]
    assert all(r.returncode == 0 for r in racers)
    assert sum(counts) == 30, counts  # shared out between them, none twice
    assert all(len(mails_to(db_file, address)) == 1 for address in everyone)
    assert len(sent_rows(db_file)) == 30


def test_two_real_servers_on_one_database_and_a_restart_send_once(db_file: Path) -> None:
    choose(db_file, ANN)
    env = {"RECAP_REMINDER_EVERY_SECONDS": "1"}
    servers = [LiveServer(db_file, env=env, log_name=f"server{n}.log") for n in (1, 2)]
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not mails_to(db_file, ANN):
            time.sleep(0.2)
        time.sleep(3)  # both servers have checked a few more times by now
    finally:
        for server in servers:
            server.stop()
    assert len(mails_to(db_file, ANN)) == 1
    assert [row[2:] for row in sent_rows(db_file)] == [("email", "sent")]
    logs = [s.logs() for s in servers]
    assert sum(log.count("reminder for") for log in logs) == 1, logs
    assert all("reminders: checking every 1 s" in log for log in logs)
    # A restart the same day: the new server checks, finds the day claimed, and sends nothing.
    again = LiveServer(db_file, env=env, log_name="server3.log")
    try:
        time.sleep(3)
    finally:
        again.stop()
    assert "reminders: checking every 1 s" in again.logs() and "reminder for" not in again.logs()
    assert len(mails_to(db_file, ANN)) == 1

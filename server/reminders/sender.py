"""One reminder check: read who may be due, ask the rules, claim each day, then send.

The claim (a row per person and local day, server/reminders/store.py) is committed before
anything leaves the server, so a reminder is sent at most once a day: a second check, a
restart or a second server finds the row and sends nothing. The price is that a send that
fails after its claim is not retried that day (its outcome says why); at most once beats twice.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable

import msgspec
import sqlite_utils
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from server import mail
from server.reminders import keys, rules, store
from server.settings import Settings
from sync.clock import format_utc

log = logging.getLogger("recap.reminders")
PUSH_TTL_SECONDS = 12 * 3600  # a reminder still unread by a switched-off phone after this is stale
PUSH_TIMEOUT_SECONDS = 10


class Sent(msgspec.Struct, frozen=True):
    user_id: str
    local_date: datetime.date
    channel: str  # what was used in the end: push, or email when no device took the push
    outcome: str  # sent, or failed: why


# How a push leaves: the endpoint, the JSON text and the key; tests give their own fake push
# service an http:// endpoint through RECAP_PUSH_INSECURE_HOSTS instead of replacing this.
PushSender = Callable[[store.Subscription, str, Vapid, Settings], int]


def send_push(sub: store.Subscription, payload: str, key: Vapid, settings: Settings) -> int:
    """Encrypt (RFC 8291, aes128gcm) and POST one message; the push service's status code."""
    try:
        response = webpush(
            {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
            data=payload,
            vapid_private_key=key,
            vapid_claims={"sub": settings.push_contact},
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
            headers={"Urgency": "normal"},
        )
    except WebPushException as error:
        return error.response.status_code if error.response is not None else 0
    except Exception as error:  # a push service that cannot be reached at all: requests' errors
        log.warning("push to %s failed: %s", sub.endpoint.split("/")[2] if "//" in sub.endpoint else "?", error)
        return 0
    return int(getattr(response, "status_code", 201))


def payload(local_date: datetime.date) -> str:
    """What the service worker gets: it writes the words itself, in the app's language."""
    return json.dumps({"kind": "daily-reminder", "date": local_date.isoformat(), "url": "/#/study"})


def _by_push(db: sqlite_utils.Database, settings: Settings, person: rules.Due, now: datetime.datetime, push: PushSender) -> bool:
    pem, _ = keys.ensure(db, now)
    key = Vapid.from_pem(pem.encode())
    delivered = False
    for sub in store.subscriptions(db, person.user_id):
        status = push(sub, payload(person.local_date), key, settings)
        if status in (404, 410):
            store.drop_subscription(db, sub.endpoint)  # the device unsubscribed or was reset
        delivered = delivered or 200 <= status < 300
    return delivered


def _by_email(settings: Settings, address: str, local_date: datetime.date) -> None:
    link = f"\n\n{settings.public_url.rstrip('/')}/\n" if settings.public_url else "\n"
    body = (
        "Your questions for today are waiting: two minutes keep what you learned.\n"
        f"Open Recap to answer them.{link}\n"
        "Je vragen van vandaag staan klaar: twee minuten en je houdt vast wat je leerde.\n\n"
        "To stop these mails, or to choose their time: Settings in the app.\n"
        "Deze mails uitzetten of een ander tijdstip kiezen: Instellingen in de app.\n"
    )
    mail.send(settings, mail.message(settings, address, "Recap: today's questions / de vragen van vandaag", body))


def check(
    db: sqlite_utils.Database, settings: Settings, now: datetime.datetime, push: PushSender = send_push
) -> list[Sent]:
    """Send every reminder due at `now`; what was sent (a day claimed elsewhere is not listed)."""
    people = store.candidates(db)
    addresses = {p.user_id: p.email_address for p in people}
    allows_email = {p.user_id: p.preferences.email for p in people}
    done = []
    for person in rules.due(now, people):
        if not store.claim(db, person.user_id, person.local_date, person.channel, format_utc(now)):
            continue  # another check, process or server has this day
        channel, outcome = person.channel, "sent"
        try:
            if channel == "push" and not _by_push(db, settings, person, now, push):
                channel, outcome = ("email", "sent") if allows_email[person.user_id] else ("push", "failed: no device took it")
            if channel == "email":
                _by_email(settings, addresses[person.user_id], person.local_date)
        except Exception as error:  # one person's failure must not stop the others' reminders
            log.exception("reminder for %s failed", person.user_id)
            outcome = f"failed: {error}"
        store.finish(db, person.user_id, person.local_date, channel, outcome)
        log.info("reminder for %s (%s) by %s: %s", person.user_id, person.local_date, channel, outcome)
        done.append(Sent(person.user_id, person.local_date, channel, outcome))
    return done

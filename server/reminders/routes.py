"""Reminders over HTTP: the push key, a person's choices, and their devices' push subscriptions.

JSON in and out, read like every JSON route (server/json_body.py). Signed in as sync is: the
app's device credential, or a session cookie with its CSRF token on writes (docs/auth.md).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import msgspec
import sqlite_utils
from cryptography.hazmat.primitives.asymmetric import ec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import RawBody
from litestar.router import Router

from server import json_body
from server.auth import now
from server.errors import RecapError
from server.openapi import errors, request_body
from server.reminders import keys, rules, store
from server.settings import Settings
from server.signin import Principal
from sync.clock import format_utc

T = TypeVar("T")
MAX_BODY = 4096
ACCESS = {"access": "signed-in", "device": True}
NO_STORE = {"Cache-Control": "no-store"}
WRITE_ERRORS = errors(400, 401, 403, 413, 415)
Hhmm = Annotated[str, msgspec.Meta(max_length=5, examples=["09:00"])]
# Shown until a person saves their own: 09:00, quiet from 21:00 to 07:00, email allowed.
DEFAULT = rules.Preferences(enabled=False, at_minute=9 * 60, quiet_start=21 * 60, quiet_end=7 * 60, time_zone="UTC", email=True)


class PushKey(msgspec.Struct):
    public_key: str  # base64url, for PushManager.subscribe({applicationServerKey})


class ReminderChoices(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool
    time: Hhmm
    quiet_start: Hhmm
    quiet_end: Hhmm  # the same as quiet_start: no quiet hours
    time_zone: Annotated[str, msgspec.Meta(max_length=64, examples=["Europe/Amsterdam"])]
    email: bool  # a daily mail when none of the person's devices takes push
    # True: these are the app's defaults, sent at sign-in: kept only when the person has saved
    # nothing yet, and the first reminder comes the next day.
    defaults: bool = False


class ReminderSettings(msgspec.Struct):
    enabled: bool
    time: str
    quiet_start: str
    quiet_end: str
    time_zone: str
    email: bool
    saved: bool  # False: the defaults, nothing stored yet
    push_devices: int


class SubscriptionKeys(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: Annotated[str, msgspec.Meta(max_length=200)]
    auth: Annotated[str, msgspec.Meta(max_length=100)]


class SubscribeRequest(msgspec.Struct, forbid_unknown_fields=False):
    """PushSubscription.toJSON() as the browser gives it (its expirationTime is ignored)."""

    endpoint: Annotated[str, msgspec.Meta(max_length=1024)]
    keys: SubscriptionKeys


class UnsubscribeRequest(msgspec.Struct, forbid_unknown_fields=True):
    endpoint: Annotated[str, msgspec.Meta(max_length=1024)]


class SubscriptionStatus(msgspec.Struct):
    status: str  # subscribed, unsubscribed, unknown
    push_devices: int


_choices = msgspec.json.Decoder(ReminderChoices)
_subscribe = msgspec.json.Decoder(SubscribeRequest)
_unsubscribe = msgspec.json.Decoder(UnsubscribeRequest)


def _read(request: Request[Any, Any, Any], body: bytes, decoder: msgspec.json.Decoder[T]) -> T:
    json_body.check_json(request, body, MAX_BODY)
    return json_body.decode(decoder, body)


def _settings_of(db: sqlite_utils.Database, user_id: str) -> ReminderSettings:
    prefs = store.preferences(db, user_id)
    shown = prefs or DEFAULT
    return ReminderSettings(
        enabled=shown.enabled, time=rules.format_hhmm(shown.at_minute), quiet_start=rules.format_hhmm(shown.quiet_start),
        quiet_end=rules.format_hhmm(shown.quiet_end), time_zone=shown.time_zone, email=shown.email,
        saved=prefs is not None, push_devices=len(store.subscriptions(db, user_id)),
    )  # fmt: skip


def _endpoint(text: str, settings: Settings) -> str:
    """A push service URL: https (plain http only for RECAP_PUSH_INSECURE_HOSTS), with a host."""
    parts = urlsplit(text)
    insecure_ok = parts.scheme == "http" and parts.hostname in settings.push_insecure_hosts
    if not (parts.scheme == "https" or insecure_ok) or not parts.hostname or parts.username or parts.password:
        raise RecapError("endpoint must be the https address of a push service, as PushSubscription gives it")
    return text


def _key(text: str, size: int, what: str) -> str:
    try:
        raw = keys.b64url_decode(text)
    except ValueError:
        raw = b""
    if len(raw) != size:
        raise RecapError(f"keys.{what} must be base64url of {size} bytes, as PushSubscription gives it")
    if what == "p256dh":
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise RecapError("keys.p256dh is not a P-256 public key") from None
    return text


@get("/reminders/key", sync_to_thread=True, opt={"access": "public"}, tags=["reminders"])
def push_key(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> PushKey:
    """The server's VAPID public key (base64url), to subscribe to push with."""
    return PushKey(public_key=keys.public_key(db, now(request)))


@get("/reminders/settings", sync_to_thread=True, opt=ACCESS, tags=["reminders"], responses=errors(401, 403))
def read_settings(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Response[ReminderSettings]:
    """The caller's reminder choices (the defaults while they have saved none) and how many of
    their devices take push."""
    principal: Principal = request.state.principal
    return Response(_settings_of(db, principal.user_id), headers=NO_STORE)


@post(
    "/reminders/settings", sync_to_thread=True, status_code=200, opt=ACCESS, tags=["reminders"],
    request_max_body_size=MAX_BODY, dependencies=request_body(ReminderChoices), responses=WRITE_ERRORS,
)  # fmt: skip
def save_settings(
    request: Request[Any, Any, Any], body: RawBody, db: NamedDependency[sqlite_utils.Database]
) -> Response[ReminderSettings]:
    """Save the caller's choices: on or off, the time, quiet hours and time zone, and email.

    With `"defaults": true` (the app at sign-in) nothing changes for a person who has saved
    choices before, and the first reminder comes the next day in their time zone.
    """
    principal: Principal = request.state.principal
    req = _read(request, body, _choices)
    moment = now(request)
    try:
        tomorrow = rules.local_now(moment, req.time_zone).date() + datetime.timedelta(days=1)
        prefs = rules.Preferences(
            enabled=req.enabled, at_minute=rules.parse_hhmm(req.time, "time"),
            quiet_start=rules.parse_hhmm(req.quiet_start, "quiet_start"), quiet_end=rules.parse_hhmm(req.quiet_end, "quiet_end"),
            time_zone=req.time_zone, email=req.email, starts_on=tomorrow if req.defaults else None,
        )  # fmt: skip
    except rules.Invalid as error:
        raise RecapError(str(error)) from None
    store.save_preferences(db, principal.user_id, prefs, format_utc(moment), only_if_new=req.defaults)
    return Response(_settings_of(db, principal.user_id), headers=NO_STORE)


@post(
    "/reminders/subscribe", sync_to_thread=True, status_code=200, opt=ACCESS, tags=["reminders"],
    request_max_body_size=MAX_BODY, dependencies=request_body(SubscribeRequest), responses=WRITE_ERRORS,
)  # fmt: skip
def subscribe(
    request: Request[Any, Any, Any], body: RawBody, db: NamedDependency[sqlite_utils.Database], settings: NamedDependency[Settings]
) -> Response[SubscriptionStatus]:
    """Keep this device's push subscription for the caller. Sending it again changes nothing;
    an endpoint known for someone else moves to the caller (the device is theirs now)."""
    principal: Principal = request.state.principal
    req = _read(request, body, _subscribe)
    sub = store.Subscription(
        endpoint=_endpoint(req.endpoint, settings), p256dh=_key(req.keys.p256dh, 65, "p256dh"), auth=_key(req.keys.auth, 16, "auth")
    )
    store.subscribe(db, principal.user_id, sub, format_utc(now(request)))
    return Response(SubscriptionStatus("subscribed", len(store.subscriptions(db, principal.user_id))), headers=NO_STORE)


@post(
    "/reminders/unsubscribe", sync_to_thread=True, status_code=200, opt=ACCESS, tags=["reminders"],
    request_max_body_size=MAX_BODY, dependencies=request_body(UnsubscribeRequest), responses=WRITE_ERRORS,
)  # fmt: skip
def unsubscribe(
    request: Request[Any, Any, Any], body: RawBody, db: NamedDependency[sqlite_utils.Database]
) -> Response[SubscriptionStatus]:
    """Forget one of the caller's push subscriptions (another person's is never touched)."""
    principal: Principal = request.state.principal
    req = _read(request, body, _unsubscribe)
    gone = store.unsubscribe(db, principal.user_id, req.endpoint)
    return Response(
        SubscriptionStatus("unsubscribed" if gone else "unknown", len(store.subscriptions(db, principal.user_id))), headers=NO_STORE
    )


def router() -> Router:
    """One Router: Litestar registers a path's handlers together this way (GET and POST share
    /reminders/settings)."""
    return Router(path="/", route_handlers=[push_key, read_settings, save_settings, subscribe, unsubscribe])

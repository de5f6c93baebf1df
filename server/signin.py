"""Sign-in by emailed code, sessions and device credentials (docs/auth.md).

The rules live here; SQL in server/storage/auth.py; HTTP in server/routes/auth.py. Every
function takes the time as an argument, so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import math
import secrets

import msgspec
import sqlite_utils

from server.db import write_transaction
from server.errors import RecapError
from server.people import rules
from server.settings import Settings
from server.storage import auth as store
from sync.clock import format_utc

CODE_DIGITS = 6
CODE_TTL = datetime.timedelta(minutes=10)
MAX_WRONG_CODES = 5  # wrong guesses of one code; then the code dies
# Codes asked for one email address from one client network: a client hammering an address
# is stopped without touching anyone else (docs/auth.md "Nobody can lock you out").
PAIR_CODE_REQUESTS = 5
PAIR_WINDOW = datetime.timedelta(minutes=15)
# Codes asked for one email address from everywhere: the ceiling on mail to one person. A
# network that has not been sent a code for the address in PAIR_WINDOW still gets one, so a
# stranger who reaches the ceiling cannot keep the owner from signing in.
ADDRESS_CODE_REQUESTS = 20
ADDRESS_CODE_WINDOW = datetime.timedelta(hours=1)
# Requests to /auth/code and /auth/verify together, per client network (IPv6: per /64).
NETWORK_REQUESTS = 30
NETWORK_WINDOW = datetime.timedelta(minutes=15)
LONGEST_WINDOW = max(PAIR_WINDOW, ADDRESS_CODE_WINDOW, NETWORK_WINDOW)
# Last-seen times are written at most this often, so a busy session is not a write per request.
TOUCH_EVERY = datetime.timedelta(minutes=1)
DEVICE_TOKEN_PREFIX = "rcd_"


class RateLimited(RecapError):
    """Over a limit; `retry_after` (seconds) goes out as a Retry-After header and in the body."""

    status_code = 429
    error = "rate_limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


class CodeRejected(RecapError):
    status_code = 400
    error = "code_rejected"


class Forbidden(RecapError):
    status_code = 403
    error = "forbidden"


class Principal(msgspec.Struct, frozen=True):
    """Who a request is from: their user id (what every record refers to), how they signed in,
    and their email address (an attribute that can change)."""

    user_id: str
    via: str  # dev, session, device
    email: str
    device_id: str | None = None
    token_hash: str | None = None


class SignedIn(msgspec.Struct, frozen=True):
    email: str
    session_token: str
    expires_at: str
    device_token: str | None


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to make a stolen table useless."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token that goes with a session: derived from it, so it is bound to that session."""
    return hmac.new(session_token.encode(), b"recap-csrf", hashlib.sha256).hexdigest()


def _code_hash(salt: str, user_id: str, code: str) -> str:
    # A 6-digit code cannot be protected by hashing alone; its protection is its 10-minute life
    # and the 5-guess limit. The hash keeps it out of sight of anyone reading the database.
    return hmac.new(bytes.fromhex(salt), f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _limit(db: sqlite_utils.Database, bucket: str, limit: int, window: datetime.timedelta, now: datetime.datetime, message: str) -> None:
    """Count one attempt in `bucket`, or refuse it (nothing counted) when the bucket is full."""
    cutoff = format_utc(now - window)
    found = store.window(db, bucket, cutoff)
    if found.count >= limit and found.started_at is not None:
        raise RateLimited(message, retry_after=_seconds_until(found.started_at, window, now))
    store.count_attempt(db, bucket, format_utc(now), cutoff)


def _seconds_until(started_at: str, window: datetime.timedelta, now: datetime.datetime) -> int:
    reopens = datetime.datetime.fromisoformat(started_at.replace("Z", "+00:00")) + window
    return max(1, math.ceil((reopens - now).total_seconds()))


def _network_limit(db: sqlite_utils.Database, network: str, now: datetime.datetime) -> None:
    _limit(db, f"network:{network}", NETWORK_REQUESTS, NETWORK_WINDOW, now,
           "too many sign-in attempts from this network: wait and try again")  # fmt: skip


def pair_bucket(email: str, network: str) -> str:
    return f"code:{email}|{network}"


def address_bucket(email: str) -> str:
    return f"code-total:{email}"


def challenge_hash(challenge: str) -> str:
    """The sign-in cookie's value as stored: a stolen table cannot be replayed as a cookie."""
    return token_hash(challenge)


def new_challenge() -> str:
    return secrets.token_urlsafe(24)


def request_code(
    db: sqlite_utils.Database, raw_email: str, challenge: str, network: str, now: datetime.datetime
) -> tuple[str, str] | None:
    """Make a new code for an enabled user: (email, code) to send, or None (told to nobody).

    The code belongs to its requester: the browser holding `challenge` (the sign-in cookie) or,
    for a client that keeps no cookies, its `network`. An unknown address costs the same work
    and counts against the same limits, so the answer and its timing say nothing about who has
    an account.
    """
    stamp = format_utc(now)
    try:
        email = rules.normalise_email(raw_email)
    except rules.Invalid as error:
        raise RecapError(f"{error}") from None
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    salt = secrets.token_hex(16)
    with write_transaction(db):
        store.prune_rate_limits(db, format_utc(now - LONGEST_WINDOW))
        _network_limit(db, network, now)
        pair = store.window(db, pair_bucket(email, network), format_utc(now - PAIR_WINDOW))
        if pair.count >= PAIR_CODE_REQUESTS and pair.started_at is not None:
            raise RateLimited(
                "too many codes asked for this address: use the newest one, or wait and ask again",
                retry_after=_seconds_until(pair.started_at, PAIR_WINDOW, now),
            )
        total = store.window(db, address_bucket(email), format_utc(now - ADDRESS_CODE_WINDOW))
        if total.count >= ADDRESS_CODE_REQUESTS and total.started_at is not None and pair.count > 0:
            # The ceiling binds repeat askers only: a network asking for the first time (the
            # owner, while a stranger floods) still gets its code.
            raise RateLimited(
                "too many codes asked for this address: use the newest one, or wait and ask again",
                retry_after=min(
                    _seconds_until(total.started_at, ADDRESS_CODE_WINDOW, now),
                    _seconds_until(pair.started_at or stamp, PAIR_WINDOW, now),
                ),
            )
        store.count_attempt(db, pair_bucket(email, network), stamp, format_utc(now - PAIR_WINDOW))
        store.count_attempt(db, address_bucket(email), stamp, format_utc(now - ADDRESS_CODE_WINDOW))
        user = store.account(db, email)
        digest = _code_hash(salt, user.id if user else "nobody", code)
        if user is None or user.disabled:
            return None
        store.replace_code(db, user.id, challenge_hash(challenge), network, salt, digest, stamp, format_utc(now + CODE_TTL))
    return email, code


def verify_code(
    db: sqlite_utils.Database,
    settings: Settings,
    raw_email: str,
    code: str,
    device_id: str | None,
    challenge: str,
    address: str | None,
    network: str,
    now: datetime.datetime,
) -> SignedIn:
    """Check the code against the caller's own codes; start a session (plus a device credential
    when a device is named).

    Only codes asked for with the caller's sign-in cookie, or from the caller's network, are
    tried: a stranger's wrong guesses cannot use up the owner's code.
    """
    stamp = format_utc(now)
    rejected = CodeRejected("that code is wrong or has expired: check it, or ask for a new one")
    try:
        email = rules.normalise_email(raw_email)
    except rules.Invalid as error:
        raise RecapError(f"{error}") from None
    with write_transaction(db):
        _network_limit(db, network, now)
        user = store.account(db, email)
        stored = store.codes_for(db, user.id, challenge_hash(challenge), network) if user and not user.disabled else []
        live = [c for c in stored if c.expires_at > stamp and c.failures < MAX_WRONG_CODES]
        for dead in (c for c in stored if c not in live):
            assert user is not None
            store.delete_code(db, user.id, dead.challenge)
        given = code.strip()
        match = next(
            (c for c in live if hmac.compare_digest(_code_hash(c.salt, user.id, given), c.code_hash)),  # type: ignore[union-attr]
            None,
        )
        if user is None or user.disabled:
            failure = "unknown or disabled account"
            _code_hash("00" * 16, "nobody", given)  # the same work as for a real account
        elif match is None and not live:
            failure = "code expired or locked" if stored else "no live code"
        elif match is None:
            failures = [store.count_failure(db, user.id, c.challenge) for c in live]
            for c, n in zip(live, failures, strict=True):
                if n >= MAX_WRONG_CODES:
                    store.delete_code(db, user.id, c.challenge)
            failure = f"wrong code ({max(failures)})" + ("; code locked" if max(failures) >= MAX_WRONG_CODES else "")
        else:
            failure = ""
        if failure:
            store.audit(db, stamp, "sign-in-failed", email, address, failure)
        else:
            assert user is not None and match is not None
            store.delete_code(db, user.id, match.challenge)  # single use
            session_token = secrets.token_urlsafe(32)
            expires_at = format_utc(now + datetime.timedelta(days=settings.session_max_days))
            store.insert_session(db, token_hash(session_token), user.id, device_id, stamp, expires_at)
            device_token = None
            if device_id is not None:
                # One live credential per device: signing in again replaces the old one.
                store.revoke_device_credentials(db, user.id, stamp, "replaced", device_id=device_id)
                device_token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
                store.insert_device_credential(db, token_hash(device_token), user.id, device_id, stamp)
            store.audit(db, stamp, "sign-in", email, address, f"device {device_id}" if device_id else "")
            return SignedIn(email, session_token, expires_at, device_token)
    raise rejected


def session_principal(
    db: sqlite_utils.Database, settings: Settings, token: str, now: datetime.datetime
) -> Principal | None:
    """The user of a live session cookie, or None (ended, expired, idle too long, user disabled)."""
    digest = token_hash(token)
    found = store.session(db, digest)
    stamp = format_utc(now)
    idle = datetime.timedelta(minutes=settings.session_idle_minutes)
    if (
        found is None
        or found.ended
        or found.disabled
        or (found.expires_at or "") <= stamp
        or found.last_seen_at <= format_utc(now - idle)
    ):
        return None
    if found.last_seen_at <= format_utc(now - TOUCH_EVERY):
        store.touch_session(db, digest, stamp)
    return Principal(found.user_id, "session", found.email, found.device_id, digest)


def device_principal(db: sqlite_utils.Database, settings: Settings, token: str, now: datetime.datetime) -> Principal | None:
    """The user of a device credential that is neither revoked nor idle too long, or None.

    Using a credential renews it; one left unused for RECAP_DEVICE_IDLE_DAYS is dead, as if
    revoked (the app asks its person to sign in again and keeps everything it recorded).
    """
    digest = token_hash(token)
    found = store.device_credential(db, digest)
    if found is None or found.ended or found.disabled or found.last_seen_at <= device_idle_cutoff(settings, now):
        return None
    if found.last_seen_at <= format_utc(now - TOUCH_EVERY):
        store.touch_device_credential(db, digest, format_utc(now))
    return Principal(found.user_id, "device", found.email, found.device_id, digest)


def device_idle_cutoff(settings: Settings, now: datetime.datetime) -> str:
    """Device credentials last used at or before this moment have expired."""
    return format_utc(now - datetime.timedelta(days=settings.device_idle_days))


def logout(db: sqlite_utils.Database, principal: Principal, address: str | None, now: datetime.datetime) -> None:
    """End this session, or revoke this device credential."""
    stamp = format_utc(now)
    if principal.token_hash is None:
        return
    with write_transaction(db):
        if principal.via == "session":
            store.end_session(db, principal.token_hash, stamp, "logout")
            store.audit(db, stamp, "logout", principal.email, address)
        elif principal.via == "device":
            store.revoke_device_credentials(db, principal.user_id, stamp, "logout", token_hash=principal.token_hash)
            store.audit(db, stamp, "revoke-device", principal.email, address, f"device {principal.device_id} signed out")


class UnknownUser(ValueError):
    pass


def _user(db: sqlite_utils.Database, raw_email: str) -> store.Account:
    email = rules.normalise_email(raw_email)
    user = store.account(db, email)
    if user is None:
        raise UnknownUser(f"no one has the address {email}: see `recap users list`")
    return user


def set_disabled(db: sqlite_utils.Database, raw_email: str, disabled: bool, now: datetime.datetime) -> tuple[str, int, int]:
    """Disable (ending every session and revoking every device credential) or enable a user.

    Returns (email, sessions ended, device credentials revoked).
    """
    stamp = format_utc(now)
    with write_transaction(db):
        user = _user(db, raw_email)
        store.set_disabled(db, user.id, disabled, stamp)
        ended = revoked = 0
        if disabled:
            store.delete_code(db, user.id)
            ended = store.end_sessions(db, user.id, stamp, "disabled")
            revoked = store.revoke_device_credentials(db, user.id, stamp, "disabled")
        detail = f"{ended} session(s) ended, {revoked} device credential(s) revoked" if disabled else ""
        store.audit(db, stamp, "disable" if disabled else "enable", user.email, None, detail)
    return user.email, ended, revoked


def revoke(db: sqlite_utils.Database, raw_email: str, device_id: str | None, now: datetime.datetime) -> tuple[str, int, int]:
    """End a user's sessions and revoke their device credentials (all, or one device's)."""
    stamp = format_utc(now)
    with write_transaction(db):
        user = _user(db, raw_email)
        ended = store.end_sessions(db, user.id, stamp, "revoked", device_id=device_id)
        revoked = store.revoke_device_credentials(db, user.id, stamp, "revoked", device_id=device_id)
        scope = f"device {device_id}" if device_id else "all devices"
        store.audit(db, stamp, "revoke", user.email, None, f"{scope}: {ended} session(s) ended, {revoked} device credential(s) revoked")
    return user.email, ended, revoked

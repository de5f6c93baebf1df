"""Who is calling: a session cookie, a device credential, or (RECAP_DEV_AUTH) a development credential.

docs/auth.md has the rules. Whatever the credential, the caller is a user id: what every
record refers to (an email address is an attribute that can change).
"""

from __future__ import annotations

import datetime
import hmac
import re
from collections.abc import Callable
from typing import Any

import sqlite_utils
from litestar import Request

from server import signin
from server.people import rules
from server.settings import Settings
from server.storage import people
from server.syncing import errors

# Used with fullmatch, so nothing may follow the token (not even a line break).
_DEV_TOKEN = re.compile(r"Bearer dev:([A-Za-z0-9._@+-]{1,200})")
_DEVICE_TOKEN = re.compile(r"Bearer (" + signin.DEVICE_TOKEN_PREFIX + r"[A-Za-z0-9_-]{20,100})")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"


def is_https(request: Request[Any, Any, Any]) -> bool:
    return request.scope.get("scheme") == "https"


def session_cookie(request: Request[Any, Any, Any]) -> str:
    """`__Host-recap_session` over https (Secure, this host only, Path=/), else `recap_session`."""
    return "__Host-recap_session" if is_https(request) else "recap_session"


def csrf_cookie(request: Request[Any, Any, Any]) -> str:
    return "__Host-recap_csrf" if is_https(request) else "recap_csrf"


def sign_in_cookie(request: Request[Any, Any, Any]) -> str:
    """The cookie naming the browser that asked for a sign-in code (docs/auth.md)."""
    return "__Host-recap_signin" if is_https(request) else "recap_signin"


def now(request: Request[Any, Any, Any]) -> datetime.datetime:
    """The app's clock (tests give create_app their own)."""
    clock: Callable[[], datetime.datetime] = request.app.state.clock
    return clock()


def client_address(request: Request[Any, Any, Any]) -> str | None:
    """The client's address, after RECAP_TRUSTED_PROXIES have been applied (server/proxies.py)."""
    return request.client.host if request.client else None


def dev_principal(db: sqlite_utils.Database, text: str) -> signin.Principal:
    """A development credential's user: the person with that address, or (for tests that need no
    account) a user id of its own, `dev:<name>`, normalised as sign-in normalises an email."""
    try:
        email = rules.normalise_email(text)
    except rules.Invalid:
        email = text.strip().lower()
    user_id = people.user_id_for_email(db, email)
    return signin.Principal(user_id or f"dev:{email}", "dev", email)


def authenticate(
    request: Request[Any, Any, Any],
    settings: Settings,
    db: sqlite_utils.Database,
    *,
    check_csrf: bool = True,
    device: bool = False,
) -> signin.Principal:
    """The caller, or a 401 that tells the app to pause its outbox and ask for sign-in.

    A request with an Authorization header is judged by that header alone. A device credential
    counts only where the route accepts one (`device=True`: sync, signing out, reminders); pages and
    forms need the session cookie, which must, unless the method is safe, come with the
    session's CSRF token in `X-CSRF-Token` matching the `recap_csrf` cookie (403 otherwise).
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, signin.Principal):
        return cached  # the access guard already authenticated this request
    header = request.headers.get("authorization", "")
    moment = now(request)
    if header:
        if settings.dev_auth:
            dev = _DEV_TOKEN.fullmatch(header)
            if dev:
                return dev_principal(db, dev.group(1))
        bearer = _DEVICE_TOKEN.fullmatch(header)
        if bearer and not device:
            raise errors.Unauthorized("a device credential is for syncing only: sign in to use this page")
        if bearer:
            principal = signin.device_principal(db, settings, bearer.group(1), moment)
            if principal is not None:
                return principal
        raise errors.Unauthorized("sign in again to sync; nothing recorded on this device is lost")
    token = request.cookies.get(session_cookie(request))
    if token:
        principal = signin.session_principal(db, settings, token, moment)
        if principal is not None:
            if check_csrf and request.method not in SAFE_METHODS:
                require_csrf(request, token)
            return principal
    raise errors.Unauthorized("sign in again to sync; nothing recorded on this device is lost")


def require_csrf(request: Request[Any, Any, Any], session_token: str, sent: str | None = None) -> None:
    """Double submit, bound to the session: header (or a form's `csrf_token`, passed as `sent`)
    == cookie == the session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER, "") if sent is None else sent
    cookie = request.cookies.get(csrf_cookie(request), "")
    expected = signin.csrf_token(session_token)
    if not (sent and hmac.compare_digest(sent, cookie) and hmac.compare_digest(sent, expected)):
        raise signin.Forbidden(
            "missing or wrong CSRF token: send the recap_csrf cookie's value in the X-CSRF-Token header",
            reason="csrf",
        )


def require_form_csrf(request: Request[Any, Any, Any], principal: signin.Principal, sent: str) -> None:
    """For HTML forms (which cannot send headers): the form's token, when a cookie signed in."""
    if principal.via == "session":
        require_csrf(request, request.cookies.get(session_cookie(request), ""), sent)


def form_csrf_token(request: Request[Any, Any, Any]) -> str:
    """The token a page puts in its forms: the session's CSRF token, or "" without a session."""
    token = request.cookies.get(session_cookie(request))
    return signin.csrf_token(token) if token else ""

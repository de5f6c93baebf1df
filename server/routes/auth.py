"""Sign-in: /auth/code, /auth/verify, /auth/logout (docs/auth.md)."""

from __future__ import annotations

import contextlib
import functools
from typing import Annotated, Any, TypeVar

import anyio
import msgspec
import sqlite_utils
from litestar import Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import RawBody

from server import auth, json_body, mail, signin
from server.openapi import errors, request_body
from server.proxies import rate_key
from server.settings import Settings
from server.syncing import errors as sync_errors
from sync.protocol import Uuid

T = TypeVar("T")

MAX_BODY = 2048
Email = Annotated[str, msgspec.Meta(max_length=320)]
AUTH_ERRORS = (400, 413, 415, 429)
SIGN_IN_COOKIE_SECONDS = int(signin.CODE_TTL.total_seconds())


class CodeRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class VerifyRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    code: Annotated[str, msgspec.Meta(max_length=16)]
    device_id: Uuid | None = None


class CodeSent(msgspec.Struct):
    status: str
    detail: str


class Verified(msgspec.Struct, omit_defaults=True):
    email: str
    expires_at: str
    csrf_token: str
    device_token: str | None = None  # only when a device_id was sent


class SignedOut(msgspec.Struct):
    status: str


_code_decoder = msgspec.json.Decoder(CodeRequest)
_verify_decoder = msgspec.json.Decoder(VerifyRequest)
CODE_SENT = CodeSent(
    status="sent",
    detail="if this address has an account, a sign-in code is on its way; it works once, for 10 minutes",
)


def _read(request: Request[Any, Any, Any], body: bytes, decoder: msgspec.json.Decoder[T]) -> T:
    json_body.check_json(request, body, MAX_BODY)
    return json_body.decode(decoder, body)


async def _send_code(settings: Settings, email: str, code: str) -> None:
    minutes = int(signin.CODE_TTL.total_seconds() // 60)
    await anyio.to_thread.run_sync(functools.partial(mail.send_code, settings, email, code, minutes))


def _cookies(request: Request[Any, Any, Any], session_token: str | None, max_age: int) -> list[Cookie]:
    """The session cookie (HttpOnly) and its CSRF cookie (readable by the app), or their removal."""
    secure = auth.is_https(request)
    common: dict[str, Any] = {"path": "/", "samesite": "lax", "secure": secure, "max_age": max_age}
    if session_token is None:
        common["expires"] = 0
    return [
        Cookie(key=auth.session_cookie(request), value=session_token or "", httponly=True, **common),
        Cookie(
            key=auth.csrf_cookie(request),
            value=signin.csrf_token(session_token) if session_token else "",
            httponly=False,
            **common,
        ),
    ]


def _sign_in_cookie(request: Request[Any, Any, Any], challenge: str | None) -> Cookie:
    """The cookie that ties an emailed code to the browser that asked for it (docs/auth.md)."""
    return Cookie(
        key=auth.sign_in_cookie(request),
        value=challenge or "",
        path="/",
        samesite="strict",
        secure=auth.is_https(request),
        httponly=True,
        max_age=SIGN_IN_COOKIE_SECONDS if challenge else 0,
        expires=None if challenge else 0,
    )


@post(
    "/auth/code", sync_to_thread=True, status_code=200, opt={"access": "public"}, tags=["auth"],
    request_max_body_size=MAX_BODY, dependencies=request_body(CodeRequest), responses=errors(*AUTH_ERRORS),
)  # fmt: skip
def request_code(
    request: Request[Any, Any, Any],
    body: RawBody,
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
) -> Response[CodeSent]:
    """Email a 6-digit sign-in code. The answer is the same whether or not the address has an account.

    The code belongs to this browser (a sign-in cookie) or, for a client without cookies, to its
    network: only they can use it, and asking again replaces only their own code.
    """
    req = _read(request, body, _code_decoder)
    challenge = request.cookies.get(auth.sign_in_cookie(request)) or signin.new_challenge()
    outcome = signin.request_code(db, req.email, challenge, rate_key(auth.client_address(request)), auth.now(request))
    background = BackgroundTask(_send_code, settings, *outcome) if outcome else None
    return Response(CODE_SENT, background=background, cookies=[_sign_in_cookie(request, challenge)])


@post(
    "/auth/verify", sync_to_thread=True, status_code=200, opt={"access": "public"}, tags=["auth"],
    request_max_body_size=MAX_BODY, dependencies=request_body(VerifyRequest), responses=errors(*AUTH_ERRORS),
)  # fmt: skip
def verify(
    request: Request[Any, Any, Any],
    body: RawBody,
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
) -> Response[Verified]:
    """Check the code; start a session (cookie) and, given a device_id, issue a device credential.

    A wrong code answers 400 `code_rejected`.
    """
    req = _read(request, body, _verify_decoder)
    address = auth.client_address(request)
    challenge = request.cookies.get(auth.sign_in_cookie(request), "")
    done = signin.verify_code(
        db, settings, req.email, req.code, req.device_id, challenge, address, rate_key(address), auth.now(request)
    )
    content = Verified(
        email=done.email, expires_at=done.expires_at, csrf_token=signin.csrf_token(done.session_token),
        device_token=done.device_token,
    )  # fmt: skip
    cookies = [*_cookies(request, done.session_token, settings.session_max_days * 86_400), _sign_in_cookie(request, None)]
    return Response(content, cookies=cookies)


@post(
    "/auth/logout", sync_to_thread=True, status_code=200, opt={"access": "public", "device": True}, tags=["auth"],
    request_max_body_size=MAX_BODY, responses=errors(403, 413),
)  # fmt: skip
def logout(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], settings: NamedDependency[Settings]
) -> Response[SignedOut]:
    """End this session (cookie, with the CSRF token) or revoke this device credential (Authorization).

    Always clears the cookies: signing out with a session that has already ended is not an
    error (200). A live session without its CSRF token is refused (403), so another site cannot
    sign anyone out.
    """
    principal: signin.Principal | None = None
    with contextlib.suppress(sync_errors.Unauthorized):
        principal = auth.authenticate(request, settings, db, device=True)
    if principal is not None:
        signin.logout(db, principal, auth.client_address(request), auth.now(request))
    return Response(SignedOut(status="signed out"), cookies=_cookies(request, None, 0))

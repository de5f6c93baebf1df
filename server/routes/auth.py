"""Sign-in: /auth/code, /auth/verify, /auth/logout (docs/auth.md)."""

from __future__ import annotations

import contextlib
import functools
from typing import Annotated, Any

import anyio
import msgspec
import sqlite_utils
from litestar import Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import RawBody

from server import auth, mail, signin
from server.errors import RecapError
from server.proxies import rate_key
from server.settings import Settings
from server.syncing import errors
from sync.protocol import Uuid

MAX_BODY = 2048
Email = Annotated[str, msgspec.Meta(max_length=320)]


class CodeRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class VerifyRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    code: Annotated[str, msgspec.Meta(max_length=16)]
    device_id: Uuid | None = None


_code_decoder = msgspec.json.Decoder(CodeRequest)
_verify_decoder = msgspec.json.Decoder(VerifyRequest)
CODE_SENT = {
    "status": "sent",
    "detail": "if this address has an account, a sign-in code is on its way; it works once, for 10 minutes",
}


def _decode(decoder: msgspec.json.Decoder[Any], body: bytes) -> Any:
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise RecapError(f"the body is not a valid request: {exc}") from None


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


@post("/auth/code", sync_to_thread=True, status_code=200, opt={"access": "public"}, tags=["auth"], request_max_body_size=MAX_BODY)
def request_code(
    request: Request[Any, Any, Any],
    body: RawBody,
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
) -> Response[dict[str, str]]:
    """Email a 6-digit sign-in code. The answer is the same whether or not the address has an account."""
    req: CodeRequest = _decode(_code_decoder, body)
    outcome = signin.request_code(db, req.email, rate_key(auth.client_address(request)), auth.now(request))
    background = BackgroundTask(_send_code, settings, *outcome) if outcome else None
    return Response(CODE_SENT, background=background)


@post("/auth/verify", sync_to_thread=True, status_code=200, opt={"access": "public"}, tags=["auth"], request_max_body_size=MAX_BODY)
def verify(
    request: Request[Any, Any, Any],
    body: RawBody,
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
) -> Response[dict[str, str]]:
    """Check the code; start a session (cookie) and, given a device_id, issue a device credential."""
    req: VerifyRequest = _decode(_verify_decoder, body)
    address = auth.client_address(request)
    done = signin.verify_code(db, settings, req.email, req.code, req.device_id, address, rate_key(address), auth.now(request))
    content = {"email": done.email, "expires_at": done.expires_at, "csrf_token": signin.csrf_token(done.session_token)}
    if done.device_token is not None:
        content["device_token"] = done.device_token
    return Response(content, cookies=_cookies(request, done.session_token, settings.session_max_days * 86_400))


@post("/auth/logout", sync_to_thread=True, status_code=200, opt={"access": "signed-in"}, tags=["auth"], request_max_body_size=MAX_BODY)
def logout(
    request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], settings: NamedDependency[Settings]
) -> Response[dict[str, str]]:
    """End this session (cookie, with the CSRF token) or revoke this device credential (Authorization)."""
    principal: signin.Principal | None = None
    with contextlib.suppress(errors.Unauthorized):
        principal = auth.authenticate(request, settings, db)
    if principal is not None:
        signin.logout(db, principal, auth.client_address(request), auth.now(request))
    return Response({"status": "signed out"}, cookies=_cookies(request, None, 0))

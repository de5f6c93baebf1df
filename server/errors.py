"""Domain errors, and the one place where any error becomes an HTTP response."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Request, Response

# Litestar is imported where an error becomes a response, not here: the domain modules that
# raise these errors are also used by `recap` commands, which start faster without the web stack.

log = logging.getLogger("recap.errors")

# Machine clients get JSON on these paths; people get an HTML page everywhere else.
API_PREFIXES = ("/api", "/sync", "/content", "/auth", "/reminders", "/coaching", "/-/", "/schema", "/uploads", "/videos")

_TITLES = {
    400: "That request was not understood",
    401: "Please sign in",
    403: "You may not see this",
    404: "Page not found",
    405: "That method is not allowed here",
    409: "That clashes with something already there",
    413: "That is too large",
    415: "That kind of content is not accepted here",
    416: "That part of the file does not exist",
    429: "Too many requests",
    500: "Something went wrong on our side",
    503: "Not ready yet",
}
_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 429: "rate_limited",
    500: "internal_error", 503: "unavailable",
}


class RecapError(Exception):
    """An error the core raises with the status and code an HTTP client should see."""

    status_code = 400
    error = "bad_request"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        # Machine-readable fields a client acts on, e.g. `expected_seq` or `limit`.
        self.extra = extra
        # Response headers, e.g. Retry-After on a 429.
        self.headers: dict[str, str] = {}


class NotFound(RecapError):
    status_code = 404
    error = "not_found"


class NotReady(RecapError):
    status_code = 503
    error = "not_ready"


def wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    if path.startswith(API_PREFIXES):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _back(request: Request[Any, Any, Any]) -> tuple[str, str]:
    """Where an error page leads back to: the editor from its pages, else the app."""
    if request.url.path.startswith("/editor"):
        return "/editor", "Back to the editor"
    return "/", "Back to Recap"


def handle_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Turn any exception into `{"error", "detail"}` JSON for the API or a page for people."""
    from litestar import MediaType, Response
    from litestar.exceptions import HTTPException
    from litestar.response import Template

    headers: dict[str, str] = {}
    extra: dict[str, object] = {}
    if isinstance(exc, RecapError):
        status, code, detail = exc.status_code, exc.error, exc.detail
        extra = dict(exc.extra)
        headers = dict(exc.headers)
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        code = _CODES.get(status, "error")
        detail = exc.detail or _TITLES.get(status, "error")
        headers = dict(exc.headers or {})
        if exc.extra:
            extra = {"extra": exc.extra}
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        status, code, detail = 500, "internal_error", "an unexpected error occurred; it has been logged"
    if wants_json(request):
        return Response({"error": code, "detail": detail, **extra}, status_code=status, headers=headers, media_type=MediaType.JSON)
    return Template(
        template_name="error.html",
        context={"status": status, "title": _TITLES.get(status, "Error"), "detail": detail, "back": _back(request)},
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )

"""Security headers on every response: pages, API answers, static files and errors alike."""

from __future__ import annotations

from litestar.types import Message, Scope, Send

# Everything the app loads is its own: scripts, styles, the service worker, the manifest.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        # A pitch recorded on the phone plays from a blob: URL before (and while) it uploads.
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# A response that does not say how to cache it is not cached at all: pages, sign-in answers,
# sync answers and errors are about one person at one moment. Files that may be cached (the
# app's assets, icons, page styles, published content) say so themselves.
NO_STORE = (b"cache-control", b"no-store")


def with_security_headers(scope: Scope, send: Send) -> Send:
    """Wrap `send` so the response start carries the headers (HSTS only over https), each only
    when the response has not set it itself."""
    extra = [*HEADERS, NO_STORE, HSTS] if scope.get("scheme") == "https" else [*HEADERS, NO_STORE]

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
        await send(message)

    return send_with_headers

"""One structured (JSON) log line per HTTP request, whatever its outcome."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from litestar.types import Message, Receive, Scope, Send

log = logging.getLogger("recap.request")


async def log_request(scope: Scope, receive: Receive, send: Send, app: Any) -> None:
    """Run `app` for one HTTP request and log method, path, status, size and duration."""
    started = time.perf_counter()
    status = 0
    size = 0

    async def send_and_count(message: Message) -> None:
        nonlocal status, size
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            size += len(message.get("body", b""))
        await send(message)

    try:
        await app(scope, receive, send_and_count)
    finally:
        client = scope.get("client")
        log.info(
            json.dumps(
                {
                    "event": "request",
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status or 500,
                    "bytes": size,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": client[0] if client else None,
                },
                separators=(",", ":"),
            )
        )

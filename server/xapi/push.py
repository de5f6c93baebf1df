"""Sending statements to a learning record store (LRS): POST /statements in batches, with the
xAPI version header, retried with backoff on 5xx answers, timeouts and broken connections.

Idempotent by construction: every statement keeps its event's id, so a batch sent twice (a
timeout after the store had saved it, a push interrupted and started again) is harmless. The
store answers 200 (ids), 204 (nothing new) or 409 (an id it has already): all three mean
delivered. After each delivered batch the position (the latest stored-at time in it) is saved,
so the next push starts there (with a small overlap, since events stored in the same instant
may commit in any order; the ids make the overlap harmless).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import httpx

from server.xapi.statements import VERSION

DELIVERED = (200, 204, 409)
BATCH = 100


@dataclass(frozen=True)
class PushResult:
    sent: int  # statements delivered (a retried batch counts once)
    batches: int
    attempts: int  # HTTP requests made
    error: str = ""  # why it stopped early; empty when everything was delivered


def push(
    items: Iterable[tuple[str, dict[str, Any]]],
    endpoint: str,
    auth: tuple[str, str] | None,
    on_delivered: Callable[[str, int], None],
    *,
    batch: int = BATCH,
    tries: int = 6,
    backoff: float = 0.5,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> PushResult:
    """Send `items` ((stored at, statement) in stored order) in batches; call `on_delivered(stored
    at, count)` after each delivered batch. Stops at the first batch that cannot be delivered."""
    url = endpoint.rstrip("/") + "/statements"
    headers = {"X-Experience-API-Version": VERSION, "Content-Type": "application/json"}
    sent = batches = attempts = 0
    with httpx.Client(timeout=timeout, auth=auth, headers=headers, transport=transport) as client:
        for chunk in _batches(iter(items), batch):
            body = [statement for _, statement in chunk]
            error = ""
            for attempt in range(tries):
                attempts += 1
                try:
                    response = client.post(url, json=body)
                except httpx.TransportError as exc:  # timeouts, refused or broken connections
                    error = f"{type(exc).__name__}: {exc}"
                else:
                    if response.status_code in DELIVERED:
                        error = ""
                        break
                    error = f"HTTP {response.status_code}: {response.text[:200]}"
                    if response.status_code < 500 and response.status_code != 429:
                        return PushResult(sent, batches, attempts, f"the store refused a batch ({error}); nothing more was sent")
                if attempt + 1 < tries:
                    sleep(backoff * 2**attempt)
            if error:
                return PushResult(sent, batches, attempts, f"gave up after {tries} tries ({error}); the next push resumes here")
            sent += len(chunk)
            batches += 1
            on_delivered(chunk[-1][0], len(chunk))
    return PushResult(sent, batches, attempts)


def _batches(items: Iterator[tuple[str, dict[str, Any]]], size: int) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    while chunk := list(islice(items, size)):
        yield chunk

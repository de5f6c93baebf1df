"""A flaky network in front of the real server, for real-browser tests: an HTTP proxy on
127.0.0.1 that forwards every request to a LiveServer and, for the sync routes (`/sync/…`, or
the path prefixes a test names, e.g. `/uploads/`), randomly delays them, fails them with a 503, drops them before they reach the server, or drops
the response after the server has answered (the server committed; the app never hears).

The browser opens the app through the proxy (`FaultProxy.url`), so the app's origin, its
service worker and its sync all go through it. Everything else (the shell, the library) is
forwarded untouched. `counts` says what was done to how many sync requests, so a test can show
its faults happened; `hold_part_way` stops an upload part-way (its requests held) until
`release`. Seeded: one seed, one sequence of faults (the browser's timing still varies).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx

FAULTS = ("pass", "delay", "fail", "drop_request", "drop_response")
DEFAULT_WEIGHTS = {"pass": 35, "delay": 25, "fail": 15, "drop_request": 10, "drop_response": 15}
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
    "host",
    "content-length",
}


class FaultProxy:
    """The proxy, serving on a free port of 127.0.0.1 in a thread until stop()."""

    def __init__(
        self,
        target: str,
        *,
        seed: int = 12,
        weights: dict[str, int] | None = None,
        max_delay: float = 1.5,
        paths: tuple[str, ...] = ("/sync/",),
    ) -> None:
        unknown = set(weights or {}) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}: choose from {FAULTS}")
        self.target = target.rstrip("/")
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.max_delay = max_delay
        self.paths = paths
        self.seen: Counter[str] = Counter()  # "METHOD /first-segment/" of each faulted-path request
        self.counts: Counter[str] = Counter()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._open = threading.Event()  # cleared: requests on the faulted paths are held (hold_part_way)
        self._open.set()
        self._part_way: int | None = None  # hold_part_way: PATCHes pass until one leaves the upload part-way
        self._client = httpx.Client(base_url=self.target, timeout=30)
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()

    def choose(self, path: str) -> tuple[str, float]:
        """What to do with a request for `path`: a fault (always "pass" off the faulted paths) and a delay."""
        if not path.startswith(self.paths):
            return "pass", 0.0
        with self._lock:
            fault = self._random.choices(list(self.weights), weights=list(self.weights.values()))[0]
            delay = self._random.uniform(0.2, self.max_delay) if fault == "delay" else 0.0
            self.counts[fault] += 1
        return fault, delay

    def hold_part_way(self, size: int) -> None:
        """Let PATCHes through without faults until one is answered with an `Upload-Offset` short of
        `size`, then hold every request on the faulted paths until release(): a test can close the
        app with part of an upload on the server."""
        self._part_way = size

    def release(self) -> None:
        """Stop holding: the requests held meanwhile are dropped (they never reach the server), later ones meet faults again."""
        self._part_way = None
        self._open.set()

    def _answered(self, method: str, response: httpx.Response) -> None:
        offset = response.headers.get("Upload-Offset")
        if method != "PATCH" or self._part_way is None or not response.is_success or offset is None:
            return
        if 0 < int(offset) < self._part_way:
            self._open.clear()

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> httpx.Response:
        return self._client.request(method, path, headers=headers, content=body)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()


class _Handler(BaseHTTPRequestHandler):
    proxy: ClassVar[FaultProxy]
    protocol_version = "HTTP/1.0"  # one request per connection: a drop closes just that one

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _handle(self) -> None:
        if self.path.startswith(self.proxy.paths) and not self.proxy._open.is_set():
            with self.proxy._lock:
                self.proxy.seen[f"{self.command} held"] += 1
            self.proxy._open.wait(timeout=300)
            self.close_connection = True
            return
        fault, delay = self.proxy.choose(self.path)
        if self.command == "PATCH" and self.proxy._part_way is not None:
            fault, delay = "pass", 0.0
        if self.path.startswith(self.proxy.paths):
            with self.proxy._lock:
                self.proxy.seen[f"{self.command} {fault}"] += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if fault == "drop_request":
            self.close_connection = True
            return
        if fault == "fail":
            self._reply(
                503,
                {"Content-Type": "application/json", "Retry-After": "0"},
                b'{"error": "unavailable", "detail": "fault proxy"}',
            )
            return
        if delay:
            time.sleep(delay)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            response = self.proxy.forward(self.command, self.path, headers, body)
        except (httpx.HTTPError, RuntimeError):  # RuntimeError: the proxy is stopping
            self.close_connection = True
            return
        if fault == "drop_response":
            self.close_connection = True
            return
        kept = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP | {"content-encoding"}}
        self.proxy._answered(self.command, response)  # before the browser hears, so it can send no more
        self._reply(response.status_code, kept, response.content)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

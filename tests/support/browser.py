"""Debian's Chromium for the real-browser tests (Playwright's own download does not work here)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # A fake camera and microphone, allowed without asking: the pitch recording tests record
    # through getUserMedia and MediaRecorder (a test pattern and a beep).
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


def chromium_path() -> str:
    """Debian's chromium (Playwright's own download does not work here)."""
    path = os.environ.get("RECAP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium is not installed: run `bash .ci/ensure-chromium` (Debian package chromium)")
    return path


def page_log(page: Any) -> list[str]:
    """What a page logs from now on (console messages and uncaught errors), to say why a wait failed."""
    log: list[str] = []
    page.on("console", lambda message: log.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda exc: log.append(f"pageerror: {exc}"))
    return log


def wait_for_app(page: Any, log: list[str], timeout_ms: float = 30_000) -> None:
    """Wait until the app has started (main.js sets `globalThis.recap` once `app.start()` has
    returned); fail saying what the page logged and what its sync bar said if it never does."""
    try:
        page.wait_for_function("() => Boolean(globalThis.recap)", polling=100, timeout=timeout_ms)
    except PlaywrightError as err:
        bar = page.locator("#sync").inner_text(timeout=1_000)
        raise AssertionError(f"the app never finished starting; sync bar {bar!r}; log {log}") from err


def wait_for_offline_ready(page: Any, timeout_ms: float = 20_000) -> None:
    """Wait until the service worker is active (the shell precached): the app then opens offline.
    (The "Ready to work offline" notice says so too, but goes by itself after 8 seconds.)"""
    page.wait_for_function(
        "async () => Boolean((await navigator.serviceWorker.ready).active)", polling=100, timeout=timeout_ms
    )

"""Debian's Chromium for the real-browser tests (Playwright's own download does not work here)."""

from __future__ import annotations

import os
import shutil

import pytest

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

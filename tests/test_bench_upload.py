"""bench/upload.py --quick: it serves, uploads (one file interrupted and resumed), verifies, and
its last line has the promised shape."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.paths import ROOT

LAST_LINE = re.compile(
    r"^bench upload: files=3 mib_per_s=\d+\.\d disk_mib_per_s=\d+\.\d ratio=\d+\.\d\d interrupted=1 identical=3$"
)


def test_the_quick_run_prints_its_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "upload.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert "ERROR" not in result.stdout

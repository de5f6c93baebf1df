"""Running a benchmark of bench/ the quick way, as its test does: its printed lines."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT


def quick_run(script: str) -> list[str]:
    """`python bench/<script> --quick`: its output lines, once it exited 0 printing no ERROR."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick"], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout
    return result.stdout.strip().splitlines()

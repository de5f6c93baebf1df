"""bench/dashboard.py --quick: it builds, serves and measures, and its last line has the promised shape."""

from __future__ import annotations

import re

from tests.support.bench import quick_run

LAST_LINE = re.compile(
    r"^bench dashboard: reps=100 answers=20000 heatmap_p50_ms=\d+ heatmap_p99_ms=\d+ drill_p99_ms=\d+$"
)


def test_the_quick_run_prints_its_figures() -> None:
    lines = quick_run("dashboard.py")
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert any(line.startswith("push of 100 answers") and "ratio" in line for line in lines)

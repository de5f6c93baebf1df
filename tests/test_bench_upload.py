"""bench/upload.py --quick: it serves, uploads (one file interrupted and resumed), verifies, and
its last line has the promised shape."""

from __future__ import annotations

import re

from tests.support.bench import quick_run

LAST_LINE = re.compile(
    r"^bench upload: files=3 mib_per_s=\d+\.\d disk_mib_per_s=\d+\.\d ratio=\d+\.\d\d interrupted=1 identical=3$"
)


def test_the_quick_run_prints_its_figures() -> None:
    lines = quick_run("upload.py")
    assert LAST_LINE.match(lines[-1]), lines[-1]

"""bench/simulate.py --quick: its last line has the promised shape, anchored matched to classic's answers."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.support.paths import ROOT

LAST_LINE = re.compile(
    r"^bench simulate: anchored_recall90=(?P<a90>[01]\.\d{3}) classic_recall90=(?P<c90>[01]\.\d{3}) "
    r"anchored_answers=(?P<aa>\d+\.\d) classic_answers=(?P<ca>\d+\.\d) "
    r"anchored_recall180=(?P<a180>[01]\.\d{3}) classic_recall180=(?P<c180>[01]\.\d{3})$"
)


def test_quick_simulation_ends_with_the_headline_at_matched_answers() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "simulate.py"), "--quick", "--jobs", "1"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    found = LAST_LINE.match(lines[-1])
    assert found, lines[-1]
    anchored, classic = float(found["aa"]), float(found["ca"])
    assert abs(anchored / classic - 1.0) <= 0.02, (anchored, classic)
    # Per model, with intervals: the headline model's table, never a pooled one.
    assert any(line.startswith("### act-r-spacing") for line in lines)
    assert any(re.search(r"\| classic \| \d\.\d{3} ± \d\.\d{3} \|", line) for line in lines)

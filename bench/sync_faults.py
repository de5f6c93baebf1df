"""The sync fault test (tests/test_sync_faults.py) at length: many more schedules than `make test`.

usage: python bench/sync_faults.py [--schedules 5000] [--steps 30]

Each schedule: 1–3 reps with 1–2 devices each and a coach with 1–2 record answers,
acknowledgements, observation, session and pitch patches, and sync through a fault layer
(dropped requests and responses, duplicates, stale replays, injected 401/503/413) with random
server restarts; then faults stop, every device syncs twice, and everything must agree. Prints
how many answers were recorded, lost and duplicated over all schedules.
"""

from __future__ import annotations

import argparse
import sys
import time

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.support.faults import TOTALS, SyncFaults
from tests.support.pitch_faults import PITCH_TOTALS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=30, help="steps per schedule")
    args = parser.parse_args()
    started = time.perf_counter()
    failure = None
    try:
        run_state_machine_as_test(
            SyncFaults,
            settings=settings(
                max_examples=args.schedules,
                stateful_step_count=args.steps,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    except AssertionError as exc:
        failure = exc
    elapsed = time.perf_counter() - started
    print(
        f"{TOTALS.schedules} schedules, {TOTALS.recorded} records (answers, acknowledgements, observation, session and pitch patches) recorded,"
        f" in {elapsed:.0f} s ({elapsed / max(TOTALS.schedules, 1) * 1000:.0f} ms a schedule)"
    )
    print("observation fields, by merge case: " + ", ".join(f"{case} {n}" for case, n in TOTALS.merges.items()))
    print("session fields, by merge case: " + ", ".join(f"{case} {n}" for case, n in TOTALS.session_merges.items()))
    p = PITCH_TOTALS
    print(
        f"pitches: {p.created} recorded, {p.patches} patches applied, {p.rejected} refused, {p.acknowledged} reviews acknowledged,"
        f" {p.withheld} proposed without consent, {p.exemplars} listed as good examples"
    )
    print("pitch fields, by merge case: " + ", ".join(f"{case} {n}" for case, n in p.merges.items()))
    if failure:
        print(f"FAILED: {str(failure).splitlines()[0]}")
    print(f"bench sync_faults: schedules={TOTALS.schedules} lost={TOTALS.lost} duplicated={TOTALS.duplicated}")
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())

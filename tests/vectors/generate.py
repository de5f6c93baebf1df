"""Writes the golden vectors shared by the Python and JS tests.

    python -m tests.vectors.generate [--check]

- tests/vectors/scheduler.json: answer sequences and the states the spec expects, from
  sync/scheduler.py; the Python tests check them against the `fsrs` package as an independent
  oracle, and the JS tests check pwa/src/scheduler.js against them.
- tests/vectors/plan.json: learners' campaigns, plans and states, and today's queue, from
  sync/plan.py (tests/vectors/plan_cases.py); the JS tests check pwa/src/study-plan.js.

The output is deterministic (fixed seeds): `--check` fails if a committed file is stale.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sync.scheduler import ANCHORED_SETTINGS, NEW, Policy, Settings, settings_for, step
from tests.vectors import plan_cases

OUT = Path(__file__).with_name("scheduler.json")
PLAN_OUT = Path(__file__).with_name("plan.json")
SEED = 20261128
CASES = 5400
STREAK_AND_FSRS: tuple[Policy, ...] = ("fsrs", "classic", "classic-long", "turbo", "lightning")
ANCHORED_SEED = 20261201
ANCHORED_CASES = 1600  # after the others, from their own seed: the older cases stay as they were
SETTING_KEYS = ("desired_retention", "retire_stability", "max_interval", "wrong_days", "right_days", "retire_streak")

# Gaps between answers: same-day repeats, daily practice, weekly, monthly, long pauses.
GAPS = [(0, 0), (1, 1), (2, 7), (8, 30), (31, 120), (121, 1000), (1001, 4000)]
GAP_WEIGHTS = [12, 22, 22, 20, 14, 7, 3]


def random_settings(rng: random.Random, policy: Policy) -> Settings:
    overrides: dict[str, float | int | None] = {}
    if policy == "fsrs":
        if rng.random() < 0.5:
            overrides["desired_retention"] = rng.choice([0.7, 0.75, 0.8, 0.9, 0.95, round(rng.uniform(0.5, 0.99), 3)])
        if rng.random() < 0.4:
            overrides["retire_stability"] = rng.choice([21, 30, 60, 180, 365, round(rng.uniform(5, 400), 2)])
        if rng.random() < 0.15:
            overrides["max_interval"] = rng.choice([7, 30, 100, 365])
    elif rng.random() < 0.3:
        overrides["wrong_days"] = rng.randint(1, 30)
        overrides["right_days"] = rng.randint(1, 60)
        overrides["retire_streak"] = rng.randint(0, 4)
    return settings_for(policy, **overrides)


def random_anchored_settings(rng: random.Random, first_day: int) -> Settings:
    overrides: dict[str, float | int | None] = {"options": rng.choice([0, 2, 3, 4, 4, 4, 5])}
    if rng.random() < 0.8:  # a campaign with an end, some before the first answer
        overrides["end_day"] = first_day + rng.choice([rng.randint(-20, 20), rng.randint(20, 120), rng.randint(120, 400)])
    if rng.random() < 0.5:
        overrides["budget"] = rng.choice([1, 2, 3, 5, 6, round(rng.uniform(1, 8), 2)])
    if rng.random() < 0.3:
        overrides["end_check_days"] = rng.randint(0, 20)
    if rng.random() < 0.2:
        overrides["horizon_days"] = rng.randint(30, 200)
    if rng.random() < 0.4:
        overrides["booster_days"] = rng.randint(60, 90)
    if rng.random() < 0.3:
        overrides["spot_check_days"] = rng.randint(7, 180)
    if rng.random() < 0.3:
        overrides["wrong_days"] = rng.randint(1, 30)
    return settings_for("anchored", **overrides)


def random_answers(rng: random.Random) -> list[dict[str, Any]]:
    kind = rng.random()
    # Mostly short histories (a question is seldom asked more than 8 times), some long ones.
    length = rng.choices([rng.randint(1, 8), rng.randint(9, 16), rng.randint(17, 30)], weights=[70, 25, 5])[0]
    day = rng.randint(19_000, 21_000)
    p_correct = rng.uniform(0.3, 0.97)
    gap_weights = GAP_WEIGHTS
    if kind < 0.03:  # a long run of daily wrong answers drives stability to its floor
        length, p_correct, gap_weights = rng.randint(25, 40), 0.0, [0, 1, 0, 0, 0, 0, 0]
    elif kind < 0.06:  # years of right answers drive it to its ceiling
        length, p_correct, gap_weights = rng.randint(15, 30), 1.0, [0, 0, 0, 1, 2, 3, 3]
    answers = []
    for i in range(length):
        if i:
            lo, hi = rng.choices(GAPS, weights=gap_weights)[0]
            day += rng.randint(lo, hi)
        answers.append({"day": day, "correct": rng.random() < p_correct})
    return answers


def expected_states(answers: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    state = NEW
    out = []
    for a in answers:
        state = step(state, a["day"], a["correct"], settings)
        out.append({"stability": state.stability, "difficulty": state.difficulty, "due_day": state.due_day, "retired": state.retired})
    return out


def generate() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    weights = {"fsrs": 40, "classic": 15, "classic-long": 15, "turbo": 15, "lightning": 15}
    cases = []
    for _ in range(CASES):
        policy: Policy = rng.choices(STREAK_AND_FSRS, weights=[weights[p] for p in STREAK_AND_FSRS])[0]
        settings = random_settings(rng, policy)
        answers = random_answers(rng)
        settings_json = {k: v for k, v in asdict(settings).items() if k in SETTING_KEYS}
        cases.append({"policy": policy, "settings": settings_json, "answers": answers, "expected": expected_states(answers, settings)})
    rng = random.Random(ANCHORED_SEED)
    for _ in range(ANCHORED_CASES):
        answers = random_answers(rng)
        settings = random_anchored_settings(rng, answers[0]["day"])
        keys = SETTING_KEYS + ANCHORED_SETTINGS
        settings_json = {k: v for k, v in asdict(settings).items() if k in keys}
        cases.append({"policy": "anchored", "settings": settings_json, "answers": answers, "expected": expected_states(answers, settings)})
    return cases


def render(cases: list[dict[str, Any]]) -> str:
    """One case per line: diffs stay readable and the file stays small."""
    return "[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed file differs")
    check = parser.parse_args().check
    stale = 0
    for out, text in ((OUT, render(generate())), (PLAN_OUT, render(plan_cases.generate()))):
        if check:
            if not out.exists() or out.read_text() != text:
                print(f"{out} is stale: run python -m tests.vectors.generate", file=sys.stderr)
                stale += 1
            else:
                print(f"{out} is up to date")
            continue
        out.write_text(text)
        print(f"wrote {out} ({text.count(chr(10)) - 2} cases, {len(text):,} bytes)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

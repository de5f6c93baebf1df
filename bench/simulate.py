"""What each repeat policy does for simulated learners whose true memory the scheduler cannot see.

usage: python bench/simulate.py [--learners N] [--seed S] [--days 90] [--follow 180]
           [--questions 30] [--cap 3] [--options 4] [--participation 1.0] [--half-life 1.5]
           [--jobs J] [--quick]

A campaign of Q questions (k options each) runs from day 1 to its end on day D (--days); the
learner is followed to day F (--follow), repeats going on after the end as the scheduler says.
Each day the learner gets `sync.scheduler.queue` for the campaign (new questions first under
`anchored`, none after the end) and answers all of it (or, with --participation p < 1, skips
the whole day with probability 1 - p); `sync.scheduler.step` moves the scheduler's state with
the answer, right or wrong, under the settings the server would use (`sync.progress.
settings_by_question` for a campaign with that `repeat`, its `end` on day D, k options). The
learner's TRUE memory is a separate model (bench/learners.py), drawn per learner: a question
never shown is not known (recall 0); a showing is a retrieval attempt that truly recalls with
the true probability R; the answer is right on a recall, or by guessing with probability 1/k;
then the learner reads the explanation, and the true memory is updated.

Measures per memory model and policy, over learners (mean and 95 % interval, mean ± 1.96 sd/√n):
- recall dD, recall dF: true recall of all Q questions on the campaign's last day and on day F,
  "if asked the next morning" (after that day's answers; never shown = 0);
- mean recall: true recall averaged over days 1..D;
- answers: answers per learner up to day F (the campaign and the follow-up);
- false ret.: questions retired while not known (true recall below 0.5 at the retiring answer);
- all shown by: the day the last new question was first shown (D + 1 if never).

Matched effort: each policy has a knob (fsrs: desired retention; classic: its wrong/right
days; anchored: its answer budget per question), and each knob setting is a point (answers,
recall). `anchored@matched` is anchored with the budget tuned, per memory model, to classic's
answers (within 2 %), and the paired difference anchored - classic is given with its interval.

Memory models are reported one by one, never pooled; `fsrs-truth` is FSRS itself (circular) and
is reported apart. The last line is the headline, under the spacing-effect model
`act-r-spacing`:
bench simulate: anchored_recall90=X classic_recall90=X anchored_answers=N classic_answers=N anchored_recall180=X classic_recall180=X

Every learner has its own `random.Random` streams seeded from --seed, the memory model and its
index, one per question, so each policy meets the same learners and the n-th showing of a
question draws the same random numbers under every policy (paired comparisons).
Figures, not verdicts: the learners are models, chosen to be plausible, not fitted to data.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import random
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from learners import CIRCULAR_MODELS, MODELS, SPACING_MODELS, draw

from sync.progress import settings_by_question
from sync.scheduler import NEW, State, queue, step

HEADLINE = SPACING_MODELS[0]
BASE = {
    "fsrs": ("fsrs", {}),
    "classic": ("classic", {}),
    "classic-long": ("classic-long", {}),
    "turbo": ("turbo", {}),
    "lightning": ("lightning", {}),
    "anchored": ("anchored", {}),
}
# Each policy's knob, for the matched-effort curves (the base policies above are points too).
CURVES: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "fsrs (desired retention)": [
        (f"fsrs@{r:.2f}", "fsrs", {"desired_retention": r}) for r in (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
    ],
    "classic (wrong/right days)": [
        (f"classic@{w}/{r}", "classic", {"wrong_days": w, "right_days": r}) for w, r in ((6, 12), (9, 18), (12, 24), (21, 42), (30, 60))
    ],
    "anchored (budget)": [(f"anchored@{b}", "anchored", {"budget": b}) for b in (2, 3, 4, 5, 6)],
    "anchored + booster 75 days after the end (budget)": [
        (f"anchored@{b}+booster", "anchored", {"budget": b, "booster_days": 75}) for b in (2, 3, 4, 5)
    ],
}
QUICK_CURVES = {"anchored (budget)": [(f"anchored@{b}", "anchored", {"budget": b}) for b in (3, 4, 5)]}


@dataclass(frozen=True)
class Config:
    days: int
    follow: int
    questions: int
    cap: int
    options: int
    participation: float
    seed: int
    half_life: float
    quick: bool = False


@dataclass(frozen=True)
class Run:
    """One learner under one policy."""

    mean_recall: float
    recall_end: float
    recall_follow: float
    answers: int
    false_retirements: int
    all_shown_day: int


Variant = tuple[str, dict[str, Any]]  # (repeat mode, campaign fields)


def variants(cfg: Config) -> dict[str, Variant]:
    out: dict[str, Variant] = dict(BASE)
    for points in (QUICK_CURVES if cfg.quick else CURVES).values():
        for name, policy, fields in points:
            out[name] = (policy, fields)
    return out


def date_of(day: int) -> str:
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()


def simulate(model: str, learner: int, variant: Variant, cfg: Config) -> Run:
    """One learner's campaign under one policy, from a blank memory."""
    policy, fields = variant
    key = f"{cfg.seed}:{model}:{learner}"
    memory = draw(model, random.Random(key), cfg.questions, cfg.half_life)()
    streams = [random.Random(f"{key}:q{q}") for q in range(cfg.questions)]
    attendance = random.Random(f"{key}:days")
    guess = 1.0 / cfg.options
    qids = [f"q{q:03d}" for q in range(cfg.questions)]
    campaign = {"id": "c", "repeat": policy, "end": date_of(cfg.days), "questions": qids, **fields}
    settings = settings_by_question([campaign], [{"id": qid, "options": ["x"] * cfg.options} for qid in qids])
    new_first = policy == "anchored"
    index = {qid: q for q, qid in enumerate(qids)}
    states: dict[str, State] = {}
    daily: list[float] = []
    answers = false_retirements = 0
    all_shown_day = cfg.days + 1
    for day in range(1, cfg.follow + 1):
        if attendance.random() < cfg.participation:
            for qid in queue(day, qids, states, cfg.cap, 1, new_first):
                if day > cfg.days and qid not in states:
                    continue  # no new questions after the campaign's end
                q = index[qid]
                r = memory.recall(q, day)
                stream = streams[q]
                recalled = stream.random() < r
                lucky = stream.random() < guess
                before = states.get(qid, NEW)
                after = step(before, day, recalled or lucky, settings[qid])
                states[qid] = after
                if after.retired and not before.retired and r < 0.5:
                    false_retirements += 1
                memory.study(q, day, recalled)
                answers += 1
            if all_shown_day > cfg.days and len(states) == cfg.questions:
                all_shown_day = day
        if day <= cfg.days or day == cfg.follow:  # the measures need no other day
            daily.append(sum(memory.recall(q, day + 1) for q in range(cfg.questions)) / cfg.questions)
    return Run(
        mean_recall=sum(daily[: cfg.days]) / cfg.days,
        recall_end=daily[cfg.days - 1],
        recall_follow=daily[-1],
        answers=answers,
        false_retirements=false_retirements,
        all_shown_day=all_shown_day,
    )


def simulate_learner(model: str, learner: int, runs: dict[str, Variant], cfg: Config) -> dict[str, Run]:
    return {name: simulate(model, learner, variant, cfg) for name, variant in runs.items()}


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def half_width(xs: Sequence[float]) -> float:
    """Half-width of the 95 % interval of the mean (normal approximation)."""
    return 1.96 * statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else float("nan")


def ci(xs: Sequence[float], digits: int = 3) -> str:
    return f"{mean(xs):.{digits}f} ± {half_width(xs):.{digits}f}"


def paired(a: Sequence[float], b: Sequence[float]) -> str:
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    return f"{mean(diffs):+.3f} ± {half_width(diffs):.3f}"


def column(results: list[dict[str, Run]], name: str, field: str) -> list[float]:
    return [float(getattr(r[name], field)) for r in results]


def run_all(pool: ProcessPoolExecutor, runs_by_model: dict[str, dict[str, Variant]], learners: int, cfg: Config) -> dict[str, list[dict[str, Run]]]:
    futures = {m: [pool.submit(simulate_learner, m, i, runs, cfg) for i in range(learners)] for m, runs in runs_by_model.items()}
    return {m: [f.result() for f in fs] for m, fs in futures.items()}


def matched(pool: ProcessPoolExecutor, results: dict[str, list[dict[str, Run]]], learners: int, cfg: Config) -> dict[str, float]:
    """Add `anchored@matched` per model: the budget that asks classic's answers (within 2 %)."""
    budgets = {m: mean(column(results[m], "classic", "answers")) / cfg.questions for m in results}
    for _ in range(3):
        extra = run_all(pool, {m: {"anchored@matched": ("anchored", {"budget": round(b, 4)})} for m, b in budgets.items()}, learners, cfg)
        off = {}
        for m, rs in extra.items():
            for r, x in zip(results[m], rs, strict=True):
                r["anchored@matched"] = x["anchored@matched"]
            target, got = mean(column(results[m], "classic", "answers")), mean(column(results[m], "anchored@matched", "answers"))
            if abs(got / target - 1.0) > 0.01:
                off[m] = min(max(budgets[m] * target / got, 1.0), 20.0)
        if not off:
            break
        budgets.update(off)
    return budgets


def print_model(m: str, rs: list[dict[str, Run]], budget: float, cfg: Config) -> None:
    label = " (circular: FSRS itself, not a headline)" if m in CIRCULAR_MODELS else ""
    label = " (spacing effect: headline)" if m in SPACING_MODELS else label
    print()
    print(f"### {m}{label}")
    print()
    print(f"| policy | recall d{cfg.days} | recall d{cfg.follow} | mean recall d1-{cfg.days} | answers | false ret. | all shown by |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in [*BASE, "anchored@matched"]:
        label = f"anchored@matched (budget {budget:.2f})" if name == "anchored@matched" else name
        print(
            f"| {label} | {ci(column(rs, name, 'recall_end'))} | {ci(column(rs, name, 'recall_follow'))} "
            f"| {ci(column(rs, name, 'mean_recall'))} | {ci(column(rs, name, 'answers'), 1)} "
            f"| {mean(column(rs, name, 'false_retirements')):.2f} | {mean(column(rs, name, 'all_shown_day')):.1f} |"
        )
    print()
    print(f"Matched effort (anchored@matched - classic, paired): recall d{cfg.days} {paired(column(rs, 'anchored@matched', 'recall_end'), column(rs, 'classic', 'recall_end'))}, "
          f"recall d{cfg.follow} {paired(column(rs, 'anchored@matched', 'recall_follow'), column(rs, 'classic', 'recall_follow'))}, "
          f"mean recall {paired(column(rs, 'anchored@matched', 'mean_recall'), column(rs, 'classic', 'mean_recall'))}")


def print_curves(results: dict[str, list[dict[str, Run]]], cfg: Config) -> None:
    print()
    print(f"### Matched effort: answers per learner / recall d{cfg.days} / recall d{cfg.follow}, per knob setting")
    models = list(results)
    for title, points in (QUICK_CURVES if cfg.quick else CURVES).items():
        print()
        print(f"{title}:")
        print()
        print("| setting | " + " | ".join(models) + " |")
        print("|---|" + "---|" * len(models))
        for name, _, _ in points:
            cells = [
                f"{mean(column(results[m], name, 'answers')):.1f} / {mean(column(results[m], name, 'recall_end')):.3f} / "
                f"{mean(column(results[m], name, 'recall_follow')):.3f}"
                for m in models
            ]
            print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=None, help="simulated learners per memory model (default 100; 24 with --quick)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=90, help="the campaign's length: its end is on this day")
    parser.add_argument("--follow", type=int, default=180, help="the last day the learners are followed")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--cap", type=int, default=3, help="daily cap of the campaign")
    parser.add_argument("--options", type=int, default=4, help="answer options per question (guessing = 1/k)")
    parser.add_argument("--participation", type=float, default=1.0, help="probability of showing up on a day")
    parser.add_argument("--half-life", type=float, default=1.5, help="exponential learner: median first half-life, days")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--quick", action="store_true", help="few learners, the headline model and fewer knob settings (for tests)")
    args = parser.parse_args()
    if args.follow < args.days or args.days < 1:
        parser.error("--follow must be at least --days, and --days at least 1")
    learners = args.learners or (24 if args.quick else 100)
    cfg = Config(args.days, args.follow, args.questions, args.cap, args.options, args.participation, args.seed, args.half_life, args.quick)
    models = [HEADLINE] if cfg.quick else [m for m in MODELS if m not in CIRCULAR_MODELS] + list(CIRCULAR_MODELS)

    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        results = run_all(pool, {m: variants(cfg) for m in models}, learners, cfg)
        budgets = matched(pool, results, learners, cfg)
    elapsed = time.perf_counter() - start

    print(
        f"{learners} learners per memory model x {len(models)} models; {cfg.questions} questions with {cfg.options} options, "
        f"cap {cfg.cap}/day, campaign days 1-{cfg.days}, followed to day {cfg.follow}, participation {cfg.participation:g}, "
        f"exponential half-life {cfg.half_life:g} d, seed {cfg.seed}"
    )
    print(f"simulated in {elapsed:.1f} s with {args.jobs} worker(s); intervals are 95 % over learners")
    for m in models:
        print_model(m, results[m], budgets[m], cfg)
    print_curves(results, cfg)
    print()
    rs = results[HEADLINE]
    print(f"Headline model: {HEADLINE} (spacing effect); anchored tuned to classic's answers, budget {budgets[HEADLINE]:.2f} per question.")
    print(
        f"bench simulate: anchored_recall90={mean(column(rs, 'anchored@matched', 'recall_end')):.3f} "
        f"classic_recall90={mean(column(rs, 'classic', 'recall_end')):.3f} "
        f"anchored_answers={mean(column(rs, 'anchored@matched', 'answers')):.1f} "
        f"classic_answers={mean(column(rs, 'classic', 'answers')):.1f} "
        f"anchored_recall180={mean(column(rs, 'anchored@matched', 'recall_follow')):.3f} "
        f"classic_recall180={mean(column(rs, 'classic', 'recall_follow')):.3f}"
    )


if __name__ == "__main__":
    main()

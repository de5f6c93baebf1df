"""What each repeat policy does for simulated learners whose true memory the scheduler cannot see.

usage: python bench/simulate.py [--learners N] [--seed S] [--days 90] [--questions 30]
           [--cap 3] [--options 4] [--participation 1.0] [--half-life 1.5] [--jobs J]

A campaign of Q questions (k options each) runs for D days from day 1. Each day the learner
gets `sync.scheduler.queue(day, questions, states, cap, 1)` and answers all of it (or, with
--participation p < 1, skips the whole day with probability 1 - p); `sync.scheduler.step`
moves the scheduler's state with the answer, right or wrong. The learner's TRUE memory is a
separate model (bench/learners.py: fsrs-truth, exponential, act-r), drawn per learner: a
question never shown is not known (recall 0); a showing is a retrieval attempt that truly
recalls with the true probability R; the answer is right on a recall, or by guessing with
probability 1/k; then the learner reads the explanation, and the true memory is updated as a
success if it recalled, else as a failure and restudy.

Measures per memory model and policy, means over learners:
- recall d1-D: true recall averaged over days 1..D and over all Q questions (never shown = 0);
  the recall "on day d" is the probability of recalling each question if asked the next
  morning, i.e. after day d's answers (t = d + 1 - day last shown);
- recall d30, recall dD: the same on day 30 and on the last day;
- answers: answers given per learner over the campaign (at most cap x D);
- >=80% at dD: share of learners whose mean true recall on the last day is at least 0.8;
- false ret.: questions retired while not known - the true recall at the answer that retired
  them (before the explanation) was below 0.5 - per learner. A lucky guess that retires a
  question counts; so does every question under `lightning`, which retires on first sight;
- shown: questions shown at least once (of Q); all shown by: the day the last new question
  was first shown (mean; D + 1 if that never happened).

Policies: `fsrs` (desired retention 0.85), `classic`, `classic-long`, `turbo`, `lightning`
(`settings_for(policy)`), then `fsrs` at desired retention 0.70..0.95 for a Pareto table.
Every learner has its own `random.Random` streams seeded from --seed, the memory model and
its index, one per question, so each policy meets the same learners and the n-th showing of a
question draws the same random numbers under every policy (paired comparisons).
Figures, not verdicts: the learners are models, chosen to be plausible, not fitted to data.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from learners import MODELS, draw

from sync.scheduler import NEW, POLICIES, Settings, State, queue, settings_for, step

ROOT = Path(__file__).resolve().parent.parent

PARETO_RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)


@dataclass(frozen=True)
class Config:
    days: int
    questions: int
    cap: int
    options: int
    participation: float
    seed: int
    half_life: float


@dataclass(frozen=True)
class Run:
    """One learner under one policy."""

    mean_recall: float
    recall30: float
    recall_end: float
    answers: int
    false_retirements: int
    all_shown_day: int
    shown: int


def runs_to_compare() -> dict[str, Settings]:
    runs: dict[str, Settings] = {policy: settings_for(policy) for policy in POLICIES}
    for r in PARETO_RETENTIONS:
        if r != runs["fsrs"].desired_retention:
            runs[f"fsrs@{r:.2f}"] = settings_for("fsrs", desired_retention=r)
    return runs


def pareto_label(r: float) -> str:
    return "fsrs" if r == settings_for("fsrs").desired_retention else f"fsrs@{r:.2f}"


def simulate(model: str, learner: int, settings: Settings, cfg: Config) -> Run:
    """One learner's campaign under one policy, from a blank memory."""
    key = f"{cfg.seed}:{model}:{learner}"
    memory = draw(model, random.Random(key), cfg.questions, cfg.half_life)()
    streams = [random.Random(f"{key}:q{q}") for q in range(cfg.questions)]
    attendance = random.Random(f"{key}:days")
    guess = 1.0 / cfg.options
    qids = [f"q{q:03d}" for q in range(cfg.questions)]
    index = {qid: q for q, qid in enumerate(qids)}
    states: dict[str, State] = {}
    daily: list[float] = []
    answers = false_retirements = 0
    all_shown_day = cfg.days + 1
    for day in range(1, cfg.days + 1):
        present = attendance.random() < cfg.participation
        if present:
            for qid in queue(day, qids, states, cfg.cap, 1):
                q = index[qid]
                r = memory.recall(q, day)
                stream = streams[q]
                recalled = stream.random() < r
                lucky = stream.random() < guess
                before = states.get(qid, NEW)
                after = step(before, day, recalled or lucky, settings)
                states[qid] = after
                if after.retired and not before.retired and r < 0.5:
                    false_retirements += 1
                memory.study(q, day, recalled)
                answers += 1
            if all_shown_day > cfg.days and len(states) == cfg.questions:
                all_shown_day = day
        daily.append(sum(memory.recall(q, day + 1) for q in range(cfg.questions)) / cfg.questions)
    return Run(
        mean_recall=sum(daily) / len(daily),
        recall30=daily[min(30, cfg.days) - 1],
        recall_end=daily[-1],
        answers=answers,
        false_retirements=false_retirements,
        all_shown_day=all_shown_day,
        shown=len(states),
    )


def simulate_learner(model: str, learner: int, cfg: Config) -> dict[str, Run]:
    return {name: simulate(model, learner, settings, cfg) for name, settings in runs_to_compare().items()}


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def paired(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Mean of a - b and the half-width of its 95 % interval (normal approximation)."""
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    half = 1.96 * statistics.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else float("nan")
    return mean(diffs), half


def summary(model: str, results: list[dict[str, Run]], end: int) -> str:
    """Does fsrs reach higher last-day recall than classic for no more answers? Say it plainly."""
    f_rec = [r["fsrs"].recall_end for r in results]
    c_rec = [r["classic"].recall_end for r in results]
    f_ans, c_ans = mean([r["fsrs"].answers for r in results]), mean([r["classic"].answers for r in results])
    diff, half = paired(f_rec, c_rec)
    text = (
        f"- {model}: fsrs {mean(f_rec):.3f} vs classic {mean(c_rec):.3f} recall on day {end} "
        f"(paired difference {diff:+.3f} ± {half:.3f}), with {f_ans:.1f} vs {c_ans:.1f} answers. "
    )
    if diff > half and f_ans <= c_ans:
        return text + "Yes: fsrs recalls more for no more answers."
    if diff > half:
        text += f"fsrs recalls more, but it asks {f_ans / c_ans:.1f}x as many answers. "
    elif diff < -half:
        text += "No: classic recalls more. "
    else:
        text += "No clear difference in recall. "
    points = [
        (r, mean([x[pareto_label(r)].recall_end for x in results]), mean([x[pareto_label(r)].answers for x in results]))
        for r in PARETO_RETENTIONS
    ]
    cheaper = [p for p in points if p[2] <= c_ans]
    if not cheaper:
        r, rec, ans = min(points, key=lambda p: p[2])
        return text + (
            f"No fsrs setting down to {r:.2f} gets by with as few answers as classic; the cheapest "
            f"({r:.2f}) asks {ans:.1f} answers for {rec:.3f}."
        )
    r, rec, ans = max(cheaper, key=lambda c: c[1])
    verdict = "beats" if rec > mean(c_rec) else "does not beat"
    return text + (
        f"At no more answers than classic, the best fsrs setting (desired retention {r:.2f}: "
        f"{ans:.1f} answers) reaches {rec:.3f}, so it {verdict} classic ({mean(c_rec):.3f})."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200, help="simulated learners per memory model")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--cap", type=int, default=3, help="daily cap of the campaign")
    parser.add_argument("--options", type=int, default=4, help="answer options per question (guessing = 1/k)")
    parser.add_argument("--participation", type=float, default=1.0, help="probability of showing up on a day")
    parser.add_argument(
        "--half-life", type=float, default=1.5, help="exponential learner: median first half-life, days"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args()
    cfg = Config(args.days, args.questions, args.cap, args.options, args.participation, args.seed, args.half_life)
    end = cfg.days
    names = list(POLICIES)

    start = time.perf_counter()
    results: dict[str, list[dict[str, Run]]] = {}
    with ProcessPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        futures = {m: [pool.submit(simulate_learner, m, i, cfg) for i in range(args.learners)] for m in MODELS}
        for m, fs in futures.items():
            results[m] = [f.result() for f in fs]
    elapsed = time.perf_counter() - start

    print(
        f"{args.learners} learners per memory model x {len(MODELS)} models; {cfg.questions} questions with "
        f"{cfg.options} options, cap {cfg.cap}/day, {cfg.days} days, participation {cfg.participation:g}, "
        f"exponential half-life {cfg.half_life:g} d, seed {cfg.seed}"
    )
    print(f"simulated in {elapsed:.1f} s with {args.jobs} worker(s)")
    for m in MODELS:
        rs = results[m]
        print()
        print(f"### {m}")
        print()
        print(
            f"| policy | recall d1-{end} | recall d30 | recall d{end} | answers | >=80% at d{end} | false ret. | shown | all shown by |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in names:
            runs = [r[name] for r in rs]
            print(
                f"| {name} | {mean([x.mean_recall for x in runs]):.3f} | {mean([x.recall30 for x in runs]):.3f} "
                f"| {mean([x.recall_end for x in runs]):.3f} | {mean([x.answers for x in runs]):.1f} "
                f"| {mean([x.recall_end >= 0.8 for x in runs]):.0%} | {mean([x.false_retirements for x in runs]):.2f} "
                f"| {mean([x.shown for x in runs]):.1f} | {mean([x.all_shown_day for x in runs]):.1f} |"
            )

    print()
    print(f"### fsrs by desired retention: recall on day {end} / answers per learner")
    print()
    print("| desired retention | " + " | ".join(MODELS) + " |")
    print("|---|" + "---:|" * len(MODELS))
    for r in PARETO_RETENTIONS:
        cells = [
            f"{mean([x[pareto_label(r)].recall_end for x in results[m]]):.3f} / "
            f"{mean([x[pareto_label(r)].answers for x in results[m]]):.1f}"
            for m in MODELS
        ]
        print(f"| {r:.2f} | " + " | ".join(cells) + " |")
    for name in ("classic", "classic-long"):
        cells = [
            f"{mean([x[name].recall_end for x in results[m]]):.3f} / {mean([x[name].answers for x in results[m]]):.1f}"
            for m in MODELS
        ]
        print(f"| ({name}) | " + " | ".join(cells) + " |")

    print()
    print(f"Summary: does fsrs (0.85) reach higher day-{end} recall than classic for no more answers?")
    for m in MODELS:
        print(summary(m, results[m], end))

    pooled = [r for m in MODELS for r in results[m]]
    print(
        f"bench simulate: fsrs_recall90={mean([r['fsrs'].recall_end for r in pooled]):.3f} "
        f"classic_recall90={mean([r['classic'].recall_end for r in pooled]):.3f} "
        f"fsrs_answers={mean([r['fsrs'].answers for r in pooled]):.1f} "
        f"classic_answers={mean([r['classic'].answers for r in pooled]):.1f}"
    )


if __name__ == "__main__":
    main()

"""How well each scheduler's idea of recall predicts a real learner's answers.

usage: python bench/calibration.py ../shared/data/review-log-sample.csv
           [--utc-offset-minutes M] [--rollover-hour H] [--sm2-wrong-quality Q]

Reads a review log (columns card_id, review_rating, review_time (ISO 8601, UTC),
review_duration; rating 1 = Again = wrong, anything else = right) and replays it card by card
in time order. Each review time becomes a local day number with `sync.scheduler.local_day`;
only the first review of a card on a local day counts (later ones that day are skipped, as in
docs/scheduler.md and as srs-benchmark does for evaluation). The first review of a card has
no history: it only starts the state. Every later counted review is predicted by each model
from the history before it, then the model is updated with what actually happened.

Models:

- `fsrs`: our scheduler (`sync.scheduler.step`, `settings_for("fsrs")`, FSRS-6 default
  parameters, not fitted to this learner); p = retrievability(day - last_day, S).
- `sm2`: classic SM-2: ease factor 2.5 at the start, never below 1.3, intervals 1, 6, then
  round(I * EF); a wrong answer resets repetitions and the interval to 1. Quality q = 4 for a
  right answer (ease unchanged) and q = 1 for a wrong one (ease - 0.54); the ease is updated
  after every answer, as in srs-benchmark's SM-2. srs-benchmark maps Again to q = 2 (ease
  - 0.32): `--sm2-wrong-quality 2` reproduces that.
- `leitner`: 5 boxes with intervals 1, 2, 4, 8, 16 days; a new card starts in box 1, a right
  answer moves it up one box (at most 5), a wrong one back to box 1.
- `classic`: our classic preset (`settings_for("classic")`): back in 12 days after a wrong
  answer, 24 after a right one.
- `constant`: always the observed recall rate of the evaluated reviews. A baseline that has
  seen the answers (in-sample), so it is a slightly generous floor to beat.

SM-2, Leitner and classic do not predict recall, only schedule. For them we use "implied
recall": p = 0.9^(t / I), where t is the days since the previous review and I the interval the
scheduler chose at it. This assumes each scheduler places a review where it expects 90 %
recall, with exponential forgetting - the same assumption srs-benchmark uses for schedulers
that do not predict recall.

Predictions are clipped to [1e-4, 1 - 1e-4]. Metrics: log loss (mean binary cross-entropy);
RMSE(bins): predictions sorted into 20 equal-width bins of predicted p, per bin |mean
prediction - observed rate|, root of the count-weighted mean square (simpler than
srs-benchmark's RMSE(bins), which bins by interval, review count and lapses); AUC by the rank
(Mann-Whitney) formula with tied predictions given their average rank.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sync.scheduler import NEW, State, local_day, retrievability, settings_for, step

ROOT = Path(__file__).resolve().parent.parent

EPS = 1e-4
BINS = 20
LEITNER_DAYS = (1, 2, 4, 8, 16)
FSRS = settings_for("fsrs")
CLASSIC = settings_for("classic")
# The public srs-benchmark (about 10,000 learners, parameters fitted per learner).
PUBLISHED_LOGLOSS = {"fsrs": 0.321, "sm2": 0.547}


@dataclass(frozen=True)
class Review:
    card: str
    epoch_ms: int
    correct: bool


def read_log(path: Path) -> list[Review]:
    reviews = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            when = datetime.fromisoformat(row["review_time"])
            epoch_ms = round(when.timestamp() * 1000)
            reviews.append(Review(row["card_id"], epoch_ms, int(row["review_rating"]) != 1))
    return reviews


def counted_days(
    reviews: Sequence[Review], utc_offset_minutes: int, rollover_hour: int
) -> dict[str, list[tuple[int, bool]]]:
    """Per card, (local day, correct) of the first review on each local day, in time order."""
    by_card: dict[str, list[Review]] = defaultdict(list)
    for r in reviews:
        by_card[r.card].append(r)
    days: dict[str, list[tuple[int, bool]]] = {}
    for card, rs in by_card.items():
        kept: list[tuple[int, bool]] = []
        for r in sorted(rs, key=lambda r: r.epoch_ms):
            day = local_day(r.epoch_ms, utc_offset_minutes, rollover_hour)
            if not kept or day > kept[-1][0]:
                kept.append((day, r.correct))
        days[card] = kept
    return days


def implied_recall(elapsed: int, interval: float) -> float:
    return math.pow(0.9, elapsed / interval)


class Model:
    """Predicts recall of one card from its history, then learns the actual answer."""

    def predict(self, day: int) -> float:
        raise NotImplementedError

    def update(self, day: int, correct: bool) -> None:
        raise NotImplementedError


class Fsrs(Model):
    def __init__(self) -> None:
        self.state: State = NEW

    def predict(self, day: int) -> float:
        assert self.state.stability is not None and self.state.last_day is not None
        return retrievability(day - self.state.last_day, self.state.stability)

    def update(self, day: int, correct: bool) -> None:
        self.state = step(self.state, day, correct, FSRS)


class Sm2(Model):
    def __init__(self, wrong_quality: int) -> None:
        self.wrong_quality = wrong_quality
        self.ease = 2.5
        self.reps = 0
        self.interval = 0.0
        self.last_day = 0

    def predict(self, day: int) -> float:
        return implied_recall(day - self.last_day, self.interval)

    def update(self, day: int, correct: bool) -> None:
        q = 4 if correct else self.wrong_quality
        if q >= 3:
            if self.reps == 0:
                self.interval = 1
            elif self.reps == 1:
                self.interval = 6
            else:
                self.interval = round(self.interval * self.ease)
            self.reps += 1
        else:
            self.interval = 1
            self.reps = 0
        self.ease = max(1.3, self.ease + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)))
        self.last_day = day


class Leitner(Model):
    def __init__(self) -> None:
        self.box = 1  # 1..5
        self.last_day = 0

    def predict(self, day: int) -> float:
        return implied_recall(day - self.last_day, LEITNER_DAYS[self.box - 1])

    def update(self, day: int, correct: bool) -> None:
        self.box = min(self.box + 1, len(LEITNER_DAYS)) if correct else 1
        self.last_day = day


class Classic(Model):
    def __init__(self) -> None:
        self.state: State = NEW

    def predict(self, day: int) -> float:
        s = self.state
        assert s.due_day is not None and s.last_day is not None
        return implied_recall(day - s.last_day, s.due_day - s.last_day)

    def update(self, day: int, correct: bool) -> None:
        self.state = step(self.state, day, correct, CLASSIC)

    def exponent(self, day: int) -> float:
        """t / I: implied recall is target^(t / I) for whatever target the schedule aims at."""
        s = self.state
        assert s.due_day is not None and s.last_day is not None
        return (day - s.last_day) / (s.due_day - s.last_day)


TARGETS = [i / 1000 for i in range(300, 1000)]


def fitted_target_loss(exponents: Sequence[float], ys: Sequence[bool], folds: Sequence[int]) -> tuple[float, list[float]]:
    """classic's implied recall with its target fitted out of sample: two folds by card, the
    target that fits one fold best (log loss) scores the other. Returns the pooled out-of-fold log
    loss and the two fitted targets."""
    total, fitted = 0.0, []
    for held in (0, 1):
        train = [(e, y) for e, y, f in zip(exponents, ys, folds, strict=True) if f != held]
        best = min(TARGETS, key=lambda g: log_loss([clip(g**e) for e, _ in train], [y for _, y in train]))
        fitted.append(best)
        test = [(e, y) for e, y, f in zip(exponents, ys, folds, strict=True) if f == held]
        total += log_loss([clip(best**e) for e, _ in test], [y for _, y in test]) * len(test)
    return total / len(ys), fitted


def clip(p: float) -> float:
    return min(max(p, EPS), 1.0 - EPS)


def log_loss(ps: Sequence[float], ys: Sequence[bool]) -> float:
    return -sum(math.log(p) if y else math.log(1.0 - p) for p, y in zip(ps, ys, strict=True)) / len(ps)


def rmse_bins(ps: Sequence[float], ys: Sequence[bool]) -> float:
    """Count-weighted RMSE of |mean prediction - observed rate| over 20 equal-width bins of p."""
    n = [0] * BINS
    sum_p = [0.0] * BINS
    sum_y = [0] * BINS
    for p, y in zip(ps, ys, strict=True):
        b = min(int(p * BINS), BINS - 1)
        n[b] += 1
        sum_p[b] += p
        sum_y[b] += y
    square = sum((sum_p[b] - sum_y[b]) ** 2 / n[b] for b in range(BINS) if n[b])  # n * (mean_p - rate)^2
    return math.sqrt(square / len(ps))


def auc(ps: Sequence[float], ys: Sequence[bool]) -> float:
    """Mann-Whitney AUC: probability that a right answer got a higher prediction than a wrong one."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    ranks = [0.0] * len(ps)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and ps[order[j + 1]] == ps[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1  # average of ranks i+1..j+1
        i = j + 1
    pos = sum(ys)
    neg = len(ys) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    rank_sum = sum(r for r, y in zip(ranks, ys, strict=True) if y)
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="review log CSV (card_id, review_rating, review_time, review_duration)")
    parser.add_argument("--utc-offset-minutes", type=int, default=0)
    parser.add_argument("--rollover-hour", type=int, default=4)
    parser.add_argument(
        "--sm2-wrong-quality", type=int, default=1, choices=range(3), help="SM-2 quality of a wrong answer"
    )
    args = parser.parse_args()

    reviews = read_log(args.log)
    cards = counted_days(reviews, args.utc_offset_minutes, args.rollover_hour)
    counted = sum(len(v) for v in cards.values())

    factories: dict[str, Callable[[], Model]] = {
        "fsrs": Fsrs,
        "sm2": lambda: Sm2(args.sm2_wrong_quality),
        "leitner": Leitner,
        "classic": Classic,
    }
    preds: dict[str, list[float]] = {name: [] for name in factories}
    ys: list[bool] = []
    exponents: list[float] = []
    folds: list[int] = []
    for card, history in enumerate(cards.values()):
        models = {name: make() for name, make in factories.items()}
        for i, (day, correct) in enumerate(history):
            if i > 0:
                for name, model in models.items():
                    preds[name].append(clip(model.predict(day)))
                classic = models["classic"]
                assert isinstance(classic, Classic)
                exponents.append(classic.exponent(day))
                folds.append(card % 2)
                ys.append(correct)
            for model in models.values():
                model.update(day, correct)

    n = len(ys)
    rate = sum(ys) / n
    preds["constant"] = [clip(rate)] * n

    print(
        f"log: {len(reviews):,} reviews of {len(cards):,} cards; {counted:,} first-of-the-day reviews "
        f"({len(reviews) - counted:,} same-day repeats skipped)"
    )
    print(
        f"evaluated: n={n:,} reviews with history (first review of each card not predicted); observed recall {rate:.4f}"
    )
    print(
        f"days: utc offset {args.utc_offset_minutes} min, rollover {args.rollover_hour}:00; "
        f"SM-2 wrong answer q={args.sm2_wrong_quality}"
    )
    print()
    print("| model | log loss | RMSE(bins) | AUC |")
    print("|---|---:|---:|---:|")
    losses: dict[str, float] = {}
    for name, ps in preds.items():
        losses[name] = log_loss(ps, ys)
        print(f"| {name} | {losses[name]:.4f} | {rmse_bins(ps, ys):.4f} | {auc(ps, ys):.4f} |")
    means = ", ".join(f"{name} {sum(ps) / n:.3f}" for name, ps in preds.items())
    print(f"mean prediction (observed {rate:.3f}): {means}")
    fitted_loss, targets = fitted_target_loss(exponents, ys, folds)
    print(
        f"classic's implied recall assumes it aims at 0.9; with that target fitted out of sample (two folds by card, "
        f"fitted {targets[0]:.3f} and {targets[1]:.3f}) its log loss is {fitted_loss:.4f}: most of its 0.9-target loss "
        f"comes from the assumption, not from the schedule"
    )
    print()
    print(
        f"For scale: the public srs-benchmark reports log loss {PUBLISHED_LOGLOSS['fsrs']} for FSRS-6 and "
        f"{PUBLISHED_LOGLOSS['sm2']} for SM-2 averaged over ~10,000 learners with parameters fitted to each; "
        f"this is a single learner with FSRS-6 default (not fitted) parameters, so the figures are not "
        f"directly comparable."
    )
    print(
        f"bench calibration: fsrs_logloss={losses['fsrs']:.4f} sm2_logloss={losses['sm2']:.4f} "
        f"leitner_logloss={losses['leitner']:.4f} classic_logloss={losses['classic']:.4f}"
    )


if __name__ == "__main__":
    main()

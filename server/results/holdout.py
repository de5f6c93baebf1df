"""The holdout comparison: teams that had started a campaign before a period against teams that
had not started it by the period's end, on each result. Pure.

It is not an experiment: the teams were not assigned at random, so a difference may come from
anything else that sets them apart (region, accounts, manager, experience). Teams that started
during the period are left out (partly trained), and named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from server.dashboards.tables import Cell, Column, Row, Table
from server.results.stats import MIN_GROUP, mean_difference_bootstrap
from server.results.view import TeamReps, number

NOT_RANDOM = (
    "Teams were not assigned at random: a difference may come from anything else that sets them "
    "apart (region, accounts, manager, experience), not only from training."
)


def groups(teams: Sequence[TeamReps], starts: Mapping[str, int | None], first_day: int, last_day: int) -> tuple[list[TeamReps], list[TeamReps], list[TeamReps]]:
    """(trained: started before the period, holdout: not started by its end, left out: started during it)."""
    trained, holdout, mixed = [], [], []
    for entry in teams:
        start = starts.get(entry.team.id)
        if start is not None and start < first_day:
            trained.append(entry)
        elif start is None or start > last_day:
            holdout.append(entry)
        else:
            mixed.append(entry)
    return trained, holdout, mixed


def comparison(
    campaign: str, period: str, trained: Sequence[TeamReps], holdout: Sequence[TeamReps],
    results: Mapping[str, Mapping[str, float]], metrics: Sequence[str], *, resamples: int = 2_000,
) -> Table:  # fmt: skip
    """Per metric: the mean over the reps of each group and the difference with its interval."""
    rows = []
    for metric in metrics:
        a = [results[r.id][metric] for e in trained for r in e.reps if metric in results.get(r.id, {})]
        b = [results[r.id][metric] for e in holdout for r in e.reps if metric in results.get(r.id, {})]
        d = mean_difference_bootstrap(a, b, resamples=resamples)
        mean_a = Cell(text="–" if d.mean_a is None else f"{number(d.mean_a)} (n={d.n_a})", csv=(d.mean_a, d.n_a))
        mean_b = Cell(text="–" if d.mean_b is None else f"{number(d.mean_b)} (n={d.n_b})", csv=(d.mean_b, d.n_b))
        if d.enough:
            diff = Cell(text=f"{d.difference:+.3g} ({d.low:+.3g} to {d.high:+.3g})", csv=(d.difference, d.low, d.high))
        else:
            diff = Cell(text="–", csv=(d.difference, None, None), muted=True, note=f"fewer than {MIN_GROUP} reps with a value in a group")
        rows.append(Row(header=Cell(text=metric), cells=[mean_a, mean_b, diff]))
    return Table(
        caption=f"Holdout comparison, {period}: teams that started {campaign} before the period against teams that had not started it by its end",
        row_label="Result",
        columns=[
            Column(label=f"Started before ({', '.join(e.team.name for e in trained) or 'no team'})", csv_labels=("trained mean", "trained reps")),
            Column(label=f"Not started ({', '.join(e.team.name for e in holdout) or 'no team'})", csv_labels=("holdout mean", "holdout reps")),
            Column(label="Difference (95 % bootstrap interval)", csv_labels=("difference", "low", "high")),
        ],
        rows=rows,
        name=f"results-holdout-{period}",
    )

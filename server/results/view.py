"""The results page's tables, scatters and correlations, from loaded figures. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.dashboards.store import Person, Team
from server.dashboards.tables import Cell, Column, Row, Table
from server.results.proficiency import MIN_ANSWERS, Retention, pooled
from server.results.stats import MIN_PAIRS, Correlation, spearman_bootstrap

NOT_CAUSATION = (
    "Correlation is not causation: reps who practise more may also be the ones who sell more for "
    "other reasons (experience, territory, accounts, motivation), and a few reps can move a rank "
    "correlation a long way. Read it as a question to look into, not as the return on training."
)


@dataclass(frozen=True)
class TeamReps:
    team: Team
    reps: Sequence[Person]


@dataclass(frozen=True)
class MetricLink:
    metric: str
    correlation: Correlation
    points: list[dict[str, object]]  # the scatter: {x: proficiency, y: value, label: rep}


@dataclass(frozen=True)
class ResultsView:
    period: str
    metrics: list[str]
    reps: Table
    teams: Table
    links: list[MetricLink]
    correlations: Table


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def proficiency_cell(m: Retention) -> Cell:
    csv = (m.value, m.low, m.high, m.n)
    if m.n == 0:
        return Cell(text="–", csv=csv, muted=True, note="no repeat answers in the period")
    text = f"{percent(m.value)} ({percent(m.low)} to {percent(m.high)}, n={m.n})"
    if not m.enough:
        return Cell(text=text, csv=csv, muted=True, note=f"fewer than {MIN_ANSWERS} answers: too few to compare")
    return Cell(text=text, csv=csv)


PROFICIENCY = Column(label="Proficiency (95 % interval, answers)", csv_labels=("proficiency", "low", "high", "answers"))


def build(
    period: str,
    teams: Sequence[TeamReps],
    results: Mapping[str, Mapping[str, float]],
    counts: Mapping[str, tuple[int, int, int]],
    *,
    resamples: int = 2_000,
) -> ResultsView:
    """Per rep and per team, proficiency beside each result of the period; per metric, the rank
    correlation over reps with enough answers and a value, with its bootstrap interval."""
    metrics = sorted({metric for values in results.values() for metric in values})
    reps: dict[str, Person] = {}
    rep_teams: dict[str, list[str]] = {}
    for entry in teams:
        for rep in entry.reps:
            reps[rep.id] = rep
            rep_teams.setdefault(rep.id, []).append(entry.team.name)
    zero = (0, 0, 0)
    measured = {rep_id: pooled([counts.get(rep_id, zero)]) for rep_id in reps}
    rep_rows = []
    for rep in sorted(reps.values(), key=lambda p: (p.name, p.email)):
        values = results.get(rep.id, {})
        cells = [Cell(text=", ".join(rep_teams[rep.id])), proficiency_cell(measured[rep.id])]
        cells += [_value_cell(values.get(metric)) for metric in metrics]
        rep_rows.append(Row(header=Cell(text=rep.name, csv=(rep.email,)), cells=cells))
    rep_table = Table(
        caption=f"Reps: proficiency and results, {period}",
        row_label="Rep",
        columns=[Column(label="Teams"), PROFICIENCY, *(Column(label=m) for m in metrics)],
        rows=rep_rows,
        name=f"results-{period}",
    )
    team_rows = []
    for entry in teams:
        members = [r.id for r in entry.reps]
        cells = [Cell(text=str(len(members))), proficiency_cell(pooled(counts.get(r, zero) for r in members))]
        for metric in metrics:
            found = [results[r][metric] for r in members if metric in results.get(r, {})]
            if found:
                cells.append(Cell(text=f"{number(sum(found) / len(found))} (mean of {len(found)})", csv=(sum(found) / len(found), len(found))))
            else:
                cells.append(Cell(text="–", csv=(None, 0), muted=True, note="no values"))
        team_rows.append(Row(header=Cell(text=entry.team.name, csv=(entry.team.id,)), cells=cells))
    team_table = Table(
        caption=f"Teams: proficiency of all their reps' answers, and the mean result, {period}",
        row_label="Team",
        columns=[
            Column(label="Reps"),
            PROFICIENCY,
            *(Column(label=f"{m} (mean)", csv_labels=(m, f"{m} reps")) for m in metrics),
        ],
        rows=team_rows,
        name=f"results-teams-{period}",
    )
    links = []
    for metric in metrics:
        pairs = [
            (measured[r].value, results[r][metric], reps[r].name)
            for r in sorted(reps)
            if measured[r].enough and measured[r].value is not None and metric in results.get(r, {})
        ]
        correlation = spearman_bootstrap([p[0] for p in pairs], [p[1] for p in pairs], resamples=resamples)  # type: ignore[misc]
        points: list[dict[str, object]] = [{"x": x, "y": y, "label": name} for x, y, name in pairs]
        links.append(MetricLink(metric, correlation, points))
    return ResultsView(period, metrics, rep_table, team_table, links, _correlation_table(period, links))


def _value_cell(value: float | None) -> Cell:
    if value is None:
        return Cell(text="–", csv=(None,), muted=True, note="no value")
    return Cell(text=number(value), csv=(value,))


def _correlation_table(period: str, links: list[MetricLink]) -> Table:
    rows = []
    for link in links:
        c = link.correlation
        if c.enough:
            text = f"{c.rho:+.2f}"
            interval = Cell(text=f"{c.low:+.2f} to {c.high:+.2f}", csv=(c.low, c.high))
            rho = Cell(text=text, csv=(c.rho,))
        else:
            why = f"fewer than {MIN_PAIRS} reps with both figures" if c.n < MIN_PAIRS else "no spread to rank"
            rho = Cell(text="–", csv=(c.rho,), muted=True, note=why)
            interval = Cell(text="–", csv=(None, None), muted=True)
        rows.append(Row(header=Cell(text=link.metric), cells=[rho, interval, Cell(text=str(c.n))]))
    return Table(
        caption=f"Rank correlation of proficiency with each result, {period}",
        row_label="Result",
        columns=[
            Column(label="Spearman's rho"),
            Column(label="95 % bootstrap interval", csv_labels=("low", "high")),
            Column(label="Reps (n)"),
        ],
        rows=rows,
        name=f"results-correlation-{period}",
    )

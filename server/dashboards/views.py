"""What the dashboards' pages show, as Tables and chart data, from sums the store read. Pure: no
SQL, no clock (the routes load and pass `today`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.dashboards.tables import Cell, Column, Row, Table
from sync.measures import MIN_ANSWERS, Proficiency, RecallForecast, Retention, retention

WINDOW_DAYS = 30
FORECAST_DAYS = 30
EPOCH = datetime.date(1970, 1, 1)
Sums = Mapping[tuple[str, str], tuple[int, int, int]]


def day_of(moment: datetime.datetime) -> int:
    """The local day number (days since 1970-01-01) of a UTC moment."""
    return (moment.date() - EPOCH).days


def date_of(day: int) -> datetime.date:
    return EPOCH + datetime.timedelta(days=day)


def window(today: int) -> tuple[int, int]:
    """The first and last local day of the retention window (the last 30 days, today included)."""
    return today - WINDOW_DAYS + 1, today


def pct(x: float | None) -> str:
    return "–" if x is None else f"{round(x * 100)} %"


def _r3(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def retention_cell(found: tuple[int, int, int] | None) -> tuple[Cell, Retention]:
    """A retention figure as a cell: "62 % (31–82 %)" with its count; greyed, saying why, when
    there are too few answers or none."""
    r = retention(*(found or (0, 0, 0)))
    csv = (_r3(r.value), _r3(r.low), _r3(r.high), r.n)
    if r.n == 0:
        return Cell(text="–", csv=csv, muted=True, note="no counted answers"), r
    if not r.enough:
        return Cell(text=f"n = {r.n}", csv=csv, muted=True, note=f"too few answers (under {MIN_ANSWERS})"), r
    return Cell(text=f"{pct(r.value)} ({pct(r.low).removesuffix(' %')}–{pct(r.high)})", csv=csv, note=f"n = {r.n}"), r


def _columns(competencies: Mapping[str, str]) -> list[Column]:
    return [
        Column(label=name, csv_labels=(f"{cid} retention", f"{cid} low", f"{cid} high", f"{cid} n"))
        for cid, name in competencies.items()
    ]


@dataclass(frozen=True)
class Line:
    """A heatmap row: what it is about, its label, and where it leads."""

    key: str
    label: str
    href: str = ""
    csv_label: str = ""


@dataclass(frozen=True)
class Heatmap:
    table: Table
    chart: dict[str, Any]


def heatmap(
    caption: str,
    row_label: str,
    lines: Sequence[Line],
    competencies: Mapping[str, str],
    sums: Sums,
    name: str,
    pooled: str = "",
) -> Heatmap:
    """Rows × competencies of measured retention; with `pooled`, a last row pooling all rows."""
    rows: list[Row] = []
    cells: list[dict[str, Any]] = []
    totals: dict[str, list[int]] = {cid: [0, 0, 0] for cid in competencies}
    for line in lines:
        row_cells = []
        for cid, cname in competencies.items():
            found = sums.get((line.key, cid))
            cell, r = retention_cell(found)
            row_cells.append(cell)
            cells.append({"row": line.label, "column": cname, "value": _r3(r.value) if r.enough else None, "n": r.n})
            if found:
                for i in range(3):
                    totals[cid][i] += found[i]
        rows.append(
            Row(header=Cell(text=line.label, csv=(line.csv_label or line.label,), href=line.href), cells=row_cells)
        )
    labels = [line.label for line in lines]
    if pooled:
        pooled_cells = []
        for cid, cname in competencies.items():
            t = totals[cid]
            cell, r = retention_cell((t[0], t[1], t[2]) if t[0] else None)
            pooled_cells.append(cell)
            cells.append({"row": pooled, "column": cname, "value": _r3(r.value) if r.enough else None, "n": r.n})
        rows.append(Row(header=Cell(text=pooled), cells=pooled_cells))
        labels.append(pooled)
    table = Table(caption=caption, row_label=row_label, columns=_columns(competencies), rows=rows, name=name)
    return Heatmap(table, {"rows": labels, "columns": list(competencies.values()), "cells": cells})


def forecast_table(
    caption: str,
    row_label: str,
    lines: Sequence[Line],
    competencies: Mapping[str, str],
    forecasts: Mapping[str, Mapping[str, RecallForecast]],
    name: str,
) -> Table:
    """Rows × competencies of the model's recall in FORECAST_DAYS: an estimate, never measured."""
    rows = []
    for line in lines:
        found = forecasts.get(line.key, {})
        row_cells = []
        for cid in competencies:
            f = found.get(cid)
            if f is None:
                row_cells.append(Cell(text="–", csv=(None, 0), muted=True, note="no questions answered"))
            else:
                row_cells.append(
                    Cell(
                        text=f"estimate {pct(f.later)}",
                        csv=(_r3(f.later), f.questions),
                        note=f"{f.questions} questions",
                    )
                )
        rows.append(
            Row(header=Cell(text=line.label, csv=(line.csv_label or line.label,), href=line.href), cells=row_cells)
        )
    columns = [Column(label=n, csv_labels=(f"{c} estimate", f"{c} questions")) for c, n in competencies.items()]
    return Table(caption=caption, row_label=row_label, columns=columns, rows=rows, name=name)


# ---- a rep's drill-down ---------------------------------------------------------------------


def week_of(day: int) -> int:
    """The local day of the Monday starting the ISO week of `day`."""
    return day - date_of(day).weekday()


def weekly(
    caption: str, days: Iterable[tuple[str, int, int, int, int]], competencies: Mapping[str, str], name: str
) -> Heatmap:
    """Weeks × competencies of a rep's measured retention, oldest week first."""
    sums: dict[tuple[str, str], list[int]] = {}
    for cid, day, n, right, guess in days:
        acc = sums.setdefault((str(week_of(day)), cid), [0, 0, 0])
        acc[0] += n
        acc[1] += right
        acc[2] += guess
    weeks = sorted({int(w) for w, _ in sums})
    lines = [Line(str(w), f"week of {date_of(w).isoformat()}", csv_label=date_of(w).isoformat()) for w in weeks]
    table = heatmap(caption, "Week", lines, competencies, {k: (v[0], v[1], v[2]) for k, v in sums.items()}, name).table
    points = []
    for w in weeks:
        for cid, cname in competencies.items():
            r = retention(*sums.get((str(w), cid), [0, 0, 0]))
            if r.n:
                points.append(
                    {
                        "series": cname,
                        "x": date_of(w).isoformat(),
                        "value": _r3(r.value),
                        "low": _r3(r.low),
                        "high": _r3(r.high),
                        "n": r.n,
                    }
                )
    return Heatmap(table, {"points": points})


def gain_table(
    caption: str,
    by_competency: Mapping[str, Proficiency],
    competencies: Mapping[str, str],
    current: Sums,
    key: str,
    name: str,
) -> Table:
    """Per competency: Qstream's proficiencies and gain, beside the measured retention now."""
    columns = [
        Column(label="Questions"), Column(label="Answers"), Column(label="Initial"), Column(label="Current"),
        Column(label="Final"), Column(label="Average"), Column(label="Gain (current − initial)"),
        Column(label="Retention, last 30 days", csv_labels=("retention", "low", "high", "n")),
    ]  # fmt: skip
    rows = []
    for cid, cname in competencies.items():
        p = by_competency.get(cid)
        cell, _ = retention_cell(current.get((key, cid)))
        if p is None:
            blank = Cell(text="–", csv=(None,), muted=True)
            rows.append(
                Row(
                    header=Cell(text=cname, csv=(cid,)),
                    cells=[Cell(text="0", csv=(0,)), Cell(text="0", csv=(0,)), *[blank] * 5, cell],
                )
            )
            continue
        gain = p.gain
        rows.append(
            Row(
                header=Cell(text=cname, csv=(cid,)),
                cells=[
                    Cell(text=str(p.questions), csv=(p.questions,)),
                    Cell(text=str(p.answers), csv=(p.answers,)),
                    Cell(text=pct(p.initial), csv=(_r3(p.initial),)),
                    Cell(text=pct(p.current), csv=(_r3(p.current),)),
                    Cell(text=pct(p.final), csv=(_r3(p.final),)),
                    Cell(text=pct(p.average), csv=(_r3(p.average),)),
                    Cell(text="–" if gain is None else f"{gain * 100:+.0f} points", csv=(_r3(gain),)),
                    cell,
                ],
            )
        )
    return Table(caption=caption, row_label="Competency", columns=columns, rows=rows, name=name)


def observations_table(
    caption: str, observations: Sequence[Mapping[str, Any]], authors: Mapping[str, str], name: str
) -> Table:
    """A rep's observations: when, by whom, on what, each rating, their mean, and the next step."""
    rows = []
    for o in observations:
        fields = o["fields"]
        ratings = {
            k.split(":", 1)[1]: v for k, v in sorted(fields.items()) if k.startswith("rating:") and isinstance(v, int)
        }
        mean = sum(ratings.values()) / len(ratings) if ratings else None
        listed = "; ".join(f"{k.rsplit(':', 1)[-1]}: {v}" for k, v in ratings.items())
        rows.append(
            Row(
                header=Cell(text=str(fields.get("observed_on", o["created_at"][:10]))),
                cells=[
                    Cell(text=authors.get(o["author_id"], "(erased)")),
                    Cell(text=", ".join(fields.get("competencies") or []) or "–"),
                    Cell(text=listed or "–"),
                    Cell(
                        text="–" if mean is None else f"{mean:.1f} of 4 ({len(ratings)} ratings)",
                        csv=(None if mean is None else round(mean, 2),),
                    ),
                    Cell(text=str(fields.get("next_step") or "–")),
                    Cell(text="yes" if o["shared"] else "no"),
                ],
            )
        )
    columns = [
        Column(label=c)
        for c in ("Coach", "Competencies", "Ratings (1–4)", "Mean rating", "Next step", "Shared with the rep")
    ]
    return Table(caption=caption, row_label="Observed on", columns=columns, rows=rows, name=name)

"""The adoption page (docs/measures.md "Adoption"): are reps using Recap? Active reps per day and
week, participation, on-time answers, streaks, nuggets read; for a team (its coaches and
managers) or for everyone (admins). Figures: sync/adoption.py; records: adoption_store.py."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from server.dashboards import adoption_store, store
from server.dashboards.pages import all_reps, day_text, period_days, ratio, respond, share, team_or_404, today
from server.dashboards.tables import Cell, Column, Row, Table
from server.db import read_transaction
from sync import adoption
from sync.practice import date_of

TEAM = {"access": "role:coach,manager,admin", "scope": "team:coach,manager"}


def _figures(db: sqlite_utils.Database, reps: list[store.Person], days: int, now: int) -> dict[str, Any]:
    first, last = now - days + 1, now
    ids = [r.id for r in reps]
    records = adoption_store.load(db, ids, first, last)
    answer_days = {r: rec.answer_days for r, rec in records.items()}
    per_day = adoption.daily(ids, answer_days, {r: rec.enrollments for r, rec in records.items()}, first, last)
    per_week = adoption.weekly(ids, answer_days, first, last)
    per_rep = {r: adoption.rep_figure(r, rec.answer_days, rec.answers_in_period, rec.timing, first, last, now) for r, rec in records.items()}
    return {"first": first, "last": last, "records": records, "days": per_day, "weeks": per_week, "reps": per_rep}


def _day_table(per_day: list[adoption.DayFigure]) -> Table:
    return Table(
        caption="Active reps and participation per day", row_label="Day", name="adoption-days",
        columns=[
            Column(label="Active reps", csv_labels=("active_reps", "reps")),
            Column(label="Participation: enrolled reps who answered", csv_labels=("participation", "participating", "enrolled")),
        ],
        rows=[
            Row(header=Cell(text=date_of(f.day)), cells=[
                Cell(text=f"{f.active} of {f.reps}", csv=(f.active, f.reps)),
                Cell(text=share(f.participating, f.enrolled), csv=(ratio(f.participating, f.enrolled), f.participating, f.enrolled)),
            ])
            for f in reversed(per_day)
        ],
    )  # fmt: skip


def _week_table(per_week: list[adoption.WeekFigure]) -> Table:
    return Table(
        caption="Active reps per week (weeks start on Monday)", row_label="Week of", name="adoption-weeks",
        columns=[Column(label="Days in the period"), Column(label="Active reps", csv_labels=("active_reps", "reps"))],
        rows=[
            Row(header=Cell(text=date_of(w.week)), cells=[Cell(text=str(w.days), csv=(w.days,)), Cell(text=share(w.active, w.reps), csv=(w.active, w.reps))])
            for w in reversed(per_week)
        ],
    )  # fmt: skip


def _rep_table(reps: list[store.Person], figures: dict[str, Any]) -> Table:
    rows = []
    for person in reps:
        f: adoption.RepFigure = figures["reps"][person.id]
        rec: adoption_store.RepRecord = figures["records"][person.id]
        rows.append(Row(header=Cell(text=person.name, csv=(person.email,)), cells=[
            Cell(text=str(f.active_days), csv=(f.active_days,)),
            Cell(text=str(f.answers), csv=(f.answers,)),
            Cell(text=share(f.on_time.on_time, f.on_time.counted), csv=(ratio(f.on_time.on_time, f.on_time.counted), f.on_time.on_time, f.on_time.counted)),
            Cell(text=str(f.streak), csv=(f.streak,)),
            Cell(text=str(f.longest), csv=(f.longest,)),
            Cell(text=str(rec.nuggets_read), csv=(rec.nuggets_read,)),
            Cell(text=str(rec.reminders_sent), csv=(rec.reminders_sent,)),
            Cell(text=share(rec.reminders_opened, rec.reminders_sent), csv=(ratio(rec.reminders_opened, rec.reminders_sent), rec.reminders_opened)),
            Cell(text=f"{rec.refresher_days} ({rec.refreshers} different)", csv=(rec.refresher_days, rec.refreshers)),
            Cell(text=day_text(f.last_day), csv=(date_of(f.last_day) if f.last_day is not None else None,)),
        ]))  # fmt: skip
    return Table(
        caption="Each rep in the period", row_label="Rep", name="adoption-reps",
        columns=[
            Column(label="Days active", csv_labels=("active_days",)),
            Column(label="Answers", csv_labels=("answers",)),
            Column(label="On time", csv_labels=("on_time", "on_time_answers", "repeat_answers")),
            Column(label="Streak now (days)", csv_labels=("streak",)),
            Column(label="Longest streak (days)", csv_labels=("longest_streak",)),
            Column(label="Nuggets read", csv_labels=("nuggets_read",)),
            Column(label="Reminders sent", csv_labels=("reminders_sent",)),
            Column(label="Reminders opened", csv_labels=("reminders_opened_share", "reminders_opened")),
            Column(label="Refreshers opened (days)", csv_labels=("refreshers_opened", "refreshers_different")),
            Column(label="Last answer", csv_labels=("last_answer",)),
        ],
        rows=rows,
    )  # fmt: skip


def _summary(figures: dict[str, Any], reps: int) -> dict[str, Any]:
    days: list[adoption.DayFigure] = figures["days"]
    timing = sum((f.on_time for f in figures["reps"].values()), adoption.NO_ANSWERS)
    participating, enrolled = sum(d.participating for d in days), sum(d.enrolled for d in days)
    last_week = figures["weeks"][-1] if figures["weeks"] else None
    return {
        "reps": reps,
        "participation": share(participating, enrolled),
        "on_time": share(timing.on_time, timing.counted),
        "active_today": share(days[-1].active, reps) if days else "–",
        "active_week": share(last_week.active, reps) if last_week else "–",
        "nuggets": sum(r.nuggets_read for r in figures["records"].values()),
        "refreshers": sum(r.refresher_days for r in figures["records"].values()),
        "reminders": share(sum(r.reminders_opened for r in figures["records"].values()), sum(r.reminders_sent for r in figures["records"].values())),
    }


def _chart(per_day: list[adoption.DayFigure]) -> dict[str, Any]:
    points = []
    for f in per_day:
        points.append({"series": "active reps", "x": date_of(f.day), "value": ratio(f.active, f.reps)})
        points.append({"series": "participation", "x": date_of(f.day), "value": ratio(f.participating, f.enrolled)})
    return {"points": points, "label": "Share of reps"}


def _page(request: Request[Any, Any, Any], db: sqlite_utils.Database, reps: list[store.Person], title: str, team: store.Team | None) -> Template | Response[bytes]:
    days = period_days(request)
    figures = _figures(db, reps, days, today(request))
    tables = [_day_table(figures["days"]), _week_table(figures["weeks"]), _rep_table(reps, figures)]
    return respond(
        request, "dashboards/adoption.html", tables, title=title, team=team, days=days, first=date_of(figures["first"]),
        last=date_of(figures["last"]), summary=_summary(figures, len(reps)), chart_data=_chart(figures["days"]), page="adoption",
    )  # fmt: skip


@get("/dashboards/teams/{team_id:str}/adoption", sync_to_thread=True, opt=TEAM, include_in_schema=False)
def team_adoption(team_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template | Response[bytes]:
    """A team's adoption: for its coaches and managers, and admins."""
    with read_transaction(db):
        team = team_or_404(db, team_id)
        return _page(request, db, store.reps_of(db, team_id), f"Adoption: {team.name}", team)


@get("/dashboards/adoption", sync_to_thread=True, opt={"access": "role:admin"}, include_in_schema=False)
def all_adoption(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template | Response[bytes]:
    """Everyone's adoption (every rep of every team): for admins and HR."""
    with read_transaction(db):
        reps = all_reps(db)
        return _page(request, db, reps, "Adoption: every team", None)


HANDLERS = [team_adoption, all_adoption]

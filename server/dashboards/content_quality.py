"""The content quality page (docs/measures.md "Content quality"), shared with editors: per
published question, right first time with its 95 % interval, the most chosen wrong option, the
median answer time and the editor's flags (server/editor/quality.py, not recomputed here). Over
every learner (editors, admins) or over one team's reps (its coaches and managers)."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from server.dashboards import content_quality_store, store
from server.dashboards.pages import ratio, respond, share, team_or_404
from server.dashboards.tables import Cell, Column, Row, Table
from server.db import read_transaction
from server.editor.quality import FLAG_WORDS, MIN_FIRST_ANSWERS
from sync.measures import wilson

TEAM = {"access": "role:coach,manager,admin", "scope": "team:coach,manager"}
EVERYONE = {"access": "role:editor,admin"}


def letter(number: int) -> str:
    return chr(ord("A") + number - 1)


def _right_cell(right: int, learners: int) -> Cell:
    if not learners:
        return Cell(text="no answers yet", csv=(None, 0, 0, None, None), muted=True)
    low, high = wilson(right, learners)
    note = "" if learners >= MIN_FIRST_ANSWERS else f"fewer than {MIN_FIRST_ANSWERS} learners: too few to judge"
    return Cell(
        text=f"{share(right, learners)}, 95 % interval {round(100 * low)}–{round(100 * high)} %",
        csv=(ratio(right, learners), right, learners, round(low, 4), round(high, 4)), muted=learners < MIN_FIRST_ANSWERS, note=note,
    )  # fmt: skip


def _table(found: list[content_quality_store.QuestionQuality], editor_links: bool) -> Table:
    rows = []
    for item in found:
        q = item.quality
        wrong = q.most_chosen_wrong
        rows.append(Row(
            header=Cell(text=item.question_id, csv=(item.question_id,), href=f"/editor/items/questions/{item.question_id}" if editor_links else ""),
            cells=[
                Cell(text=item.competency), Cell(text=item.language),
                _right_cell(q.right_first, q.learners),
                Cell(text=f"{letter(wrong.number)}: {share(wrong.picks, q.learners)}", csv=(letter(wrong.number), ratio(wrong.picks, q.learners), wrong.picks))
                if wrong else Cell(text="–", csv=(None, None, 0)),
                Cell(text=f"{q.median_seconds} s ({q.timed} timed)" if q.median_seconds is not None else "not recorded", csv=(q.median_seconds, q.timed)),
                Cell(text=str(q.answers), csv=(q.answers,)),
                Cell(text="; ".join(FLAG_WORDS[f] for f in q.flags) or "–", csv=(" ".join(q.flags),)),
            ],
        ))  # fmt: skip
    return Table(
        caption="Each published question", row_label="Question", name="content-quality",
        columns=[
            Column(label="Competency", csv_labels=("competency",)),
            Column(label="Language", csv_labels=("language",)),
            Column(label="Right first time", csv_labels=("right_first", "right_first_learners", "learners", "interval_low", "interval_high")),
            Column(label="Most chosen wrong option", csv_labels=("wrong_option", "wrong_share", "wrong_learners")),
            Column(label="Median answer time", csv_labels=("median_seconds", "timed_answers")),
            Column(label="Answers", csv_labels=("answers",)),
            Column(label="Flags", csv_labels=("flags",)),
        ],
        rows=rows,
    )  # fmt: skip


def _chart(found: list[content_quality_store.QuestionQuality]) -> dict[str, Any]:
    answered = sorted((x for x in found if x.quality.learners), key=lambda x: (x.quality.rate or 0, x.question_id))
    return {"label": "Right first time", "percent": True, "bars": [{"label": x.question_id, "value": x.quality.rate, "n": x.quality.learners} for x in answered[:30]]}


def _page(request: Request[Any, Any, Any], found: list[content_quality_store.QuestionQuality], title: str, team: store.Team | None, editor_links: bool) -> Template | Response[bytes]:
    found = sorted(found, key=lambda x: (not x.quality.learners, x.quality.rate or 0.0, x.question_id))  # answered, hardest first
    flagged = sum(1 for x in found if x.quality.flags)
    return respond(
        request, "dashboards/content_quality.html", [_table(found, editor_links)], title=title, team=team, flagged=flagged,
        questions=len(found), answered=sum(1 for x in found if x.quality.learners), min_learners=MIN_FIRST_ANSWERS,
        chart_data=_chart(found), editor_links=editor_links, page="content-quality",
    )  # fmt: skip


@get("/dashboards/content-quality", sync_to_thread=True, opt=EVERYONE, include_in_schema=False)
def all_content_quality(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template | Response[bytes]:
    """Every question over every learner: for editors and admins (links to the editor)."""
    with read_transaction(db):
        found = content_quality_store.load(db)
    return _page(request, found, "Content quality: every learner", None, editor_links=True)


@get("/dashboards/teams/{team_id:str}/content-quality", sync_to_thread=True, opt=TEAM, include_in_schema=False)
def team_content_quality(team_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template | Response[bytes]:
    """Every question over one team's reps: for its coaches and managers, and admins."""
    with read_transaction(db):
        team = team_or_404(db, team_id)
        found = content_quality_store.load(db, [r.id for r in store.reps_of(db, team_id)])
    return _page(request, found, f"Content quality: {team.name}", team, editor_links=False)


HANDLERS = [all_content_quality, team_content_quality]

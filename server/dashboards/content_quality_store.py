"""What the content quality page reads (docs/measures.md "Content quality"): the published
questions and, per question, its learners' first answers, every answer and the answer times
since its epoch. The figures and flags are the editor's own (server/editor/quality.py), so the
dashboard and the editor never disagree; `learners` narrows them to a team's reps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from server.editor.forms import right_options
from server.editor.quality import FirstChoice, Quality, parse_choice, quality
from server.storage import content as content_store


@dataclass(frozen=True, kw_only=True)
class QuestionQuality:
    question_id: str
    competency: str
    language: str
    prompt: str
    quality: Quality


def load(db: sqlite_utils.Database, learners: Sequence[str] | None = None) -> list[QuestionQuality]:
    """Every published question's figures over every learner, or over `learners` only."""
    questions = {
        item_id: item
        for (kind, item_id), item in content_store.current_items(db).items()
        if kind == "question" and not item.removed and item.data
    }
    epochs = json.dumps({i: item.epoch for i, item in questions.items()})
    who = "" if learners is None else " AND a.user_id IN (SELECT value FROM json_each(?2))"
    args = [epochs] if learners is None else [epochs, json.dumps(list(learners))]
    base = f"FROM answers AS a JOIN current AS c ON c.question_id = a.question_id AND a.rev >= c.epoch{who}"
    current = "WITH current(question_id, epoch) AS (SELECT key, value FROM json_each(?1))"
    firsts: dict[str, dict[tuple[tuple[int, ...], bool], int]] = {}
    for qid, choice, correct, n in db.execute(
        f"""{current}, ranked AS (
            SELECT a.question_id, a.choice, a.correct,
                   row_number() OVER (PARTITION BY a.question_id, a.user_id ORDER BY a.local_day, a.answered_at, a.id) AS n
            {base})
        SELECT question_id, choice, correct, count(*) FROM ranked WHERE n = 1 GROUP BY question_id, choice, correct""",
        args,
    ):
        per = firsts.setdefault(qid, {})
        key = (parse_choice(choice), bool(correct))
        per[key] = per.get(key, 0) + int(n)
    totals = {str(q): int(n) for q, n in db.execute(f"{current} SELECT a.question_id, count(*) {base} GROUP BY a.question_id", args)}
    times: dict[str, list[int]] = {}
    for qid, ms in db.execute(f"{current} SELECT a.question_id, a.duration_ms {base} AND a.duration_ms IS NOT NULL", args):
        times.setdefault(qid, []).append(int(ms))
    out = []
    for item_id, item in sorted(questions.items()):
        data = json.loads(item.data or "{}")
        right, _ = right_options(data.get("correct"))
        chosen = [FirstChoice(c, ok, n) for (c, ok), n in sorted(firsts.get(item_id, {}).items())]
        figures = quality(totals.get(item_id, 0), chosen, right, len(data.get("options") or []), times.get(item_id, []))
        out.append(
            QuestionQuality(
                question_id=item_id, competency=str(data.get("competency", "")), language=str(data.get("language", "en")),
                prompt=str(data.get("stem", "")), quality=figures,
            )
        )  # fmt: skip
    return out

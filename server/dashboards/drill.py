"""A rep's knowledge gain per competency (Qstream's initial, current, final and average
proficiency, sync/measures.py), from their answers. Pure apart from the facts it is handed."""

from __future__ import annotations

from collections.abc import Iterable

from server.dashboards.facts import Facts
from sync.measures import Proficiency, proficiency
from sync.scheduler import Answer


def gains(answers: Iterable[tuple[str, str, int, str, bool, int]], facts: Facts) -> dict[str, Proficiency]:
    """Per competency (of the content version each question was first answered in), the
    proficiency over the rep's answers: (question, id, day, answered at, right, version) each."""
    by_question: dict[str, list[tuple[str, str, int, str, bool, int]]] = {}
    for a in answers:
        by_question.setdefault(a[0], []).append(a)
    grouped: dict[str, dict[str, list[Answer]]] = {}
    for qid, held in by_question.items():
        first = min(held, key=lambda a: (a[2], a[3], a[1]))
        fact = facts.get(first[5], qid)
        if fact is None:
            continue
        grouped.setdefault(fact.competency, {})[qid] = [
            Answer(id=i, day=d, answered_at=at, correct=c) for _, i, d, at, c, _ in held
        ]
    return {cid: proficiency(questions) for cid, questions in sorted(grouped.items())}

"""Practice that follows from coaching (docs/scheduler.md §7): pure rules, no I/O.

A behaviour rated 1 or 2 in an observation shared with a rep assigns the rep practice: the
questions and refreshers the rubric names for that behaviour or, when it names none, those of
the rubric's competency in the rubric's language. A question stays open until the rep answers
it on a day after the observation; observations older than `WINDOW_DAYS` assign nothing more.
The server lists the open items in the pull's plan; the device puts at most two of them a day
into the queue, within the daily limit (pwa/src/practice.js).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LOW = 2  # ratings at or below this assign practice
WINDOW_DAYS = 28  # an observation older than this assigns nothing more
_EPOCH = datetime.date(1970, 1, 1)


@dataclass(frozen=True, kw_only=True)
class RubricLinks:
    competency: str
    language: str
    behaviours: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]  # id -> (questions, refreshers)


@dataclass(frozen=True, kw_only=True)
class Links:
    """What practice a library links to: its rubrics, and its questions and refreshers by
    (competency, language), in library order."""

    rubrics: Mapping[str, RubricLinks] = field(default_factory=dict)
    questions: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    refreshers: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


def links_of(document: Mapping[str, Any]) -> Links:
    """The practice links of a snapshot document (its `rubrics`, `questions`, `refreshers`)."""
    rubrics = {
        str(r["id"]): RubricLinks(
            competency=str(r["competency"]), language=str(r.get("language", "en")),
            behaviours={str(b["id"]): (tuple(b.get("questions", ())), tuple(b.get("refreshers", ()))) for b in r.get("behaviours", ())},
        )
        for r in document.get("rubrics") or ()
    }
    questions: dict[tuple[str, str], list[str]] = {}
    for q in document.get("questions") or ():
        questions.setdefault((str(q["competency"]), str(q.get("language", "en"))), []).append(str(q["id"]))
    refreshers: dict[tuple[str, str], list[str]] = {}
    for r in document.get("refreshers") or ():
        if r.get("competency"):
            refreshers.setdefault((str(r["competency"]), str(r.get("language", "en"))), []).append(str(r["id"]))
    return Links(
        rubrics=rubrics, questions={k: tuple(v) for k, v in questions.items()}, refreshers={k: tuple(v) for k, v in refreshers.items()}
    )


def day_of(date_text: str) -> int | None:
    """A YYYY-MM-DD date as a day number (days since 1970-01-01), or None if it is not one."""
    try:
        return (datetime.date.fromisoformat(date_text) - _EPOCH).days
    except (TypeError, ValueError):
        return None


def date_of(day: int) -> str:
    return (_EPOCH + datetime.timedelta(days=day)).isoformat()


@dataclass(frozen=True, kw_only=True)
class Observed:
    """An observation as practice needs it: when, and its v2 ratings by (rubric, behaviour)."""

    id: str
    observed_day: int
    ratings: Mapping[tuple[str, str], int]
    source: str = "observation"  # or "pitch": a coach's review of a recorded pitch


def _ratings(fields: Mapping[str, Any], prefix: str) -> dict[tuple[str, str], int]:
    ratings: dict[tuple[str, str], int] = {}
    for name, value in fields.items():
        parts = name.split(":")
        if len(parts) == 3 and parts[0] == prefix and isinstance(value, int) and not isinstance(value, bool):
            ratings[(parts[1], parts[2])] = value
    return ratings


def reviewed_pitch(pitch_id: str, fields: Mapping[str, Any], reviewed_on: str) -> Observed | None:
    """A pitch's review as practice needs it: its `score:<rubric>:<behaviour>` fields count like
    an observation's ratings, from the day the review was shared (`reviewed_on`, YYYY-MM-DD).
    None while the review is not shared, or without a valid day."""
    day = day_of(reviewed_on)
    if fields.get("reviewed") is not True or day is None:
        return None
    return Observed(id=pitch_id, observed_day=day, ratings=_ratings(fields, "score"), source="pitch")


def observed(observation_id: str, fields: Mapping[str, Any]) -> Observed | None:
    """From an observation's field values; None without a valid `observed_on`. Ratings named the
    v1 way (`rating:<behaviour>`, no rubric) assign nothing."""
    day = day_of(fields.get("observed_on", ""))
    if day is None:
        return None
    return Observed(id=observation_id, observed_day=day, ratings=_ratings(fields, "rating"))


@dataclass(frozen=True, kw_only=True)
class Assigned:
    """One item of practice assigned by one low rating."""

    item_kind: str  # "question" or "refresher"
    item_id: str
    observation_id: str
    rubric_id: str
    behaviour_id: str
    observed_day: int
    source: str = "observation"


def assigned(observations: Iterable[Observed], links: Links) -> list[Assigned]:
    """Every item the low ratings of these observations assign, in order (observation day,
    observation id, rubric, behaviour, then the linked items in order), each item once per
    observation."""
    out: list[Assigned] = []
    seen: set[tuple[str, str, str]] = set()
    for o in sorted(observations, key=lambda o: (o.observed_day, o.id)):
        for (rubric_id, behaviour_id), rating in sorted(o.ratings.items()):
            rubric = links.rubrics.get(rubric_id)
            if rating > LOW or rubric is None or behaviour_id not in rubric.behaviours:
                continue
            questions, refreshers = rubric.behaviours[behaviour_id]
            key = (rubric.competency, rubric.language)
            for kind, ids in (("question", questions or links.questions.get(key, ())), ("refresher", refreshers or links.refreshers.get(key, ()))):
                for item_id in ids:
                    if (o.id, kind, item_id) in seen:
                        continue
                    seen.add((o.id, kind, item_id))
                    out.append(Assigned(
                        item_kind=kind, item_id=item_id, observation_id=o.id, rubric_id=rubric_id, behaviour_id=behaviour_id,
                        observed_day=o.observed_day, source=o.source,
                    ))  # fmt: skip
    return out


Answered = Mapping[str, Sequence[tuple[int, bool]]]  # question id -> (local day, right), oldest first


def practised(item: Assigned, answered: Answered) -> tuple[int, bool] | None:
    """The rep's first answer to the item's question on a day after the observation, or None."""
    return next(((day, right) for day, right in answered.get(item.item_id, ()) if day > item.observed_day), None)


def open_items(items: Sequence[Assigned], answered: Answered, today: int) -> list[Assigned]:
    """What to list in the plan today: items of observations from the last WINDOW_DAYS days (and
    not in the future), questions only while not practised, each item once (its first)."""
    out: list[Assigned] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        if not (today - WINDOW_DAYS <= item.observed_day <= today) or (item.item_kind, item.item_id) in seen:
            continue
        if item.item_kind == "question" and practised(item, answered) is not None:
            continue
        seen.add((item.item_kind, item.item_id))
        out.append(item)
    return out


@dataclass(frozen=True, kw_only=True)
class Followed:
    """Whether a rep practised what their coaching assigned: questions assigned, answered after
    the observation, right on that first answer, and the day of the last such answer."""

    assigned: int
    answered: int
    right: int
    last_day: int | None


def follow_through(items: Sequence[Assigned], answered: Answered) -> Followed:
    questions = [i for i in items if i.item_kind == "question"]
    done = [p for p in (practised(i, answered) for i in questions) if p is not None]
    return Followed(
        assigned=len(questions), answered=len(done), right=sum(1 for _, right in done if right),
        last_day=max((day for day, _ in done), default=None),
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Weak:
    rubric_id: str
    behaviour_id: str
    rating: int
    observed_day: int


def weakest(observations: Iterable[Observed], limit: int = 3) -> list[Weak]:
    """Each behaviour's latest rating; the `limit` lowest (ties: the most recent first)."""
    latest: dict[tuple[str, str], Weak] = {}
    for o in sorted(observations, key=lambda o: (o.observed_day, o.id)):
        for (rubric_id, behaviour_id), rating in o.ratings.items():
            latest[(rubric_id, behaviour_id)] = Weak(rubric_id=rubric_id, behaviour_id=behaviour_id, rating=rating, observed_day=o.observed_day)
    return sorted(latest.values(), key=lambda w: (w.rating, -w.observed_day, w.rubric_id, w.behaviour_id))[:limit]

"""Coaching figures for the dashboards (docs/measures.md "Coaching"): pure functions, no I/O.

Observations count by their `observed_on` date (what the coach entered), whoever wrote them
down; a behaviour is **rated low** at 1 or 2 (sync/practice.py LOW), and every rating counts
(not only the latest per rep), so a behaviour rated low twice for one rep counts twice.
Follow-through is sync/practice.py `follow_through`, summed over reps. An intervision session
is **held** when it reached stage 4 (reflect and commit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sync.practice import LOW, Followed, Observed

LAST_STAGE = 4


@dataclass(frozen=True, kw_only=True)
class PersonCount:
    person_id: str
    observations: int
    last_day: int | None
    others: int  # reps observed (per coach) or coaches who observed (per rep)


def per_person(observations: Iterable[tuple[str, str, Observed]], by: str) -> list[PersonCount]:
    """`observations` as (coach id, rep id, observed); counted per coach (`by="coach"`) or per rep."""
    counts: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    others: dict[str, set[str]] = {}
    for coach, rep, o in observations:
        me, other = (coach, rep) if by == "coach" else (rep, coach)
        counts.setdefault(me, [0])[0] += 1
        last[me] = max(last.get(me, o.observed_day), o.observed_day)
        others.setdefault(me, set()).add(other)
    return sorted(
        (PersonCount(person_id=p, observations=n[0], last_day=last.get(p), others=len(others[p])) for p, n in counts.items()),
        key=lambda c: (-c.observations, c.person_id),
    )


@dataclass(frozen=True, kw_only=True)
class LowBehaviour:
    rubric_id: str
    behaviour_id: str
    low: int  # ratings of 1 or 2
    rated: int  # every rating of the behaviour
    reps: int  # reps rated low on it at least once

    @property
    def share(self) -> float:
        return self.low / self.rated


def low_behaviours(observations: Iterable[tuple[str, Observed]], limit: int = 10) -> list[LowBehaviour]:
    """The behaviours most often rated low, from (rep id, observed): most low ratings first, then
    the higher share, then by id. Behaviours never rated low are left out."""
    low: dict[tuple[str, str], int] = {}
    rated: dict[tuple[str, str], int] = {}
    reps: dict[tuple[str, str], set[str]] = {}
    for rep, o in observations:
        for key, rating in o.ratings.items():
            rated[key] = rated.get(key, 0) + 1
            if rating <= LOW:
                low[key] = low.get(key, 0) + 1
                reps.setdefault(key, set()).add(rep)
    found = [LowBehaviour(rubric_id=k[0], behaviour_id=k[1], low=n, rated=rated[k], reps=len(reps[k])) for k, n in low.items()]
    return sorted(found, key=lambda b: (-b.low, -b.share, b.rubric_id, b.behaviour_id))[:limit]


def total_follow_through(per_rep: Mapping[str, Followed]) -> Followed:
    """The reps' follow-through added up; the last day is the latest of any."""
    values = list(per_rep.values())
    return Followed(
        assigned=sum(f.assigned for f in values), answered=sum(f.answered for f in values), right=sum(f.right for f in values),
        last_day=max((f.last_day for f in values if f.last_day is not None), default=None),
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Sessions:
    team_id: str
    sessions: int  # every session recorded for the team
    held: int  # reached stage 4
    last_held_day: int | None  # the latest `held_on` of a held session


def sessions_of(team_id: str, sessions: Iterable[tuple[int | None, int]]) -> Sessions:
    """A team's sessions as (held_on day or None, stage)."""
    rows = list(sessions)
    held = [day for day, stage in rows if stage >= LAST_STAGE]
    return Sessions(
        team_id=team_id, sessions=len(rows), held=len(held), last_held_day=max((d for d in held if d is not None), default=None)
    )

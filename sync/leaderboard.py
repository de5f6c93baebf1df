"""Leaderboards: the pure rules (docs/measures.md "Leaderboards").

A rep's score is the number of counted answers they got right in the window: first answers of a
day to a question they had answered on an earlier day (sync/measures.py `firsts_of_days`, the
same answers retention counts). Reps are ranked among all reps of the organisation; teams by
the average over ALL their reps, a rep who has not started counting as 0.

Ranks are "competition ranks": equal scores share a rank and the next rank skips (1, 2, 2, 4).
A rep is shown the top `TOP` names only (never anyone ranked below it) and their own position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

TOP = 10  # names shown to a rep: at most this many rows, each ranked 1..TOP
WINDOW_DAYS = 30
MIN_TEAM_REPS = 3  # a smaller team's average would give away one person's score


@dataclass(frozen=True, kw_only=True)
class Rep:
    user_id: str
    name: str
    score: int


@dataclass(frozen=True, kw_only=True)
class Ranked:
    rank: int
    user_id: str
    name: str
    score: int


@dataclass(frozen=True, kw_only=True)
class Team:
    team_id: str
    name: str
    rep_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RankedTeam:
    rank: int
    team_id: str
    name: str
    average: Fraction
    reps: int


@dataclass(frozen=True, kw_only=True)
class Position:
    rank: int
    of: int
    score: int


@dataclass(frozen=True, kw_only=True)
class Board:
    """Everything of the organisation's ranking: kept on the server, never sent whole."""

    reps: tuple[Ranked, ...]
    teams: tuple[RankedTeam, ...]
    by_id: Mapping[str, Ranked]


@dataclass(frozen=True, kw_only=True)
class View:
    """What one rep is shown."""

    top: tuple[Ranked, ...]
    me: Position | None
    teams: tuple[RankedTeam, ...]


def competition_ranks(scores: Sequence[int | Fraction]) -> list[int]:
    """The rank of each score in a list sorted from high to low: 1 + how many are higher."""
    ranks: list[int] = []
    for i, score in enumerate(scores):
        if i > 0 and score > scores[i - 1]:
            raise ValueError("scores must be sorted from high to low")
        ranks.append(ranks[-1] if i > 0 and score == scores[i - 1] else i + 1)
    return ranks


def window(today: int, days: int = WINDOW_DAYS) -> tuple[int, int]:
    """The first and last local day (inclusive) of the `days` days ending today."""
    return today - days + 1, today


def rank_reps(reps: Sequence[Rep]) -> tuple[Ranked, ...]:
    """Every rep, highest score first; equal scores share a rank and are listed by name."""
    ordered = sorted(reps, key=lambda r: (-r.score, r.name.casefold(), r.user_id))
    ranks = competition_ranks([r.score for r in ordered])
    return tuple(Ranked(rank=k, user_id=r.user_id, name=r.name, score=r.score) for k, r in zip(ranks, ordered, strict=True))


def rank_teams(teams: Sequence[Team], scores: Mapping[str, int], min_reps: int = MIN_TEAM_REPS) -> tuple[RankedTeam, ...]:
    """Teams with at least `min_reps` reps by their average score over ALL their reps (a rep
    without a score counts 0); equal averages share a rank and are listed by name."""
    averaged = [
        (Fraction(sum(scores.get(r, 0) for r in set(t.rep_ids)), len(set(t.rep_ids))), t)
        for t in teams
        if len(set(t.rep_ids)) >= min_reps
    ]
    averaged.sort(key=lambda pair: (-pair[0], pair[1].name.casefold(), pair[1].team_id))
    ranks = competition_ranks([a for a, _ in averaged])
    return tuple(
        RankedTeam(rank=k, team_id=t.team_id, name=t.name, average=a, reps=len(set(t.rep_ids)))
        for k, (a, t) in zip(ranks, averaged, strict=True)
    )


def board(reps: Sequence[Rep], teams: Sequence[Team], min_team_reps: int = MIN_TEAM_REPS) -> Board:
    ranked = rank_reps(reps)
    scores = {r.user_id: r.score for r in reps}
    return Board(reps=ranked, teams=rank_teams(teams, scores, min_team_reps), by_id={r.user_id: r for r in ranked})


def view_for(whole: Board, user_id: str, top: int = TOP) -> View:
    """What `user_id` is shown: at most `top` rows, each with a score above 0 and a rank of at
    most `top` (a tie at the cut is cut by name; the cut-off reps see their rank in `me`), their
    own position if they are a rep, and the teams."""
    shown = tuple(r for r in whole.reps if r.rank <= top and r.score > 0)[:top]
    mine = whole.by_id.get(user_id)
    me = Position(rank=mine.rank, of=len(whole.reps), score=mine.score) if mine is not None else None
    return View(top=shown, me=me, teams=whole.teams)


def average_shown(average: Fraction) -> float:
    """A team's average as sent: one decimal."""
    return round(float(average), 1)

"""A learner's plan across campaigns: today's questions, and a preview of their first weeks.

Pure: a snapshot document (as devices download it), the learner's campaigns and states in,
a list of questions out. pwa/src/study-plan.js implements the same rules for the device; both
are checked against tests/vectors/plan.json. docs/scheduler.md §6 is the written spec.

1. **Which campaigns.** Those of the learner's plan (the pull's `plan`: the published campaigns
   whose audience reaches them, with their start days), in the learner's language; all of the
   plan's when none is in it. A device that has no plan yet uses every campaign of the library
   in the learner's language, with each campaign's own start.
2. **Per campaign** (scheduler.queue): nothing before the learner's start day or on a pause
   day; due repeats (most overdue first) then new questions (new first under `anchored`), at most the campaign's daily cap
   less its questions answered today; after its `end`, due repeats only.
3. **Language switch**: a never-answered question whose translation was answered today
   (`translation_of`, either way, or two translations of one original) is not new today.
4. **Across campaigns**: a question named by two campaigns is asked once (for the first, in id
   order); new questions of `anchored` campaigns first, then due repeats (most overdue first,
   ties in campaign order), then other new questions in campaign order; at most the learner's total daily limit less every question answered today.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sync.enrollment import parse_start
from sync.progress import DEFAULT_SETTINGS, settings_by_question
from sync.scheduler import DEFAULT_POLICY, NEW, Settings, State, queue, step

DEFAULT_DAILY_LIMIT = 3  # questions a day across all of a learner's campaigns, unless set
MAX_DAILY_LIMIT = 20  # as a campaign's own daily cap
_EPOCH = datetime.date(1970, 1, 1)


@dataclass(frozen=True, kw_only=True)
class CampaignPlan:
    """One campaign as one learner runs it: its questions, cap and days, with their start."""

    id: str
    language: str = "en"
    questions: tuple[str, ...]
    daily_cap: int = 3
    start_day: int | None = None  # the learner's start (plan), else the campaign's own start
    end_day: int | None = None  # the last day it sends new questions
    pauses: tuple[tuple[int, int], ...] = ()  # (first, last) days with no questions, both included
    new_first: bool = False  # its repeat mode (`anchored`) asks new questions before due repeats

    def runs(self, day: int) -> bool:
        """True when it may ask anything on `day`: started, and not in a pause."""
        if self.start_day is not None and day < self.start_day:
            return False
        return not any(first <= day <= last for first, last in self.pauses)

    def sends_new(self, day: int) -> bool:
        return self.end_day is None or day <= self.end_day


def campaign_plan(campaign: Mapping[str, Any], start_day: int | None = None) -> CampaignPlan:
    """A campaign of the snapshot document for one learner; `start_day` is their start (from
    the plan), else the campaign's own `start`."""
    own_start = parse_start(campaign.get("start"))
    return CampaignPlan(
        id=str(campaign["id"]),
        language=str(campaign.get("language") or "en"),
        questions=tuple(campaign.get("questions") or ()),
        daily_cap=int(campaign.get("daily_cap") or 3),
        start_day=start_day if start_day is not None else own_start,
        end_day=parse_start(campaign.get("end")),
        pauses=tuple(
            (d1, d2)
            for p in campaign.get("pauses") or ()
            if (d1 := parse_start(p.get("from"))) is not None and (d2 := parse_start(p.get("to"))) is not None
        ),
        new_first=(campaign.get("repeat") or DEFAULT_POLICY) == "anchored",
    )


@dataclass(frozen=True, kw_only=True)
class LearnerPlan:
    """The pull's `plan`: the learner's total daily limit and their campaigns' start days."""

    daily_limit: int = DEFAULT_DAILY_LIMIT
    start_days: Mapping[str, int]  # campaign id -> the learner's start day


def campaigns_for(snapshot: Mapping[str, Any], language: str, plan: LearnerPlan | None) -> list[CampaignPlan]:
    """The campaigns a learner studies, in id order (rule 1 above)."""
    everything = sorted(snapshot.get("campaigns") or (), key=lambda c: str(c["id"]))
    if plan is not None:
        campaigns = [campaign_plan(c, plan.start_days[c["id"]]) for c in everything if c["id"] in plan.start_days]
    else:
        campaigns = [campaign_plan(c) for c in everything]
    mine = [c for c in campaigns if c.language == language]
    return mine or campaigns


def translation_groups(questions: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each question's original: the end of its `translation_of` chain (itself for an original).
    Two questions translate each other when they have the same original."""
    parent = {str(q["id"]): q.get("translation_of") for q in questions}
    groups: dict[str, str] = {}
    for qid in parent:
        root, seen = qid, {qid}
        while (up := parent.get(root)) and up in parent and up not in seen:  # a cycle stops where it closes
            root = up
            seen.add(root)
        groups[qid] = root
    return groups


@dataclass(frozen=True, kw_only=True)
class QueueItem:
    """One question of today's queue, and the campaign that asks it."""

    question_id: str
    campaign_id: str
    repeat: bool  # answered before: a due repeat, not a new question
    due_day: int | None


def _is_new(states: Mapping[str, State], qid: str) -> bool:
    state = states.get(qid)
    return state is None or state.reps == 0


def todays_queue(
    snapshot: Mapping[str, Any],
    campaigns: Sequence[CampaignPlan],
    states: Mapping[str, State],
    day: int,
    daily_limit: int = DEFAULT_DAILY_LIMIT,
) -> list[QueueItem]:
    """Today's questions across `campaigns` (from campaigns_for), in the order to ask them.

    `states` are the learner's states by question id. The total limit counts every question in
    `states` answered today (`last_day == day`), so give the states of every question of the
    learner's campaigns in every language, translations included, not just today's.
    """
    questions = snapshot.get("questions") or ()
    known = {str(q["id"]) for q in questions}
    groups = translation_groups(questions)
    answered_today = {qid for qid, st in states.items() if st.last_day == day}
    roots_today = {groups.get(qid, qid) for qid in answered_today}
    seen: set[str] = set()
    picked: list[QueueItem] = []
    for c in campaigns:
        if not c.runs(day):
            continue
        # A new question whose translation was answered today waits (a learner who switched language).
        ids = [qid for qid in c.questions if qid in known and not (_is_new(states, qid) and groups.get(qid, qid) in roots_today)]
        chosen = queue(day, ids, states, c.daily_cap, new_first=c.new_first)
        if not c.sends_new(day):
            chosen = [qid for qid in chosen if not _is_new(states, qid)]
        for qid in chosen:
            if qid in seen:
                continue
            seen.add(qid)
            state = states.get(qid)
            repeat = not _is_new(states, qid)
            picked.append(QueueItem(question_id=qid, campaign_id=c.id, repeat=repeat, due_day=state.due_day if state else None))
    repeats = sorted((p for p in picked if p.repeat), key=lambda p: p.due_day if p.due_day is not None else day)
    room = max(daily_limit - len(answered_today), 0)
    new_first = {c.id for c in campaigns if c.new_first}
    first = [p for p in picked if not p.repeat and p.campaign_id in new_first]
    return (first + repeats + [p for p in picked if not p.repeat and p.campaign_id not in new_first])[:room]


# ---- preview ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PreviewDay:
    """One day of a preview: its day number and date, and the questions asked that day."""

    day: int
    items: tuple[QueueItem, ...]

    @property
    def date(self) -> str:
        """The day as YYYY-MM-DD."""
        return (_EPOCH + datetime.timedelta(days=self.day)).isoformat()


def preview(
    snapshot: Mapping[str, Any],
    campaigns: Sequence[CampaignPlan],
    start_day: int,
    days: int = 14,
    daily_limit: int = DEFAULT_DAILY_LIMIT,
) -> list[PreviewDay]:
    """What a learner would be asked on each of `days` days from `start_day`, day by day.

    The simulated learner starts with nothing answered, answers every question the queue gives
    them on the day it is given, and is **right the first time, every time**: a learner who
    misses questions sees more repeats. Each answer moves the question's state with the real
    scheduler (sync/scheduler.step) under the settings the server would use for it (the repeat
    mode of the first campaign, by id, that names it), so repeats appear on the days the
    scheduler would bring them back. `campaigns` come from campaigns_for (or campaign_plan),
    each with the learner's start day.
    """
    if days < 0:
        raise ValueError("days must be 0 or more")
    settings: dict[str, Settings] = settings_by_question(snapshot.get("campaigns") or (), snapshot.get("questions") or ())
    states: dict[str, State] = {}
    out: list[PreviewDay] = []
    for day in range(start_day, start_day + days):
        items = todays_queue(snapshot, campaigns, states, day, daily_limit)
        for item in items:
            qid = item.question_id
            states[qid] = step(states.get(qid, NEW), day, True, settings.get(qid, DEFAULT_SETTINGS))
        out.append(PreviewDay(day=day, items=tuple(items)))
    return out

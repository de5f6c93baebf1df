"""Cases for tests/vectors/plan.json: a learner's campaigns, plan and states, and today's queue.

Each case holds a small snapshot (questions with `translation_of`, campaigns as published), the
learner's `plan` as the pull sends it (or null: a device that has none yet), their language,
their states and the day; `expected` is today's queue from sync/plan.py. A case with a `person`
(teams and roles) and an `enrolled_day` also shows where its plan comes from: the Python tests
derive the plan from the campaigns' audiences (sync/enrollment.py) and check it is the one
written; pwa/test/plan.test.js reads the plan as a device would and checks the queue.

Named cases cover each rule (docs/scheduler.md §6); random ones mix them all.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import asdict
from typing import Any

from sync import enrollment
from sync.enrollment import CampaignAt
from sync.plan import LearnerPlan, campaigns_for, todays_queue
from sync.scheduler import State, settings_for, step

DAY = 20_800  # 2026-12-13
SEED = 20261213
RANDOM_CASES = 400


def date(day: int) -> str:
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()


def question(qid: str, translation_of: str | None = None, language: str = "en") -> dict[str, Any]:
    return {"id": qid, "language": language, "translation_of": translation_of}


def campaign(cid: str, questions: list[str], **fields: Any) -> dict[str, Any]:
    return {"id": cid, "language": "en", "audience": ["all"], "start": None, "end": None, "pauses": [],
            "daily_cap": 3, "repeat": "fsrs", "questions": questions, **fields}  # fmt: skip


def answered(day: int, correct: bool = True, times: int = 1, policy: str = "fsrs") -> dict[str, Any]:
    """A state after `times` answers, the last on `day` (each earlier one a week before)."""
    settings = settings_for(policy)  # type: ignore[arg-type]
    state = State()
    for i in range(times):
        state = step(state, day - 7 * (times - 1 - i), correct, settings)
    return asdict(state)


def due(due_day: int, last_day: int | None = None) -> dict[str, Any]:
    """An answered, unretired state due on `due_day`."""
    last = last_day if last_day is not None else due_day - 4
    return asdict(State(stability=3.0, difficulty=5.0, last_day=last, due_day=due_day, reps=1, streak=1))


def plan(limit: int, starts: dict[str, int]) -> dict[str, Any]:
    return {"daily_limit": limit, "campaigns": [{"campaign_id": c, "start_day": d} for c, d in sorted(starts.items())]}


def snapshot(questions: list[dict[str, Any]], campaigns: list[dict[str, Any]]) -> dict[str, Any]:
    return {"questions": questions, "campaigns": campaigns}


def expected_queue(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Today's queue for a case, from sync/plan.py."""
    raw = case["plan"]
    learner = None if raw is None else LearnerPlan(
        daily_limit=raw["daily_limit"], start_days={c["campaign_id"]: c["start_day"] for c in raw["campaigns"]}
    )  # fmt: skip
    states = {qid: State(**s) for qid, s in case["states"].items()}
    campaigns = campaigns_for(case["snapshot"], case["language"], learner)
    limit = raw["daily_limit"] if raw is not None else 3
    items = todays_queue(case["snapshot"], campaigns, states, case["day"], limit)
    return [{"question_id": i.question_id, "campaign_id": i.campaign_id, "repeat": i.repeat} for i in items]


def plan_from_audience(case: dict[str, Any]) -> dict[str, Any]:
    """The plan the server sends a case's `person`, enrolled on `enrolled_day` (sync/enrollment.py)."""
    person = case["person"]
    ats = [
        CampaignAt(id=c["id"], audience=tuple(c["audience"]), start_day=enrollment.parse_start(c["start"]),
                   end_day=enrollment.parse_start(c["end"]))
        for c in case["snapshot"]["campaigns"]
    ]  # fmt: skip
    enrolled = enrollment.new_enrollments(ats, person["teams"], person["roles"], (), case["enrolled_day"])
    mine = enrollment.plan_campaigns(ats, person["teams"], person["roles"], enrolled)
    return plan(case["plan"]["daily_limit"], dict(mine))


def named_cases() -> list[dict[str, Any]]:
    qs = [question(f"q{i}") for i in range(1, 10)]
    two = [campaign("a", ["q1", "q2", "q3", "q4", "q5"], daily_cap=3), campaign("b", ["q6", "q7", "q8", "q9"], daily_cap=2)]
    both = plan(3, {"a": DAY - 10, "b": DAY - 10})
    cases: list[dict[str, Any]] = [
        {"name": "two campaigns with caps 3 and 2 under a total of 3: the first campaign's three new questions",
         "snapshot": snapshot(qs, two), "plan": both, "language": "en", "states": {}, "day": DAY},
        {"name": "caps 3 and 2 under a total of 3, one answered today: two more",
         "snapshot": snapshot(qs, two), "plan": both, "language": "en", "states": {"q1": answered(DAY)}, "day": DAY},
        {"name": "caps 3 and 2 under a total of 10: each campaign's cap",
         "snapshot": snapshot(qs, two), "plan": plan(10, {"a": DAY - 10, "b": DAY - 10}), "language": "en", "states": {}, "day": DAY},
        {"name": "the total is reached by answers in any campaign",
         "snapshot": snapshot(qs, two), "plan": both, "language": "en",
         "states": {"q6": answered(DAY), "q7": answered(DAY), "q1": answered(DAY)}, "day": DAY},
        {"name": "due repeats beyond the total: the most overdue first, ties in campaign order, before new ones",
         "snapshot": snapshot(qs, two), "plan": plan(3, {"a": DAY - 60, "b": DAY - 60}), "language": "en",
         "states": {"q1": due(DAY - 1), "q2": due(DAY - 5), "q3": due(DAY), "q6": due(DAY - 5), "q7": due(DAY - 9)}, "day": DAY},
        {"name": "a question named by two campaigns is asked once",
         "snapshot": snapshot(qs, [campaign("a", ["q1", "q2"], daily_cap=2), campaign("b", ["q2", "q3"], daily_cap=2)]),
         "plan": plan(5, {"a": DAY, "b": DAY}), "language": "en", "states": {}, "day": DAY},
        {"name": "a pause: nothing from the paused campaign, the other one still asks",
         "snapshot": snapshot(qs, [two[0] | {"pauses": [{"from": date(DAY - 2), "to": date(DAY + 3)}]}, two[1]]),
         "plan": both, "language": "en", "states": {"q1": due(DAY - 1)}, "day": DAY},
        {"name": "the day after a pause: what fell due in it comes first",
         "snapshot": snapshot(qs, [two[0] | {"pauses": [{"from": date(DAY - 6), "to": date(DAY - 1)}]}, two[1]]),
         "plan": both, "language": "en", "states": {"q1": due(DAY - 4, DAY - 8), "q2": due(DAY - 2, DAY - 8)}, "day": DAY},
        {"name": "after its end a campaign asks only due repeats",
         "snapshot": snapshot(qs, [two[0] | {"end": date(DAY - 1)}, two[1]]),
         "plan": both, "language": "en", "states": {"q1": due(DAY - 1), "q2": answered(DAY - 20)}, "day": DAY},
        {"name": "an anchored campaign asks new questions before its due repeats",
         "snapshot": snapshot(qs, [two[0] | {"repeat": "anchored", "daily_cap": 2}]), "plan": plan(3, {"a": DAY - 20}), "language": "en",
         "states": {"q1": due(DAY - 1), "q2": due(DAY - 3)}, "day": DAY},
        {"name": "across campaigns, an anchored campaign's new questions come before another's due repeats",
         "snapshot": snapshot(qs, [two[0], two[1] | {"repeat": "anchored"}]), "plan": both, "language": "en",
         "states": {"q1": due(DAY - 1), "q2": due(DAY - 3), "q6": due(DAY - 2)}, "day": DAY},
        {"name": "on its last day a campaign still sends new questions",
         "snapshot": snapshot(qs, [two[0] | {"end": date(DAY)}]), "plan": plan(3, {"a": DAY - 3}), "language": "en",
         "states": {}, "day": DAY},
        {"name": "a start in the future: nothing from it yet",
         "snapshot": snapshot(qs, [two[0] | {"start": date(DAY + 2)}, two[1]]),
         "plan": plan(3, {"a": DAY + 2, "b": DAY - 1}), "language": "en", "states": {}, "day": DAY},
        {"name": "without a plan (an older server): every campaign in the learner's language, each from its own start",
         "snapshot": snapshot(qs, [two[0] | {"start": date(DAY + 2)}, two[1], campaign("c-nl", ["q9"], language="nl")]),
         "plan": None, "language": "en", "states": {}, "day": DAY},
        {"name": "a plan with no campaign in the learner's language: all of the plan's",
         "snapshot": snapshot(qs, two), "plan": plan(3, {"b": DAY}), "language": "nl", "states": {}, "day": DAY},
    ]
    # Audiences: the plan holds the campaigns that reach the person, each from the day it reached them.
    audience_campaigns = [
        campaign("everyone", ["q1", "q2"], daily_cap=1),
        campaign("managers", ["q3", "q4"], audience=["role:manager", "role:coach"]),
        campaign("north-reps", ["q5", "q6"], audience=["north:rep"], start=date(DAY - 1)),
        campaign("north-coaches", ["q7"], audience=["north:coach"]),
        campaign("south", ["q8", "q9"], audience=["south", "role:admin"]),
    ]
    for who, teams, roles in (("a rep of north", {"north": "rep"}, ["rep"]), ("a manager of south", {"south": "manager"}, ["manager"]),
                              ("a coach of north", {"north": "coach"}, ["coach", "rep"])):  # fmt: skip
        case = {"name": f"audiences: {who} gets only the campaigns meant for them",
                "snapshot": snapshot(qs, audience_campaigns), "person": {"teams": teams, "roles": roles},
                "enrolled_day": DAY - 3, "plan": {"daily_limit": 4, "campaigns": []}, "language": "en", "states": {}, "day": DAY}  # fmt: skip
        case["plan"] = plan_from_audience(case)
        cases.append(case)
    # Switching language: a new question whose translation was answered today waits.
    tr = [question("who-else"), question("who-else-nl", "who-else", "nl"), question("who-else-de", "who-else", "de"),
          question("next-step"), question("next-step-nl", "next-step", "nl"), question("pick-two"),
          question("pick-two-nl", "pick-two", "nl")]  # fmt: skip
    languages = [campaign("basics", ["who-else", "next-step", "pick-two"]),
                 campaign("basics-nl", ["who-else-nl", "next-step-nl", "pick-two-nl"], language="nl"),
                 campaign("basics-de", ["who-else-de"], language="de")]  # fmt: skip
    every = plan(3, {"basics": DAY - 5, "basics-nl": DAY - 5, "basics-de": DAY - 5})
    cases += [
        {"name": "language switch: what was answered in English today is not new in Dutch today",
         "snapshot": snapshot(tr, languages), "plan": plan(5, {"basics": DAY - 5, "basics-nl": DAY - 5, "basics-de": DAY - 5}),
         "language": "nl", "states": {"who-else": answered(DAY)}, "day": DAY},
        {"name": "language switch: a translation of the same original (a sibling) waits too",
         "snapshot": snapshot(tr, languages), "plan": plan(5, {"basics": DAY - 5, "basics-nl": DAY - 5, "basics-de": DAY - 5}),
         "language": "nl", "states": {"who-else-de": answered(DAY)}, "day": DAY},
        {"name": "language switch: the original waits when its translation was answered today",
         "snapshot": snapshot(tr, languages), "plan": plan(5, {"basics": DAY - 5, "basics-nl": DAY - 5, "basics-de": DAY - 5}),
         "language": "en", "states": {"next-step-nl": answered(DAY)}, "day": DAY},
        {"name": "language switch: answered yesterday, the translation is new today",
         "snapshot": snapshot(tr, languages), "plan": every, "language": "nl", "states": {"who-else": answered(DAY - 1)}, "day": DAY},
        {"name": "language switch: answers in the other language count against the total",
         "snapshot": snapshot(tr, languages), "plan": every, "language": "nl",
         "states": {"who-else": answered(DAY), "next-step": answered(DAY)}, "day": DAY},
    ]
    return cases


def random_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for n in range(RANDOM_CASES):
        nq = rng.randint(3, 14)
        ids = [f"q{i}" for i in range(nq)]
        questions = []
        for i, qid in enumerate(ids):
            up = rng.choice(ids[:i]) if i and rng.random() < 0.3 else None
            questions.append(question(qid, up, "nl" if up and rng.random() < 0.6 else "en"))
        campaigns = []
        for c in range(rng.randint(1, 4)):
            fields: dict[str, Any] = {"daily_cap": rng.randint(1, 4), "language": rng.choice(["en", "en", "nl"])}
            if rng.random() < 0.3:
                fields["start"] = date(DAY + rng.randint(-5, 3))
            if rng.random() < 0.3:
                fields["end"] = date(DAY + rng.randint(-3, 3))
            if rng.random() < 0.3:
                first = DAY + rng.randint(-6, 2)
                fields["pauses"] = [{"from": date(first), "to": date(first + rng.randint(0, 5))}]
            campaigns.append(campaign(f"c{c}", rng.sample(ids, rng.randint(1, nq)), **fields))
        states: dict[str, Any] = {}
        for qid in rng.sample(ids, rng.randint(0, nq)):
            roll = rng.random()
            if roll < 0.3:
                states[qid] = answered(DAY, rng.random() < 0.7)
            elif roll < 0.8:
                states[qid] = due(DAY + rng.randint(-10, 5)) | {"retired": rng.random() < 0.15}
            else:
                states[qid] = answered(DAY - rng.randint(1, 30), rng.random() < 0.7, rng.randint(1, 3))
        learner = None
        if rng.random() < 0.85:
            chosen = [c["id"] for c in campaigns if rng.random() < 0.8]
            learner = plan(rng.randint(1, 6), {cid: DAY + rng.randint(-10, 2) for cid in chosen})
        cases.append({"name": f"random {n}", "snapshot": snapshot(questions, campaigns), "plan": learner,
                      "language": rng.choice(["en", "nl"]), "states": states, "day": DAY})  # fmt: skip
    return cases


def random_anchored_cases() -> list[dict[str, Any]]:
    """Random cases again (their own seed, after the others), some campaigns `anchored`."""
    rng = random.Random(SEED + 12)
    cases = random_cases(random.Random(SEED + 11))[:120]
    for n, case in enumerate(cases):
        case["name"] = f"random anchored {n}"
        for c in case["snapshot"]["campaigns"]:
            if rng.random() < 0.5:
                c["repeat"] = "anchored"
    return cases


def generate() -> list[dict[str, Any]]:
    cases = named_cases() + random_cases(random.Random(SEED)) + random_anchored_cases()
    for case in cases:
        case["expected"] = expected_queue(case)
    return cases

"""The adoption and coaching figures' pure rules (sync/adoption.py, sync/coaching_measures.py),
each against numbers worked out by hand (docs/measures.md)."""

from __future__ import annotations

from sync import adoption
from sync import coaching_measures as measures
from sync.practice import Followed, Observed
from sync.scheduler import Answer, settings_for

DAY = 20_788  # Tuesday 2026-12-01
CLASSIC = settings_for("classic")  # wrong: due 12 days later, right: 24 days later; retired after 2 right in a row


def test_weeks_start_on_monday() -> None:
    assert adoption.week_start(0) == -3  # 1970-01-01 was a Thursday; its Monday was 1969-12-29
    assert adoption.week_start(DAY) == DAY - 1  # Tuesday 2026-12-01 -> Monday 2026-11-30
    assert adoption.week_start(DAY - 1) == DAY - 1
    assert adoption.week_start(DAY + 5) == DAY + 6 - 7  # Sunday 6 December belongs to that week too


def test_streaks_are_the_apps_rule() -> None:
    days = {DAY - 5, DAY - 4, DAY - 3, DAY - 1}
    assert adoption.streak(days, DAY) == 1  # yesterday only: today is not over yet
    assert adoption.streak(days | {DAY}, DAY) == 2
    assert adoption.streak(days, DAY + 2) == 0  # two days without an answer
    assert adoption.longest_streak(days) == 3
    assert adoption.longest_streak(set()) == 0
    assert adoption.streak([], DAY) == 0


def test_active_reps_and_participation_per_day() -> None:
    reps = ["a", "b", "c"]
    answered = {"a": {DAY - 1, DAY}, "b": {DAY}, "c": {DAY - 2}}
    # a enrolled from DAY-1 on, b in a campaign that ended DAY-1, c never enrolled
    enrolled = {"a": [adoption.Enrolled(start_day=DAY - 1, end_day=None)], "b": [adoption.Enrolled(start_day=DAY - 9, end_day=DAY - 1)]}
    got = adoption.daily(reps, answered, enrolled, DAY - 2, DAY)
    assert [(f.day - DAY, f.active, f.enrolled, f.participating) for f in got] == [(-2, 1, 1, 0), (-1, 1, 2, 1), (0, 2, 1, 1)]
    assert got[0].participation == 0.0 and got[1].participation == 0.5 and got[2].participation == 1.0
    assert adoption.daily(reps, {}, {}, DAY, DAY)[0].participation is None  # nobody enrolled: no share at all


def test_active_reps_per_week_count_each_rep_once_and_say_how_many_days_are_inside() -> None:
    reps = ["a", "b"]
    answered = {"a": {DAY - 1, DAY}, "b": {DAY - 2}}  # Monday, Tuesday; and Sunday of the week before
    got = adoption.weekly(reps, answered, DAY - 3, DAY)  # Saturday .. Tuesday
    assert [(w.week - DAY, w.days, w.active, w.reps) for w in got] == [(-8, 2, 1, 2), (-1, 2, 1, 2)]


def answers(*spec: tuple[int, bool]) -> list[Answer]:
    return [Answer(id=f"a{i}", day=day, answered_at=f"2026-12-01T0{i}:00:00.000Z", correct=ok) for i, (day, ok) in enumerate(spec)]


def test_on_time_counts_repeats_answered_by_their_due_day() -> None:
    # classic: wrong on day 0 -> due day 12; answered day 12: on time; right -> due day 36;
    # answered day 40: late; a second answer on day 40 does not count at all.
    got = adoption.on_time(answers((0, False), (12, True), (40, False), (40, True)), CLASSIC)
    assert (got.on_time, got.counted) == (1, 2)
    # right, right: retired after the second (retire_streak 2); a later answer is not counted
    got = adoption.on_time(answers((0, True), (10, True), (90, True)), CLASSIC)
    assert (got.on_time, got.counted) == (1, 1)
    # a period counts only the repeats answered inside it
    got = adoption.on_time(answers((0, False), (12, True), (40, False)), CLASSIC, first=13, last=50)
    assert (got.on_time, got.counted) == (0, 1)
    assert adoption.on_time([], CLASSIC).share is None
    assert (adoption.OnTime(on_time=1, counted=2) + adoption.OnTime(on_time=2, counted=2)).share == 0.75


def obs(oid: str, day: int, **ratings: int) -> Observed:
    return Observed(id=oid, observed_day=day, ratings={tuple(k.split("__")): v for k, v in ratings.items()})  # type: ignore[misc]


def test_observations_per_coach_and_per_rep() -> None:
    rows = [("c1", "r1", obs("o1", DAY - 9)), ("c1", "r2", obs("o2", DAY - 2)), ("c2", "r1", obs("o3", DAY - 5))]
    coaches = measures.per_person(rows, by="coach")
    assert [(c.person_id, c.observations, c.last_day, c.others) for c in coaches] == [("c1", 2, DAY - 2, 2), ("c2", 1, DAY - 5, 1)]
    reps = measures.per_person(rows, by="rep")
    assert [(c.person_id, c.observations, c.last_day, c.others) for c in reps] == [("r1", 2, DAY - 5, 2), ("r2", 1, DAY - 2, 1)]


def test_behaviours_rated_low_most_often_first() -> None:
    rows = [
        ("r1", obs("o1", DAY, r__ask=1, r__listen=2, r__close=4)),
        ("r1", obs("o2", DAY + 1, r__ask=2, r__listen=3)),
        ("r2", obs("o3", DAY, r__ask=3, r__listen=1, r__close=2)),
    ]
    got = measures.low_behaviours(rows)
    # ask: low 2 of 3 (one rep); listen: low 2 of 3 (two reps); close: low 1 of 2 (share .5)
    assert [(b.behaviour_id, b.low, b.rated, b.reps) for b in got] == [("ask", 2, 3, 1), ("listen", 2, 3, 2), ("close", 1, 2, 1)]
    assert measures.low_behaviours([("r", obs("o", DAY, r__ask=3))]) == []


def test_follow_through_adds_up_and_sessions_held_reach_stage_4() -> None:
    total = measures.total_follow_through(
        {"a": Followed(assigned=3, answered=2, right=1, last_day=DAY), "b": Followed(assigned=1, answered=0, right=0, last_day=None)}
    )
    assert total == Followed(assigned=4, answered=2, right=1, last_day=DAY)
    got = measures.sessions_of("demo", [(DAY - 20, 4), (DAY - 3, 2), (DAY - 7, 4), (None, 1)])
    assert (got.sessions, got.held, got.last_held_day) == (4, 2, DAY - 7)

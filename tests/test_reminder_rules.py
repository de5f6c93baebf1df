"""Who is due a reminder: the pure rules (server/reminders/rules.py), with fixed clocks.

The dates are built from this year's calendar (the last Sundays of March and October are the
EU's daylight-saving changes), so nothing here changes behaviour next week.
"""

from __future__ import annotations

import datetime as dt

import pytest

from server.reminders import rules
from server.reminders.rules import Candidate, Preferences

UTC = dt.UTC
AMS = "Europe/Amsterdam"


def prefs(**changes: object) -> Preferences:
    values: dict[str, object] = {"enabled": True, "at_minute": 9 * 60, "quiet_start": 21 * 60, "quiet_end": 7 * 60,
                                 "time_zone": AMS, "email": True}  # fmt: skip
    values.update(changes)
    return Preferences(**values)  # type: ignore[arg-type]


def person(**changes: object) -> Candidate:
    values: dict[str, object] = {"user_id": "u1", "email_address": "ann@example.com", "preferences": prefs(),
                                 "has_push": False, "last_answer_at": None, "last_reminded": None}  # fmt: skip
    values.update(changes)
    return Candidate(**values)  # type: ignore[arg-type]


def local(text: str, zone: str = AMS) -> dt.datetime:
    """A wall-clock time in `zone`, as the aware UTC moment the server's clock would give."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=rules.zone(zone)).astimezone(UTC)


def last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


YEAR = dt.date.today().year
TODAY = dt.date.today()


def test_due_at_the_chosen_local_time_not_before() -> None:
    assert rules.decide(local(f"{TODAY}T08:59"), person()) is None
    assert rules.decide(local(f"{TODAY}T09:00"), person()) == rules.Due("u1", TODAY, "email")
    assert rules.decide(local(f"{TODAY}T15:00"), person()) == rules.Due("u1", TODAY, "email")


def test_the_time_is_the_reps_own_time_zone() -> None:
    moment = dt.datetime.combine(TODAY, dt.time(8, 30), tzinfo=UTC)
    tokyo = person(preferences=prefs(time_zone="Asia/Tokyo"))  # 17:30 there
    new_york = person(preferences=prefs(time_zone="America/New_York"))  # 03:30 or 04:30 there
    assert rules.decide(moment, tokyo) == rules.Due("u1", (moment + dt.timedelta(hours=9)).date(), "email")
    assert rules.decide(moment, new_york) is None
    # The local day, not the server's, is the one reminded: late evening in Honolulu is
    # tomorrow in UTC.
    honolulu = person(preferences=prefs(time_zone="Pacific/Honolulu", at_minute=20 * 60, quiet_start=0, quiet_end=0))
    evening = local(f"{TODAY}T20:30", "Pacific/Honolulu")
    assert evening.date() == TODAY + dt.timedelta(days=1)
    assert rules.decide(evening, honolulu) == rules.Due("u1", TODAY, "email")


@pytest.mark.parametrize(
    ("start", "end", "minute", "quiet"),
    [
        ("21:00", "07:00", "22:00", True), ("21:00", "07:00", "06:59", True), ("21:00", "07:00", "07:00", False),
        ("21:00", "07:00", "20:59", False), ("12:00", "14:00", "13:00", True), ("12:00", "14:00", "14:00", False),
        ("12:00", "12:00", "12:00", False),
    ],
)  # fmt: skip
def test_quiet_hours_may_wrap_past_midnight(start: str, end: str, minute: str, quiet: bool) -> None:
    assert rules.in_quiet_hours(rules.parse_hhmm(minute, "t"), rules.parse_hhmm(start, "s"), rules.parse_hhmm(end, "e")) is quiet


def test_a_time_inside_quiet_hours_waits_for_their_end() -> None:
    lunch = person(preferences=prefs(at_minute=12 * 60 + 30, quiet_start=12 * 60, quiet_end=14 * 60))
    assert rules.decide(local(f"{TODAY}T12:30"), lunch) is None
    assert rules.decide(local(f"{TODAY}T13:59"), lunch) is None
    assert rules.decide(local(f"{TODAY}T14:00"), lunch) == rules.Due("u1", TODAY, "email")
    # Quiet until midnight and beyond: nothing late in the evening, nothing in the small hours.
    late = person(preferences=prefs(at_minute=22 * 60))
    assert rules.decide(local(f"{TODAY}T22:30"), late) is None
    assert rules.decide(local(f"{TODAY + dt.timedelta(days=1)}T06:00"), late) is None


def test_opted_out_or_unreachable_people_get_nothing() -> None:
    noon = local(f"{TODAY}T12:00")
    assert rules.decide(noon, person(enrolled=False, has_push=True)) is None  # no campaign: nothing to answer
    assert rules.decide(noon, person(preferences=prefs(enabled=False), has_push=True)) is None
    assert rules.decide(noon, person(preferences=prefs(email=False))) is None  # no push, no mail
    assert rules.decide(noon, person(preferences=prefs(email=False), has_push=True)) == rules.Due("u1", TODAY, "push")
    assert rules.decide(noon, person(has_push=True)) == rules.Due("u1", TODAY, "push")  # push first


def test_who_already_studied_today_gets_nothing() -> None:
    noon = local(f"{TODAY}T12:00")
    assert rules.decide(noon, person(last_answer_at=local(f"{TODAY}T07:10"))) is None
    # Yesterday evening's answer does not count for today, though it is "today" in UTC terms
    # for a rep far to the west.
    assert rules.decide(noon, person(last_answer_at=local(f"{TODAY - dt.timedelta(days=1)}T23:30"))) == rules.Due("u1", TODAY, "email")


def test_one_reminder_a_local_day() -> None:
    noon = local(f"{TODAY}T12:00")
    assert rules.decide(noon, person(last_reminded=TODAY)) is None
    assert rules.decide(noon, person(last_reminded=TODAY - dt.timedelta(days=1))) == rules.Due("u1", TODAY, "email")


def test_spring_forward_a_time_that_does_not_exist_goes_out_when_the_clocks_pass_it() -> None:
    day = last_sunday(YEAR, 3)  # 02:00 CET becomes 03:00 CEST
    early = person(preferences=prefs(at_minute=2 * 60 + 30, quiet_start=0, quiet_end=0))
    just_before = dt.datetime.combine(day, dt.time(0, 59), tzinfo=UTC)  # 01:59 CET
    assert rules.decide(just_before, early) is None
    jump = dt.datetime.combine(day, dt.time(1, 0), tzinfo=UTC)  # 03:00 CEST
    assert rules.local_now(jump, AMS).hour == 3
    assert rules.decide(jump, early) == rules.Due("u1", day, "email")


def test_fall_back_a_time_that_happens_twice_is_one_day() -> None:
    day = last_sunday(YEAR, 10)  # 03:00 CEST becomes 02:00 CET: 02:30 happens twice
    twice = person(preferences=prefs(at_minute=2 * 60 + 30, quiet_start=0, quiet_end=0))
    first = dt.datetime.combine(day, dt.time(0, 30), tzinfo=UTC)  # 02:30 CEST
    second = dt.datetime.combine(day, dt.time(1, 30), tzinfo=UTC)  # 02:30 CET
    assert rules.local_now(first, AMS).hour == rules.local_now(second, AMS).hour == 2
    assert rules.decide(first, twice) == rules.decide(second, twice) == rules.Due("u1", day, "email")
    # The sent row of the first is what stops the second.
    assert rules.decide(second, person(preferences=twice.preferences, last_reminded=day)) is None


def test_due_lists_everyone_due_in_order_and_wants_an_aware_time() -> None:
    people = [person(user_id="a"), person(user_id="b", preferences=prefs(enabled=False)), person(user_id="c", has_push=True)]
    noon = local(f"{TODAY}T12:00")
    assert rules.due(noon, people) == [rules.Due("a", TODAY, "email"), rules.Due("c", TODAY, "push")]
    with pytest.raises(ValueError, match="aware"):
        rules.due(noon.replace(tzinfo=None), people)


@pytest.mark.parametrize("text", ["9:00", "24:00", "09:60", "0900", "", "09:00 ", "٠٩:٠٠"])
def test_times_must_be_hh_mm(text: str) -> None:
    with pytest.raises(rules.Invalid, match="HH:MM"):
        rules.parse_hhmm(text, "time")


@pytest.mark.parametrize("name", ["Mars/Base", "", "../etc/passwd", "/etc/localtime", "Europe/" + "x" * 80])
def test_unknown_time_zones_are_refused(name: str) -> None:
    with pytest.raises(rules.Invalid, match="IANA"):
        rules.zone(name)


def test_a_zone_unknown_to_the_server_is_never_guessed() -> None:
    assert rules.decide(local(f"{TODAY}T12:00"), person(preferences=prefs(time_zone="Mars/Base"))) is None


def test_defaults_set_at_sign_in_start_the_next_day() -> None:
    starting = person(preferences=prefs(starts_on=TODAY + dt.timedelta(days=1)))
    assert rules.decide(local(f"{TODAY}T12:00"), starting) is None
    assert rules.decide(local(f"{TODAY + dt.timedelta(days=1)}T12:00"), starting) == rules.Due("u1", TODAY + dt.timedelta(days=1), "email")

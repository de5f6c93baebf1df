"""The `recap settings` commands: organisation-wide settings (docs/operations.md).

`daily-limit`: the total number of questions a day a learner gets across all their campaigns
(docs/people.md "Questions a day"), for everyone or for one person. `leaderboards`: `on` or
`off`, whether reps see leaderboards in the app (docs/measures.md "Leaderboards").
`video-retention-days`: how long video pitches that are not team examples are kept (docs/uploads.md).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from server.leaderboards import setting as leaderboards
from server.people import limits, rules
from server.uploads import retention
from server.uploads import setting as video_retention

OpenDb = Callable[[argparse.Namespace], sqlite_utils.Database]
SETTINGS = ("daily-limit", "leaderboards", "video-retention-days")


def _show(args: argparse.Namespace, open_db: OpenDb) -> int:
    db = open_db(args)
    try:
        limit = limits.organisation_limit(db)
        own = limits.own_limits(db)
        boards = leaderboards.enabled(db)
        retention_days = video_retention.days(db)
    finally:
        db.close()
    print(f"daily-limit\t{limit}")
    print(f"leaderboards\t{leaderboards.shown(boards)}")
    print(f"video-retention-days\t{retention_days}")
    for email, value in own:
        print(f"daily-limit\t{value}\t{email}")
    return 0


def _set(args: argparse.Namespace, open_db: OpenDb) -> int:
    label = "recap settings set"
    now = datetime.datetime.now(datetime.UTC)
    if args.name in ORGANISATION_ONLY:
        return _set_organisation(args, open_db, label, now)
    try:
        email = rules.normalise_email(args.person) if args.person else None
        value = rules.check_person_daily_limit(args.value) if email else rules.check_daily_limit(args.value)
    except rules.Invalid as error:
        print(f"{label}: {error}", file=sys.stderr)
        return 1
    db = open_db(args)
    try:
        if email is None:
            assert value is not None
            before = limits.set_organisation_limit(db, value, now)
            print(f"daily-limit: {before} -> {value}" if before != value else f"daily-limit: {value} (no change)")
            return 0
        try:
            person = limits.set_person_limit(db, email, value, now)
        except limits.UnknownPerson as error:
            print(f"{label}: {error}", file=sys.stderr)
            return 1
    finally:
        db.close()
    print(f"daily-limit of {person.email}: {limits.shown(person.daily_limit)} -> {limits.shown(value)}")
    return 0


# Organisation-wide only: name -> (parse, its error, set returning the old value, as shown).
ORGANISATION_ONLY: dict[str, tuple[Callable[[str], Any], type[ValueError], Callable[..., Any], Callable[[Any], str]]] = {
    "leaderboards": (leaderboards.parse, leaderboards.Invalid, leaderboards.set_enabled, leaderboards.shown),
    "video-retention-days": (retention.parse_days, retention.Invalid, video_retention.set_days, str),
}


def _set_organisation(args: argparse.Namespace, open_db: OpenDb, label: str, now: datetime.datetime) -> int:
    parse, invalid, put, shown = ORGANISATION_ONLY[args.name]
    if args.person:
        print(f"{label}: {args.name} is an organisation-wide setting: leave out --person", file=sys.stderr)
        return 1
    try:
        value = parse(args.value)
    except invalid as error:
        print(f"{label}: {error}", file=sys.stderr)
        return 1
    db = open_db(args)
    try:
        before = put(db, value, now)
    finally:
        db.close()
    new, old = shown(value), shown(before)
    print(f"{args.name}: {old} -> {new}" if before != value else f"{args.name}: {new} (no change)")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser], open_db: OpenDb) -> None:
    """Add `recap settings show` and `recap settings set` to the `recap` parser."""
    settings = commands.add_parser("settings", help="organisation-wide settings, such as the daily limit (docs/operations.md)")
    actions = settings.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="print every setting, and each person's own daily limit (tab-separated)")
    show.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    show.set_defaults(func=lambda args: _show(args, open_db))
    put = actions.add_parser("set", help="change a setting, for everyone or (--person) for one person")
    put.add_argument("name", choices=SETTINGS, metavar="NAME", help="daily-limit: questions a day across all campaigns, 1-20; leaderboards: on or off; video-retention-days: 1-3650")
    put.add_argument("value", metavar="VALUE", help="the new value; with --person, `default` follows the organisation's again")
    put.add_argument("--person", metavar="EMAIL", help="set this person's own value instead of the organisation's")
    put.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    put.set_defaults(func=lambda args: _set(args, open_db))

"""`recap users …` and `recap audit list`: people, their teams and sign-in, the audit log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server import privacy, signin
from server.commandline import add_db, migrated, now, settings
from server.csv_files import read_capped
from server.people import accounts, rules
from server.people.csv_import import MAX_BYTES, Row, parse_people_csv
from server.storage import auth as auth_store
from sync.clock import format_utc


def _print_import(result: accounts.ImportResult) -> int:
    for problem in result.problems:
        print(problem)
    if result.applied:
        for team in result.new_teams:
            print(f"created team {team}")
        for change in result.changes:
            if change.kind != "unchanged":
                print(change)
    print(result.summary(), file=sys.stderr if result.problems else sys.stdout)
    return 1 if result.problems else 0


def cmd_add(args: argparse.Namespace) -> int:
    label = "recap users add"
    try:
        email = rules.normalise_email(args.email)
        name = rules.check_name(args.name) if args.name is not None else None
        roles = frozenset(rules.check_role(r) for r in args.role) if args.role else None
        teams = rules.parse_teams(args.team) if args.team else None
    except rules.Invalid as error:
        print(f"{label}: {error}", file=sys.stderr)
        return 1
    db = migrated(args)
    try:
        result = accounts.import_people(db, [Row(0, rules.Person(email, name, roles, teams))], [], label)
    finally:
        db.close()
    if result.problems:
        for problem in result.problems:
            print(f"{label}: {problem.message}", file=sys.stderr)
        return 1
    for team in result.new_teams:
        print(f"created team {team}")
    print(result.changes[0])
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = str(args.file)
    data = read_capped(path, MAX_BYTES)
    if data is None:
        return 1
    parsed = parse_people_csv(path, data)
    if parsed.fatal:
        for problem in parsed.problems:
            print(problem)
        print("nothing was imported: the file cannot be read as a people CSV", file=sys.stderr)
        return 1
    db = migrated(args)
    try:
        result = accounts.import_people(db, parsed.rows, parsed.problems, path, partial=args.partial, new_only=args.new_only)
    finally:
        db.close()
    return _print_import(result)


def cmd_set_email(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        before, after = accounts.change_email(db, args.email, args.new_email, now())
    except (rules.Invalid, LookupError, accounts.EmailTaken) as error:
        print(f"recap users set-email: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"{before} is now {after}" if before != after else f"{after}: no change")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        people = accounts.list_people(db)
    finally:
        db.close()
    for person in people:
        fields = [person.email, person.name, rules.format_roles(person.roles), rules.format_teams(person.teams)]
        if person.disabled:
            fields.append("disabled")
        print("\t".join(fields))
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    return _set_disabled(args, True)


def cmd_enable(args: argparse.Namespace) -> int:
    return _set_disabled(args, False)


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    label = "recap users disable" if disabled else "recap users enable"
    db = migrated(args)
    try:
        email, ended, revoked = signin.set_disabled(db, args.email, disabled, now())
    except (rules.Invalid, signin.UnknownUser) as error:
        print(f"{label}: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    if disabled:
        print(f"disabled {email}: {ended} session(s) ended, {revoked} device credential(s) revoked")
    else:
        print(f"enabled {email}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        email, ended, revoked = signin.revoke(db, args.email, args.device, now())
    except (rules.Invalid, signin.UnknownUser) as error:
        print(f"recap users revoke: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"{email}: {ended} session(s) ended, {revoked} device credential(s) revoked")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    db = migrated(args)
    out = Path(args.out) if args.out else Path(f"{args.email.strip().lower()}-export.json")
    try:
        counts = privacy.export(db, args.email, out, now())
    except (rules.Invalid, privacy.UnknownPerson) as error:
        print(f"recap users export: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"wrote {out}: " + ", ".join(f"{n} {table}" for table, n in counts.items() if n))
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    if not args.yes:
        print("recap users erase: this deletes everything about the person for good; add --yes to confirm", file=sys.stderr)
        return 2
    db = migrated(args)
    try:
        removed = privacy.erase(db, args.email, now())
    except (rules.Invalid, privacy.UnknownPerson) as error:
        print(f"recap users erase: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print("erased: " + ", ".join(f"{n} {table}" for table, n in removed.items() if n))
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        email = rules.normalise_email(args.email)
        user = auth_store.account(db, email)
        if user is None:
            print(f"recap users sessions: no one has the address {email}", file=sys.stderr)
            return 1
        sessions = auth_store.live_sessions(db, user.id, format_utc(now()))
        devices = auth_store.live_device_credentials(db, user.id, signin.device_idle_cutoff(settings(args), now()))
    except rules.Invalid as error:
        print(f"recap users sessions: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    for created, device, last_seen, expires, _ in sessions:
        print("\t".join(["session", created, f"last seen {last_seen}", f"expires {expires}", f"device {device or '-'}"]))
    for device_id, created, last_used in devices:
        print("\t".join(["device", created, f"last used {last_used}", f"device {device_id}"]))
    print(f"{len(sessions)} session(s), {len(devices)} device credential(s)", file=sys.stderr)
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        email = rules.normalise_email(args.email) if args.email else None
        entries = auth_store.recent_audit(db, args.limit, email)
    except rules.Invalid as error:
        print(f"recap audit list: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    for _id, at, event, who, address, detail in entries:
        print("\t".join([at, event, who or "-", address or "-", detail or ""]))
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="people, their teams, and their sign-in (docs/people.md, docs/auth.md)")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users_commands.add_parser("add", help="create or update one person (docs/people.md)")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--name", help="their name (needed for a new person)")
    add.add_argument(
        "--role",
        action="append",
        metavar="ROLE",
        help="rep, coach, editor, manager or admin; repeat for several (replaces their roles)",
    )
    add.add_argument(
        "--team",
        action="append",
        metavar="TEAM[:ROLE]",
        help="a team, created when missing; repeat for several (replaces their teams)",
    )
    add_db(add)
    add.set_defaults(func=cmd_add)
    imp = users_commands.add_parser("import", help="create or update people from a CSV file (docs/people.md)")
    imp.add_argument("file", metavar="FILE", type=Path, help="CSV with the columns email,name,roles[,teams]")
    imp.add_argument("--partial", action="store_true", help="apply the good rows even when some are bad (exit code 1)")
    imp.add_argument("--new-only", action="store_true", help="create the people who are new; leave everyone who exists as they are")
    add_db(imp)
    imp.set_defaults(func=cmd_import)
    mail = users_commands.add_parser(
        "set-email", help="give someone a new email address; their history, devices and progress follow (docs/people.md)"
    )
    mail.add_argument("email", metavar="EMAIL")
    mail.add_argument("new_email", metavar="NEW_EMAIL")
    add_db(mail)
    mail.set_defaults(func=cmd_set_email)
    lst = users_commands.add_parser("list", help="print everyone: email, name, roles, teams (tab-separated)")
    add_db(lst)
    lst.set_defaults(func=cmd_list)
    for name, func, text in (
        ("disable", cmd_disable, "stop someone signing in: ends their sessions, revokes their devices"),
        ("enable", cmd_enable, "let a disabled person sign in again"),
        ("sessions", cmd_sessions, "print someone's live sessions and device credentials"),
    ):
        sub = users_commands.add_parser(name, help=text + " (docs/auth.md)")
        sub.add_argument("email", metavar="EMAIL")
        add_db(sub)
        sub.set_defaults(func=func)
    rev = users_commands.add_parser("revoke", help="end someone's sessions and revoke their device credentials (docs/auth.md)")
    rev.add_argument("email", metavar="EMAIL")
    rev.add_argument("--device", metavar="DEVICE_ID", help="only this device's credential and sessions")
    add_db(rev)
    rev.set_defaults(func=cmd_revoke)

    exp = users_commands.add_parser("export", help="write everything held about a person to a JSON file (docs/people.md)")
    exp.add_argument("email", metavar="EMAIL")
    exp.add_argument("--out", metavar="FILE", help="where to write (default EMAIL-export.json)")
    add_db(exp)
    exp.set_defaults(func=cmd_export)
    era = users_commands.add_parser("erase", help="delete everything held about a person, for good (docs/people.md)")
    era.add_argument("email", metavar="EMAIL")
    era.add_argument("--yes", action="store_true", help="confirm: there is no undo")
    add_db(era)
    era.set_defaults(func=cmd_erase)

    audit = commands.add_parser("audit", help="the audit log of sign-ins, logouts, disables and revocations")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    alist = audit_commands.add_parser("list", help="print recent entries, newest first (tab-separated)")
    alist.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    alist.add_argument("--email", help="only entries about this address")
    add_db(alist)
    alist.set_defaults(func=cmd_audit_list)

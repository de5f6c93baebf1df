"""The `recap` command: serve the app, migrate the database, check and publish content, manage people."""

from __future__ import annotations

import argparse
import datetime
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import sqlite_utils

from server import cli_settings, migrations, privacy, signin
from server.campaigns.reach import unreached
from server.db import connect
from server.library.checks import check_library
from server.library.problems import ContentError
from server.library.publish import publish
from server.people import accounts, rules
from server.people.csv_import import MAX_BYTES, Row, parse_people_csv
from server.settings import Settings, SettingsError, settings_from_env
from server.storage import auth as auth_store
from server.storage.content import latest_version
from sync.clock import format_utc


def _settings(args: argparse.Namespace) -> Settings:
    return settings_from_env(
        db_path=getattr(args, "db", None), host=getattr(args, "host", None), port=getattr(args, "port", None)
    )


def _content_dir(args: argparse.Namespace) -> Path:
    return Path(args.dir) if args.dir else settings_from_env().content_dir


def _print_problems(error: ContentError) -> int:
    for problem in error.problems:
        print(problem)
    print(f"content check failed: {len(error.problems)} problem(s)", file=sys.stderr)
    return 1


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app

    settings = _settings(args)
    logging.basicConfig(level=settings.log_level.upper(), format="%(message)s", stream=sys.stderr)
    if settings.migrate_on_start:
        db = connect(settings.db_path)
        try:
            applied = migrations.apply(db)
        finally:
            db.close()
        if applied:
            print(f"applied migrations: {', '.join(applied)}", flush=True)
    # Bind first so that port 0 works and the printed URL is the real one.
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        print(f"recap: cannot listen on {settings.host}:{settings.port}: {exc.strerror}; set PORT to a free port", file=sys.stderr)
        return 2
    # Listening now means a client that reads the printed URL is queued, not refused,
    # while uvicorn finishes starting.
    sock.listen(2048)
    port = sock.getsockname()[1]
    host = f"[{settings.host}]" if family == socket.AF_INET6 else settings.host
    print(f"Recap is running at http://{host}:{port}/  (database {settings.db_path}; Ctrl-C to stop)", flush=True)
    if not settings.smtp_host:
        print(
            f"Sign-in codes are not mailed (RECAP_SMTP_HOST is not set): each is written to {settings.mail_dir.resolve()}/ "
            "as an .eml file (the newest is the latest code)",
            flush=True,
        )
    # proxy_headers=False: the app believes forwarding headers only from RECAP_TRUSTED_PROXIES.
    config = uvicorn.Config(create_app(settings), log_config=None, access_log=False, lifespan="on", proxy_headers=False)
    uvicorn.Server(config).run(sockets=[sock])
    print("Recap stopped.", flush=True)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    db = connect(settings.db_path)
    try:
        applied = migrations.apply(db)
    finally:
        db.close()
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else "; the database is up to date"))
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    try:
        library = check_library(_content_dir(args))
    except ContentError as error:
        return _print_problems(error)
    n = library.counts()
    print(
        f"content ok: {n['competencies']} competencies, {n['nuggets']} nuggets, {n['questions']} questions, "
        f"{n['refreshers']} refreshers, {n['campaigns']} campaigns"
    )
    return 0


def cmd_content_publish(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.db_path.exists() and not args.create:
        print(
            f"recap content publish: there is no database at {settings.db_path}: check --db or RECAP_DB, "
            "or add --create to start a new one there",
            file=sys.stderr,
        )
        return 1
    db = connect(settings.db_path)
    try:
        pending = migrations.pending(db)
        if pending:
            migrations.apply(db)
        if args.initial and (version := latest_version(db)):
            print(
                f"not published: the database already has library version {version}; --initial publishes only into "
                "a database that has none (publish changes with `recap content publish DIR`)"
            )
            return 0
        result = publish(db, _content_dir(args))
        gaps = unreached(db)
    except ContentError as error:
        print("nothing was published", file=sys.stderr)
        return _print_problems(error)
    finally:
        db.close()
    for change in result.changes:
        print(change)
    print(f"published version {result.version}" if result.published else f"no changes (version {result.version})")
    for campaign_id, entries in gaps.items():
        named = ", ".join(f"`{e}`" for e in entries)
        print(f"note: campaign {campaign_id}: no one matches {named} in its audience (a misspelt team id, or a team nobody is in yet)", file=sys.stderr)
    return 0


def _migrated(args: argparse.Namespace) -> sqlite_utils.Database:
    db = connect(_settings(args).db_path)
    migrations.apply(db)
    return db


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


def cmd_users_add(args: argparse.Namespace) -> int:
    label = "recap users add"
    try:
        email = rules.normalise_email(args.email)
        name = rules.check_name(args.name) if args.name is not None else None
        roles = frozenset(rules.check_role(r) for r in args.role) if args.role else None
        teams = rules.parse_teams(args.team) if args.team else None
    except rules.Invalid as error:
        print(f"{label}: {error}", file=sys.stderr)
        return 1
    db = _migrated(args)
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


def cmd_users_import(args: argparse.Namespace) -> int:
    path = str(args.file)
    try:
        with open(args.file, "rb") as f:
            data = f.read(MAX_BYTES + 1)  # one byte more than allowed is enough to refuse the file
    except OSError as error:
        print(f"{path}: cannot read the file: {error.strerror}", file=sys.stderr)
        return 1
    parsed = parse_people_csv(path, data)
    if parsed.fatal:
        for problem in parsed.problems:
            print(problem)
        print("nothing was imported: the file cannot be read as a people CSV", file=sys.stderr)
        return 1
    db = _migrated(args)
    try:
        result = accounts.import_people(db, parsed.rows, parsed.problems, path, partial=args.partial, new_only=args.new_only)
    finally:
        db.close()
    return _print_import(result)


def cmd_users_set_email(args: argparse.Namespace) -> int:
    db = _migrated(args)
    try:
        before, after = accounts.change_email(db, args.email, args.new_email, _now())
    except (rules.Invalid, LookupError, accounts.EmailTaken) as error:
        print(f"recap users set-email: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"{before} is now {after}" if before != after else f"{after}: no change")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    db = _migrated(args)
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


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def cmd_users_disable(args: argparse.Namespace) -> int:
    return _set_disabled(args, True)


def cmd_users_enable(args: argparse.Namespace) -> int:
    return _set_disabled(args, False)


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    label = "recap users disable" if disabled else "recap users enable"
    db = _migrated(args)
    try:
        email, ended, revoked = signin.set_disabled(db, args.email, disabled, _now())
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


def cmd_users_revoke(args: argparse.Namespace) -> int:
    db = _migrated(args)
    try:
        email, ended, revoked = signin.revoke(db, args.email, args.device, _now())
    except (rules.Invalid, signin.UnknownUser) as error:
        print(f"recap users revoke: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"{email}: {ended} session(s) ended, {revoked} device credential(s) revoked")
    return 0


def cmd_users_export(args: argparse.Namespace) -> int:
    db = _migrated(args)
    out = Path(args.out) if args.out else Path(f"{args.email.strip().lower()}-export.json")
    try:
        counts = privacy.export(db, args.email, out, _now())
    except (rules.Invalid, privacy.UnknownPerson) as error:
        print(f"recap users export: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"wrote {out}: " + ", ".join(f"{n} {table}" for table, n in counts.items() if n))
    return 0


def cmd_users_erase(args: argparse.Namespace) -> int:
    if not args.yes:
        print("recap users erase: this deletes everything about the person for good; add --yes to confirm", file=sys.stderr)
        return 2
    db = _migrated(args)
    try:
        removed = privacy.erase(db, args.email, _now())
    except (rules.Invalid, privacy.UnknownPerson) as error:
        print(f"recap users erase: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print("erased: " + ", ".join(f"{n} {table}" for table, n in removed.items() if n))
    return 0


def cmd_users_sessions(args: argparse.Namespace) -> int:
    db = _migrated(args)
    try:
        email = rules.normalise_email(args.email)
        user = auth_store.account(db, email)
        if user is None:
            print(f"recap users sessions: no one has the address {email}", file=sys.stderr)
            return 1
        sessions = auth_store.live_sessions(db, user.id, format_utc(_now()))
        devices = auth_store.live_device_credentials(db, user.id, signin.device_idle_cutoff(_settings(args), _now()))
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
    db = _migrated(args)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recap", description="Recap: sales training that sticks.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the app and its API")
    serve.add_argument("--host", help="address to listen on (RECAP_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on, 0 for any free one (PORT or RECAP_PORT, default 8000)")
    serve.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    migrate.set_defaults(func=cmd_migrate)

    content = commands.add_parser("content", help="check or publish the authored library")
    content_commands = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    check = content_commands.add_parser("check", help="validate a content folder and report every problem")
    check.add_argument("dir", metavar="DIR", nargs="?", help="the content folder (default: RECAP_CONTENT, or content/)")
    check.set_defaults(func=cmd_content_check)
    pub = content_commands.add_parser("publish", help="validate, then publish all changes as one new version")
    pub.add_argument("dir", metavar="DIR", nargs="?", help="the content folder (default: RECAP_CONTENT, or content/)")
    pub.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    pub.add_argument("--create", action="store_true", help="create the database when the file does not exist (otherwise refused)")
    pub.add_argument(
        "--initial", action="store_true", help="publish only into a database that has no published version yet (make run)"
    )
    pub.set_defaults(func=cmd_content_publish)

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
    add.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    add.set_defaults(func=cmd_users_add)
    imp = users_commands.add_parser("import", help="create or update people from a CSV file (docs/people.md)")
    imp.add_argument("file", metavar="FILE", type=Path, help="CSV with the columns email,name,roles[,teams]")
    imp.add_argument("--partial", action="store_true", help="apply the good rows even when some are bad (exit code 1)")
    imp.add_argument("--new-only", action="store_true", help="create the people who are new; leave everyone who exists as they are")
    imp.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    imp.set_defaults(func=cmd_users_import)
    mail = users_commands.add_parser(
        "set-email", help="give someone a new email address; their history, devices and progress follow (docs/people.md)"
    )
    mail.add_argument("email", metavar="EMAIL")
    mail.add_argument("new_email", metavar="NEW_EMAIL")
    mail.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    mail.set_defaults(func=cmd_users_set_email)
    lst = users_commands.add_parser("list", help="print everyone: email, name, roles, teams (tab-separated)")
    lst.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    lst.set_defaults(func=cmd_users_list)
    for name, func, text in (
        ("disable", cmd_users_disable, "stop someone signing in: ends their sessions, revokes their devices"),
        ("enable", cmd_users_enable, "let a disabled person sign in again"),
        ("sessions", cmd_users_sessions, "print someone's live sessions and device credentials"),
    ):
        sub = users_commands.add_parser(name, help=text + " (docs/auth.md)")
        sub.add_argument("email", metavar="EMAIL")
        sub.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
        sub.set_defaults(func=func)
    rev = users_commands.add_parser("revoke", help="end someone's sessions and revoke their device credentials (docs/auth.md)")
    rev.add_argument("email", metavar="EMAIL")
    rev.add_argument("--device", metavar="DEVICE_ID", help="only this device's credential and sessions")
    rev.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    rev.set_defaults(func=cmd_users_revoke)

    exp = users_commands.add_parser("export", help="write everything held about a person to a JSON file (docs/people.md)")
    exp.add_argument("email", metavar="EMAIL")
    exp.add_argument("--out", metavar="FILE", help="where to write (default EMAIL-export.json)")
    exp.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    exp.set_defaults(func=cmd_users_export)
    era = users_commands.add_parser("erase", help="delete everything held about a person, for good (docs/people.md)")
    era.add_argument("email", metavar="EMAIL")
    era.add_argument("--yes", action="store_true", help="confirm: there is no undo")
    era.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    era.set_defaults(func=cmd_users_erase)

    audit = commands.add_parser("audit", help="the audit log of sign-ins, logouts, disables and revocations")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    alist = audit_commands.add_parser("list", help="print recent entries, newest first (tab-separated)")
    alist.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    alist.add_argument("--email", help="only entries about this address")
    alist.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")
    alist.set_defaults(func=cmd_audit_list)

    cli_settings.add_commands(commands, _migrated)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as error:
        print(f"recap: bad setting: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

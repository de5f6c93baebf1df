"""`recap xapi export` and `recap xapi push`: statements as a file, or sent to a learning record
store (docs/operations.md "xAPI")."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from server.commandline import add_db, migrated, now, settings
from server.xapi import export, store
from sync.clock import format_utc, parse

OVERLAP = datetime.timedelta(minutes=5)  # events stored in the same moment may commit in any order


def cmd_export(args: argparse.Namespace) -> int:
    try:
        since = export.parse_since(args.since)
    except export.BadSince as error:
        print(f"recap xapi export: {error}", file=sys.stderr)
        return 2
    config = settings(args)
    db = migrated(args)
    try:
        who = export.identity(db, config, now(), args.base_url or "")
        items = export.statements(export.using(db), who, since=since)
        out = sys.stdout if args.out is None else None
        count = 0
        target = Path(args.out) if args.out else None
        handle = target.open("w", encoding="utf-8") if target else out
        assert handle is not None
        try:
            if args.array:
                handle.write("[")
                for _, made in items:
                    handle.write(("," if count else "") + "\n" + json.dumps(made, ensure_ascii=False, sort_keys=True))
                    count += 1
                handle.write("\n]\n")
            else:
                for line in export.json_lines(items):
                    handle.write(line)
                    count += 1
        finally:
            if target:
                handle.close()
    finally:
        db.close()
    print(f"{count} statement(s)" + (f" written to {args.out}" if args.out else ""), file=sys.stderr)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from server.xapi.push import push  # httpx, only for this command

    config = settings(args)
    endpoint = (args.endpoint or config.lrs_endpoint).rstrip("/")
    if not endpoint.startswith(("https://", "http://")):
        print("recap xapi push: give the store's xAPI endpoint with --endpoint URL (or RECAP_LRS_ENDPOINT)", file=sys.stderr)
        return 2
    if not 1 <= args.batch <= 1000 or not 0 < args.timeout <= 600:
        print("recap xapi push: --batch must be 1 to 1000 and --timeout more than 0 and at most 600 seconds", file=sys.stderr)
        return 2
    user = args.user if args.user is not None else config.lrs_user
    password = args.password if args.password is not None else config.lrs_password
    db = migrated(args)
    try:
        who = export.identity(db, config, now(), args.base_url or "")
        position = "" if args.again else store.position(db, endpoint)
        stored_from = format_utc(parse(position) - OVERLAP) if position else ""
        items = export.statements(export.using(db), who, stored_from=stored_from)

        def remember(at: str, count: int) -> None:
            store.delivered(db, endpoint, at, count, now())

        result = push(items, endpoint, (user, password) if user else None, remember, batch=args.batch, timeout=args.timeout)
    finally:
        db.close()
    print(f"delivered {result.sent} statement(s) in {result.batches} batch(es), {result.attempts} request(s) to {endpoint}")
    if result.error:
        print(f"recap xapi push: {result.error}", file=sys.stderr)
        return 1
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    xapi = commands.add_parser("xapi", help="xAPI 1.0.3 statements: export them, or push them to a learning record store")
    actions = xapi.add_subparsers(dest="xapi_command", required=True, metavar="ACTION")
    exp = actions.add_parser("export", help="write every statement as JSON lines (docs/operations.md)")
    exp.add_argument("--since", metavar="DATE", help="only events at or after this date or UTC time (YYYY-MM-DD)")
    exp.add_argument("--out", metavar="FILE", help="write to this file (default: standard output)")
    exp.add_argument("--array", action="store_true", help="one JSON array instead of JSON lines")
    exp.add_argument("--base-url", metavar="URL", help="the server's address in IRIs (default RECAP_PUBLIC_URL)")
    add_db(exp)
    exp.set_defaults(func=cmd_export)
    psh = actions.add_parser("push", help="send new statements to a learning record store (docs/operations.md)")
    psh.add_argument("--endpoint", metavar="URL", help="the store's xAPI endpoint (RECAP_LRS_ENDPOINT)")
    psh.add_argument("--user", help="HTTP Basic user (RECAP_LRS_USER)")
    psh.add_argument("--password", help="HTTP Basic password (RECAP_LRS_PASSWORD; prefer the variable)")
    psh.add_argument("--batch", type=int, default=100, help="statements per request (default 100)")
    psh.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each answer (default 30)")
    psh.add_argument("--again", action="store_true", help="send everything again from the start (harmless: ids are fixed)")
    psh.add_argument("--base-url", metavar="URL", help="the server's address in IRIs (default RECAP_PUBLIC_URL)")
    add_db(psh)
    psh.set_defaults(func=cmd_push)

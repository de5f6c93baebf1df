"""The `recap` command: serve the app and migrate the database here; the library's commands are in
server/library/commands.py, people's in server/people/commands.py."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Sequence

from server import cli_settings, migrations
from server.commandline import add_db, migrated
from server.commandline import settings as settings_of
from server.db import connect
from server.library import commands as library_commands
from server.people import commands as people_commands
from server.results import commands as results_commands
from server.settings import SettingsError
from server.uploads import commands as video_commands
from server.xapi import commands as xapi_commands


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app

    settings = settings_of(args)
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
    db = connect(settings_of(args).db_path)
    try:
        applied = migrations.apply(db)
    finally:
        db.close()
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else "; the database is up to date"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recap", description="Recap: sales training that sticks.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the app and its API")
    serve.add_argument("--host", help="address to listen on (RECAP_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on, 0 for any free one (PORT or RECAP_PORT, default 8000)")
    add_db(serve)
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    add_db(migrate)
    migrate.set_defaults(func=cmd_migrate)

    library_commands.add_commands(commands)
    people_commands.add_commands(commands)
    results_commands.add_commands(commands)
    xapi_commands.add_commands(commands)
    video_commands.add_commands(commands)
    cli_settings.add_commands(commands, migrated)
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

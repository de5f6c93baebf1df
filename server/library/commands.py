"""`recap content …`: check, publish, export, roll back and list the library's versions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server import migrations
from server.campaigns.reach import unreached
from server.commandline import add_db, migrated, settings
from server.db import connect
from server.library.checks import check_library
from server.library.export import counts, sources_at, write_library
from server.library.problems import ContentError
from server.library.publish import PublishResult, publish
from server.library.rollback import NoSuchVersion, roll_back
from server.settings import settings_from_env
from server.storage import content as store


def _content_dir(args: argparse.Namespace) -> Path:
    return Path(args.dir) if args.dir else settings_from_env().content_dir


def _print_problems(error: ContentError) -> int:
    for problem in error.problems:
        print(problem)
    print(f"content check failed: {len(error.problems)} problem(s)", file=sys.stderr)
    return 1


def _counts_text(n: dict[str, int]) -> str:
    return (
        f"{n['competencies']} competencies, {n['nuggets']} nuggets, {n['questions']} questions, "
        f"{n['refreshers']} refreshers, {n['campaigns']} campaigns"
    )


def _refused(error: ContentError) -> int:
    print("nothing was published", file=sys.stderr)
    return _print_problems(error)


def _print_result(result: PublishResult) -> None:
    for change in result.changes:
        print(change)
    print(f"published version {result.version}" if result.published else f"no changes (version {result.version})")


def cmd_check(args: argparse.Namespace) -> int:
    try:
        library = check_library(_content_dir(args))
    except ContentError as error:
        return _print_problems(error)
    print(f"content ok: {_counts_text(library.counts())}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    path = settings(args).db_path
    if not path.exists() and not args.create:
        print(
            f"recap content publish: there is no database at {path}: check --db or RECAP_DB, "
            "or add --create to start a new one there",
            file=sys.stderr,
        )
        return 1
    db = connect(path)
    try:
        migrations.apply(db)
        if args.initial and (version := store.latest_version(db)):
            print(
                f"not published: the database already has library version {version}; --initial publishes only into "
                "a database that has none (publish changes with `recap content publish DIR`)"
            )
            return 0
        result = publish(
            db, _content_dir(args), allow_removals=args.remove, allow_reverts=args.revert, origin={"via": "files"}
        )
        gaps = unreached(db)
    except ContentError as error:
        return _refused(error)
    finally:
        db.close()
    _print_result(result)
    for campaign_id, entries in gaps.items():
        named = ", ".join(f"`{e}`" for e in entries)
        print(
            f"note: campaign {campaign_id}: no one matches {named} in its audience "
            "(a misspelt team id, or a team nobody is in yet)",
            file=sys.stderr,
        )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        latest = store.latest_version(db)
        version = args.version or latest
        if not latest or not store.version_exists(db, version):
            why = f"the library has versions 1 to {latest}" if latest else "nothing is published yet"
            print(f"recap content export: there is no version {version}: {why}", file=sys.stderr)
            return 1
        sources = sources_at(db, version)
    finally:
        db.close()
    root = Path(args.dir)
    if root.exists() and not root.is_dir():
        print(f"recap content export: {root} is not a folder", file=sys.stderr)
        return 1
    try:
        removed = write_library(root, sources)
    except OSError as error:
        print(f"recap content export: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    for rel in removed:
        print(f"deleted {rel} (not in version {version})")
    print(f"exported version {version}: {_counts_text(counts(sources))}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        result = roll_back(db, args.version, origin={"via": "command"})
    except NoSuchVersion as error:
        print(f"recap content rollback: {error}", file=sys.stderr)
        return 1
    except ContentError as error:
        return _refused(error)
    finally:
        db.close()
    _print_result(result)
    if result.published:
        print(f"version {result.version} is version {args.version} again")
    return 0


def describe(row: store.VersionRow) -> str:
    """`3  2026-12-01T09:00:00+00:00  files  2 new, 1 substantive`, for people reading a list."""
    origin = row.summary.get("origin")
    origin = origin if isinstance(origin, dict) else {}
    via = "roll-back to " + str(origin["rollback_to"]) if "rollback_to" in origin else str(origin.get("via", "files"))
    changes = row.summary.get("changes")
    text = ", ".join(f"{n} {kind}" for kind, n in sorted(changes.items())) if isinstance(changes, dict) else ""
    return "\t".join([str(row.version), row.published_at, via, text])


def cmd_versions(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        rows = store.versions(db, args.limit)
    finally:
        db.close()
    for row in rows:
        print(describe(row))
    if not rows:
        print("nothing is published yet", file=sys.stderr)
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    content = commands.add_parser("content", help="check, publish, export or roll back the library (docs/content.md)")
    actions = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    folder_help = "the content folder (default: RECAP_CONTENT, or content/)"

    check = actions.add_parser("check", help="validate a content folder and report every problem")
    check.add_argument("dir", metavar="DIR", nargs="?", help=folder_help)
    check.set_defaults(func=cmd_check)

    pub = actions.add_parser("publish", help="validate, then publish all changes as one new version")
    pub.add_argument("dir", metavar="DIR", nargs="?", help=folder_help)
    add_db(pub)
    pub.add_argument("--create", action="store_true", help="create the database when the file does not exist (otherwise refused)")
    pub.add_argument(
        "--initial", action="store_true", help="publish only into a database that has no published version yet (make run)"
    )
    pub.add_argument(
        "--remove", action="store_true", help="withdraw published items that the folder does not have (otherwise refused)"
    )
    pub.add_argument(
        "--revert",
        action="store_true",
        help="publish files that put items back as an earlier version had them (otherwise refused: export first)",
    )
    pub.set_defaults(func=cmd_publish)

    exp = actions.add_parser("export", help="write the published library into a folder as its files")
    exp.add_argument("dir", metavar="DIR", help="the folder to write (made when missing; content files not in the library are deleted)")
    exp.add_argument("--version", type=int, metavar="N", help="an earlier version (default: the latest)")
    add_db(exp)
    exp.set_defaults(func=cmd_export)

    back = actions.add_parser("rollback", help="publish a new version equal to an earlier version N")
    back.add_argument("version", type=int, metavar="N")
    add_db(back)
    back.set_defaults(func=cmd_rollback)

    ver = actions.add_parser("versions", help="list published versions, newest first: version, when, how, changes")
    ver.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    add_db(ver)
    ver.set_defaults(func=cmd_versions)

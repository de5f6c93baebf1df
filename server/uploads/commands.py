"""`recap videos prune` and `recap videos usage`: the video storage from the shell (docs/uploads.md)."""

from __future__ import annotations

import argparse

from server.commandline import add_db, migrated, now
from server.commandline import settings as settings_of
from server.uploads import files, housekeeping, store


def cmd_prune(args: argparse.Namespace) -> int:
    layout = files.Layout(settings_of(args).var_dir)
    db = migrated(args)
    try:
        days = store.retention_days(db)
        expired = housekeeping.expire(db, layout, now(), dry_run=args.dry_run)
        pruned = housekeeping.prune(db, layout, now(), dry_run=args.dry_run)
    finally:
        db.close()
    verb = "would delete" if args.dry_run else "deleted"
    for sha in pruned.videos:
        print(f"{verb} video {sha}")
    print(
        f"{verb} {len(pruned.videos)} video(s) past {days} days ({pruned.video_bytes:,} bytes), "
        f"{len(expired.expired)} expired upload(s), {expired.stray_partials} stray partial file(s) "
        f"and {pruned.stray_videos} stray video file(s)"
    )
    return 0


def cmd_usage(args: argparse.Namespace) -> int:
    db = migrated(args)
    try:
        used = store.usage(db)
    finally:
        db.close()
    print("organisation\tvideos\tvideo_bytes\tunfinished\tunfinished_bytes")
    for row in used:
        print(f"{row.organisation_id}\t{row.videos}\t{row.video_bytes}\t{row.unfinished}\t{row.unfinished_bytes}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    videos = commands.add_parser("videos", help="stored video pitches: storage use and retention (docs/uploads.md)")
    actions = videos.add_subparsers(dest="videos_command", required=True, metavar="ACTION")
    prune = actions.add_parser(
        "prune", help="delete videos past the retention days that are not team examples, and expired unfinished uploads"
    )
    prune.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    add_db(prune)
    prune.set_defaults(func=cmd_prune)
    usage = actions.add_parser("usage", help="videos and unfinished uploads per organisation: counts and bytes")
    add_db(usage)
    usage.set_defaults(func=cmd_usage)

"""What every `recap` command shares: settings from flags and the environment, the database."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

import sqlite_utils

from server import migrations
from server.db import connect
from server.settings import Settings, settings_from_env


def settings(args: argparse.Namespace) -> Settings:
    return settings_from_env(
        db_path=getattr(args, "db", None), host=getattr(args, "host", None), port=getattr(args, "port", None)
    )


def migrated(args: argparse.Namespace) -> sqlite_utils.Database:
    """The database of `--db` (or RECAP_DB), its migrations applied."""
    db = connect(settings(args).db_path)
    migrations.apply(db)
    return db


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="database file (RECAP_DB, default var/recap.db)")

"""`recap results import`: commercial results from a CSV file (docs/results.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.commandline import add_db, migrated
from server.csv_files import read_capped
from server.results.csv_import import MAX_BYTES, parse_results_csv
from server.results.importer import import_results


def cmd_import(args: argparse.Namespace) -> int:
    path = str(args.file)
    data = read_capped(path, MAX_BYTES)
    if data is None:
        return 1
    parsed = parse_results_csv(path, data)
    if parsed.fatal:
        for problem in parsed.problems:
            print(problem)
        print("nothing was imported: the file cannot be read as a results CSV", file=sys.stderr)
        return 1
    db = migrated(args)
    try:
        result = import_results(db, parsed.rows, parsed.problems, path, partial=args.partial)
    finally:
        db.close()
    for problem in result.problems:
        print(problem)
    print(result.summary(), file=sys.stderr if result.problems else sys.stdout)
    return 1 if result.problems else 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    results = commands.add_parser("results", help="commercial results per person and period (docs/results.md)")
    actions = results.add_subparsers(dest="results_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="add or update results from a CSV file (docs/results.md)")
    imp.add_argument("file", metavar="FILE", type=Path, help="CSV with the columns email,period and one or more metrics")
    imp.add_argument("--partial", action="store_true", help="apply the good rows even when some are bad (exit code 1)")
    add_db(imp)
    imp.set_defaults(func=cmd_import)

"""How long publishing the library takes, against raw SQLite inserts of the same rows.

usage: python bench/publish.py [CONTENT_DIR] [--repeat N]

Prints the median of N runs for: checking the folder, a first publish into an empty database,
a publish with no changes, and the raw baseline (inserting as many rows into a bare table in one
transaction with synchronous=FULL). Figures, not verdicts: the machine is noisy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from server import migrations
from server.db import connect, write_transaction
from server.library.checks import check_library
from server.library.publish import publish
from server.storage.content import get_snapshot

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", default=str(ROOT / "content"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    content = Path(args.content)
    items = sum(check_library(content).counts().values())

    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))

        def first_publish() -> None:
            db = connect(Path(tmp) / f"p{next(counter)}.db")
            migrations.apply(db)
            publish(db, content)
            db.close()

        steady = connect(Path(tmp) / "steady.db")
        migrations.apply(steady)
        publish(steady, content)
        snap = get_snapshot(steady, 1)
        assert snap is not None

        def raw_baseline() -> None:
            db = connect(Path(tmp) / f"raw{next(counter)}.db")
            db.execute("CREATE TABLE t (kind TEXT, item_id TEXT, data TEXT)")
            with write_transaction(db):
                db.conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [("q", str(i), "x" * 600) for i in range(items)])
            db.close()

        check = median_ms(lambda: check_library(content), args.repeat)
        first = median_ms(first_publish, args.repeat)
        unchanged = median_ms(lambda: publish(steady, content), args.repeat)
        raw = median_ms(raw_baseline, args.repeat)
        steady.close()

    print(f"library: {items} items; snapshot {snap.size:,} bytes JSON, {len(snap.body_gzip):,} bytes gzip")
    print(f"check            median {check:8.1f} ms")
    print(f"first publish    median {first:8.1f} ms  (includes migrating a new database)")
    print(f"no-change publish median {unchanged:7.1f} ms")
    print(f"raw insert of {items} rows median {raw:6.1f} ms  (baseline)")
    print(f"bench publish: items={items} check_ms={check:.1f} first_ms={first:.1f} unchanged_ms={unchanged:.1f} raw_ms={raw:.1f} ratio_first_to_raw={first / raw:.1f}")


if __name__ == "__main__":
    main()

"""What a leaderboard adds to a pull (docs/measures.md "Leaderboards").

usage: python bench/leaderboard.py [--reps 3000] [--teams 150] [--competencies 12] [--rows-per-day 3] [--pulls 60]

Builds a database with the project's migrations: --reps reps in --teams teams and, in the
retention aggregates, --rows-per-day (rep, competency) rows on each of the last 60 days for every
rep (a rep answering questions of 3 competencies every day: more than the default daily limit
allows). Then times, in process through the real app (Litestar's test client), --pulls empty pulls
by one rep with leaderboards off and as many with them on, alternately: the median of each and the
difference, with the ranking kept for MAX_AGE_SECONDS as the server does, and with it computed
at every pull (the worst case: the first pull after it expired). Also the ranking alone. Figures, not
verdicts. Last line: `bench leaderboard: reps=N rows=N pull_off_ms=N pull_on_ms=N added_ms=N`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litestar.testing import TestClient  # noqa: E402

from server import migrations  # noqa: E402
from server.app import create_app  # noqa: E402
from server.db import connect, read_transaction  # noqa: E402
from server.leaderboards import view  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.storage import organisation  # noqa: E402

TODAY = 20_788  # 2026-12-01
STAMP = "2026-11-01T00:00:00Z"


def build(path: Path, reps: int, teams: int, competencies: int, per_day: int) -> int:
    db = connect(path)
    migrations.apply(db)
    db.execute("PRAGMA synchronous = OFF")
    rnd = random.Random(14)
    rows = 0
    with db.conn:
        db.conn.executemany("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)", [(f"t{t}", f"Team {t}", STAMP) for t in range(teams)])
        db.conn.executemany(
            "INSERT INTO users (id, email, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [(f"u{r}", f"u{r}@example.com", f"Rep {r}", STAMP, STAMP) for r in range(reps)],
        )
        db.conn.executemany("INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, 'rep')", [(f"t{r % teams}", f"u{r}") for r in range(reps)])
        batch = []
        for r in range(reps):
            for day in range(TODAY - 59, TODAY + 1):
                for c in rnd.sample(range(competencies), per_day):
                    batch.append((f"u{r}", f"c{c}", day, 1, rnd.random() < 0.7, 250_000))
        db.conn.executemany("INSERT INTO retention_days (user_id, competency_id, local_day, n, n_right, guess_ppm) VALUES (?, ?, ?, ?, ?, ?)", batch)
        rows = len(batch)
    db.execute("ANALYZE")
    db.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3000)
    parser.add_argument("--teams", type=int, default=150)
    parser.add_argument("--competencies", type=int, default=12)
    parser.add_argument("--rows-per-day", type=int, default=3)
    parser.add_argument("--pulls", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        rows = build(path, args.reps, args.teams, args.competencies, args.rows_per_day)
        db = connect(path)
        alone = []
        for _ in range(max(5, args.pulls // 4)):
            start = time.perf_counter()
            with read_transaction(db):
                view.rules.board(view.store.reps(db, TODAY - 29, TODAY), view.store.teams(db))
            alone.append((time.perf_counter() - start) * 1000)
        times: dict[str, list[float]] = {"off": [], "kept": [], "fresh": []}
        with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as client:
            device = str(uuid.uuid4())
            headers = {"Authorization": "Bearer dev:u7"}
            for i in range(args.pulls * 3):
                mode = ("off", "kept", "fresh")[i % 3]
                with db.conn:
                    organisation.set_leaderboards(db, mode != "off", STAMP)
                if mode == "fresh":
                    view.forget_kept()
                start = time.perf_counter()
                response = client.post("/sync/pull", json={"protocol": 1, "device_id": device, "cursors": {}, "local_day": TODAY}, headers=headers)
                times[mode].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text
                assert (response.json()["leaderboard"] is not None) == (mode != "off")
        db.close()
    off, kept, fresh = (statistics.median(times[m]) for m in ("off", "kept", "fresh"))
    print(f"ranking alone (load + rank every rep): median {statistics.median(alone):.1f} ms")
    print(f"pull, ranking computed at the pull: median {fresh:.1f} ms (+{fresh - off:.1f} ms)")
    print(f"bench leaderboard: reps={args.reps} rows={rows} pull_off_ms={off:.1f} pull_on_ms={kept:.1f} added_ms={kept - off:.1f}")


if __name__ == "__main__":
    main()

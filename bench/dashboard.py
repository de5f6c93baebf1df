"""How fast the dashboards answer for a large organisation on one SQLite file, and what keeping
their aggregates costs each push.

usage: python bench/dashboard.py [--reps 2000] [--teams 100] [--competencies 12]
           [--answers 2000000] [--requests 40] [--pushes 15] [--quick] [--keep DIR] [--push-only]

1. Builds a database: the project's migrations, a generated library (--competencies, 8 questions
   each, 4 options, one in four a "choose both" of 4), --reps reps in --teams teams (one manager
   and one coach per team, one admin), and --answers answers over the last 120 days (each rep
   answers some questions on several days, about 70 % right), written with executemany in big
   transactions; then the retention aggregates by the full recomputation
   (server/dashboards/aggregates.py rebuild).
2. Serves the real app (`recap serve`, RECAP_DEV_AUTH=1) and times over HTTP, --requests each:
   HR's teams × competencies heatmap, one manager's team heatmap, a rep's drill-down, and the
   adoption page when the build has one (skipped otherwise).
3. The push cost: in process (the real app, Litestar's test client, the same database), pushes
   of 100 answers by one rep, alternately with the aggregates maintained and with
   `aggregates.refresh` switched off, --pushes of each: median times and their ratio.
   --push-only skips step 2 (the pages are not served).

Figures, not verdicts: nothing is asserted on time. Targets: heatmap p99 < 1,000 ms, drill-down
p99 < 300 ms. The last line: `bench dashboard: reps=N answers=N heatmap_p50_ms=N
heatmap_p99_ms=N drill_p99_ms=N` (the heatmap figures are HR's, the larger of the two).
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from server import migrations  # noqa: E402
from server.dashboards import adoption_aggregates, aggregates  # noqa: E402
from server.db import connect, write_transaction  # noqa: E402
from server.library.publish import publish  # noqa: E402
from tests.support.ids import uuid7  # noqa: E402
from tests.support.server import LiveServer  # noqa: E402

QUESTIONS_PER_COMPETENCY = 8
DAYS = 120


def write_library(root: Path, competencies: int) -> list[tuple[str, list[int], int]]:
    """A generated library; (question id, right options, options) of each question."""
    (root / "competencies").mkdir(parents=True)
    (root / "questions").mkdir()
    questions = []
    for c in range(1, competencies + 1):
        cid = f"skill-{c:02d}"
        (root / "competencies" / f"{cid}.yaml").write_text(
            f"id: {cid}\nname: Skill {c:02d}\ndescription: Generated competency {c}.\n"
        )
        for q in range(1, QUESTIONS_PER_COMPETENCY + 1):
            qid = f"{cid}-q{q}"
            right = [1, 3] if q % 4 == 0 else [2]
            correct = "[1, 3]" if len(right) == 2 else "2"
            (root / "questions" / f"{qid}.yaml").write_text(
                f"id: {qid}\ncompetency: {cid}\nstem: Generated question {q} of {cid}?\n"
                f"options:\n  - One\n  - Two\n  - Three\n  - Four\ncorrect: {correct}\n"
                f"explanation: Because.\nteaching_point: Generated.\n"
            )
            questions.append((qid, right, 4))
    return questions


def build(
    path: Path, reps: int, teams: int, competencies: int, answers: int, today: int, rng: random.Random
) -> dict[str, Any]:
    began = time.perf_counter()
    db = connect(path)
    migrations.apply(db)
    questions = write_library(path.parent / "library", competencies)
    publish(db, path.parent / "library")
    now = "2026-01-01T00:00:00.000Z"
    users, roles, members = [], [], []
    team_ids = [f"team-{t:03d}" for t in range(1, teams + 1)]
    rep_ids = []
    for i in range(reps):
        uid = f"rep-{i:05d}"
        rep_ids.append(uid)
        users.append((uid, f"{uid}@example.com", f"Rep {i:05d}", now, now))
        roles.append((uid, "rep"))
        members.append((team_ids[i % teams], uid, "rep"))
    for t, team in enumerate(team_ids):
        for role in ("manager", "coach"):
            uid = f"{role}-{t:03d}"
            users.append((uid, f"{uid}@example.com", f"{role.title()} {t:03d}", now, now))
            roles.append((uid, role))
            members.append((team, uid, role))
    users.append(("admin", "admin@example.com", "Admin", now, now))
    roles.append(("admin", "admin"))
    with write_transaction(db):
        db.conn.executemany("INSERT INTO users (id, email, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", users)
        db.conn.executemany("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", roles)
        db.conn.executemany(
            "INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)",
            [(t, t.replace("-", " ").title(), now) for t in team_ids],
        )
        db.conn.executemany("INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, ?)", members)
    per_rep = answers // reps
    seq = 0
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    for start in range(0, reps, 100):
        rows = []
        for uid in rep_ids[start : start + 100]:
            skill = rng.uniform(0.5, 0.9)
            # Each rep sees some questions on several days: a first sight, then repeats.
            made = 0
            while made < per_rep:
                qid, right, _ = rng.choice(questions)
                first = today - rng.randrange(DAYS)
                for day in sorted(
                    {first, *(min(today, first + rng.randrange(1, 60)) for _ in range(rng.randrange(1, 6)))}
                ):
                    if made >= per_rep:
                        break
                    correct = rng.random() < skill
                    at = (epoch + datetime.timedelta(days=day, seconds=rng.randrange(8 * 3600, 20 * 3600))).strftime(
                        "%Y-%m-%dT%H:%M:%S.000Z"
                    )
                    seq += 1
                    rows.append((
                        f"a{seq:09d}", uid, "bench-device", f"m{seq}", qid, 1, 1, str(right if correct else [4]).replace(" ", ""),
                        int(correct), int(correct), at, at, day, 4000, at, seq,
                    ))  # fmt: skip
                    made += 1
        with write_transaction(db):
            db.conn.executemany("INSERT INTO answers VALUES (" + ",".join("?" * 16) + ")", rows)
    with write_transaction(db):
        db.execute("UPDATE seq_counter SET value = ? WHERE id = 1", [seq])
    inserted = time.perf_counter()
    with write_transaction(db):
        cells = aggregates.rebuild(db)
        cells += adoption_aggregates.rebuild(db)  # the adoption page's (m013)
    done = time.perf_counter()
    count = db.execute("SELECT count(*) FROM answers").fetchone()[0]
    db.close()
    print(f"built: {count:,} answers of {reps:,} reps in {teams} teams × {competencies} competencies in {inserted - began:.1f} s; "
          f"aggregates by full recomputation: {cells:,} rows in {done - inserted:.1f} s")  # fmt: skip
    return {"answers": count, "rep_ids": rep_ids, "questions": questions}


def timed(client: httpx.Client, url: str, email: str, requests: int) -> list[float]:
    headers = {"Authorization": f"Bearer dev:{email}"}
    first = client.get(url, headers=headers)  # warm: caches, the first snapshot parse
    if first.status_code != 200:
        raise SystemExit(f"ERROR: GET {url} as {email}: {first.status_code} {first.text[:200]}")
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * q // 100) - 1)] if ordered else 0.0  # nearest rank


def show(name: str, times: list[float]) -> None:
    print(
        f"{name}: n={len(times)} p50={percentile(times, 50):.0f} ms p90={percentile(times, 90):.0f} ms p99={percentile(times, 99):.0f} ms max={max(times):.0f} ms"
    )


def push_cost(
    path: Path, rep: str, questions: list[tuple[str, list[int], int]], today: int, pushes: int
) -> tuple[float, float]:
    """Median push time (ms) of 100 answers, with the aggregates maintained and without."""
    from litestar.testing import TestClient

    from server.app import create_app
    from server.settings import Settings

    real: Callable[..., None] = aggregates.refresh
    real_adoption: Callable[..., None] = adoption_aggregates.refresh
    device = uuid7()
    headers = {"Authorization": f"Bearer dev:{rep}@example.com"}
    rng = random.Random(7)
    times: dict[bool, list[float]] = {True: [], False: []}
    client_seq = 0
    with TestClient(create_app(Settings(db_path=path, dev_auth=True))) as client:
        for i in range(pushes * 2 + 2):
            maintained = i % 2 == 0
            mutations = []
            for _ in range(100):
                client_seq += 1
                qid, right, _ = rng.choice(questions)
                day = today - rng.randrange(30)
                at = (datetime.datetime(1970, 1, 1, 12, tzinfo=datetime.UTC) + datetime.timedelta(days=day)).strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z"
                )
                payload = {"id": uuid7(), "question_id": qid, "content_version": 1, "choice": right, "correct": True,
                           "answered_at": at, "local_day": day, "duration_ms": 3000}  # fmt: skip
                mutations.append(
                    {
                        "id": uuid7(),
                        "client_seq": client_seq,
                        "kind": "answer",
                        "payload_version": 1,
                        "payload": payload,
                    }
                )
            sent = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            body = {"protocol": 1, "device_id": device, "sent_at": sent, "mutations": mutations}
            aggregates.refresh = real if maintained else (lambda *a, **k: None)  # type: ignore[assignment]
            adoption_aggregates.refresh = real_adoption if maintained else (lambda *a, **k: None)  # type: ignore[assignment]
            try:
                began = time.perf_counter()
                response = client.post("/sync/push", json=body, headers=headers)
                elapsed = (time.perf_counter() - began) * 1000
            finally:
                aggregates.refresh = real  # type: ignore[assignment]
                adoption_aggregates.refresh = real_adoption  # type: ignore[assignment]
            assert response.status_code == 200, response.text[:300]
            if i >= 2:  # the first two warm up
                times[maintained].append(elapsed)
    return statistics.median(times[True]), statistics.median(times[False])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--competencies", type=int, default=12)
    parser.add_argument("--answers", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pushes", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="a small run: 100 reps in 10 teams, 20,000 answers")
    parser.add_argument("--keep", type=Path, help="build the database in this folder and keep it")
    parser.add_argument("--push-only", action="store_true", help="measure only the push cost (step 3)")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.teams, args.answers, args.requests, args.pushes = 100, 10, 20_000, 10, 3
    rng = random.Random(2026)
    today = (datetime.datetime.now(datetime.UTC).date() - datetime.date(1970, 1, 1)).days
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        path = folder / "dash" / "recap.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        built = build(path, args.reps, args.teams, args.competencies, args.answers, today, rng)
        hr: list[float] = []
        drill: list[float] = []
        if not args.push_only:
            server = LiveServer(path, env={"RECAP_DEV_AUTH": "1"})
            try:
                with httpx.Client(base_url=server.url, timeout=60) as client:
                    hr = timed(client, "/dashboards/teams", "admin@example.com", args.requests)
                    show("heatmap, HR (teams × competencies)", hr)
                    manager = timed(
                        client, "/dashboards/teams/team-001/heatmap", "manager-000@example.com", args.requests
                    )
                    show("heatmap, one manager's team (reps × competencies)", manager)
                    for i, rep in enumerate(built["rep_ids"][: args.requests]):  # as the manager of the rep's team
                        drill += timed(
                            client, f"/dashboards/reps/{rep}", f"manager-{i % args.teams:03d}@example.com", 1
                        )
                    show("rep drill-down (its team's manager)", drill)
                    adoption = client.get(
                        "/dashboards/adoption", headers={"Authorization": "Bearer dev:admin@example.com"}
                    )
                    if adoption.status_code == 404:
                        print("adoption page: skipped (not in this build)")
                    else:
                        show("adoption page", timed(client, "/dashboards/adoption", "admin@example.com", args.requests))
            finally:
                server.stop()
        with_agg, without = push_cost(path, built["rep_ids"][0], built["questions"], today, args.pushes)
        print(f"push of 100 answers (in process, {args.pushes} each): median {with_agg:.1f} ms with the aggregates maintained, "
              f"{without:.1f} ms without: ratio {with_agg / without:.2f}")  # fmt: skip
    if args.push_only:
        return 0
    print(
        f"bench dashboard: reps={args.reps} answers={built['answers']} heatmap_p50_ms={percentile(hr, 50):.0f} "
        f"heatmap_p99_ms={percentile(hr, 99):.0f} drill_p99_ms={percentile(drill, 99):.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

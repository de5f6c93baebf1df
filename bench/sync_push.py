"""How fast a real server takes pushes, against the raw SQLite limit for the same answer rows.

usage: python bench/sync_push.py [CONTENT_DIR] [--answers 100000] [--learners 100] [--batch 500]
           [--clients 32] [--fleet-devices 2000] [--fleet-answers 20] [--rate N ...] [--profile]

Each run starts `recap serve` (uvicorn, 127.0.0.1, RECAP_DEV_AUTH=1) on a fresh temporary
database with CONTENT_DIR (default: the demo library) published by `recap content publish`, and
sends POST /sync/push with keep-alive httpx clients in threads. Answers are realistic: questions
of the published snapshot, valid choices (about 70% right, `correct` as the content says),
10 a day over many local days, so replay steps through real histories. Bodies are encoded
before timing; a client only splices in its `sent_at`.

- bulk: --answers answers from --learners learners (one device each; a learner's answers go
  in pushes of --batch with consecutive client_seq, in order), once with 1 client and once
  with --clients clients.
- fleet: --fleet-devices devices (one learner each) pushing --fleet-answers answers in one
  push, --clients at a time (closed loop: its pushes/s is the measured maximum).
- fleet at a fixed rate (open loop): pushes due at N per second whatever the server answers,
  latency counted from when each was due (no coordinated omission), at --rate N, or by default
  at 50% and 80% of the fleet maximum just measured: latency stated per arrival rate.
- sqlite limit: the bulk answer rows, as the server writes them (with their seqs), into the
  `answers` table of a database made by the project's migrations (so with its indexes),
  executemany in --batch-row write transactions with server.db.connect's policy (WAL,
  synchronous=FULL). Best of 3.

Per workload: answers/s, pushes/s, push latency (client side) p50/p90/p99, the ratio answers/s
÷ SQLite limit, the CPU the server and the load generator used, the app's own time per push
from the server's request log, and how many pushes the one writer committed per transaction
(group commit). After each run the server is stopped and its database must hold exactly the
answers sent, and every device's last_seq its last client_seq; otherwise ERROR lines and exit
status 1.

The load generator runs on the same machine as the server and takes CPU from it (the figures
print both). Figures, not verdicts: nothing is asserted on time. Targets: bulk at 32 clients
>= 0.4 x the SQLite limit; fleet >= 0.25 x; p99 < 100 ms at 50% of the fleet maximum. The last
lines: `bench sync_push: ...` for the fleet run, one `bench sync_push_rate: rate=N p50_ms=N
p99_ms=N` per rate, and last `bench sync_push: clients=N answers_per_s=N sqlite_limit_per_s=N
ratio=R p50_ms=N p99_ms=N` for the bulk run at --clients.

--profile: then also the bulk and fleet workloads in process (prepare and apply on a real
SQLite file, one connection, one transaction per push, no HTTP): throughput, the time per
stage, and cProfile's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
from loadgen import (
    ROOT,
    Push,
    RunResult,
    Server,
    device_pushes,
    group_commits,
    learner_answers,
    percentile,
    publish_content,
    published_questions,
    run_at_rate,
    run_clients,
    today,
)

from server import migrations
from server.db import connect, write_transaction
from server.storage import answers as answer_store
from sync import clock
from sync.protocol import PushEnvelope
from tests.support.ids import uuid7


class Bench:
    """One temporary folder: a fresh database and server per run."""

    def __init__(self, tmp: Path, content: Path) -> None:
        self.tmp = tmp
        self.content = content
        self.runs = 0
        self.errors: list[str] = []

    def fresh_db(self, name: str) -> Path:
        self.runs += 1
        path = self.tmp / f"{self.runs:02d}-{name.replace(' ', '-').replace(',', '')}" / "recap.db"
        path.parent.mkdir(parents=True)
        publish_content(path, self.content)
        return path

    def serve(self, name: str) -> Server:
        db_path = self.fresh_db(name)
        return Server(db_path)

    def run(self, title: str, jobs: Sequence[Sequence[Push]], clients: int, limit: float, rate: float | None = None) -> tuple[RunResult, float]:
        server = self.serve(title)
        try:
            result = run_at_rate(server, jobs, rate) if rate else run_clients(server, jobs, clients)
        finally:
            server.stop()
        grouped = group_commits(server)
        if grouped:
            jobs_done, transactions = grouped
            print(f"  group commit: the writer committed {jobs_done:,} jobs (pushes, pull writes) in {transactions:,} "
                  f"transactions, {jobs_done / max(transactions, 1):.1f} per COMMIT")
        return result, self.finish(title, server.db_path, jobs, result, limit)

    def finish(self, title: str, db_path: Path, jobs: Sequence[Sequence[Push]], result: RunResult, limit: float) -> float:
        """Report a run, then check its database; return its answers/s."""
        per_s = report(title, result, limit)
        self.check_database(title, db_path, jobs, result)
        print()
        return per_s

    def check_database(self, name: str, db_path: Path, jobs: Sequence[Sequence[Push]], result: RunResult) -> None:
        """After the server stopped: exactly the answers sent, and each device acked through its last push."""
        expected = sum(p.answers for job in jobs for p in job)
        conn = sqlite3.connect(db_path)
        try:
            answers, distinct = conn.execute("SELECT count(*), count(DISTINCT id) FROM answers").fetchone()
            last_seqs = dict(conn.execute("SELECT id, last_seq FROM devices").fetchall())
        finally:
            conn.close()
        wrong_seq = sum(1 for job in jobs if job and last_seqs.get(job[-1].device_id) != job[-1].last_seq)
        print(f"  server database after stop: {answers:,} answers (expected {expected:,}), {distinct:,} distinct ids; "
              f"{len(last_seqs):,} devices, {wrong_seq} with a last_seq other than their last client_seq")
        problems = []
        if answers != expected or distinct != expected:
            problems.append(f"the server holds {answers:,} answers ({distinct:,} distinct ids), expected {expected:,}")
        if wrong_seq:
            problems.append(f"{wrong_seq} devices have a last_seq other than their last client_seq")
        if result.errors:
            problems.append(f"{len(result.errors)} pushes failed, first: {result.errors[0]}")
        if result.statuses.get("applied", 0) != expected:
            problems.append(f"statuses {dict(result.statuses)}, expected {expected:,} applied")
        for problem in problems:
            message = f"ERROR: {name}: {problem}"
            print(f"  {message}")
            self.errors.append(message)


# ---- the raw SQLite limit ----------------------------------------------------------------------


def answer_rows(jobs: Sequence[Sequence[Push]], payloads: dict[str, list[dict[str, Any]]], revs: dict[str, int]) -> list[tuple[Any, ...]]:
    """The rows the server would write for these answers, in answer_store.ANSWER_COLUMNS order."""
    now = clock.format_utc(datetime.datetime.now(datetime.UTC))
    rows = []
    for job in jobs:
        if not job:
            continue
        user, device = job[0].user_id, job[0].device_id
        for p in payloads[user]:
            rows.append(
                (p["id"], user, device, uuid7(), p["question_id"], p["content_version"], revs[p["question_id"]],
                 json.dumps(p["choice"]), int(p["correct"]), int(p["correct"]), p["answered_at"],
                 p["answered_at"], p["local_day"], p["duration_ms"], now, len(rows) + 1)
            )  # fmt: skip
    return rows


def sqlite_limit(tmp: Path, rows: Sequence[tuple[Any, ...]], batch: int) -> float:
    """Rows per second into a migrated `answers` table, `batch` rows per write transaction."""
    path = tmp / f"raw-{time.monotonic_ns()}" / "recap.db"
    db = connect(path)
    migrations.apply(db)
    began = time.perf_counter()
    for start in range(0, len(rows), batch):
        with write_transaction(db):
            answer_store.insert(db, rows[start : start + batch])
    elapsed = time.perf_counter() - began
    count = db.execute("SELECT count(*) FROM answers").fetchone()[0]
    db.close()
    assert count == len(rows), (count, len(rows))
    return len(rows) / elapsed


# ---- reporting ---------------------------------------------------------------------------------


def report(title: str, result: RunResult, limit: float) -> float:
    """Print a workload's figures; return its answers/s."""
    per_s = result.answers / result.wall_s if result.wall_s else 0.0
    lat = result.latencies_ms
    print(f"{title}: {result.answers:,} answers in {result.pushes:,} pushes, {result.wall_s:.2f} s with {result.clients} client(s)")
    print(f"  answers/s {per_s:,.0f}   pushes/s {result.pushes / result.wall_s:,.1f}   ratio to the SQLite limit {per_s / limit:.2f}")
    print(f"  push latency ms: p50 {percentile(lat, 50):.1f}  p90 {percentile(lat, 90):.1f}  p99 {percentile(lat, 99):.1f}  max {max(lat, default=0):.1f}")
    srv = result.server_ms
    print(f"  app time per push (server request log) ms: p50 {percentile(srv, 50):.1f}  p90 {percentile(srv, 90):.1f}  p99 {percentile(srv, 99):.1f}")
    print(f"  CPU: server {result.server_cpu_s:.1f} s ({result.server_cpu_s / result.wall_s:.0%} of one core), "
          f"load generator {result.generator_cpu_s:.1f} s ({result.generator_cpu_s / result.wall_s:.0%}); "
          f"retries {result.retries}, failed pushes {len(result.errors)}, statuses {dict(result.statuses)}")
    return per_s


def summary(result: RunResult, per_s: float, limit: float) -> str:
    lat = result.latencies_ms
    return (
        f"bench sync_push: clients={result.clients} answers_per_s={per_s:.0f} sqlite_limit_per_s={limit:.0f} "
        f"ratio={per_s / limit:.2f} p50_ms={percentile(lat, 50):.0f} p99_ms={percentile(lat, 99):.0f}"
    )


# ---- profile: the push path in process ---------------------------------------------------------


class Stages:
    """Seconds per stage, by wrapping the functions push() calls (restored by `restore`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._originals: list[tuple[ModuleType, str, Any]] = []

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def wrap(self, module: ModuleType, name: str, stage: str) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(stage, time.perf_counter() - began)

        self._originals.append((module, name, original))
        setattr(module, name, timed)

    def restore(self) -> None:
        for module, name, original in reversed(self._originals):
            setattr(module, name, original)
        self._originals.clear()


COMMITS: list[float] = []  # seconds of each COMMIT in process (the WAL's fsync, mostly)


def in_process(db_path: Path, jobs: Sequence[Sequence[Push]], before: Callable[[], None] | None = None) -> float:
    """Apply every push as the server does (decode, prepare, then apply in one write transaction
    per push: no group commit), on one connection; return the seconds spent."""
    from server.syncing import push

    decoder = msgspec.json.Decoder(PushEnvelope)
    db = connect(db_path)
    elapsed = 0.0
    try:
        if before:
            before()
        for job in jobs:
            for p in job:
                body = p.body()
                began = time.perf_counter()
                prepared = push.prepare(decoder.decode(body), datetime.datetime.now(datetime.UTC))
                db.conn.execute("BEGIN IMMEDIATE")
                push.apply(db, f"dev:{p.user_id}", prepared)
                committing = time.perf_counter()
                db.conn.execute("COMMIT")
                COMMITS.append(time.perf_counter() - committing)
                elapsed += time.perf_counter() - began
    finally:
        db.close()
    return elapsed


def profile(bench: Bench, name: str, jobs: Sequence[Sequence[Push]], http: RunResult, top: int) -> None:
    """The push path in process: throughput, time per stage, and cProfile's top functions."""
    import server.dashboards.adoption_aggregates as adoption_module
    import server.dashboards.aggregates as aggregates_module
    import server.storage.answers as answer_store_module
    import server.storage.sync as sync_store
    import server.syncing.kinds.answers as answers_module
    import server.syncing.push as push_module
    from sync import sequencing
    from sync.kinds import answer as rules

    answers = sum(p.answers for job in jobs for p in job)
    pushes = sum(len(job) for job in jobs)
    print()
    print(f"profile: the {name} workload in process ({answers:,} answers, {pushes:,} pushes; one connection, no HTTP)")
    plain = in_process(bench.fresh_db(f"profile-{name}-plain"), jobs)
    print(f"  in process: {answers / plain:,.0f} answers/s, {plain / pushes * 1000:.2f} ms per push; over HTTP with "
          f"{http.clients} client(s) the server used {http.server_cpu_s / http.pushes * 1000:.2f} ms CPU per push, and "
          f"{percentile(http.server_ms, 50):.2f} ms p50 in the app")
    stages = Stages()
    wraps = [
        (push_module, "prepare", "1 prepare: payloads decoded by their kind, hashes"),
        (sync_store, "get_device", "2 load: device, ledger, owners, stored progress"),
        (sync_store, "get_mutations", "2 load: device, ledger, owners, stored progress"),
        (answer_store_module, "owners", "2 load: device, ledger, owners, stored progress"),
        (answer_store_module, "progress_for", "2 load: device, ledger, owners, stored progress"),
        (sequencing, "plan", "3 plan: sequencing (pure)"),
        (rules, "check_answer", "4 decide: content rules"),
        (answer_store_module, "insert", "6 write: INSERT answers"),
        (sync_store, "insert_mutations", "7 write: INSERT ledger"),
        (answers_module, "advanced", "8 progress: stepped on from stored state"),
        (answers_module, "replayed", "8 progress: stepped on from stored state"),
        (aggregates_module, "refresh", "9 dashboards' aggregates (with the push's one history read)"),
        (adoption_module, "refresh", "9 dashboards' aggregates (with the push's one history read)"),
        (answer_store_module, "upsert_progress", "10 write: progress upsert"),
        (sync_store, "bump_digest", "11 write: digest, seq counter, device"),
        (sync_store, "reserve_seqs", "11 write: digest, seq counter, device"),
        (sync_store, "update_device", "11 write: digest, seq counter, device"),
    ]
    for module, fn, stage in wraps:
        stages.wrap(module, fn, stage)
    COMMITS.clear()
    try:
        total = in_process(bench.fresh_db(f"profile-{name}-stages"), jobs)
    finally:
        stages.restore()
    stages.add("12 COMMIT, one per push here (the WAL's fsync; over HTTP the writer groups them)", sum(COMMITS))
    print(f"  time per stage (wrapped functions, {total:.2f} s in all, {total / pushes * 1000:.2f} ms per push):")
    stages.add("13 the rest: decoding the envelope, BEGIN, apply()'s own Python, the answers' decide", total - sum(stages.seconds.values()))
    for stage, seconds in sorted(stages.seconds.items(), key=lambda kv: int(kv[0].split()[0])):
        print(f"    {stage.split(' ', 1)[1]:<88} {seconds * 1000 / pushes:6.3f} ms/push {seconds / total:5.1%}")
    if top <= 0:
        return
    profiler = cProfile.Profile()
    in_process(bench.fresh_db(f"profile-{name}-cprofile"), jobs, before=profiler.enable)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    print("  cProfile, top functions by own time (profiler overhead inflates Python-heavy rows):")
    for line in lines[start:]:
        if line.strip():
            print("    " + line.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>").replace(sys.base_prefix, "<python>"))


# ---- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", default=str(ROOT / "content"))
    parser.add_argument("--answers", type=int, default=100_000, help="bulk: answers in all")
    parser.add_argument("--learners", type=int, default=100, help="bulk: learners (one device each)")
    parser.add_argument("--batch", type=int, default=500, help="bulk: answers per push (and rows per raw transaction)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (bulk's second run, fleet)")
    parser.add_argument("--fleet-devices", type=int, default=2_000)
    parser.add_argument("--fleet-answers", type=int, default=20, help="fleet: answers per device, in one push")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also profile the push path in process")
    parser.add_argument(
        "--rate", type=float, action="append", metavar="N",
        help="open loop: the fleet workload at N pushes per second (repeat for several); default 50%% and 80%% of the fleet maximum",
    )  # fmt: skip
    args = parser.parse_args()
    if args.answers % args.learners:
        parser.error("--answers must be a multiple of --learners")
    rng = random.Random(args.seed)
    content = Path(args.content).resolve()

    with tempfile.TemporaryDirectory(prefix="recap-bench-") as tmp_name:
        bench = Bench(Path(tmp_name), content)
        server = bench.serve("bulk-1")
        try:
            version, questions = published_questions(server.url)
            print(f"machine: {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}, "
                  f"SQLite {sqlite3.sqlite_version}; the load generator (threads, httpx) runs on the same machine as the server")
            print(f"content: {len(questions)} questions, version {version}, from {content}")
            day = today() - 1
            per_learner = args.answers // args.learners
            bulk_payloads = {
                f"learner-{i:05d}": learner_answers(rng, questions, version, per_learner, day) for i in range(args.learners)
            }
            bulk = [device_pushes(user, payloads, args.batch) for user, payloads in bulk_payloads.items()]
            fleet = [
                device_pushes(f"fleet-{i:05d}", learner_answers(rng, questions, version, args.fleet_answers, day, per_day=5), args.fleet_answers)
                for i in range(args.fleet_devices)
            ]
            rows = answer_rows(bulk, bulk_payloads, {q.id: q.rev for q in questions})
            print(f"bulk: {args.answers:,} answers from {args.learners:,} learners, {sum(map(len, bulk)):,} pushes of up to "
                  f"{args.batch}; fleet: {args.fleet_devices:,} devices x {args.fleet_answers} answers in one push")
            print()
            limits = [sqlite_limit(bench.tmp, rows, args.batch) for _ in range(3)]
            limit = max(limits)
            print(f"sqlite limit: {len(rows):,} answer rows into `answers` (with its indexes), {args.batch} rows per "
                  f"transaction, WAL + synchronous=FULL: {' / '.join(f'{x:,.0f}' for x in limits)} rows/s; best {limit:,.0f}")
            print()
            bulk_1 = run_clients(server, bulk, 1)
        finally:
            server.stop()
        bench.finish("bulk, 1 client", server.db_path, bulk, bulk_1, limit)
        bulk_n, bulk_per_s = bench.run(f"bulk, {args.clients} clients", bulk, args.clients, limit)
        fleet_n, fleet_per_s = bench.run(f"fleet, {args.clients} clients", fleet, args.clients, limit)
        fleet_max = fleet_n.pushes / fleet_n.wall_s
        rates = args.rate or [round(fleet_max * share) for share in (0.5, 0.8)]
        at_rate = []
        for rate in rates:
            share = f" ({rate / fleet_max:.0%} of the {fleet_max:,.0f} pushes/s measured at {args.clients} clients)"
            result, _ = bench.run(f"fleet at a fixed rate: {rate:,.0f} pushes/s, open loop{share}", fleet, args.clients, limit, rate=rate)
            at_rate.append((rate, result))
        if args.profile:
            profile(bench, "bulk", bulk, bulk_1, top=18)
            profile(bench, "fleet", fleet, fleet_n, top=0)
    for error in bench.errors:
        print(error)
    print(summary(fleet_n, fleet_per_s, limit))
    for rate, result in at_rate:
        print(f"bench sync_push_rate: rate={rate:.0f} p50_ms={percentile(result.latencies_ms, 50):.0f} p99_ms={percentile(result.latencies_ms, 99):.0f}")
    print(summary(bulk_n, bulk_per_s, limit))
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main())

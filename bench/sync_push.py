"""How fast a real server takes pushes, against the raw SQLite limit for the same answer rows.

usage: python bench/sync_push.py [CONTENT_DIR] [--answers 100000] [--learners 100] [--batch 500]
           [--clients 32] [--fleet-devices 2000] [--fleet-answers 20] [--profile]

Each run starts `recap serve` (uvicorn, 127.0.0.1, RECAP_DEV_AUTH=1) on a fresh temporary
database with CONTENT_DIR (default: the demo library) published by `recap content publish`, and
sends POST /sync/push with keep-alive httpx clients in threads. Answers are realistic: questions
of the published snapshot, valid choices (about 70% right, `correct` as the content says),
10 a day over many local days, so replay steps through real histories. Bodies are encoded
before timing; a client only splices in its `sent_at`.

- bulk: --answers answers from --learners learners (one device each; a learner's answers go
  in pushes of --batch with consecutive client_seq, in order), once with 1 client and once
  with --clients clients. The issue asks for 100,000 answers from 1,000 learners in
  500-answer pushes, which cannot all hold when a push carries one learner's answers:
  the default keeps the total and the push size (100 learners, two pushes each);
  `--learners 1000` keeps the learners instead (100-answer pushes).
- fleet: --fleet-devices devices (one learner each) pushing --fleet-answers answers in one
  push, --clients at a time.
- sqlite limit: the bulk answer rows, as the server writes them, into the `answers` table of a
  database made by the project's migrations (so with its indexes), executemany in --batch-row
  write transactions with server.db.connect's policy (WAL, synchronous=FULL). Best of 3.

Per workload: answers/s, pushes/s, push latency (client side, first attempt to the 200)
p50/p90/p99, the ratio answers/s ÷ SQLite limit, the CPU the server and the load generator
used, and the app's own time per push from the server's request log. After each run the
server is stopped and its database must hold exactly the answers sent, and every device's
last_seq its last client_seq; otherwise ERROR lines and exit status 1.

The load generator runs on the same machine as the server and takes CPU from it (the figures
print both). Figures, not verdicts: nothing is asserted on time. Targets: bulk ratio >= 0.4
and p99 < 100 ms at 32 clients. The last two lines are the fleet run, then the bulk run at
--clients, each as `bench sync_push: clients=N answers_per_s=N sqlite_limit_per_s=N ratio=R
p50_ms=N p99_ms=N`.

--profile: then also the bulk workload in process (the route's decode and push() on a real
SQLite file, one connection, no HTTP): its throughput, the time per stage, and cProfile's top
functions.
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from loadgen import (
    ROOT,
    Push,
    RunResult,
    Server,
    device_pushes,
    learner_answers,
    percentile,
    publish_content,
    published_questions,
    run_clients,
    today,
)

from server import migrations
from server.db import connect, write_transaction
from server.storage import sync as store
from sync import clock
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

    def run(self, title: str, jobs: Sequence[Sequence[Push]], clients: int, limit: float) -> tuple[RunResult, float]:
        server = self.serve(title)
        try:
            result = run_clients(server, jobs, clients)
        finally:
            server.stop()
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
    """The rows the server would write for these answers, in store.ANSWER_COLUMNS order."""
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
                 p["answered_at"], p["local_day"], p["duration_ms"], now)
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
            store.insert_answers(db, rows[start : start + batch])
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

    def __init__(self, capture: Sequence[str] = ()) -> None:
        self.seconds: dict[str, float] = {}
        self._originals: list[tuple[ModuleType, str, Any]] = []
        self.capture = frozenset(capture)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []  # (name, arguments after db) of captured functions

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def replace(self, module: ModuleType, name: str, value: Any) -> None:
        self._originals.append((module, name, getattr(module, name)))
        setattr(module, name, value)

    def wrap(self, module: ModuleType, name: str, stage: str) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            if name in self.capture:
                self.calls.append((name, args[1:]))
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


def in_process(
    db_path: Path, jobs: Sequence[Sequence[Push]], before: Callable[[], None] | None = None, reconnect: bool = False
) -> float:
    """Apply every push with the route's decode and push(), on one connection or (`reconnect`)
    a new one per push as the server opens; return the seconds spent."""
    from server.routes.sync import _decode, _push_decoder
    from server.syncing.push import push

    db = connect(db_path)
    elapsed = 0.0
    try:
        if before:
            before()
        for job in jobs:
            for p in job:
                body = p.body()
                began = time.perf_counter()
                if reconnect:
                    db.close()
                    db = connect(db_path)
                received = datetime.datetime.now(datetime.UTC)
                push(db, p.user_id, _decode(_push_decoder, body), received)
                elapsed += time.perf_counter() - began
    finally:
        db.close()
    return elapsed


WRITES = ("create_device", "insert_mutations", "insert_answers", "bump_digest", "add_changes", "upsert_progress", "add_metric", "update_device")


def sql_writes(db_path: Path, calls: Sequence[tuple[str, tuple[Any, ...]]]) -> tuple[dict[str, float], int]:
    """Make only the writes push() made (captured calls of WRITES), in the same transactions, with
    their JSON encoded beforehand: the floor of the current schema. Return (seconds by table, transactions)."""
    transactions: list[list[tuple[str, Any]]] = [[]]
    for name, args in calls:
        if name == "add_changes":
            user, changes = args
            transactions[-1].append(("changes", [(user, kind, entity, json.dumps(data, separators=(",", ":"))) for kind, entity, data in changes]))
        elif name == "upsert_progress":
            user, rows = args
            transactions[-1].append(("progress", [(user, qid, json.dumps(state, separators=(",", ":")), seq) for qid, state, seq in rows]))
        else:
            transactions[-1].append((name, args))
        if name == "update_device":  # the last write of every push
            transactions.append([])
    transactions.pop()
    tables = {"insert_answers": "answers", "insert_mutations": "mutations", "changes": "changes", "progress": "progress"}
    seconds: dict[str, float] = {}
    db = connect(db_path)
    for transaction in transactions:
        db.conn.execute("BEGIN IMMEDIATE")
        for name, args in transaction:
            began = time.perf_counter()
            if name == "changes":  # as store.add_changes, less the JSON
                db.conn.executemany("INSERT INTO changes (user_id, kind, entity_id, data) VALUES (?, ?, ?, ?)", args)
                db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
            elif name == "progress":  # as store.upsert_progress, less the JSON
                db.conn.executemany(
                    "INSERT INTO progress (user_id, question_id, state, seq) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (user_id, question_id) DO UPDATE SET state = excluded.state, seq = excluded.seq",
                    args,
                )
            else:
                getattr(store, name)(db, *args)
            table = tables.get(name, "devices, digests, metrics")
            seconds[table] = seconds.get(table, 0.0) + time.perf_counter() - began
        began = time.perf_counter()
        db.conn.execute("COMMIT")
        seconds["COMMIT"] = seconds.get("COMMIT", 0.0) + time.perf_counter() - began
    db.close()
    return seconds, len(transactions)


def profile(bench: Bench, name: str, jobs: Sequence[Sequence[Push]], http: RunResult, top: int) -> None:
    """The push path in process: throughput, time per stage, the writes alone, and (top > 0) cProfile."""
    import server.syncing.push as push_module
    from server.routes import sync as route_module
    from sync import answers as rules

    answers = sum(p.answers for job in jobs for p in job)
    pushes = sum(len(job) for job in jobs)
    print()
    print(f"profile: the {name} workload in process ({answers:,} answers, {pushes:,} pushes; one connection, no HTTP)")
    plain = in_process(bench.fresh_db(f"profile-{name}-plain"), jobs)
    print(f"  in process: {answers / plain:,.0f} answers/s, {plain / pushes * 1000:.2f} ms per push; over HTTP with "
          f"{http.clients} client(s) the server used {http.server_cpu_s / http.pushes * 1000:.2f} ms CPU per push, and "
          f"{percentile(http.server_ms, 50):.2f} ms p50 in the app")
    fresh = in_process(bench.fresh_db(f"profile-{name}-reconnect"), jobs, reconnect=True)
    print(f"  in process with a new connection per push, as server.deps.provide_db opens: {answers / fresh:,.0f} answers/s, "
          f"{fresh / pushes * 1000:.2f} ms per push")

    stages = Stages(capture=WRITES)
    wraps = [
        (route_module, "_decode", "1 decode body (msgspec, protocol probe + PushRequest)"),
        (store, "get_device", "2 lookups: device, earlier mutations, ids taken, owners"),
        (store, "create_device", "2 lookups: device, earlier mutations, ids taken, owners"),
        (store, "get_mutations", "2 lookups: device, earlier mutations, ids taken, owners"),
        (store, "mutation_ids_taken", "2 lookups: device, earlier mutations, ids taken, owners"),
        (store, "answer_owners", "2 lookups: device, earlier mutations, ids taken, owners"),
        (rules, "decode_answer", "3 payload decode (msgspec.convert per answer)"),
        (rules, "check_answer", "4 content rules (check_answer)"),
        (push_module, "version_index", "4 content rules (check_answer)"),
        (clock, "effective_time", "5 clock: parse, clamp, format"),
        (clock, "offset", "5 clock: parse, clamp, format"),
        (push_module, "id_bits", "6 digest: sha256 per id"),
        (store, "insert_mutations", "7 INSERT mutations"),
        (store, "insert_answers", "8 INSERT answers"),
        (store, "answers_for", "9 replay: read the learner's answers"),
        (push_module, "progress", "10 replay: scheduler steps"),
        (push_module, "as_wire", "11 replay: as_wire (dataclasses.asdict)"),
        (store, "add_changes", "12 change feed: json.dumps + INSERT"),
        (store, "upsert_progress", "13 progress upsert"),
        (store, "bump_digest", "14 digest, metric, device updates"),
        (store, "add_metric", "14 digest, metric, device updates"),
        (store, "update_device", "14 digest, metric, device updates"),
    ]

    @contextmanager
    def timed_transaction(db: Any) -> Iterator[Any]:
        began = time.perf_counter()
        db.conn.execute("BEGIN IMMEDIATE")
        stages.add("15 BEGIN IMMEDIATE", time.perf_counter() - began)
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        began = time.perf_counter()
        db.conn.execute("COMMIT")
        stages.add("16 COMMIT (WAL append + fsync)", time.perf_counter() - began)

    for module, name, stage in wraps:
        stages.wrap(module, name, stage)
    stages.replace(push_module, "write_transaction", timed_transaction)
    try:
        total = in_process(bench.fresh_db(f"profile-{name}-stages"), jobs)
    finally:
        stages.restore()
    print(f"  time per stage (wrapped functions, {total:.2f} s in all, {total / pushes * 1000:.2f} ms per push):")
    stages.add("17 the rest: push()/apply_answer's own Python (rows, dicts, json.dumps(choice), results)", total - sum(stages.seconds.values()))
    for stage, seconds in sorted(stages.seconds.items(), key=lambda kv: int(kv[0].split()[0])):
        print(f"    {stage.split(' ', 1)[1]:<88} {seconds * 1000 / pushes:6.3f} ms/push {seconds / total:5.1%}")
    writes, transactions = sql_writes(bench.fresh_db(f"profile-{name}-sql-writes"), stages.calls)
    assert transactions == pushes, (transactions, pushes)
    floor = sum(writes.values())
    print(f"  the same writes alone (rows captured from push(), JSON encoded beforehand, one transaction per push): "
          f"{floor / pushes * 1000:.2f} ms per push, {answers / floor:,.0f} answers/s: the ceiling of the current schema")
    print("    " + ", ".join(f"{table} {secs / pushes * 1000:.2f} ms" for table, secs in writes.items()))
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
        if args.profile:
            profile(bench, "bulk", bulk, bulk_1, top=18)
            profile(bench, "fleet", fleet, fleet_n, top=0)
    for error in bench.errors:
        print(error)
    print(summary(fleet_n, fleet_per_s, limit))
    print(summary(bulk_n, bulk_per_s, limit))
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main())

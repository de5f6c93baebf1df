"""Synthetic sync load: a `recap serve` process, learners' answers, pre-encoded pushes, HTTP clients.

Used by bench/sync_push.py. Everything that costs the load generator CPU (making answers,
encoding bodies) happens before timing: during a run a client only splices its send time into
a pre-encoded body, posts it and decodes the short response.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec

from sync import clock
from tests.support.ids import uuid7
from tests.support.server import LiveServer

ROOT = Path(__file__).resolve().parent.parent

RECAP = str(Path(sys.executable).parent / "recap")
DAY_MS = 86_400_000


# ---- the server --------------------------------------------------------------------------------


def publish_content(db_path: Path, content: Path) -> None:
    """`recap content publish CONTENT` into a new database, as an operator would."""
    env = dict(os.environ, RECAP_DB=str(db_path))
    result = subprocess.run([RECAP, "content", "publish", "--create", str(content)], capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"recap content publish failed:\n{result.stdout}{result.stderr}")


class Server(LiveServer):
    """`recap serve` on 127.0.0.1 on its own database (RECAP_DEV_AUTH=1), with the figures the
    benchmark reads off it: CPU time and the request log."""

    def __init__(self, db_path: Path) -> None:
        super().__init__(db_path, env={"RECAP_DEV_AUTH": "1", "RECAP_HOST": "127.0.0.1"})

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_size(self) -> int:
        self._log_file.flush()
        return self.log.stat().st_size

    def push_times_ms(self, since: int) -> list[float]:
        """Time spent in the app per POST /sync/push, from the server's request log after `since`."""
        self._log_file.flush()
        times = []
        with self.log.open("rb") as log:
            log.seek(since)
            for line in log:
                if b'"/sync/push"' in line and line.startswith(b"{"):
                    times.append(float(json.loads(line)["ms"]))
        return times


# ---- content and answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    rev: int
    options: int
    correct: frozenset[int]


def published_questions(url: str) -> tuple[int, list[Question]]:
    """The latest published version and its questions, read the way a device reads them."""
    latest = httpx.get(url + "/content/latest", timeout=30).json()
    snapshot = httpx.get(url + latest["snapshot"], timeout=30).json()
    questions = []
    for q in snapshot["questions"]:
        correct = q["correct"] if isinstance(q["correct"], list) else [q["correct"]]
        questions.append(Question(q["id"], q["rev"], len(q["options"]), frozenset(correct)))
    return int(latest["version"]), questions


def iso(ms: int) -> str:
    return clock.format_utc(datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC))


def today() -> int:
    """Today's day number (UTC): whole days since 1970-01-01."""
    return int(time.time() * 1000) // DAY_MS


def learner_answers(
    rng: random.Random, questions: Sequence[Question], version: int, count: int, last_day: int, per_day: int = 10
) -> list[dict[str, Any]]:
    """`count` answer payloads of one learner, `per_day` a day up to `last_day`, about 70% right.

    Random questions, so some are answered twice on a day (only the first counts) and each is
    answered on many days (so replay steps through a real history).
    """
    first_day = last_day - math.ceil(count / per_day) + 1
    payloads = []
    for i in range(count):
        day = first_day + i // per_day
        q = rng.choice(questions)
        if rng.random() < 0.7:
            choice = sorted(q.correct)
        else:
            wrong = [o for o in range(1, q.options + 1) if frozenset([o]) != q.correct]
            choice = [rng.choice(wrong)]
        ms = day * DAY_MS + 8 * 3_600_000 + (i % per_day) * 120_000 + rng.randrange(60_000)
        payloads.append(
            {
                "id": uuid7(ms),
                "question_id": q.id,
                "content_version": version,
                "choice": choice,
                "correct": frozenset(choice) == q.correct,
                "answered_at": iso(ms),
                "local_day": day,
                "duration_ms": rng.randrange(3_000, 90_000),
            }
        )
    return payloads


# ---- pre-encoded pushes ------------------------------------------------------------------------

_SENT_AT_MARK = "2000-01-01T00:00:00.000Z"  # replaced by the real send time at send


@dataclass(frozen=True)
class Push:
    """One POST /sync/push, encoded but for its `sent_at`."""

    user_id: str
    device_id: str
    head: bytes
    tail: bytes
    answers: int
    last_seq: int
    headers: dict[str, str]

    def body(self) -> bytes:
        return self.head + clock.format_utc(datetime.datetime.now(datetime.UTC)).encode() + self.tail


def device_pushes(user_id: str, payloads: Sequence[dict[str, Any]], batch: int) -> list[Push]:
    """A new device of `user_id` sending `payloads` in pushes of `batch`, client_seq 1, 2, 3, …"""
    device_id = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer dev:{user_id}", "Content-Type": "application/json"}
    pushes = []
    for start in range(0, len(payloads), batch):
        chunk = payloads[start : start + batch]
        mutations = [
            {"id": uuid7(), "client_seq": start + i + 1, "kind": "answer", "payload_version": 1, "payload": p}
            for i, p in enumerate(chunk)
        ]
        body = msgspec.json.encode({"protocol": 1, "device_id": device_id, "sent_at": _SENT_AT_MARK, "mutations": mutations})
        head, tail = body.split(_SENT_AT_MARK.encode())  # exactly one mark: answers are recent
        pushes.append(Push(user_id, device_id, head, tail, len(chunk), start + len(chunk), headers))
    return pushes


# ---- clients -----------------------------------------------------------------------------------


class _Result(msgspec.Struct):
    status: str


class _Response(msgspec.Struct):
    acked_through: int
    results: list[_Result]


_response_decoder = msgspec.json.Decoder(_Response)


@dataclass
class RunResult:
    """What one workload measured."""

    clients: int
    wall_s: float = 0.0
    pushes: int = 0
    answers: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    generator_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    server_ms: list[float] = field(default_factory=list)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # open loop: (due s, latency ms)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def run_clients(server: Server, jobs: Sequence[Sequence[Push]], clients: int, max_attempts: int = 8) -> RunResult:
    """Send every job with `clients` threads, each with its own keep-alive httpx.Client.

    A job is one device's pushes, sent in order by one client. A client retries the same push on
    a network error or a 5xx (full-jitter backoff, as docs/sync.md says) and records the time
    from its first attempt to the 200. Anything else is an error.
    """
    result = RunResult(clients=clients)
    lock = threading.Lock()
    pending = iter(jobs)
    start = threading.Barrier(clients + 1, timeout=120)

    def next_job() -> Sequence[Push] | None:
        with lock:
            return next(pending, None)

    def client(index: int) -> None:
        rng = random.Random(index)
        latencies: list[float] = []
        statuses: Counter[str] = Counter()
        errors: list[str] = []
        retries = pushes = answers = 0
        with httpx.Client(base_url=server.url, timeout=120) as http:
            http.get("/sync/info")  # open the keep-alive connection before timing
            start.wait()
            while (job := next_job()) is not None:
                for push in job:
                    began = time.perf_counter()
                    outcome = ""
                    for attempt in range(max_attempts):
                        if attempt:
                            retries += 1
                            time.sleep(rng.uniform(0, min(1.0, 0.05 * 2**attempt)))
                        try:
                            response = http.post("/sync/push", content=push.body(), headers=push.headers)
                        except httpx.TransportError as exc:
                            outcome = f"{type(exc).__name__}: {exc}"
                            continue
                        if response.status_code == 200:
                            outcome = ""
                            break
                        outcome = f"HTTP {response.status_code}: {response.text[:200]}"
                        if response.status_code < 500:
                            break
                    if outcome:
                        errors.append(f"{push.user_id} seq ..{push.last_seq}: {outcome}")
                        break  # this device cannot go on
                    latencies.append((time.perf_counter() - began) * 1000)
                    acked = _response_decoder.decode(response.content)
                    if acked.acked_through != push.last_seq:
                        errors.append(f"{push.user_id}: acked_through {acked.acked_through}, expected {push.last_seq}")
                    statuses.update(r.status for r in acked.results)
                    pushes += 1
                    answers += push.answers
        with lock:
            result.latencies_ms += latencies
            result.statuses += statuses
            result.errors += errors
            result.retries += retries
            result.pushes += pushes
            result.answers += answers

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    log_start = server.log_size()
    start.wait()
    began = time.perf_counter()
    cpu_server, cpu_self = server.cpu_seconds(), time.process_time()
    for t in threads:
        t.join()
    result.wall_s = time.perf_counter() - began
    result.server_cpu_s = server.cpu_seconds() - cpu_server
    result.generator_cpu_s = time.process_time() - cpu_self
    result.server_ms = server.push_times_ms(log_start)
    return result


def run_at_rate(server: Server, jobs: Sequence[Sequence[Push]], rate: float, workers: int = 64) -> RunResult:
    """Open loop: push i is due at start + i / rate, whatever the server's answers; `workers`
    threads (each its own keep-alive client) send them. Latency counts from when a push was due,
    not from when a worker got to it, so a queue in the generator is not hidden (no coordinated
    omission). Every job must be one push (the fleet workload): pushes of one device are never
    sent concurrently."""
    assert all(len(job) == 1 for job in jobs), "the rate mode sends one push per device"
    result = RunResult(clients=workers)
    lock = threading.Lock()
    local = threading.local()
    ready = threading.Barrier(workers, timeout=120)

    def connect(_: int) -> None:
        """Every worker opens its keep-alive connection before the clock starts."""
        local.http = httpx.Client(base_url=server.url, timeout=120)
        local.http.get("/sync/info")
        ready.wait()

    def send(index: int, push: Push) -> None:
        http = local.http
        due = began + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        error = ""
        for attempt in range(8):
            try:
                response = http.post("/sync/push", content=push.body(), headers=push.headers)
            except httpx.TransportError as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code == 200:
                error = ""
                break
            error = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code < 500:
                break
            time.sleep(0.05 * 2**attempt)
        done = time.perf_counter()
        with lock:
            if error:
                result.errors.append(f"{push.user_id}: {error}")
                return
            result.latencies_ms.append((done - due) * 1000)
            result.timeline.append((due - began, (done - due) * 1000))
            result.statuses.update(r.status for r in _response_decoder.decode(response.content).results)
            result.pushes += 1
            result.answers += push.answers

    from concurrent.futures import ThreadPoolExecutor

    log_start = server.log_size()
    cpu_server, cpu_self = server.cpu_seconds(), time.process_time()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(connect, range(workers)))
        began = time.perf_counter() + 0.1
        list(pool.map(lambda args: send(*args), enumerate(job[0] for job in jobs)))
    result.wall_s = time.perf_counter() - began
    result.server_cpu_s = server.cpu_seconds() - cpu_server
    result.generator_cpu_s = time.process_time() - cpu_self
    result.server_ms = server.push_times_ms(log_start)
    return result


def group_commits(server: Server) -> tuple[int, int] | None:
    """(jobs, transactions) of the server's one writer, from the line it logs when it stops."""
    found = re.findall(r"writer: (\d+) job\(s\) committed in (\d+) transaction", server.logs())
    return (int(found[-1][0]), int(found[-1][1])) if found else None

"""A simulated device that follows the client rules of docs/sync.md, over real HTTP calls.

Used by the sync tests and by bench/sync_faults.py. Its local store is in memory, but every
step that the app does in one IndexedDB transaction is done here in one Python step, so a
"crash" between steps cannot happen halfway through one.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sync.digest import digest
from sync.progress import RecordedAnswer, progress
from sync.scheduler import State, settings_for
from tests.support.ids import uuid7

FSRS = settings_for("fsrs")


@dataclass
class Outcome:
    """What one sync call ended with, for the test's bookkeeping."""

    status: int | None  # None: no response (network error)
    error: str | None = None


@dataclass
class Device:
    user_id: str
    http: httpx.Client
    device_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    content_version: int = 1
    batch_limit: int = 500
    # The local store: answers by id (own and pulled), the outbox, cursors, server progress.
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    next_seq: int = 1
    cursors: dict[str, int] = field(default_factory=lambda: {"content": 0, "records": 0})
    acked_through: int = 0
    on_server: set[str] = field(default_factory=set)  # answer ids known to be on the server
    server_progress: dict[str, dict[str, Any]] = field(default_factory=dict)
    paused: bool = False  # after a 401, until sign-in
    rejected: dict[str, str] = field(default_factory=dict)  # answer id -> reason shown to the user
    history: list[tuple[str, int]] = field(default_factory=list)  # (what, value) for monotonic checks
    clock_skew: datetime.timedelta = datetime.timedelta(0)
    # The device's clock (default: the real one); the fault machine gives a StepClock.
    clock: Callable[[], datetime.datetime] | None = None
    # Other kinds: own acknowledgements (by id), and what pulls brought of shared records.
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejected_mutations: dict[str, str] = field(default_factory=dict)  # mutation id -> reason
    pulled_acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    observations: dict[str, dict[str, Any]] = field(default_factory=dict)  # the server's state, by id
    patches: list[dict[str, Any]] = field(default_factory=list)  # own observation patches, as sent
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # intervision sessions: the server's state
    pitches: dict[str, dict[str, Any]] = field(default_factory=dict)  # video pitches: the server's state
    exemplars: list[dict[str, Any]] | None = None  # the last page's good examples, as last pulled

    # ---- recording ---------------------------------------------------------------------------

    def answer(self, question_id: str, choice: list[int], correct: bool, local_day: int) -> str:
        """Record an answer and its outbox entry together (one local transaction)."""
        now = self._clock()
        answer_id = uuid7()
        payload = {
            "id": answer_id,
            "question_id": question_id,
            "content_version": self.content_version,
            "choice": choice,
            "correct": correct,
            "answered_at": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "local_day": local_day,
            "duration_ms": 1000,
        }
        self.answers[answer_id] = {**payload, "mine": True}
        self._enqueue(payload)
        return answer_id

    def acknowledge(
        self, item_kind: str, item_id: str, local_day: int, acknowledged: bool = True, comment: str | None = None, version: int = 1
    ) -> str:
        """Record an acknowledgement (or its withdrawal) and its outbox entry together (a session's: version 2)."""
        ack_id = uuid7()
        payload = {"id": ack_id, "item_kind": item_kind, "item_id": item_id, "acknowledged": acknowledged,
                   "at": self._now(), "local_day": local_day, "comment": comment}  # fmt: skip
        self.acks[ack_id] = payload
        self._enqueue(payload, "acknowledgement", version)
        return ack_id

    def edit(
        self, record_id: str, values: dict[str, Any], local_day: int, resolve: tuple[str, ...] = (), kind: str = "observation",
        version: int = 1,
    ) -> dict[str, Any]:
        """Record a patch of an observation (or a session, a pitch) against the revision this device last
        pulled (0: new)."""
        held = {"session": self.sessions, "pitch": self.pitches}.get(kind, self.observations)
        base = held.get(record_id, {}).get("rev", 0)
        payload = {"id": record_id, "base_rev": base, "set": dict(values), "resolve": list(resolve),
                   "at": self._now(), "local_day": local_day}  # fmt: skip
        self.patches.append(payload)
        self._enqueue(payload, kind, version)
        return payload

    def _clock(self) -> datetime.datetime:
        return (self.clock() if self.clock is not None else datetime.datetime.now(datetime.UTC)) + self.clock_skew

    def _now(self) -> str:
        now = self._clock()
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"

    def _enqueue(self, payload: dict[str, Any], kind: str = "answer", version: int = 1) -> None:
        self.outbox.append(
            {"id": uuid7(), "client_seq": self.next_seq, "kind": kind, "payload_version": version, "payload": payload}
        )
        self.next_seq += 1

    def sign_in(self) -> None:
        self.paused = False

    # ---- push --------------------------------------------------------------------------------

    def push_once(self) -> Outcome:
        """Send the first batch of the outbox and apply the response."""
        if self.paused or not self.outbox:
            return Outcome(200)
        batch = self.outbox[: self.batch_limit]
        sent_at = self._clock()
        body = {
            "protocol": 1,
            "device_id": self.device_id,
            "sent_at": sent_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{sent_at.microsecond // 1000:03d}Z",
            "mutations": batch,
        }
        try:
            response = self.http.post("/sync/push", json=body, headers=self._auth())
        except httpx.TransportError:
            return Outcome(None)
        data = _json(response)
        if response.status_code == 200:
            self._record_rejections(batch, data["results"])
            self._acked(data["acked_through"])
        elif response.status_code == 401:
            self.paused = True  # keep everything; ask the user to sign in
        elif response.status_code == 409 and data.get("error") == "seq_gap":
            self._rewind(int(data["expected_seq"]))
        elif response.status_code == 413:
            self.batch_limit = max(1, len(batch) // 2)  # split and send again
        return Outcome(response.status_code, data.get("error"))

    def _record_rejections(self, entries: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
        """Results (of a push, or a pull's `rejected`) that refused an entry: matched by seq and id."""
        by_seq = {m["client_seq"]: m for m in entries}
        for result in results:
            entry = by_seq.get(result["client_seq"])
            if result["status"] == "rejected" and entry and entry["id"] == result["id"]:
                self.rejected[entry["payload"]["id"]] = result["reason"]
                self.rejected_mutations[entry["id"]] = result["reason"]

    def _rewind(self, expected: int) -> None:
        """After a gap: entries below `expected` were applied; if the server expects less than
        our first entry, it lost later mutations (restored from a backup): renumber from there."""
        if self.outbox and expected < self.outbox[0]["client_seq"]:
            for i, entry in enumerate(self.outbox):
                entry["client_seq"] = expected + i
            self.next_seq = expected + len(self.outbox)
            self.acked_through = expected - 1
            self.history.append(("renumbered", expected))
        else:
            self._acked(expected - 1)

    def _acked(self, through: int) -> None:
        if through < self.acked_through:
            return  # an old response arriving late: never go back
        self.acked_through = through
        self.history.append(("acked_through", through))
        done = [m for m in self.outbox if m["client_seq"] <= through]
        for m in done:
            if m["kind"] == "answer" and m["payload"]["id"] not in self.rejected:
                self.on_server.add(m["payload"]["id"])
        self.outbox = [m for m in self.outbox if m["client_seq"] > through]

    # ---- pull --------------------------------------------------------------------------------

    def pull_all(self, limit: int = 1000) -> Outcome:
        """Pull pages until has_more is false; heal on a digest mismatch."""
        for _ in range(10_000):
            body = {"protocol": 1, "device_id": self.device_id, "cursors": dict(self.cursors), "limit": limit}
            if self.outbox:  # learn the rejections of entries acknowledged while a push response was lost
                body["outbox_from"] = self.outbox[0]["client_seq"]
            try:
                response = self.http.post("/sync/pull", json=body, headers=self._auth())
            except httpx.TransportError:
                return Outcome(None)
            data = _json(response)
            if response.status_code != 200:
                if response.status_code == 401:
                    self.paused = True
                return Outcome(response.status_code, data.get("error"))
            self._apply_page(data)
            if not data["has_more"]:
                if data.get("digest") and not self._digest_matches(data["digest"]):
                    self._heal()
                return Outcome(200)
        raise AssertionError("pull never finished")

    def _apply_page(self, data: dict[str, Any]) -> None:
        """One local transaction: the page's records, its cursors, and outbox deletion."""
        for stream in data.get("reset", []):
            self.cursors[stream] = 0
        for change in data["changes"]:
            if change["kind"] == "answer":
                record = change["data"]
                mine = record["id"] in self.answers and self.answers[record["id"]].get("mine", False)
                self.answers[record["id"]] = {**record, "mine": mine}
                self.on_server.add(record["id"])
            elif change["kind"] == "progress":
                self.server_progress[change["data"]["question_id"]] = change["data"]
            elif change["kind"] == "acknowledgement":
                self.pulled_acks[change["data"]["id"]] = change["data"]
            elif change["kind"] == "observation":
                self.observations[change["data"]["id"]] = change["data"]
            elif change["kind"] == "session":
                self.sessions[change["data"]["id"]] = change["data"]
            elif change["kind"] == "pitch":
                self.pitches[change["data"]["id"]] = change["data"]
        if data.get("exemplars") is not None:
            self.exemplars = data["exemplars"]
        for stream, value in data["cursors"].items():
            if stream in data.get("reset", []) or value >= self.cursors.get(stream, 0):
                self.cursors[stream] = value
                self.history.append((f"cursor:{stream}", value))
        self._record_rejections(self.outbox, data.get("rejected", []))
        self._acked(data["acked_through"])

    def _digest_matches(self, server: dict[str, Any]) -> bool:
        count, value = digest(self.on_server)
        return bool(count == server["answers"] and value == server["hash"])

    def _heal(self) -> None:
        """Re-pull everything, then re-push what the server lacks. Never delete local data."""
        self.cursors["records"] = 0
        self.history.append(("heal", 0))
        self.on_server = {aid for aid in self.on_server if aid in self.answers and not self.answers[aid].get("mine")}
        self.pull_records_from_zero()
        queued = {m["payload"]["id"] for m in self.outbox}
        for aid, record in self.answers.items():
            if record.get("mine") and aid not in self.on_server and aid not in queued and aid not in self.rejected:
                payload = {k: v for k, v in record.items() if k in _PAYLOAD_KEYS}
                self._enqueue(payload)

    def pull_records_from_zero(self) -> None:
        while True:
            body = {"protocol": 1, "device_id": self.device_id, "cursors": dict(self.cursors)}
            response = self.http.post("/sync/pull", json=body, headers=self._auth())
            if response.status_code != 200:
                return
            data = response.json()
            self._apply_page(data)
            if not data["has_more"]:
                return

    # ---- views -------------------------------------------------------------------------------

    def sync(self) -> None:
        """What the app does on open, on `online`, on visibility and on "Sync now"."""
        for _ in range(50):
            if self.paused or not self.outbox:
                break
            if self.push_once().status not in (200, 409, 413):
                break
        self.pull_all()

    def progress_of(self, question_id: str, epoch: int = 0) -> State:
        """Provisional progress: a replay of every answer this device knows to the question."""
        recorded = [
            RecordedAnswer(
                id=a["id"], day=a["local_day"], answered_at=a.get("answered_at", ""), correct=a["correct"], rev=a.get("rev", 1)
            )
            for a in self.answers.values()
            if a["question_id"] == question_id
        ]
        return progress(recorded, epoch, FSRS)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer dev:{self.user_id}"}


_PAYLOAD_KEYS = ("id", "question_id", "content_version", "choice", "correct", "answered_at", "local_day", "duration_ms")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}

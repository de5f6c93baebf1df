"""A Hypothesis state machine: devices following the client rules, a real app, and faults.

Several simulated devices (tests/support/device.py) of reps and a coach record answers,
acknowledgements, observation edits, intervision session edits and video pitches (the rules in
tests/support/pitch_faults.py), and sync through a fault layer that drops requests, drops
responses after the server committed, duplicates and replays stale requests, and injects 401, 503
and 413; the server is restarted (its SQLite file closed and reopened) at random. Two devices of
one person, and a coach and a rep, edit the same observations and pitches concurrently; the
coach's devices (one or two) moderate the same sessions, each moving its stage on from what it
last pulled. The invariants are the promises of docs/sync.md: every record recorded reaches the
server exactly once, and every observation, session and pitch is the documented merge
(sync/edits.py) of its patches in server order, the same on every device that sees it; a
session's stage never goes back; a pitch is a good example only while proposed and consented.
The fault layer, the restartable server and the database each schedule starts from are in
tests/support/fault_layer.py. Used by tests/test_sync_faults.py (in `make test`) and
bench/sync_faults.py (at length).
"""
from __future__ import annotations

import json
import random
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from server.app import create_app
from sync.kinds import observation as observation_rules
from sync.kinds import session as session_rules
from sync.progress import RecordedAnswer, progress
from sync.scheduler import settings_for
from tests.support.device import Device
from tests.support.fault_layer import COACH, REPS, FaultyHttp, ServerHandle, fault_template
from tests.support.ids import StepClock, random_ids, repeat_ids, uuid7
from tests.support.pitch_faults import PitchRules
from tests.support.revisions import CASES, replayed

QUESTIONS = {"who-else": (3, 2), "next-step": (2, 2), "pick-two": (3, 1)}  # options, a right option
SHORT = {"meeting_type": ["first meeting", "demo", "negotiation"], "rating:asks-first": [1, 2, 3, 4, None], "shared": [True, False]}
LONG = {"notes": ["asked first", "pitched early", "listened well"], "evidence:asks-first": ["quote A", "quote B"]}
REP_FIELDS = {"next_step_done": [True, False], "rep_response": ["agreed", "will try", "disagree"]}
SESSION_FIELDS = {"ideas": ["ward managers", "ask finance"], "commitment": ["call two", "report back"], "follow_up_on": ["2026-12-08", None]}


@dataclass
class Totals:
    """Across every schedule of a run: what was recorded, lost and duplicated."""

    schedules: int = 0
    recorded: int = 0  # answers, acknowledgements, observation, session and pitch patches
    lost: int = 0
    duplicated: int = 0
    # How often each merge case happened (sync/edits.py), so a run shows the rule was exercised.
    merges: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CASES, 0))
    session_merges: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CASES, 0))


TOTALS = Totals()


class SyncFaults(PitchRules, RuleBasedStateMachine):
    """Devices, faults and restarts; then faults stop and everything must agree."""

    app_factory: Callable[..., Any] = staticmethod(create_app)

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        db_path = Path(self.tmp.name) / "recap.db"
        template, self.user_ids = fault_template()
        shutil.copyfile(template, db_path)
        self.clock = StepClock()  # the devices' and the server's: a replayed schedule orders edits the same way
        self.server = ServerHandle(db_path, type(self).app_factory, self.clock)
        self.devices: list[Device] = []
        self.coach_devices: list[Device] = []
        self.recorded: dict[str, str] = {}  # answer id -> user id
        self.acks: dict[str, str] = {}  # acknowledgement id -> user id
        self.patches: dict[str, str] = {}  # mutation id of an observation patch -> user id
        self.observation_ids: list[str] = []  # made with the devices, from the schedule's seed
        self.session_patches: dict[str, str] = {}  # mutation id of a session patch -> user id
        self.session_ids: list[str] = []
        self.stages: dict[str, int] = {}  # session id -> the highest stage seen on the server
        self.marks: dict[int, tuple[int, int]] = {}
        self._init_pitches()

    @initialize(
        # Mostly two coach devices: conflicts need edits from two devices (a device never
        # conflicts with its own earlier patches).
        layout=st.sampled_from([(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]), coach_devices=st.sampled_from([1, 2, 2, 2]),
        seed=st.integers(0, 2**32 - 1), pitches=st.integers(0, 2),
    )  # fmt: skip
    def make_devices(self, layout: tuple[int, int], coach_devices: int, seed: int, pitches: int = 0) -> None:
        users, per_user = layout
        self.rng = random.Random(seed)
        repeat_ids(seed)  # a replayed schedule sorts its ids, and so draws, the same way
        self.observation_ids = [uuid7() for _ in range(2)]
        self.session_ids = [uuid7() for _ in range(2)]
        for u in range(users):
            for _ in range(per_user):
                self.devices.append(self._device(REPS[u]))
        for _ in range(coach_devices):
            self.coach_devices.append(self._device(COACH))
        self.devices.extend(self.coach_devices)
        for i in range(pitches):  # recorded before the schedule: one synced, one still in the outbox
            self._record_pitch(self.devices[i % (users * per_user)], i, send=i == 0)

    def _device(self, email: str) -> Device:
        http = FaultyHttp(self.server, random.Random(self.rng.random()))
        device_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        return Device(  # type: ignore[arg-type]
            email, http, device_id=device_id, batch_limit=self.rng.choice([2, 5, 500]), clock=self.clock
        )

    def reps(self) -> list[Device]:
        return [d for d in self.devices if d.user_id != COACH]

    @precondition(lambda self: bool(self.reps()))
    @rule(data=st.data(), question=st.sampled_from(sorted(QUESTIONS)), right=st.booleans(), day=st.integers(0, 60))
    def answer(self, data: st.DataObject, question: str, right: bool, day: int) -> None:
        device = data.draw(st.sampled_from(self.reps()))
        options, good = QUESTIONS[question]
        choice = [good] if right else [next(o for o in range(1, options + 1) if o != good)]
        answer_id = device.answer(question, choice, right, 20_000 + day)
        self.recorded[answer_id] = self.user_ids[device.user_id]

    @precondition(lambda self: bool(self.devices))
    @rule(data=st.data(), acknowledged=st.booleans(), day=st.integers(0, 60))
    def acknowledge(self, data: st.DataObject, acknowledged: bool, day: int) -> None:
        """A nugget marked read (or not), or, by a rep, an observation or a pitch review shared with them."""
        device = data.draw(st.sampled_from(self.devices))
        if device in self.reps() and data.draw(st.booleans()) and self._acknowledge_review(device, data, day, acknowledged):
            return
        shared = [o for o, v in device.observations.items() if v["rep_id"] == self.user_ids[device.user_id] and v["shared"]]
        item = ("observation", data.draw(st.sampled_from(shared))) if shared and data.draw(st.booleans()) else ("nugget", "ask-first")
        ack_id = device.acknowledge(*item, local_day=20_000 + day, acknowledged=acknowledged)
        self.acks[ack_id] = self.user_ids[device.user_id]

    @precondition(lambda self: bool(self.coach_devices) and bool(self.reps()))
    @rule(data=st.data(), day=st.integers(0, 60))
    def coach_edits(self, data: st.DataObject, day: int) -> None:
        """A coach's device edits an observation: creates it if it does not know it yet."""
        device = data.draw(st.sampled_from(self.coach_devices))
        observation = data.draw(st.sampled_from(self.observation_ids))
        values: dict[str, Any] = {}
        if observation not in device.observations:
            rep = REPS[self.observation_ids.index(observation) % len({d.user_id for d in self.reps()})]
            values = {"rep_id": self.user_ids[rep], "observed_on": "2026-12-01"}
        # Long text in most edits, so that two devices' edits of one field meet often.
        names = data.draw(st.lists(st.sampled_from(sorted({**SHORT, **LONG})), min_size=0, max_size=2, unique=True))
        for name in [data.draw(st.sampled_from(sorted(LONG))), *names]:
            values[name] = data.draw(st.sampled_from({**SHORT, **LONG}[name]))
        # Conflicts the device has seen are resolved: by listing them, or by setting the field anew.
        seen = tuple(device.observations.get(observation, {}).get("conflicts", {}))
        resolve = seen if data.draw(st.booleans()) else ()
        for name in seen:
            if not resolve and name in LONG:
                values[name] = data.draw(st.sampled_from(LONG[name]))
        self._patched(device, device.edit(observation, values, 20_000 + day, resolve=resolve))

    @precondition(lambda self: len(self.coach_devices) == 2 and bool(self.reps()))
    @rule(data=st.data(), day=st.integers(0, 60))
    def coach_edits_on_both_devices(self, data: st.DataObject, day: int) -> None:
        """The coach's phone and tablet, neither having synced the other's edit, change one long
        field of one observation to different texts: whichever reaches the server second meets
        the first (docs/sync.md: both kept, flagged) — unless one device never knew the record."""
        observation = data.draw(st.sampled_from(self.observation_ids))
        name = data.draw(st.sampled_from(sorted(LONG)))
        first, second = data.draw(st.permutations(LONG[name]))[:2]
        for device, text in zip(self.coach_devices, (first, second), strict=True):
            values: dict[str, Any] = {name: text}
            if observation not in device.observations:
                rep = REPS[self.observation_ids.index(observation) % len({d.user_id for d in self.reps()})]
                values.update(rep_id=self.user_ids[rep], observed_on="2026-12-01")
            self._patched(device, device.edit(observation, values, 20_000 + day))

    @precondition(lambda self: bool(self.coach_devices))
    @rule(data=st.data(), day=st.integers(0, 60), choose=st.booleans())
    def coach_resolves(self, data: st.DataObject, day: int, choose: bool) -> None:
        """A coach syncs and settles the conflicts flagged on their observations: by keeping the
        stored text (listing the field in `resolve`) or by writing one text for both."""
        device = data.draw(st.sampled_from(self.coach_devices))
        device.sync()
        for observation, held in sorted(device.observations.items()):
            flagged = tuple(sorted(name for name in held.get("conflicts", {}) if name in LONG))
            if flagged:
                values = {name: data.draw(st.sampled_from(LONG[name])) for name in flagged} if choose else {}
                self._patched(device, device.edit(observation, values, 20_000 + day, resolve=() if choose else flagged))

    @precondition(lambda self: bool(self.reps()))
    @rule(data=st.data(), day=st.integers(0, 60))
    def rep_edits(self, data: st.DataObject, day: int) -> None:
        """A rep answers an observation shared with them (or tries one that is not: rejected)."""
        device = data.draw(st.sampled_from(self.reps()))
        known = sorted(device.observations) or self.observation_ids
        name = data.draw(st.sampled_from(sorted(REP_FIELDS)))
        values = {name: data.draw(st.sampled_from(REP_FIELDS[name]))}
        self._patched(device, device.edit(data.draw(st.sampled_from(known)), values, 20_000 + day))

    @precondition(lambda self: bool(self.coach_devices) and bool(self.reps()))
    @rule(data=st.data(), day=st.integers(0, 60), advance=st.booleans(), synced=st.booleans())
    def moderator_edits(self, data: st.DataObject, day: int, advance: bool, synced: bool) -> None:
        """A moderator's device (of one or two), having synced or not, edits a session of the team:
        creates it if it does not know it, and names the stage it last pulled or the next one."""
        device = data.draw(st.sampled_from(self.coach_devices))
        if synced:
            device.sync()
        session = data.draw(st.sampled_from(self.session_ids))
        values: dict[str, Any] = {}
        held = device.sessions.get(session)
        if held is None:
            owner = REPS[self.session_ids.index(session) % len({d.user_id for d in self.reps()})]
            values = {"team_id": "t", "case_owner_id": self.user_ids[owner], "held_on": "2026-12-01"}
        else:  # the stage it last pulled, or the next: behind the server's when another edit moved it on
            values["stage"] = min(held["stage"] + int(advance), len(session_rules.STAGES))
        name = data.draw(st.sampled_from(sorted(SESSION_FIELDS)))
        values[name] = data.draw(st.sampled_from(SESSION_FIELDS[name]))
        device.edit(session, values, 20_000 + day, kind="session")
        self.session_patches[device.outbox[-1]["id"]] = self.user_ids[COACH]

    def _patched(self, device: Device, payload: dict[str, Any]) -> None:
        self.patches[device.outbox[-1]["id"]] = self.user_ids[device.user_id]

    @rule(data=st.data(), rate=st.sampled_from([0.0, 0.3, 0.7]))
    def push(self, data: st.DataObject, rate: float) -> None:
        device = data.draw(st.sampled_from(self.devices))
        device.http.fault_rate = rate  # type: ignore[attr-defined]
        device.push_once()

    @rule(data=st.data(), rate=st.sampled_from([0.0, 0.3, 0.7]), limit=st.sampled_from([1, 3, 1000]))
    def pull(self, data: st.DataObject, rate: float, limit: int) -> None:
        device = data.draw(st.sampled_from(self.devices))
        device.http.fault_rate = rate  # type: ignore[attr-defined]
        device.pull_all(limit=limit)

    @rule(data=st.data())
    def sign_in(self, data: st.DataObject) -> None:
        data.draw(st.sampled_from(self.devices)).sign_in()

    @precondition(lambda self: bool(self.devices))
    @rule()
    def restart_server(self) -> None:
        self.server.restart()

    @invariant()
    def acknowledged_answers_are_on_the_server_exactly_once(self) -> None:
        if not self.devices:
            return
        rows = self.server.query("SELECT id, user_id FROM answers")
        ids = [r[0] for r in rows]
        assert len(ids) == len(set(ids)), "an answer is on the server twice"
        on_server = dict(rows)
        for answer_id, user in on_server.items():
            assert self.recorded.get(answer_id) == user, f"the server has an answer nobody recorded: {answer_id}"
        for device in self.devices:
            for answer_id in device.on_server:
                assert answer_id in on_server, f"acknowledged answer {answer_id} is not on the server"
        for ack_id, user in self.server.query("SELECT id, user_id FROM acknowledgements"):
            assert self.acks.get(ack_id) == user, f"the server has an acknowledgement nobody recorded: {ack_id}"
        revisions = [r[0] for r in self.server.query("SELECT mutation_id FROM observation_revisions")]
        assert len(revisions) == len(set(revisions)), "an observation patch was applied twice"
        assert set(revisions) <= set(self.patches), "the server has an observation patch nobody recorded"
        revisions = [r[0] for r in self.server.query("SELECT mutation_id FROM intervision_revisions")]
        assert len(revisions) == len(set(revisions)), "a session patch was applied twice"
        assert set(revisions) <= set(self.session_patches), "the server has a session patch nobody recorded"
        for session_id, state in self.server.query("SELECT id, state FROM intervision_sessions"):
            stage = json.loads(state)["fields"]["stage"]["value"]
            assert stage >= self.stages.get(session_id, 1), "a session's stage went back"
            self.stages[session_id] = stage

    @invariant()
    def cursors_and_acks_never_go_back(self) -> None:
        for i, device in enumerate(self.devices):
            before = self.marks.get(i, (0, 0))
            now = (device.acked_through, device.cursors["records"])
            reset = any(what in ("heal", "renumbered") for what, _ in device.history)
            assert now[0] >= before[0], "acked_through went back"
            assert reset or now[1] >= before[1], "a records cursor went back"
            self.marks[i] = now

    def teardown(self) -> None:
        try:
            if self.devices:
                self._settle_and_compare()
        finally:
            random_ids()
            self.server.close()
            self.tmp.cleanup()

    def _settle_and_compare(self) -> None:
        """Faults stop; every device signs in and syncs twice; then all must agree."""
        for device in self.devices:
            device.http.fault_rate = 0.0  # type: ignore[attr-defined]
            device.http.stale.clear()  # type: ignore[attr-defined]
            device.sign_in()
        for _ in range(2):
            for device in self.devices:
                device.sync()
        self._compare_answers()
        self._compare_acknowledgements()
        self._compare_observations()
        self._compare_sessions()
        self._compare_pitches()

    def _count(self, recorded: set[str], on_server: list[str], what: str) -> None:
        lost, extra = recorded - set(on_server), set(on_server) - recorded
        TOTALS.recorded += len(recorded)
        TOTALS.lost += len(lost)
        TOTALS.duplicated += len(extra) + len(on_server) - len(set(on_server))
        assert not lost, f"{len(lost)} recorded {what} never reached the server"
        assert not extra, f"{len(extra)} {what} on the server that no device recorded"
        assert len(on_server) == len(set(on_server)), f"{what} on the server twice"

    def _compare_answers(self) -> None:
        TOTALS.schedules += 1
        self._count(set(self.recorded), [r[0] for r in self.server.query("SELECT id FROM answers")], "answers")
        for device in self.devices:
            assert not device.outbox, "an outbox did not drain"
            user_id = self.user_ids[device.user_id]
            mine = {r[0] for r in self.server.query("SELECT id FROM answers WHERE user_id = ?", [user_id])}
            assert set(device.answers) == mine, "a device and the server disagree on answers"
            stored = {q: json.loads(s) for q, s in self.server.query("SELECT question_id, state FROM progress WHERE user_id = ?", [user_id])}
            assert device.server_progress == stored, "a device and the server disagree on progress"
            for question, state in stored.items():
                replayed = self._independent_replay(user_id, question)
                assert (state["stability"], state["due_day"], state["reps"]) == replayed, "progress is not a replay"
                local = device.progress_of(question, epoch=state["epoch"])
                assert (local.stability, local.due_day, local.reps) == replayed, "the device's progress differs"

    def _compare_acknowledgements(self) -> None:
        rejected = {a for d in self.devices for a in d.rejected}
        recorded = {a for a in self.acks if a not in rejected}
        self._count(recorded, [r[0] for r in self.server.query("SELECT id FROM acknowledgements")], "acknowledgements")
        for device in self.devices:
            user_id = self.user_ids[device.user_id]
            theirs = {a for a in recorded if self.acks[a] == user_id}  # from any of the person's devices
            pulled = {a for a, v in device.pulled_acks.items() if v["user_id"] == user_id}
            assert theirs == pulled, "a device does not hold its person's acknowledgements from the server"

    def _compare_observations(self) -> None:
        rejected = {m for d in self.devices for m in d.rejected_mutations}
        applied = {m for m in self.patches if m not in rejected}
        self._count(applied, [r[0] for r in self.server.query("SELECT mutation_id FROM observation_revisions")], "observation patches")
        for observation_id, author, rep, shared, state in self.server.query("SELECT id, author_id, rep_id, shared, state FROM observations"):
            # The stored state is the documented merge of the stored patches, in server order.
            expected, patches = replayed(self.server.query, "observation", observation_id, TOTALS.merges, observation_rules.is_long)
            held = json.loads(state)
            assert held["rev"] == expected.rev == len(patches)
            assert {k: v["value"] for k, v in held["fields"].items()} == expected.values(), "an observation is not the merge of its patches"
            assert {k: [c["value"] for c in v] for k, v in held["conflicts"].items()} == {
                k: [c.value for c in v] for k, v in expected.conflicts.items()
            }, "conflicts differ from the rule"
            for device in self.devices:
                sees = self.user_ids[device.user_id] == author or (shared and self.user_ids[device.user_id] == rep)
                if sees:
                    data = device.observations.get(observation_id)
                    assert data is not None and data["rev"] == held["rev"], "a device missed the latest observation"
                    assert data["fields"] == expected.values(), "a device and the server disagree on an observation"

    def _compare_sessions(self) -> None:
        rejected = {m for d in self.devices for m in d.rejected_mutations}
        applied = {m for m in self.session_patches if m not in rejected}
        self._count(applied, [r[0] for r in self.server.query("SELECT mutation_id FROM intervision_revisions")], "session patches")
        for session_id, state in self.server.query("SELECT id, state FROM intervision_sessions"):
            expected, patches = replayed(
                self.server.query, "session", session_id, TOTALS.session_merges, session_rules.is_long, session_rules.is_ordered
            )
            held = json.loads(state)
            assert held["rev"] == expected.rev == len(patches)
            assert {k: v["value"] for k, v in held["fields"].items()} == expected.values(), "a session is not the merge of its patches"
            assert expected.values()["stage"] == max(p.set.get("stage", 1) for p in patches), "a session's stage is not the furthest"
            for device in self.devices:  # everyone is in team t: the moderator's and every rep's devices hold it
                data = device.sessions.get(session_id)
                assert data is not None and data["rev"] == held["rev"], "a team member's device missed the latest session"
                assert data["fields"] == expected.values(), "a device and the server disagree on a session"

    def _independent_replay(self, user: str, question: str) -> tuple[float | None, int | None, int]:
        rows = self.server.query(
            "SELECT id, local_day, answered_at, correct, rev FROM answers WHERE user_id = ? AND question_id = ?", [user, question]
        )
        answers = [RecordedAnswer(id=i, day=d, answered_at=t, correct=bool(c), rev=r) for i, d, t, c, r in rows]
        state = progress(answers, 1, settings_for("fsrs"))
        return state.stability, state.due_day, state.reps

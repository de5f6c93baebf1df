"""Video pitches in the sync fault state machine (tests/support/faults.py mixes these rules in).

A rep's device records a pitch (the creation patch: a prompt of the fixture library, a made-up
video named by its SHA-256), the coach's devices (one or two) review it — scores of the prompt's
rubric behaviours, time-pinned comments, feedback, `reviewed`, `exemplar_proposed` — the rep
consents to it as a good example or withdraws, from one or two devices, and acknowledges a reviewed
pitch (acknowledgement v4); a video arrives on the server now and then. Everything travels through
the same fault layer as the other kinds. The promises checked (docs/sync.md "Pitch payload v1"):
every pitch patch is applied exactly once (`pitch_revisions` by mutation id); every pitch is the
merge (sync/edits.py) of its patches in server order, the same on every device that receives it,
and on no other device; the server's `exemplar` flag is proposed AND consented per the merged
fields; the pull's `exemplars` never list a pitch without both, and list every one whose video the
server holds (where the `videos` table of server/uploads/ exists; without it the list is empty).

The fixture library has no rubric or pitch prompt, and many tests count its items, so the ones
pitches need live in tests/fixtures/pitching/ and `library_with_pitches` lays them over a copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from server.db import connect, write_transaction
from server.pitches import store as pitch_store
from sync import edits
from sync.kinds import pitch as pitch_rules
from tests.support.ids import uuid7
from tests.support.paths import FIXTURE_LIBRARY, ROOT
from tests.support.revisions import CASES, replayed

if TYPE_CHECKING:
    from tests.support.device import Device
    from tests.support.fault_layer import ServerHandle

PITCHING = ROOT / "tests" / "fixtures" / "pitching"
PROMPT = "first-meeting"  # tests/fixtures/pitching/pitch-prompts/first-meeting.yaml
SCORES = ("score:discovery-rubric:asks-about-goals", "score:discovery-rubric:agrees-a-next-step")
COACH_FIELDS: dict[str, list[Any]] = {
    **{name: [1, 2, 3, 4, None] for name in SCORES},
    "comments": [
        [],
        [{"t_ms": 1_500, "text": "Good opening"}],
        [{"t_ms": 0, "text": "Breathe"}, {"t_ms": 30_000, "text": "Ask who else"}],
    ],
    "reviewed": [True, True, False],
    "exemplar_proposed": [True, True, False],
}
FEEDBACK = ["Ask before you pitch.", "Name the next step.", "Good pace."]
# The server's rule for long fields, taken before a test can swap the module's for a broken one.
IS_LONG, JOINED = pitch_rules.is_long, pitch_rules.joined


def library_with_pitches(target: Path) -> Path:
    """A copy of the fixture library with tests/fixtures/pitching's rubric and pitch prompt."""
    shutil.copytree(FIXTURE_LIBRARY, target)
    for folder in PITCHING.iterdir():
        shutil.copytree(folder, target / folder.name, dirs_exist_ok=True)
    return target


@dataclass
class PitchTotals:
    """Across every schedule of a run: pitches recorded, patches applied, and the merge cases."""

    created: int = 0  # pitches on the server at the final comparison
    patches: int = 0  # pitch patches applied
    rejected: int = 0  # pitch patches the server refused (a missing prompt, a rep writing a review...)
    acknowledged: int = 0  # acknowledgements of reviewed pitches applied
    exemplars: int = 0  # pitches listed as good examples by a final pull, over devices
    withheld: int = 0  # pitches seen on the server proposed but not consented to (or withdrawn)
    good: int = 0  # pitches seen on the server proposed and consented to: good examples
    merges: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CASES, 0))


PITCH_TOTALS = PitchTotals()


class PitchRules:
    """The rules and checks of pitches; SyncFaults provides the devices, the server and `_count`."""

    if TYPE_CHECKING:
        devices: list[Device]
        coach_devices: list[Device]
        server: ServerHandle
        user_ids: dict[str, str]
        acks: dict[str, str]

        def reps(self) -> list[Device]: ...
        def _count(self, recorded: set[str], on_server: list[str], what: str) -> None: ...

    def _init_pitches(self) -> None:
        self.pitch_patches: dict[str, str] = {}  # mutation id of a pitch patch -> user id
        self.pitch_acks: set[str] = set()  # acknowledgement ids of pitches
        self.made_on: dict[str, Device] = {}  # pitch id -> the device that recorded it
        self.videos: set[str] = set()  # SHA-256 of the videos that arrived on the server
        self.seen: dict[str, set[str]] = {"withheld": set(), "good": set()}  # pitch ids, by exemplar case met

    def _pitch_patched(
        self,
        device: Device,
        record_id: str,
        values: dict[str, Any],
        day: int,
        resolve: tuple[str, ...] = (),
        send: bool = False,
    ) -> None:
        """Record a pitch patch on a device; `send`: the device is online and syncs at once."""
        device.edit(record_id, values, 20_000 + day, resolve=resolve, kind="pitch")
        self.pitch_patches[device.outbox[-1]["id"]] = self.user_ids[device.user_id]
        if send:
            device.sync()

    def _own_pitches(self, device: Device) -> list[str]:
        """The pitches a rep's device knows as theirs: recorded on it, or pulled."""
        me = self.user_ids[device.user_id]
        pulled = {p for p, v in device.pitches.items() if v["rep_id"] == me}
        return sorted(pulled | {p for p, d in self.made_on.items() if d is device})

    @precondition(lambda self: bool(self.reps()))
    @rule(
        data=st.data(),
        day=st.integers(0, 60),
        consent=st.sampled_from([None, None, True, False]),
        known=st.integers(0, 9),
        send=st.sampled_from([True, True, True, False]),
    )
    def rep_records_pitch(self, data: st.DataObject, day: int, consent: bool | None, known: int, send: bool) -> None:
        """A rep's device records a pitch: the creation patch, naming a video by its SHA-256 (one
        time in ten a prompt the library does not have: rejected); online, it syncs at once."""
        self._record_pitch(data.draw(st.sampled_from(self.reps())), day, consent, known, send)

    def _record_pitch(
        self, device: Device, day: int, consent: bool | None = None, known: int = 1, send: bool = False
    ) -> None:
        pitch_id = uuid7()
        values: dict[str, Any] = {
            "prompt_id": PROMPT if known else "no-such-prompt", "recorded_on": "2026-12-01",
            "video_sha256": hashlib.sha256(pitch_id.encode()).hexdigest(), "video_size": 1 + known * 1_000_000,
            "video_type": ("video/webm", "video/mp4")[known % 2], "duration_ms": 30_000 + day,
        }  # fmt: skip
        if consent is not None:
            values["exemplar_consent"] = consent
        self.made_on[pitch_id] = device
        self._pitch_patched(device, pitch_id, values, day, send=send)

    @precondition(lambda self: bool(self.made_on))
    @rule(
        data=st.data(),
        day=st.integers(0, 60),
        synced=st.booleans(),
        other=st.integers(0, 5),
        send=st.sampled_from([True, True, True, False]),
    )
    def rep_consents(self, data: st.DataObject, day: int, synced: bool, other: int, send: bool) -> None:
        """A rep's device (of one or two), having synced or not, consents to a pitch of theirs
        being a good example or withdraws; now and then it changes a field it may (a date) or may
        not (a coach's feedback, the video: rejected)."""
        device = data.draw(st.sampled_from(self.reps()))
        if synced:
            device.sync()
        mine = self._own_pitches(device)
        if not mine:
            return
        values: dict[str, Any] = {"exemplar_consent": data.draw(st.booleans())}
        if other < 3:
            values = [{"recorded_on": "2026-11-30"}, {"feedback": "Mine is fine."}, {"video_sha256": "0" * 64}][other]
        self._pitch_patched(device, data.draw(st.sampled_from(mine)), values, day, send=send)

    @precondition(lambda self: bool(self.made_on))
    @rule(data=st.data(), day=st.integers(0, 60), acknowledged=st.booleans(), send=st.booleans())
    def rep_acknowledges_review(self, data: st.DataObject, day: int, acknowledged: bool, send: bool) -> None:
        """A rep opens the app (it syncs) and acknowledges a review shared with them, or takes an
        acknowledgement back (acknowledgement v4, `item_kind` pitch, a comment now and then)."""
        device = data.draw(st.sampled_from(self.reps()))
        device.sync()
        if self._acknowledge_review(device, data, day, acknowledged) and send:
            device.sync()

    def _acknowledge_review(self, device: Device, data: st.DataObject, day: int, acknowledged: bool) -> bool:
        """A rep's device acknowledges a review of theirs it has pulled (False: it holds none)."""
        me = self.user_ids[device.user_id]
        reviewed = sorted(
            p for p, v in device.pitches.items() if v["rep_id"] == me and v["fields"].get("reviewed") is True
        )
        if not reviewed:
            return False
        comment = data.draw(st.sampled_from([None, "Thanks, will do."]))
        ack = device.acknowledge(
            "pitch", data.draw(st.sampled_from(reviewed)), 20_000 + day, acknowledged, comment, version=4
        )
        self.acks[ack] = me
        self.pitch_acks.add(ack)
        return True

    @precondition(lambda self: bool(self.coach_devices) and bool(self.made_on))
    @rule(
        data=st.data(),
        day=st.integers(0, 60),
        synced=st.sampled_from([True, True, True, False]),
        send=st.sampled_from([True, True, True, False]),
    )
    def coach_reviews_pitch(self, data: st.DataObject, day: int, synced: bool, send: bool) -> None:
        """A coach's device (of one or two), having synced or not, reviews a pitch it holds: the
        feedback in most edits; conflicts it has seen are settled by listing them in `resolve` or
        by writing the feedback anew."""
        device = data.draw(st.sampled_from(self.coach_devices))
        if synced:
            device.sync()
        if not device.pitches:
            return
        pitch_id = data.draw(st.sampled_from(sorted(device.pitches)))
        # Each field in about half the reviews; most reviews are shared with the rep.
        values = {
            name: data.draw(st.sampled_from(choices))
            for name, choices in COACH_FIELDS.items()
            if data.draw(st.booleans())
        }
        values["reviewed"] = data.draw(st.sampled_from([True, True, True, False]))
        if data.draw(st.booleans()):
            values["feedback"] = data.draw(st.sampled_from(FEEDBACK))
        resolve: tuple[str, ...] = ()
        if device.pitches[pitch_id].get("conflicts"):
            if data.draw(st.booleans()):
                resolve = ("feedback",)
            else:
                values["feedback"] = data.draw(st.sampled_from(FEEDBACK))
        self._pitch_patched(device, pitch_id, values, day, resolve, send)

    @precondition(lambda self: len(self.coach_devices) == 2 and bool(self.made_on))
    @rule(data=st.data(), day=st.integers(0, 60), short=st.sampled_from(sorted(COACH_FIELDS)))
    def coach_reviews_on_both_devices(self, data: st.DataObject, day: int, short: str) -> None:
        """The coach's phone and tablet, neither having synced the other's review, write different
        feedback and a short field of one pitch: the feedback that reaches the server second is
        kept beside the first, flagged; the short field goes to the later edit."""
        for device in self.coach_devices:
            device.sync()
        both = sorted(set(self.coach_devices[0].pitches) & set(self.coach_devices[1].pitches))
        if not both:
            return
        pitch_id = data.draw(st.sampled_from(both))
        texts = data.draw(st.permutations(FEEDBACK))
        for device, text in zip(self.coach_devices, texts, strict=False):
            self._pitch_patched(
                device, pitch_id, {"feedback": text, short: data.draw(st.sampled_from(COACH_FIELDS[short]))}, day
            )

    @precondition(lambda self: bool(self.made_on))
    @rule(data=st.data())
    def video_arrives(self, data: st.DataObject) -> None:
        """A pitch's upload completes: a `videos` row (where server/uploads/ made the table) and, in
        the same transaction, every pitch with that video re-fed to its audience (video_arrived)."""
        rows = self.server.query("SELECT id FROM pitches ORDER BY id")
        if not rows:
            return
        self._video_arrived(data.draw(st.sampled_from(rows))[0])

    def _video_arrived(self, pitch_id: str) -> None:
        sha, rep, size, kind = self.server.query(
            "SELECT video_sha256, rep_id, video_size, video_type FROM pitches WHERE id = ?", [pitch_id]
        )[0]
        db = connect(self.server.db_path)
        try:
            with write_transaction(db):
                if db["videos"].exists():
                    db.execute(
                        "INSERT OR IGNORE INTO videos (sha256, uploaded_by, pitch_id, size, content_type, created_at)"
                        " VALUES (?, ?, ?, ?, ?, '2026-12-01T10:00:00.000Z')",
                        [sha, rep, pitch_id, size, kind],
                    )
                    self.videos.add(sha)
                pitch_store.video_arrived(db, sha)
        finally:
            db.close()

    @invariant()
    def pitch_patches_applied_once_and_exemplar_is_proposed_and_consented(self) -> None:
        if not self.made_on:
            return
        revisions = [r[0] for r in self.server.query("SELECT mutation_id FROM pitch_revisions")]
        assert len(revisions) == len(set(revisions)), "a pitch patch was applied twice"
        assert set(revisions) <= set(self.pitch_patches), "the server has a pitch patch nobody recorded"
        for pitch_id, reviewed, exemplar, state in self.server.query(
            "SELECT id, reviewed, exemplar, state FROM pitches"
        ):
            values = {k: v["value"] for k, v in json.loads(state)["fields"].items()}
            wanted = values.get("exemplar_proposed") is True and values.get("exemplar_consent") is True
            if values.get("exemplar_proposed") is True:
                self.seen["good" if wanted else "withheld"].add(pitch_id)
            assert bool(exemplar) == wanted, f"pitch {pitch_id}: the exemplar flag is not proposed AND consented"
            assert bool(reviewed) == (values.get("reviewed") is True), (
                f"pitch {pitch_id}: the reviewed flag differs from its field"
            )

    def _compare_pitches(self) -> None:
        """After the final syncs: exactly once, the merge rule, who holds what, good examples."""
        rejected = {m for d in self.devices for m in d.rejected_mutations}
        applied = {m for m in self.pitch_patches if m not in rejected}
        on_server = [r[0] for r in self.server.query("SELECT mutation_id FROM pitch_revisions")]
        self._count(applied, on_server, "pitch patches")
        PITCH_TOTALS.patches += len(on_server)
        PITCH_TOTALS.rejected += len(set(self.pitch_patches) & rejected)
        PITCH_TOTALS.withheld += len(self.seen["withheld"])
        PITCH_TOTALS.good += len(self.seen["good"])
        held_videos = self._held_videos()
        good: set[str] = set()
        for pitch_id, rep, exemplar, state in self.server.query("SELECT id, rep_id, exemplar, state FROM pitches"):
            PITCH_TOTALS.created += 1
            expected = self._replayed(pitch_id)
            stored = json.loads(state)
            values = expected.values()
            assert stored["rev"] == expected.rev, "a pitch's revision is not its number of patches"
            assert {k: v["value"] for k, v in stored["fields"].items()} == values, (
                "a pitch is not the merge of its patches"
            )
            conflicts = {k: [c.value for c in v] for k, v in expected.conflicts.items()}
            assert {k: [c["value"] for c in v] for k, v in stored["conflicts"].items()} == conflicts, (
                "pitch conflicts differ from the rule"
            )
            proposed_and_consented = values.get("exemplar_proposed") is True and values.get("exemplar_consent") is True
            assert bool(exemplar) == proposed_and_consented, "the exemplar flag is not proposed AND consented"
            if proposed_and_consented and values["video_sha256"] in held_videos:
                good.add(pitch_id)
            for device in self.devices:
                data = device.pitches.get(pitch_id)
                if self.user_ids[device.user_id] != rep and device not in self.coach_devices:
                    assert data is None, "a pitch reached a rep it does not belong to"
                    continue
                assert data is not None and data["rev"] == expected.rev, "a device missed the latest pitch"
                assert data["fields"] == values, "a device and the server disagree on a pitch"
                assert {k: [c["value"] for c in v] for k, v in data["conflicts"].items()} == conflicts, (
                    "a device's pitch conflicts differ"
                )
                assert data["video_uploaded"] == (values["video_sha256"] in held_videos), (
                    "a device is wrong about the video"
                )
        for device in self.devices:
            assert device.exemplars is not None, "the last page of a pull had no exemplars"
            listed = {e["pitch_id"] for e in device.exemplars}
            PITCH_TOTALS.exemplars += len(listed)
            assert listed <= good, "a pull listed a good example its rep has not consented to (or no coach proposed)"
            assert listed == good, "a pull left out a good example of the team"  # everyone is in team t
        self._compare_pitch_acknowledgements()

    def _compare_pitch_acknowledgements(self) -> None:
        """The coach's devices hold every acknowledgement of a review that the server applied."""
        refused = {a for d in self.devices for a in d.rejected}
        applied = {a for a in self.pitch_acks if a not in refused}
        PITCH_TOTALS.acknowledged += len(applied)
        for device in self.coach_devices:
            assert applied <= set(device.pulled_acks), "a reviewer's device missed a rep's acknowledgement of a pitch"

    def _replayed(self, pitch_id: str) -> edits.Record:
        """The pitch as sync/edits.py computes it from its revisions, in server order."""
        return replayed(self.server.query, "pitch", pitch_id, PITCH_TOTALS.merges, IS_LONG, joined=JOINED)[0]

    def _held_videos(self) -> set[str]:
        if not self.server.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'videos'"):
            return set()
        return {r[0] for r in self.server.query("SELECT sha256 FROM videos")}

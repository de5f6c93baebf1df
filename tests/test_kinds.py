"""Record kinds (sync/kinds/), sequencing (sync/sequencing.py) and incremental replay
(sync/progress.py): pure rules, tested without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import edits, kinds, sequencing
from sync.kinds import acknowledgement, observation, session
from sync.kinds.base import Codec, PayloadUnsupported, Rejected
from sync.progress import RecordedAnswer, advanced, as_wire, replayed
from sync.scheduler import settings_for
from tests.support.ids import uuid7

NOW = "2026-12-01T09:00:00.000Z"


# --- the registry and payload versions ---------------------------------------------------------


def test_every_kind_has_a_codec_and_unknown_kinds_or_versions_are_unsupported() -> None:
    assert set(kinds.CODECS) == {"answer", "acknowledgement", "observation", "session", "pitch"}
    assert kinds.payload_versions() == {"answer": [1], "acknowledgement": [1, 2, 3, 4], "observation": [1, 2], "session": [1], "pitch": [1]}
    with pytest.raises(PayloadUnsupported):
        kinds.codec("video")
    with pytest.raises(PayloadUnsupported):
        kinds.codec("answer").decode(2, b"{}")


def test_an_older_payload_version_is_upcast() -> None:
    """The mechanism: a v1 that named the item `nugget` instead of `item_id` decodes to today's form."""
    import msgspec

    class AckV0(msgspec.Struct):
        id: str
        nugget: str
        at: str
        local_day: int

    def upcast(old: AckV0) -> acknowledgement.AcknowledgementV1:
        return acknowledgement.AcknowledgementV1(id=old.id, item_kind="nugget", item_id=old.nugget, at=old.at, local_day=old.local_day)

    codec = Codec(kind="acknowledgement", current=acknowledgement.AcknowledgementV1,
                  versions={1: (AckV0, upcast), 2: (acknowledgement.AcknowledgementV1, lambda p: p)})  # fmt: skip
    ack_id = uuid7()
    old = codec.decode(1, f'{{"id": "{ack_id}", "nugget": "ask-first", "at": "{NOW}", "local_day": 3}}'.encode())
    assert (old.item_kind, old.item_id, old.acknowledged) == ("nugget", "ask-first", True)
    with pytest.raises(Rejected, match="invalid acknowledgement"):
        codec.decode(2, b'{"id": "x"}')


# --- acknowledgements --------------------------------------------------------------------------


def ack(**fields: object) -> acknowledgement.AcknowledgementV1:
    values = {"id": uuid7(), "item_kind": "nugget", "item_id": "ask-first", "at": NOW, "local_day": 1, **fields}
    return acknowledgement.AcknowledgementV1(**values)  # type: ignore[arg-type]


def test_acknowledgement_rules() -> None:
    a = ack()
    nugget = acknowledgement.ItemFacts(exists=True)
    assert acknowledgement.decide(a, None, "ann", False, nugget) is None
    assert acknowledgement.decide(a, "ann", "ann", False, nugget).status == "duplicate"  # type: ignore[union-attr]
    assert acknowledgement.decide(a, "bo", "ann", False, nugget).status == "rejected"  # type: ignore[union-attr]
    assert acknowledgement.decide(a, None, "ann", True, nugget).status == "duplicate"  # type: ignore[union-attr]
    gone = acknowledgement.decide(a, None, "ann", False, acknowledgement.ItemFacts(exists=False))
    assert gone is not None and "no nugget" in (gone.reason or "")
    obs = ack(item_kind="observation", item_id="o1")
    assert acknowledgement.decide(obs, None, "ann", False, acknowledgement.ItemFacts(exists=True, addressed_to="ann")) is None
    refused = acknowledgement.decide(obs, None, "bo", False, acknowledgement.ItemFacts(exists=True, addressed_to="ann"))
    assert refused is not None and "shared with" in (refused.reason or "")
    unshared = acknowledgement.decide(obs, None, "ann", False, acknowledgement.ItemFacts(exists=True, addressed_to=None))
    assert unshared is not None and unshared.status == "rejected"


def test_an_items_state_is_its_latest_event_by_effective_time_then_id() -> None:
    events = [
        acknowledgement.Event(id="b", item_kind="nugget", item_id="n", acknowledged=False, at="t2"),
        acknowledgement.Event(id="a", item_kind="nugget", item_id="n", acknowledged=True, at="t1"),
        acknowledgement.Event(id="c", item_kind="nugget", item_id="m", acknowledged=True, at="t1"),
        acknowledgement.Event(id="d", item_kind="nugget", item_id="m", acknowledged=False, at="t1"),
    ]
    assert acknowledgement.current(events) == {("nugget", "n"): False, ("nugget", "m"): False}


# --- observations ------------------------------------------------------------------------------


def edit(base: int = 0, **values: object) -> observation.ObservationEditV2:
    return observation.ObservationEditV2(id="0193a0c4-5e10-7b2a-9c3d-1e2f3a4b5c6d", base_rev=base, set=dict(values), at=NOW, local_day=1)


def facts(**fields: object) -> observation.Facts:
    values: dict[str, object] = {"record": None, "author": None, "rep": None, "shared": False, "coached_reps": frozenset({"rep"}), **fields}
    return observation.Facts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "patch", "known", "reason"),
    [
        ("coach", edit(rep_id="rep", observed_on="2026-12-01"), facts(), None),
        ("coach", edit(rep_id="stranger", observed_on="2026-12-01"), facts(), "only reps of the teams you coach"),
        ("coach", edit(rep_id="rep"), facts(), "needs `rep_id` and `observed_on`"),
        ("coach", edit(rep_id="rep", observed_on="2026-12-01", rep_response="hi"), facts(), "only the coach's fields"),
        ("coach", edit(1, notes="x"), facts(), "does not exist"),
        ("coach", edit(1, notes="x"), facts(record=object(), author="coach", rep="rep"), None),
        ("coach", edit(1, rep_response="x"), facts(record=object(), author="coach", rep="rep"), "only the rep"),
        ("coach", edit(1, rep_id="other"), facts(record=object(), author="coach", rep="rep"), "cannot change"),
        ("rep", edit(1, rep_response="agreed"), facts(record=object(), author="coach", rep="rep", shared=True), None),
        ("rep", edit(1, rep_response="agreed"), facts(record=object(), author="coach", rep="rep", shared=False), "shared with you"),
        ("rep", edit(1, notes="mine now"), facts(record=object(), author="coach", rep="rep", shared=True), "only `next_step_done`"),
        ("other", edit(1, notes="x"), facts(record=object(), author="coach", rep="rep", shared=True), "your own observations"),
        ("coach", edit(1, **{"rating:asks-first": 7}), facts(record=object(), author="coach", rep="rep"), "rating:asks-first"),
        ("coach", edit(1, **{"colour": "red"}), facts(record=object(), author="coach", rep="rep"), "no field 'colour'"),
        ("coach", edit(1, observed_on="2026-02-30"), facts(record=object(), author="coach", rep="rep"), "not a date"),
        ("coach", edit(1, **{"rating:discovery:asks-goals": 2, "evidence:discovery:asks-goals": "x", "opportunity": "Q3 renewal"}),
         facts(record=object(), author="coach", rep="rep"), None),
        ("coach", edit(1, **{"rating:discovery:asks-goals": 5}), facts(record=object(), author="coach", rep="rep"), "rating:discovery:asks-goals"),
        ("coach", edit(1, **{"rating:discovery:asks:goals": 2}), facts(record=object(), author="coach", rep="rep"), "no field"),
    ],
)
def test_observation_rules(who: str, patch: observation.ObservationEditV2, known: observation.Facts, reason: str | None) -> None:
    decision = observation.decide(patch, who, known)
    if reason is None:
        assert decision is None
    else:
        assert decision is not None and decision.status == "rejected" and reason in (decision.reason or ""), decision


def test_fields_are_short_or_long_as_documented() -> None:
    assert [observation.is_long(n) for n in ("notes", "evidence:x", "rep_response", "rating:x", "shared", "competencies")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip


def test_an_observation_v1_patch_is_upcast_to_v2_unchanged() -> None:
    codec = kinds.codec("observation")
    raw = b'{"id": "0193a0c4-5e10-7b2a-9c3d-1e2f3a4b5c6d", "base_rev": 2, "set": {"rating:asks-first": 3}, "at": "%s", "local_day": 4}'
    for version in (1, 2):
        patch = codec.decode(version, raw % NOW.encode())
        assert type(patch) is observation.ObservationEditV2
        assert (patch.base_rev, patch.set, patch.resolve, patch.local_day) == (2, {"rating:asks-first": 3}, [], 4)
    assert observation.is_long("evidence:discovery:asks-goals") and not observation.is_long("rating:discovery:asks-goals")


# --- sessions ----------------------------------------------------------------------------------


def session_edit(base: int = 0, **values: object) -> session.SessionEditV1:
    return session.SessionEditV1(id="0193a0c4-5e10-7b2a-9c3d-1e2f3a4b5c6d", base_rev=base, set=dict(values), at=NOW, local_day=1)


def held_session(stage: int, stage_rev: int = 1, rev: int = 1) -> edits.Record:
    def stamped(value: object, at_rev: int) -> edits.Value:
        return edits.Value(value=value, stamp=edits.Stamp(rev=at_rev, at=NOW, device="d", by="mod"))

    return edits.Record(
        id="s", rev=rev, fields={"team_id": stamped("demo", 1), "case_owner_id": stamped("owner", 1), "stage": stamped(stage, stage_rev)}
    )


def session_facts(**fields: object) -> session.Facts:
    values: dict[str, object] = {
        "record": None, "moderator": None, "coached_teams": frozenset({"demo"}),
        "members": {"demo": frozenset({"owner", "mod"}), "north": frozenset({"far"})}, **fields,
    }  # fmt: skip
    return session.Facts(**values)  # type: ignore[arg-type]


NEW = {"team_id": "demo", "case_owner_id": "owner", "held_on": "2026-12-01"}


@pytest.mark.parametrize(
    ("who", "patch", "known", "reason"),
    [
        ("mod", session_edit(**NEW, question="What can I do differently when…?"), session_facts(), None),
        ("mod", session_edit(**{**NEW, "team_id": "north", "case_owner_id": "far"}), session_facts(), "only in the teams you coach"),
        ("mod", session_edit(**{**NEW, "case_owner_id": "far"}), session_facts(), "must be a member of the session's team"),
        ("mod", session_edit(team_id="demo", case_owner_id="owner"), session_facts(), "needs `team_id`, `case_owner_id` and `held_on`"),
        ("mod", session_edit(**NEW, stage=3), session_facts(), "stages run in order"),
        ("mod", session_edit(1, ideas="x"), session_facts(), "does not exist"),
        ("mod", session_edit(1, ideas="Call the ward managers."), session_facts(record=held_session(2), moderator="mod"), None),
        ("owner", session_edit(1, reflection="x"), session_facts(record=held_session(2), moderator="mod"), "only the session's moderator"),
        ("mod", session_edit(1, case_owner_id="mod"), session_facts(record=held_session(2), moderator="mod"), "cannot change"),
        ("mod", session_edit(1, stage=3), session_facts(record=held_session(2), moderator="mod"), None),
        ("mod", session_edit(1, stage=4), session_facts(record=held_session(2), moderator="mod"), "the next is 3, not 4"),
        ("mod", session_edit(3, stage=2), session_facts(record=held_session(3, stage_rev=3, rev=3), moderator="mod"), "never goes back"),
        # Not having seen the later stage (another device moved on): accepted, the merge keeps the later stage.
        ("mod", session_edit(2, stage=2), session_facts(record=held_session(3, stage_rev=3, rev=3), moderator="mod"), None),
        ("mod", session_edit(1, follow_up_on="2026-02-30"), session_facts(record=held_session(2), moderator="mod"), "not a date"),
        ("mod", session_edit(1, mood="fine"), session_facts(record=held_session(2), moderator="mod"), "no field 'mood'"),
    ],
)
def test_session_rules(who: str, patch: session.SessionEditV1, known: session.Facts, reason: str | None) -> None:
    decision = session.decide(patch, who, known)
    if reason is None:
        assert decision is None
    else:
        assert decision is not None and decision.status == "rejected" and reason in (decision.reason or ""), decision


def test_session_fields_are_short_long_or_ordered_and_a_new_session_starts_at_stage_1() -> None:
    assert [session.is_long(n) for n in ("question", "ideas", "commitment", "held_on", "follow_up_on", "stage")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip
    assert session.is_ordered("stage") and not session.is_ordered("held_on")
    assert session.patch_of(session_edit(**NEW), NOW, "d", "mod", new=True).set["stage"] == 1
    assert "stage" not in session.patch_of(session_edit(1, ideas="x"), NOW, "d", "mod", new=False).set


# --- sequencing --------------------------------------------------------------------------------


def sent(seq: int, mid: str = "", h: str = "h") -> sequencing.Sent:
    return sequencing.Sent(client_seq=seq, id=mid or f"m{seq}", hash=h)


def stored(seq: int, h: str | None = "h") -> sequencing.Stored:
    return sequencing.Stored(client_seq=seq, id=f"m{seq}", hash=h, status="applied", reason=None)


def test_sequencing_plans_repeats_then_fresh_mutations() -> None:
    steps = sequencing.plan([sent(4), sent(5), sent(6)], 5, {4: stored(4), 5: stored(5)})
    assert [(s.repeat is not None, s.same_as) for s in steps] == [(True, None), (True, None), (False, None)]
    twice = sequencing.plan([sent(6), sent(6)], 5, {})
    assert twice[1].same_as == 0
    assert sequencing.plan([sent(1)], 0, {4: stored(4, None)})[0].repeat is None


@pytest.mark.parametrize(
    ("batch", "error", "expected"),
    [([sent(7)], sequencing.Gap, 6), ([sent(6), sent(8)], sequencing.Gap, 6), ([sent(7), sent(6)], sequencing.Gap, 6),
     ([sent(5, h="other")], sequencing.Reused, 6), ([sent(5, mid="m-other")], sequencing.Reused, 6),
     ([sent(6), sent(6, h="other")], sequencing.Reused, 6)],
)  # fmt: skip
def test_sequencing_refuses_gaps_and_reuse(batch: list[sequencing.Sent], error: type[Exception], expected: int) -> None:
    with pytest.raises(error) as raised:
        sequencing.plan(batch, 5, {5: stored(5)})
    assert raised.value.expected_seq == expected  # type: ignore[attr-defined]


def test_a_ledger_row_without_a_hash_matches_by_id() -> None:
    assert sequencing.repeats_only([sent(5, h="any")], 5, {5: stored(5, None)}) == [stored(5, None)]
    assert sequencing.repeats_only([sent(5), sent(6)], 5, {5: stored(5)}) is None


# --- incremental replay equals full replay -----------------------------------------------------

answers = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 5), st.booleans(), st.integers(1, 3)), min_size=1, max_size=25, unique_by=lambda t: t[:2]
)


@given(answers, st.integers(0, 24), st.integers(1, 2), st.sampled_from(["fsrs", "classic", "turbo"]))
def test_stepping_on_from_stored_progress_equals_a_full_replay(raw: list[tuple[int, int, bool, int]], split: int, epoch: int, policy: str) -> None:
    settings = settings_for(policy)  # type: ignore[arg-type]
    history = [
        RecordedAnswer(id=f"{i:04d}", day=20_000 + day, answered_at=f"2026-12-01T00:00:0{t}.000Z", correct=right, rev=rev)
        for i, (day, t, right, rev) in enumerate(raw)
    ]
    before, new = history[: split % len(history)], history[split % len(history) :]
    state, basis = replayed(before, epoch, settings)
    stepped = advanced(as_wire("q", state, epoch), basis, new, epoch, settings)
    full, _ = replayed(history, epoch, settings)
    if stepped is not None:  # it steps on only when it can be sure
        assert stepped[0] == full
    # Answers that come after everything replayed always step on.
    ordered = sorted(history, key=lambda a: (a.day, a.answered_at, a.id))
    cut = split % len(ordered)
    state, basis = replayed(ordered[:cut], epoch, settings)
    stepped = advanced(as_wire("q", state, epoch), basis, ordered[cut:], epoch, settings)
    assert stepped is not None and stepped[0] == full


def test_another_epoch_or_other_settings_take_a_full_replay() -> None:
    first = [RecordedAnswer(id="a", day=1, answered_at=NOW, correct=True, rev=1)]
    later = [RecordedAnswer(id="b", day=5, answered_at=NOW, correct=True, rev=1)]
    state, basis = replayed(first, 1, settings_for("fsrs"))
    assert advanced(as_wire("q", state, 1), basis, later, 2, settings_for("fsrs")) is None
    assert advanced(as_wire("q", state, 1), basis, later, 1, settings_for("classic")) is None
    assert advanced(as_wire("q", state, 1), None, later, 1, settings_for("fsrs")) is None

"""The merge rule for edited records (sync/edits.py), case by case as docs/sync.md's table lists them.

Pure: no database, no server. The fault state machine (tests/support/faults.py) checks the same
rule end to end, with concurrent devices under faults.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sync import edits
from sync.kinds import observation, pitch, session

LONG = observation.is_long


def patch(base: int, values: dict[str, object], at: str, device: str = "A", resolve: tuple[str, ...] = (), by: str = "coach") -> edits.Patch:
    return edits.Patch(base_rev=base, set=values, resolve=resolve, at=at, device=device, by=by)


def merged(*patches: edits.Patch) -> tuple[edits.Record, edits.Outcome]:
    record = edits.Record(id="obs")
    outcome = None
    for p in patches:
        outcome = edits.merge(record, p, LONG)
        record = outcome.record
    assert outcome is not None
    return record, outcome


def test_a_field_nobody_else_changed_is_taken() -> None:
    record, outcome = merged(patch(0, {"notes": "a", "meeting_type": "demo"}, "t1"), patch(1, {"notes": "b"}, "t2"))
    assert record.values() == {"notes": "b", "meeting_type": "demo"} and outcome.applied == ("notes",)
    assert record.rev == 2


def test_a_devices_own_later_save_from_the_same_base_is_no_conflict() -> None:
    # Saved twice offline: both patches name the revision the device last pulled.
    record, outcome = merged(patch(0, {"notes": "a"}, "t1", "B"), patch(1, {"notes": "draft"}, "t2", "A"), patch(1, {"notes": "final", "meeting_type": "demo"}, "t3", "A"))
    assert outcome.applied == ("notes", "meeting_type") and record.conflicts == {} and record.values()["notes"] == "final"
    # Another device's write in between is still a conflict for it, and stays flagged.
    record, outcome = merged(patch(0, {"notes": "a"}, "t1", "B"), patch(1, {"notes": "mine"}, "t2", "A"), patch(1, {"notes": "theirs"}, "t3", "B"), patch(1, {"notes": "mine, later"}, "t4", "A"))
    assert record.values()["notes"] == "mine, later" and [v.value for v in record.conflicts["notes"]] == ["theirs"]


def test_the_same_value_from_both_sides_is_no_conflict() -> None:
    record, outcome = merged(patch(0, {"notes": "a"}, "t1"), patch(1, {"notes": "x"}, "t2", "A"), patch(1, {"notes": "x"}, "t3", "B"))
    assert outcome.unchanged == ("notes",) and record.conflicts == {}


def test_short_fields_changed_on_both_sides_go_to_the_later_edit_whatever_arrives_last() -> None:
    base = patch(0, {"meeting_type": "first"}, "t1")
    later, earlier = patch(1, {"meeting_type": "demo"}, "t3", "A"), patch(1, {"meeting_type": "pitch"}, "t2", "B")
    for order in ((later, earlier), (earlier, later)):
        record, _ = merged(base, *order)
        assert record.values()["meeting_type"] == "demo"
    _, outcome = merged(base, later, earlier)
    assert outcome.lost == ("meeting_type",)


def test_an_exact_tie_in_time_is_broken_by_the_device_id() -> None:
    base = patch(0, {"rating:asks-first": 1}, "t1")
    a, b = patch(1, {"rating:asks-first": 2}, "t2", "A"), patch(1, {"rating:asks-first": 3}, "t2", "B")
    assert merged(base, a, b)[0].values()["rating:asks-first"] == 3
    assert merged(base, b, a)[0].values()["rating:asks-first"] == 3


def test_long_text_changed_on_both_sides_keeps_both_and_flags_it() -> None:
    record, outcome = merged(patch(0, {"notes": "start"}, "t1"), patch(1, {"notes": "mine"}, "t2", "A"), patch(1, {"notes": "theirs"}, "t3", "B"))
    assert outcome.conflicted == ("notes",)
    assert record.values()["notes"] == "mine"  # the stored value stays
    assert [v.value for v in record.conflicts["notes"]] == ["theirs"]  # the other is kept beside it


def test_setting_a_field_having_seen_its_conflicts_resolves_them() -> None:
    record, _ = merged(patch(0, {"notes": "s"}, "t1"), patch(1, {"notes": "a"}, "t2", "A"), patch(1, {"notes": "b"}, "t3", "B"))
    outcome = edits.merge(record, patch(3, {"notes": "a and b"}, "t4", "A"), LONG)
    assert outcome.resolved == ("notes",) and outcome.record.conflicts == {} and outcome.record.values()["notes"] == "a and b"


def test_resolve_keeps_the_stored_value_and_clears_the_flag() -> None:
    record, _ = merged(patch(0, {"notes": "s"}, "t1"), patch(1, {"notes": "a"}, "t2", "A"), patch(1, {"notes": "b"}, "t3", "B"))
    outcome = edits.merge(record, patch(3, {}, "t4", resolve=("notes",)), LONG)
    assert outcome.resolved == ("notes",) and outcome.record.values()["notes"] == "a" and outcome.record.conflicts == {}


def test_a_conflict_not_yet_seen_stays_flagged() -> None:
    record, _ = merged(patch(0, {"notes": "s"}, "t1"), patch(1, {"notes": "a"}, "t2", "A"), patch(1, {"notes": "b"}, "t3", "B"))
    # Based on rev 2: the conflict (rev 3) had not reached this device.
    outcome = edits.merge(record, patch(2, {}, "t4", resolve=("notes",)), LONG)
    assert outcome.resolved == () and "notes" in outcome.record.conflicts


def test_every_patch_is_a_revision_even_when_nothing_changes() -> None:
    record, outcome = merged(patch(0, {"notes": "a"}, "t1", "A"), patch(0, {"notes": "a"}, "t2", "B"))
    assert record.rev == 2 and outcome.unchanged == ("notes",) and record.fields["notes"].stamp.rev == 1


field_names = st.sampled_from(["notes", "strengths", "meeting_type", "rating:asks-first", "shared"])
values = st.sampled_from(["a", "b", "c", 1, 2, True])


@given(st.lists(st.tuples(st.integers(0, 6), st.dictionaries(field_names, values, max_size=3), st.integers(0, 9), st.sampled_from("AB")), max_size=12))
def test_replaying_the_log_gives_the_stored_record(raw: list[tuple[int, dict[str, object], int, str]]) -> None:
    """What every replica computes from the revision log equals the record as merged step by step."""
    patches = [patch(min(base, i), values_, f"t{t}", device) for i, (base, values_, t, device) in enumerate(raw)]
    record = edits.Record(id="obs")
    for p in patches:
        record = edits.merge(record, p, LONG).record
    assert edits.replay("obs", patches, LONG) == record
    assert record.rev == len(patches)


# --- ordered fields (a session's stage) ----------------------------------------------------------


def stage_merge(*patches: edits.Patch) -> tuple[edits.Record, edits.Outcome]:
    record, outcome = edits.Record(id="session"), None
    for p in patches:
        outcome = edits.merge(record, p, session.is_long, session.is_ordered)
        record = outcome.record
    assert outcome is not None
    return record, outcome


def test_an_ordered_field_keeps_the_furthest_value_whoever_edits_last() -> None:
    start = patch(0, {"stage": 1, "question": "q"}, "t1")
    ahead, behind = patch(1, {"stage": 3}, "t2", "A"), patch(1, {"stage": 2}, "t3", "B")  # the later edit is behind
    for order in ((ahead, behind), (behind, ahead)):
        record, _ = stage_merge(start, *order)
        assert record.values()["stage"] == 3
    _, outcome = stage_merge(start, ahead, behind)
    assert outcome.lost == ("stage",)
    _, outcome = stage_merge(start, behind, ahead)
    assert outcome.applied == ("stage",)
    # The same stage from both devices is no change; long text on a session follows the observation rule.
    record, outcome = stage_merge(start, patch(1, {"stage": 2, "ideas": "a"}, "t2", "A"), patch(1, {"stage": 2, "ideas": "b"}, "t3", "B"))
    assert outcome.unchanged == ("stage",) and outcome.conflicted == ("ideas",) and record.values()["ideas"] == "a"


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(1, 4), st.integers(0, 9), st.sampled_from("AB")), min_size=1, max_size=12))
def test_a_stage_never_goes_back_and_replay_agrees(raw: list[tuple[int, int, int, str]]) -> None:
    patches = [patch(min(base, i), {"stage": stage}, f"t{t}", device) for i, (base, stage, t, device) in enumerate(raw)]
    record = edits.Record(id="session")
    highest = 0
    for p in patches:
        record = edits.merge(record, p, session.is_long, session.is_ordered).record
        highest = max(highest, int(p.set["stage"]))  # type: ignore[call-overload]
        assert record.values()["stage"] == highest
    assert edits.replay("session", patches, session.is_long, session.is_ordered) == record


# --- joined lists (a pitch's comments) -----------------------------------------------------------

GOOD, PAUSE, ASK = ({"t_ms": t, "text": text} for t, text in ((1_000, "Good opening"), (4_000, "Pause"), (9_000, "Ask")))


def merged_pitch(*patches: edits.Patch) -> tuple[edits.Record, edits.Outcome]:
    record, outcome = edits.Record(id="pitch"), None
    for p in patches:
        outcome = edits.merge(record, p, pitch.is_long, joined=pitch.joined)
        record = outcome.record
    assert outcome is not None
    return record, outcome


def test_two_reviewers_adding_comments_at_once_both_keep_theirs_whatever_arrives_last() -> None:
    first = patch(0, {"comments": [GOOD]}, "t1", "A")
    mine, theirs = patch(1, {"comments": [GOOD, PAUSE]}, "t3", "A"), patch(1, {"comments": [GOOD, ASK]}, "t2", "B")
    for order, expected in (((mine, theirs), [GOOD, PAUSE, ASK]), ((theirs, mine), [GOOD, ASK, PAUSE])):
        record, outcome = merged_pitch(first, *order)
        assert record.values()["comments"] == expected and outcome.joined == ("comments",) and outcome.applied == ("comments",)
        assert record.conflicts == {}


def test_a_comment_deleted_while_another_reviewer_added_one_comes_back_and_nothing_is_lost() -> None:
    first = patch(0, {"comments": [GOOD, PAUSE]}, "t1", "A")
    deleted, added = patch(1, {"comments": [GOOD]}, "t2", "A"), patch(1, {"comments": [GOOD, PAUSE, ASK]}, "t3", "B")
    record, _ = merged_pitch(first, deleted, added)
    assert record.values()["comments"] == [GOOD, PAUSE, ASK]
    # Deleting again, having seen the other's list, sticks.
    record, outcome = merged_pitch(first, deleted, added, patch(3, {"comments": [GOOD, ASK]}, "t4", "A"))
    assert record.values()["comments"] == [GOOD, ASK] and outcome.joined == ()


def test_a_join_past_the_limit_is_decided_as_a_short_field() -> None:
    many = [{"t_ms": i, "text": f"c{i}"} for i in range(pitch.MAX_COMMENTS)]
    record, outcome = merged_pitch(patch(0, {"comments": []}, "t1"), patch(1, {"comments": many}, "t2", "A"), patch(1, {"comments": [ASK]}, "t3", "B"))
    assert record.values()["comments"] == [ASK] and outcome.applied == ("comments",) and outcome.joined == ()


def test_the_join_is_the_pitch_kinds_rule_and_without_it_a_comment_is_lost() -> None:
    assert pitch.joined("comments") == pitch.MAX_COMMENTS and pitch.joined("feedback") == 0 and edits.not_joined("comments") == 0
    base = patch(0, {"comments": [GOOD]}, "t1", "A")
    record, outcome = merged_pitch(base, patch(1, {"comments": [PAUSE]}, "t3", "A"), patch(1, {"comments": [ASK]}, "t2", "B"))
    assert record.values()["comments"] == [PAUSE, ASK] and outcome.joined == ("comments",)
    plain = edits.merge(edits.merge(edits.merge(edits.Record(id="x"), base, pitch.is_long).record, patch(1, {"comments": [PAUSE]}, "t3", "A"), pitch.is_long).record, patch(1, {"comments": [ASK]}, "t2", "B"), pitch.is_long)
    assert plain.record.values()["comments"] == [PAUSE] and plain.lost == ("comments",)

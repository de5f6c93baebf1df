"""The `session` kind: an intervision (group coaching) session a moderator records for a team.

Like an observation, a session is an edited record (sync/edits.py): each mutation is a patch of
named fields against the revision the device last saw, merged by the same rule, every patch kept.

| field | short, long or ordered | value |
|---|---|---|
| `team_id` | short, at creation only | the team the session is held in |
| `case_owner_id` | short, at creation only | the user id of the member who brings the case |
| `held_on` | short | a date, YYYY-MM-DD |
| `stage` | **ordered** | 1 case and question, 2 clarifying questions, 3 explore and advise, 4 reflect and commit |
| `follow_up_on` | short | a date, or null: when the owner's commitment comes back to them |
| `question`, `clarifying_questions`, `ideas`, `reflection`, `commitment`, `notes` | long | text, at most 4,000 characters |

The stage only moves forward, one stage at a time: a patch may set it to the stored stage or
the next one; a patch that would skip a stage is rejected, and one that would take it back
(having seen the later stage) too. Two devices that disagree (one moved on while the other,
offline, stayed or moved less far) end on the furthest stage: an ordered field's higher value
wins the merge, whoever wrote it last.

Who may write: creating needs a coach of the team (who becomes the session's moderator) and a
case owner who is a member of that team; editing, the moderator only. Who receives it in pulls:
the moderator and the team's members at the time of the edit (the case stays in the room:
docs/sync.md "Sessions").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from sync import edits
from sync.kinds.base import Codec, Decision, Rejected, checked_fields, identity
from sync.wire import Base, LocalDay, Timestamp, Uuid7

KIND = "session"
MAX_FIELDS = 32
STAGES = ("case and question", "clarifying questions", "explore and advise", "reflect and commit")

LongText = Annotated[str, msgspec.Meta(max_length=4_000)]
DateText = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Stage = Annotated[int, msgspec.Meta(ge=1, le=len(STAGES))]

# name -> (kind of field, type): "short" (last writer wins), "long" (conflicts kept), "ordered".
FIELDS: dict[str, tuple[str, Any]] = {
    "team_id": ("short", Id),
    "case_owner_id": ("short", Id),
    "held_on": ("short", DateText),
    "stage": ("ordered", Stage),
    "follow_up_on": ("short", DateText | None),
    "question": ("long", LongText),
    "clarifying_questions": ("long", LongText),
    "ideas": ("long", LongText),
    "reflection": ("long", LongText),
    "commitment": ("long", LongText),
    "notes": ("long", LongText),
}
FIXED = ("team_id", "case_owner_id")  # set at creation, never changed


class SessionEditV1(Base, kw_only=True):
    """Payload of a `session` mutation, version 1: one patch. Creating is a patch with `base_rev`
    0 that sets at least `team_id`, `case_owner_id` and `held_on` (the stage starts at 1)."""

    id: Uuid7  # the session's id, made by the device that created it
    base_rev: Annotated[int, msgspec.Meta(ge=0)]
    set: Annotated[dict[str, Any], msgspec.Meta(max_length=MAX_FIELDS)]
    resolve: Annotated[list[str], msgspec.Meta(max_length=MAX_FIELDS)] = msgspec.field(default_factory=list)
    at: Timestamp  # the device's clock
    local_day: LocalDay


CODEC: Codec[SessionEditV1] = Codec(kind=KIND, current=SessionEditV1, versions={1: (SessionEditV1, identity)})


def spec(name: str) -> tuple[str, Any]:
    found = FIELDS.get(name)
    if found is None:
        raise Rejected(f"a session has no field {name!r}")
    return found


def is_long(name: str) -> bool:
    return spec(name)[0] == "long"


def is_ordered(name: str) -> bool:
    return spec(name)[0] == "ordered"


def checked_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Each value converted to its field's type, or `Rejected` naming the field."""
    return checked_fields(KIND, values, lambda name: spec(name)[1], dates=("held_on", "follow_up_on"))


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What the rule needs: the stored session, its moderator, and the writer's teams."""

    record: edits.Record | None
    moderator: str | None
    coached_teams: frozenset[str]  # teams the writer coaches
    members: Mapping[str, frozenset[str]]  # team id -> its members' user ids (for the teams named)


def _stage_refusal(values: Mapping[str, Any], record: edits.Record | None, base_rev: int) -> str | None:
    if "stage" not in values:
        return None
    wanted = values["stage"]
    held = record.fields.get("stage") if record is not None else None
    current = held.value if held is not None else 1
    if wanted > current + 1:
        return f"stages run in order: this session is at stage {current}, so the next is {current + 1}, not {wanted}"
    if wanted < current and held is not None and held.stamp.rev <= base_rev:
        return f"a session's stage never goes back (it is at stage {current})"
    return None


def decide(edit: SessionEditV1, user_id: str, facts: Facts) -> Decision | None:
    """`rejected` with a reason, or None when the patch is to be merged."""
    try:
        values = checked_values(edit.set)
        for name in edit.resolve:
            spec(name)
    except Rejected as exc:
        return Decision.rejected(exc.reason)
    if facts.record is None:
        if edit.base_rev != 0:
            return Decision.rejected("this session does not exist (it may have been created elsewhere and not synced)")
        if any(name not in values for name in (*FIXED, "held_on")):
            return Decision.rejected("a new session needs `team_id`, `case_owner_id` and `held_on`")
        if values["team_id"] not in facts.coached_teams:
            return Decision.rejected("you can moderate sessions only in the teams you coach")
        if values["case_owner_id"] not in facts.members.get(values["team_id"], frozenset()):
            return Decision.rejected("the case owner must be a member of the session's team")
    else:
        if user_id != facts.moderator:
            return Decision.rejected("only the session's moderator can edit it")
        for name in FIXED:
            if name in values and values[name] != facts.record.values().get(name):
                return Decision.rejected(f"a session's `{name}` cannot change: record a new session")
    refusal = _stage_refusal(values, facts.record, edit.base_rev)
    return Decision.rejected(refusal) if refusal else None


def patch_of(edit: SessionEditV1, effective_at: str, device_id: str, user_id: str, new: bool) -> edits.Patch:
    values = checked_values(edit.set)
    if new:
        values.setdefault("stage", 1)
    return edits.Patch(
        base_rev=edit.base_rev, set=values, resolve=tuple(edit.resolve), at=effective_at, device=device_id, by=user_id,
    )  # fmt: skip

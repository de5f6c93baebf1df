"""The `observation` kind: a coach's ride-along observation of a rep, edited offline by patches.

An observation is an edited record (sync/edits.py): each mutation is a patch of named fields
against the revision the device last saw; the merge rule decides what each field becomes, and
every patch is kept as a revision. Fields belong to a side: the coach who wrote it edits the
coach's fields, the rep edits theirs once it has been shared with them.

| field | side | short or long | value |
|---|---|---|---|
| `rep_id` | coach, at creation only | short | the rep's user id |
| `observed_on` | coach | short | a date, YYYY-MM-DD |
| `meeting_type`, `phase` | coach | short | text, at most 60 characters |
| `customer`, `opportunity` | coach | short | text, at most 120 characters (`opportunity`: v2) |
| `competencies` | coach | short | up to 10 competency ids |
| `rating:<rubric>:<behaviour>` (v2), `rating:<behaviour>` | coach | short | 1 to 4, or null |
| `next_step_due` | coach | short | a date, or null |
| `shared` | coach | short | true once shared with the rep |
| `strengths`, `next_step`, `notes`, `evidence:<rubric>:<behaviour>` (v2), `evidence:<behaviour>` | coach | long | text, at most 4,000 characters |
| `next_step_done` | rep | short | true or false |
| `rep_response` | rep | long | text, at most 4,000 characters |

Payload versions: v2 has v1's shape and names a rating by its rubric and behaviour
(`rating:<rubric_id>:<behaviour_id>`, the ids of the `rubrics` content) and adds `opportunity`;
a v1 patch is upcast unchanged (its `rating:<behaviour>` names stay valid). A device sends new
names as v2, so a server that does not know them yet answers `payload_unsupported` (kept, retried)
instead of rejecting them for good.

Who may write: creating needs a coach of one of the rep's teams (a manager of the team reads
them, read-only); editing coach fields, the
observation's author; rep fields, its rep, once shared. Who receives it in pulls: its author,
and its rep once it is shared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from sync import edits
from sync.kinds.base import Codec, Decision, Rejected, checked_fields, identity
from sync.wire import Base, LocalDay, Timestamp, Uuid7

KIND = "observation"
MAX_FIELDS = 64

Short60 = Annotated[str, msgspec.Meta(max_length=60)]
LongText = Annotated[str, msgspec.Meta(max_length=4_000)]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
DateText = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Level = Annotated[int, msgspec.Meta(ge=1, le=4)]

# name -> (side, long?, type). Behaviour fields are `rating:<slug>` and `evidence:<slug>`.
FIELDS: dict[str, tuple[str, bool, Any]] = {
    "rep_id": ("coach", False, Annotated[str, msgspec.Meta(min_length=1, max_length=80)]),
    "observed_on": ("coach", False, DateText),
    "meeting_type": ("coach", False, Short60),
    "phase": ("coach", False, Short60),
    "customer": ("coach", False, Annotated[str, msgspec.Meta(max_length=120)]),
    "opportunity": ("coach", False, Annotated[str, msgspec.Meta(max_length=120)]),
    "competencies": ("coach", False, Annotated[list[Slug], msgspec.Meta(max_length=10)]),
    "next_step_due": ("coach", False, DateText | None),
    "shared": ("coach", False, bool),
    "strengths": ("coach", True, LongText),
    "next_step": ("coach", True, LongText),
    "notes": ("coach", True, LongText),
    "next_step_done": ("rep", False, bool),
    "rep_response": ("rep", True, LongText),
}
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_BEHAVIOUR = re.compile(rf"^(rating|evidence):((?:{_SLUG}:)?{_SLUG})$")
_BEHAVIOUR_FIELDS: dict[str, tuple[str, bool, Any]] = {"rating": ("coach", False, Level | None), "evidence": ("coach", True, LongText)}


class ObservationEditV1(Base, kw_only=True):
    """Payload of an `observation` mutation, version 1: one patch. Creating is a patch with
    `base_rev` 0 that sets at least `rep_id` and `observed_on`."""

    id: Uuid7  # the observation's id, made by the device that created it
    base_rev: Annotated[int, msgspec.Meta(ge=0)]
    set: Annotated[dict[str, Any], msgspec.Meta(max_length=MAX_FIELDS)]
    resolve: Annotated[list[str], msgspec.Meta(max_length=MAX_FIELDS)] = msgspec.field(default_factory=list)
    at: Timestamp  # the device's clock
    local_day: LocalDay


class ObservationEditV2(ObservationEditV1, kw_only=True):
    """Payload of an `observation` mutation, version 2: v1's shape; ratings and evidence named
    `rating:<rubric_id>:<behaviour_id>`, and an `opportunity` field."""


def upcast_v1(v1: ObservationEditV1) -> ObservationEditV2:
    """A v1 patch as v2: the same fields (its `rating:<behaviour>` names stay valid)."""
    return ObservationEditV2(**{name: getattr(v1, name) for name in v1.__struct_fields__})


CODEC: Codec[ObservationEditV2] = Codec(
    kind=KIND, current=ObservationEditV2, versions={1: (ObservationEditV1, upcast_v1), 2: (ObservationEditV2, identity)}
)


def spec(name: str) -> tuple[str, bool, Any]:
    """(side, long?, type) of a field; `Rejected` for a name no observation has."""
    found = FIELDS.get(name)
    if found is not None:
        return found
    behaviour = _BEHAVIOUR.match(name)
    if behaviour:
        return _BEHAVIOUR_FIELDS[behaviour.group(1)]
    raise Rejected(f"an observation has no field {name!r}")


def is_long(name: str) -> bool:
    return spec(name)[1]


def checked_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Each value converted to its field's type, or `Rejected` naming the field."""
    return checked_fields(KIND, values, lambda name: spec(name)[2], dates=("observed_on", "next_step_due"))


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What the rule needs to know: the stored observation and who the writer coaches."""

    record: edits.Record | None
    author: str | None
    rep: str | None
    shared: bool
    coached_reps: frozenset[str]  # reps in the teams the writer coaches or manages
    # (rubric, behaviour) pairs of every published version of the rubrics the patch names; a
    # v2 rating or evidence must name one of them. None: not checked.
    behaviours: frozenset[tuple[str, str]] | None = None


def rubric_ids(values: Mapping[str, Any]) -> set[str]:
    """The rubrics named by v2 rating and evidence fields (`rating:<rubric>:<behaviour>`)."""
    return {parts[1] for parts in (name.split(":") for name in values) if len(parts) == 3}


def unknown_behaviour(values: Mapping[str, Any], behaviours: frozenset[tuple[str, str]]) -> str | None:
    """The first field naming a rubric behaviour never published, or None."""
    for name in sorted(values):
        parts = name.split(":")
        if len(parts) == 3 and (parts[1], parts[2]) not in behaviours:
            return name
    return None


def decide(edit: ObservationEditV2, user_id: str, facts: Facts) -> Decision | None:
    """`rejected` with a reason, or None when the patch is to be merged."""
    try:
        values = checked_values(edit.set)
        for name in edit.resolve:
            spec(name)
    except Rejected as exc:
        return Decision.rejected(exc.reason)
    if facts.behaviours is not None and (unknown := unknown_behaviour({**values, **dict.fromkeys(edit.resolve)}, facts.behaviours)):
        return Decision.rejected(f"{unknown}: no published rubric has this behaviour (rubric {unknown.split(':')[1]!r})")
    sides = {spec(name)[0] for name in values}
    if facts.record is None:
        if edit.base_rev != 0:
            return Decision.rejected("this observation does not exist (it may have been created elsewhere and not synced)")
        if "rep_id" not in values or "observed_on" not in values:
            return Decision.rejected("a new observation needs `rep_id` and `observed_on`")
        if values["rep_id"] not in facts.coached_reps:
            return Decision.rejected("you can observe only reps of the teams you coach")
        if sides != {"coach"}:
            return Decision.rejected("a new observation holds only the coach's fields")
        return None
    if "rep_id" in values and values["rep_id"] != facts.rep:
        return Decision.rejected("an observation's rep cannot change: make a new observation")
    if user_id == facts.author:
        if sides - {"coach"}:
            return Decision.rejected("only the rep can write the rep's fields")
        return None
    if user_id == facts.rep and facts.shared:
        if sides - {"rep"} or edit.resolve:
            return Decision.rejected("the rep can write only `next_step_done` and `rep_response`")
        return None
    return Decision.rejected("you can edit only your own observations, or those shared with you")


def patch_of(edit: ObservationEditV2, effective_at: str, device_id: str, user_id: str) -> edits.Patch:
    return edits.Patch(
        base_rev=edit.base_rev, set=checked_values(edit.set), resolve=tuple(edit.resolve),
        at=effective_at, device=device_id, by=user_id,
    )  # fmt: skip

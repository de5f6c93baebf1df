"""The `pitch` kind: a rep's recorded answer to a pitch prompt, and a coach's review of it.

A pitch is an edited record (sync/edits.py), like an observation: each mutation is a patch of
named fields against the revision the device last saw. The rep creates it on their phone, with no
signal, when they submit a recording; the video itself travels apart (docs/uploads.md), named here
by its SHA-256. Fields belong to a side:

| field | side | merged as | value |
|---|---|---|---|
| `prompt_id` | rep, at creation, never changes | short | a pitch prompt id (content `pitch_prompts`) |
| `recorded_on` | rep, at creation | short | a date, YYYY-MM-DD |
| `video_sha256`, `video_size`, `video_type` | rep, at creation, never change | short | the recording: 64 hex digits, bytes, `video/webm` or `video/mp4` |
| `duration_ms` | rep, at creation | short | 1 to 200,000 |
| `exemplar_consent` | rep | short | true: the rep lets the team see it as a good example; false: not (or no more) |
| `score:<rubric>:<behaviour>` | coach | short | 1 to 4, or null |
| `comments` | coach | joined list | up to 100 comments pinned to moments: `{"t_ms": 12000, "text": "..."}` |
| `feedback` | coach | long | text, at most 4,000 characters |
| `reviewed` | coach | short | true once the review is shared with the rep |
| `exemplar_proposed` | coach | short | true: the coach proposes it as a good example |

Who may write: creating, the rep themselves; the rep's fields, its rep; the coach's fields, a
coach of one of the rep's teams (managers read, never write). Who receives it in pulls: its rep
and every coach and manager of the rep's teams. A good example (proposed and consented) reaches
the rep's teams as the pull's `exemplars` list (server/pitches/exemplars.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec

from sync import edits
from sync.kinds.base import Codec, Decision, Rejected, checked_fields, identity
from sync.wire import Base, LocalDay, Timestamp, Uuid7

KIND = "pitch"
MAX_FIELDS = 64
MAX_VIDEO_BYTES = 200 * 1024 * 1024
MAX_DURATION_MS = 200_000
MAX_COMMENTS = 100

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
DateText = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Level = Annotated[int, msgspec.Meta(ge=1, le=4)]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class Comment(msgspec.Struct, forbid_unknown_fields=True):
    """A coach's comment pinned to a moment of the video."""

    t_ms: Annotated[int, msgspec.Meta(ge=0, le=MAX_DURATION_MS)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


FIELDS: dict[str, tuple[str, bool, Any]] = {
    "prompt_id": ("rep", False, Slug),
    "recorded_on": ("rep", False, DateText),
    "video_sha256": ("rep", False, Sha256),
    "video_size": ("rep", False, Annotated[int, msgspec.Meta(ge=1, le=MAX_VIDEO_BYTES)]),
    "video_type": ("rep", False, Literal["video/webm", "video/mp4"]),
    "duration_ms": ("rep", False, Annotated[int, msgspec.Meta(ge=1, le=MAX_DURATION_MS)]),
    "exemplar_consent": ("rep", False, bool),
    "comments": ("coach", False, Annotated[list[Comment], msgspec.Meta(max_length=MAX_COMMENTS)]),
    "feedback": ("coach", True, Annotated[str, msgspec.Meta(max_length=4_000)]),
    "reviewed": ("coach", False, bool),
    "exemplar_proposed": ("coach", False, bool),
}
CREATED = ("prompt_id", "recorded_on", "video_sha256", "video_size", "video_type", "duration_ms")
FIXED = ("prompt_id", "video_sha256", "video_size", "video_type")  # never change after creation
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SCORE = re.compile(rf"^score:({_SLUG}):({_SLUG})$")


class PitchEditV1(Base, kw_only=True):
    """Payload of a `pitch` mutation, version 1: one patch. Creating is a patch with `base_rev` 0
    that sets every field of `CREATED`."""

    id: Uuid7  # the pitch's id, made by the rep's device
    base_rev: Annotated[int, msgspec.Meta(ge=0)]
    set: Annotated[dict[str, Any], msgspec.Meta(max_length=MAX_FIELDS)]
    resolve: Annotated[list[str], msgspec.Meta(max_length=MAX_FIELDS)] = msgspec.field(default_factory=list)
    at: Timestamp  # the device's clock
    local_day: LocalDay


CODEC: Codec[PitchEditV1] = Codec(kind=KIND, current=PitchEditV1, versions={1: (PitchEditV1, identity)})


def spec(name: str) -> tuple[str, bool, Any]:
    """(side, long?, type) of a field; `Rejected` for a name no pitch has."""
    found = FIELDS.get(name)
    if found is not None:
        return found
    if _SCORE.match(name):
        return ("coach", False, Level | None)
    raise Rejected(f"a pitch has no field {name!r}")


def is_long(name: str) -> bool:
    return spec(name)[1]


def joined(name: str) -> int:
    """A coach's comments are a joined list (sync/edits.py): two reviewers who add comments at
    once both keep theirs."""
    return MAX_COMMENTS if name == "comments" else 0


def checked_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Each value converted to its field's type (comments as plain dicts), or `Rejected` naming the field."""
    out = checked_fields(KIND, values, lambda name: spec(name)[2], dates=("recorded_on",))
    if "comments" in out:
        out["comments"] = [{"t_ms": c.t_ms, "text": c.text} for c in out["comments"]]
    return out


def scores_named(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (rubric, behaviour) pairs a patch's `score:` fields name."""
    return [(m.group(1), m.group(2)) for m in map(_SCORE.match, values) if m]


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What the rule needs: the stored pitch, its rep, and who the writer coaches."""

    record: edits.Record | None
    rep: str | None
    coached_reps: frozenset[str]  # reps in the teams the writer coaches (not manages)
    prompts: frozenset[str]  # the ids of every published version's pitch prompts
    # (rubric, behaviour) pairs of every published version of the rubrics the patch names.
    behaviours: frozenset[tuple[str, str]] = frozenset()


def decide(edit: PitchEditV1, user_id: str, facts: Facts) -> Decision | None:
    """`rejected` with a reason, or None when the patch is to be merged."""
    try:
        values = checked_values(edit.set)
        for name in edit.resolve:
            spec(name)
    except Rejected as exc:
        return Decision.rejected(exc.reason)
    for rubric, behaviour in scores_named({**values, **dict.fromkeys(edit.resolve)}):
        if (rubric, behaviour) not in facts.behaviours:
            return Decision.rejected(f"score:{rubric}:{behaviour}: no published rubric has this behaviour (rubric {rubric!r})")
    sides = {spec(name)[0] for name in values} | {spec(name)[0] for name in edit.resolve}
    if facts.record is None:
        if edit.base_rev != 0:
            return Decision.rejected("this pitch does not exist (it may have been created elsewhere and not synced)")
        if missing := [name for name in CREATED if name not in values]:
            return Decision.rejected(f"a new pitch needs {', '.join(f'`{n}`' for n in missing)}")
        if values["prompt_id"] not in facts.prompts:
            return Decision.rejected(f"there is no pitch prompt {values['prompt_id']!r}")
        if sides != {"rep"}:
            return Decision.rejected("a new pitch holds only the rep's fields")
        return None
    stored = facts.record.values()
    for name in FIXED:
        if name in values and values[name] != stored.get(name):
            return Decision.rejected(f"a pitch's `{name}` cannot change: record a new pitch")
    if user_id == facts.rep:
        if sides - {"rep"}:
            return Decision.rejected("only a coach of your team can review your pitch")
        return None
    if facts.rep in facts.coached_reps:
        if sides - {"coach"}:
            return Decision.rejected("only the rep can write the rep's fields of a pitch")
        return None
    return Decision.rejected("you can review only the pitches of reps in the teams you coach")


def patch_of(edit: PitchEditV1, effective_at: str, device_id: str, user_id: str) -> edits.Patch:
    return edits.Patch(
        base_rev=edit.base_rev, set=checked_values(edit.set), resolve=tuple(edit.resolve),
        at=effective_at, device=device_id, by=user_id,
    )  # fmt: skip

"""The `acknowledgement` kind: a person marks an item as read or acknowledged, or takes it back.

Acknowledgements are facts, like answers: a grow-only set keyed by the event's id. The state of
an item for a person is their latest event for it, in the order (effective time, id), so marking
a nugget done on one device and undoing it on another ends the same way everywhere. An event
may carry a comment (a rep answering an observation shared with them).

Ingest rule (pure): the id is new (else `duplicate`, or `rejected` when it is someone else's);
the item exists; a person may acknowledge only what is meant for them (any nugget of the
library; an observation only when it was shared with them; an intervision session only its case
owner: their commitment done, v2). Who receives it in pulls: the person, for an observation
also its author, for a session also its moderator.

Payload versions: v2 has v1's shape and adds the item kind `session`; v3 adds `refresher` (the
rep opened a "How do I…?" refresher) and `reminder` (the rep opened the reminder sent to them for
that day): recorded for the adoption dashboard (docs/measures.md); only `acknowledged: true`,
there is no un-opening. v4 adds `pitch`: the rep acknowledges their coach's review of a pitch
(once reviewed), like an observation, with an optional comment; it reaches the reviewers. Earlier payloads are upcast unchanged. A device
sends the lowest version that knows its item kind, so a server that does not know the kind
answers `payload_unsupported` (kept, retried) instead of rejecting it for good.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec

from sync.kinds.base import DUPLICATE, Codec, Decision, identity
from sync.wire import Base, ItemId, LocalDay, Timestamp, Uuid7

KIND = "acknowledgement"
ItemKindV1 = Literal["nugget", "observation"]
ItemKindV2 = Literal["nugget", "observation", "session"]
ItemKindV3 = Literal["nugget", "observation", "session", "refresher", "reminder"]
ItemKind = Literal["nugget", "observation", "session", "refresher", "reminder", "pitch"]
MAX_COMMENT = 2_000


class AcknowledgementV1(Base, kw_only=True):
    """Payload of an `acknowledgement` mutation, version 1."""

    id: Uuid7
    item_kind: ItemKindV1
    item_id: ItemId
    acknowledged: bool = True  # False takes an earlier acknowledgement back
    at: Timestamp  # the device's clock
    local_day: LocalDay
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] | None = None


class AcknowledgementV2(Base, kw_only=True):
    """Payload of an `acknowledgement` mutation, version 2: v1's fields; `item_kind` may also
    be `session` (the case owner marks their intervision commitment done)."""

    id: Uuid7
    item_kind: ItemKindV2
    item_id: ItemId
    acknowledged: bool = True
    at: Timestamp
    local_day: LocalDay
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] | None = None


class AcknowledgementV3(Base, kw_only=True):
    """Payload of an `acknowledgement` mutation, version 3: v2's fields; `item_kind` may also be
    `refresher` (the rep opened it) or `reminder` (the rep opened the reminder sent for the day
    `item_id`, YYYY-MM-DD)."""

    id: Uuid7
    item_kind: ItemKindV3
    item_id: ItemId
    acknowledged: bool = True
    at: Timestamp
    local_day: LocalDay
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] | None = None


class AcknowledgementV4(Base, kw_only=True):
    """Payload of an `acknowledgement` mutation, version 4: v3's fields; `item_kind` may also be
    `pitch` (the rep acknowledges their coach's review of a pitch, with an optional comment)."""

    id: Uuid7
    item_kind: ItemKind
    item_id: ItemId
    acknowledged: bool = True
    at: Timestamp
    local_day: LocalDay
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] | None = None


def upcast(earlier: AcknowledgementV1 | AcknowledgementV2 | AcknowledgementV3) -> AcknowledgementV4:
    """A v1, v2 or v3 acknowledgement as v4: the same fields."""
    return AcknowledgementV4(**{name: getattr(earlier, name) for name in earlier.__struct_fields__})


CODEC: Codec[AcknowledgementV4] = Codec(
    kind=KIND, current=AcknowledgementV4,
    versions={
        1: (AcknowledgementV1, upcast), 2: (AcknowledgementV2, upcast), 3: (AcknowledgementV3, upcast), 4: (AcknowledgementV4, identity),
    },
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemFacts:
    """What the rule needs to know about the acknowledged item (None fields: not applicable)."""

    exists: bool
    addressed_to: str | None = None  # an observation's rep (once shared), a session's case owner, a reviewed pitch's rep
    # A reminder exists only as one sent to the acknowledging person, so `exists` says it all.


def decide(
    ack: AcknowledgementV4, owner: str | None, user_id: str, seen_in_push: bool, item: ItemFacts
) -> Decision | None:
    """`rejected` or `duplicate`, or None when the acknowledgement is to be applied."""
    if owner is not None and owner != user_id:
        return Decision.rejected("this acknowledgement id belongs to someone else")
    if owner is not None or seen_in_push:
        return DUPLICATE
    if not item.exists:
        return Decision.rejected(f"there is no {ack.item_kind} {ack.item_id!r} to acknowledge")
    if ack.item_kind == "observation" and item.addressed_to != user_id:
        return Decision.rejected("only the rep an observation was shared with can acknowledge it")
    if ack.item_kind == "session" and item.addressed_to != user_id:
        return Decision.rejected("only a session's case owner can mark its commitment done")
    if ack.item_kind == "pitch" and item.addressed_to != user_id:
        return Decision.rejected("only a pitch's rep can acknowledge its review, once it is shared with them")
    if ack.item_kind in ("refresher", "reminder") and not ack.acknowledged:
        return Decision.rejected(f"a {ack.item_kind} is only opened: acknowledged must be true")
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """An acknowledgement as stored: enough to know an item's state."""

    id: str
    item_kind: str
    item_id: str
    acknowledged: bool
    at: str  # effective time, YYYY-MM-DDTHH:MM:SS.mmmZ


def current(events: Iterable[Event]) -> dict[tuple[str, str], bool]:
    """Each item's state: its latest event's `acknowledged`, in the order (at, id)."""
    state: dict[tuple[str, str], bool] = {}
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        state[(event.item_kind, event.item_id)] = event.acknowledged
    return state

"""The sync protocol's wire format: every request and response, as msgspec Structs.

docs/sync.md describes it for client writers; docs/sync-schema.json is generated from these
Structs (`python -m sync.schema`). Fields are only ever added, with defaults; a field's type
never changes. A change that cannot be made that way is a new protocol version.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec

PROTOCOL_VERSION = 1
SUPPORTED_PROTOCOLS = (1,)
MAX_MUTATIONS = 500
MAX_PUSH_BYTES = 1024 * 1024
MAX_PULL_PAGE = 1000

Uuid = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
# A UUIDv7: version nibble 7, variant 10xx. Time-ordered and made on the device.
Uuid7 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
Timestamp = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$",
        description="ISO 8601 with a time zone, e.g. 2026-12-01T09:30:00.000Z",
    ),
]
Seq = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=2**53)]


class ErrorKind(StrEnum):
    """The `error` codes a sync endpoint answers with, beyond the generic HTTP ones."""

    PROTOCOL_UNSUPPORTED = "protocol_unsupported"  # 400: upgrade the app
    PAYLOAD_UNSUPPORTED = "payload_unsupported"  # 400: the server is older than the app; keep the outbox, retry later
    MALFORMED = "malformed"  # 400: the body does not match the protocol
    SEQ_GAP = "seq_gap"  # 409: resend from `expected_seq`
    SEQ_REUSED = "seq_reused"  # 409: a client_seq was reused for a different mutation
    DEVICE_BOUND = "device_bound"  # 403: this device belongs to another user
    TOO_LARGE = "too_large"  # 413: split the push
    UNAUTHORIZED = "unauthorized"  # 401: sign in again; keep the outbox
    UNAVAILABLE = "unavailable"  # 503: transient; nothing was applied; retry with backoff


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Wire Structs ignore unknown fields, so an older server accepts a newer client's extras."""


class ProtocolProbe(Base):
    """Read first from any request body, so a client of another version gets a clear answer."""

    protocol: int


# ---- GET /sync/info -------------------------------------------------------------------------


class Limits(Base):
    max_mutations: int = MAX_MUTATIONS
    max_push_bytes: int = MAX_PUSH_BYTES
    max_pull_page: int = MAX_PULL_PAGE


class SyncInfo(Base):
    server_time: str
    protocol_versions: list[int]
    payload_versions: dict[str, list[int]]
    limits: Limits
    # Answers where the device's provisional progress differed from the server's replay, as
    # reported by devices on pull; and answers whose `correct` the server had to overrule.
    progress_disagreements: int = 0
    correct_overruled: int = 0


# ---- POST /sync/push ------------------------------------------------------------------------


class AnswerV1(Base):
    """Payload of an `answer` mutation, version 1: one immutable answer event."""

    id: Uuid7
    question_id: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    content_version: Annotated[int, msgspec.Meta(ge=1)]
    choice: Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=5)]], msgspec.Meta(min_length=1, max_length=5)]
    correct: bool
    answered_at: Timestamp  # the device's clock
    local_day: Annotated[int, msgspec.Meta(ge=0, le=200_000)]
    duration_ms: Annotated[int, msgspec.Meta(ge=0, le=86_400_000)] | None = None


MutationKind = Literal["answer"]


class Mutation(Base):
    id: Uuid7
    client_seq: Seq
    kind: MutationKind
    payload_version: Annotated[int, msgspec.Meta(ge=1)]
    payload: dict[str, Any]

    def content_hash(self) -> str:
        """What a repeat of this mutation must match (`seq_reused` otherwise): a SHA-256 of its
        kind, payload version and payload, with object keys sorted."""
        canonical = msgspec.json.encode([self.kind, self.payload_version, self.payload], order="sorted")
        return hashlib.sha256(canonical).hexdigest()


class PushRequest(Base):
    protocol: int
    device_id: Uuid
    sent_at: Timestamp  # the device's clock when it sent the push, to measure its offset
    # At most MAX_MUTATIONS: checked after decoding, so that a longer push gets a 413.
    mutations: list[Mutation]


Status = Literal["applied", "duplicate", "rejected"]


class MutationResult(Base):
    client_seq: int
    id: str
    status: Status
    reason: str | None = None


class PushResponse(Base):
    acked_through: int
    results: list[MutationResult]
    server_time: str


# ---- POST /sync/pull ------------------------------------------------------------------------

Stream = Literal["content", "records"]


class PullRequest(Base):
    protocol: int
    device_id: Uuid
    cursors: dict[Stream, Cursor] = {}
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PULL_PAGE)] = MAX_PULL_PAGE
    # How many of this device's answers, since its last pull, got a different provisional
    # progress from the one the server returned. Counted into a metric; never trusted.
    disagreements: Annotated[int, msgspec.Meta(ge=0, le=100_000)] = 0
    # The learner's local day number now (docs/scheduler.md §1). A campaign reaching the learner
    # at this pull starts for them on this day (or on its own start date, if later).
    local_day: Annotated[int, msgspec.Meta(ge=0, le=200_000)] | None = None


class Change(Base):
    stream: Stream
    seq: int
    kind: Literal["content", "answer", "progress"]
    data: dict[str, Any]


class Digest(Base):
    """Count and order-independent hash of the user's answers on the server."""

    answers: int
    hash: str


class PullResponse(Base):
    acked_through: int
    changes: list[Change]
    cursors: dict[Stream, int]
    has_more: bool
    reset: list[Stream] = []
    digest: Digest | None = None
    server_time: str = ""

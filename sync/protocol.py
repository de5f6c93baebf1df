"""The sync protocol's wire format: every request and response, as msgspec Structs.

docs/sync.md describes it for client writers; docs/sync-schema.json is generated from these
Structs (`python -m sync.schema`). Fields are only ever added, with defaults; a field's type
never changes. A change that cannot be made that way is a new protocol version.

Two views of a push: `PushEnvelope`, which the server decodes (each payload kept as raw JSON
until its kind's codec decodes and upcasts it, sync/kinds/), and `PushRequest`, the same body
with every mutation typed by its kind, for the schema and for clients.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec

from sync.kinds.acknowledgement import AcknowledgementV4, ItemKind
from sync.kinds.answer import AnswerV1
from sync.kinds.observation import ObservationEditV2
from sync.kinds.pitch import PitchEditV1
from sync.kinds.session import SessionEditV1
from sync.wire import Base, Cursor, LocalDay, Seq, Timestamp, Uuid, Uuid7

PROTOCOL_VERSION = 1
SUPPORTED_PROTOCOLS = (1,)
MAX_MUTATIONS = 500
MAX_PUSH_BYTES = 1024 * 1024
MAX_PULL_PAGE = 1000

__all__ = ["Timestamp", "Uuid", "Uuid7"]  # re-exported for older imports


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
    payload_versions: dict[str, list[int]]  # per record kind
    limits: Limits
    # Answers where the device's provisional progress differed from the server's replay, as
    # reported by devices on pull; and answers whose `correct` the server had to overrule.
    progress_disagreements: int = 0
    correct_overruled: int = 0


# ---- POST /sync/push ------------------------------------------------------------------------


class Mutation(Base):
    """One outbox entry as the server decodes it: the payload stays raw JSON until its kind's
    codec (sync/kinds/) decodes and upcasts it."""

    id: Uuid7
    client_seq: Seq
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    payload_version: Annotated[int, msgspec.Meta(ge=1)]
    payload: msgspec.Raw

    def content_hash(self, decoded: msgspec.Struct | None = None) -> str:
        """What a repeat of this mutation must match (`seq_reused` otherwise): a SHA-256 of its
        kind, payload version and payload. The payload is taken as its kind decoded it (fields
        in a fixed order, unknown ones dropped, as the server ignores them), so the same
        mutation sent again with its keys in another order or other spacing is still the same;
        a payload that did not decode is taken with its object keys sorted."""
        if decoded is not None:
            payload = msgspec.json.encode(decoded)
        else:
            try:
                payload = msgspec.json.encode(msgspec.json.decode(self.payload), order="sorted")
            except (msgspec.DecodeError, RecursionError):
                payload = bytes(self.payload)
        # 128 bits are plenty to tell two payloads apart; the ledger keeps that much (server/storage/sync.py).
        return hashlib.sha256(b"%s\x00%d\x00%s" % (self.kind.encode(), self.payload_version, payload)).hexdigest()[:32]


class PushEnvelope(Base):
    """POST /sync/push, as decoded by the server (see PushRequest for the typed view)."""

    protocol: int
    device_id: Uuid
    sent_at: Timestamp  # the device's clock when it sent the push, to measure its offset
    # At most MAX_MUTATIONS: checked after decoding, so that a longer push gets a 413.
    mutations: list[Mutation]


class _MutationOf(Base, tag_field="kind"):
    id: Uuid7
    client_seq: Seq
    payload_version: Annotated[int, msgspec.Meta(ge=1)]


class AnswerMutation(_MutationOf, tag="answer"):
    payload: AnswerV1


class AcknowledgementMutation(_MutationOf, tag="acknowledgement"):
    payload: AcknowledgementV4


class ObservationMutation(_MutationOf, tag="observation"):
    payload: ObservationEditV2


class SessionMutation(_MutationOf, tag="session"):
    payload: SessionEditV1


class PitchMutation(_MutationOf, tag="pitch"):
    payload: PitchEditV1


TypedMutation = AnswerMutation | AcknowledgementMutation | ObservationMutation | SessionMutation | PitchMutation


class PushRequest(Base):
    """POST /sync/push: a device's mutations, each typed by its `kind` (the payload shown is the
    current version of that kind's payload; older versions are accepted and upcast)."""

    protocol: int
    device_id: Uuid
    sent_at: Timestamp
    mutations: list[TypedMutation]


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
    cursors: dict[Stream, Cursor] = msgspec.field(default_factory=dict)
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PULL_PAGE)] = MAX_PULL_PAGE
    # How many of this device's answers, since its last pull, got a different provisional
    # progress from the one the server returned. Counted into a metric; never trusted.
    disagreements: Annotated[int, msgspec.Meta(ge=0, le=100_000)] = 0
    # The learner's local day number now (docs/scheduler.md §1). A campaign reaching the learner
    # at this pull starts for them on this day (or on its own start date, if later).
    local_day: LocalDay | None = None
    # The client_seq of the first entry still in this device's outbox. The response then lists
    # the rejections among its entries that the server has already acknowledged, so a device
    # whose push response was lost still learns why (docs/sync.md "Rejections on pull").
    outbox_from: Annotated[int, msgspec.Meta(ge=1)] | None = None


class ContentData(Base):
    version: int
    snapshot: str
    etag: str
    size: int


class AnswerData(Base):
    """An answer as stored: `answered_at` is the effective time, `correct` the server's verdict."""

    id: str
    question_id: str
    content_version: int
    rev: int
    choice: list[int]
    correct: bool
    answered_at: str
    local_day: int
    duration_ms: int | None
    device_id: str


class ProgressData(Base):
    """The server's replayed state of one question (docs/scheduler.md §5)."""

    question_id: str
    stability: float | None
    difficulty: float | None
    last_day: int | None
    due_day: int | None
    retired: bool
    streak: int
    reps: int
    lapses: int
    epoch: int


class AcknowledgementData(Base):
    id: str
    user_id: str  # who acknowledged
    item_kind: ItemKind
    item_id: str
    acknowledged: bool
    at: str  # effective time
    local_day: int
    comment: str | None
    device_id: str


class FieldVersion(Base):
    """A value beside the kept one, for a long text both sides changed (docs/sync.md)."""

    value: Any
    by: str
    at: str
    device_id: str
    rev: int


class ObservationData(Base, kw_only=True):
    """An observation's current state; `rev` is what the next patch names as `base_rev`."""

    id: str
    rev: int
    author_id: str
    rep_id: str
    shared: bool
    fields: dict[str, Any]
    conflicts: dict[str, list[FieldVersion]] = msgspec.field(default_factory=dict)
    created_at: str
    updated_at: str


class SessionData(Base, kw_only=True):
    """An intervision session's current state; `rev` is what the next patch names as `base_rev`."""

    id: str
    rev: int
    moderator_id: str
    team_id: str
    case_owner_id: str
    stage: int
    fields: dict[str, Any]
    conflicts: dict[str, list[FieldVersion]] = msgspec.field(default_factory=dict)
    created_at: str
    updated_at: str


class PitchData(Base, kw_only=True):
    """A pitch's current state; `rev` is what the next patch names as `base_rev`.
    `video_uploaded`: the server holds its video (docs/uploads.md)."""

    id: str
    rev: int
    rep_id: str
    fields: dict[str, Any]
    conflicts: dict[str, list[FieldVersion]] = msgspec.field(default_factory=dict)
    video_uploaded: bool = False
    created_at: str
    updated_at: str


class _Change(Base, tag_field="kind"):
    stream: Stream
    seq: int


class ContentChange(_Change, tag="content"):
    data: ContentData


class AnswerChange(_Change, tag="answer"):
    data: AnswerData


class ProgressChange(_Change, tag="progress"):
    data: ProgressData


class AcknowledgementChange(_Change, tag="acknowledgement"):
    data: AcknowledgementData


class ObservationChange(_Change, tag="observation"):
    data: ObservationData


class SessionChange(_Change, tag="session"):
    data: SessionData


class PitchChange(_Change, tag="pitch"):
    data: PitchData


Change = ContentChange | AnswerChange | ProgressChange | AcknowledgementChange | ObservationChange | SessionChange | PitchChange


class Digest(Base):
    """Count and order-independent hash of the user's answers on the server."""

    answers: int
    hash: str


class PlanCampaign(Base):
    """One of the learner's campaigns and the day they start it."""

    campaign_id: str
    start_day: int  # max(campaign start, the learner's local day when it reached them)


class PracticeItem(Base):
    """A question or refresher to practise after coaching (docs/scheduler.md §7)."""

    item_kind: Literal["question", "refresher"]
    item_id: str
    observation_id: str  # the observation, or the pitch when `source` is "pitch"
    rubric_id: str
    behaviour_id: str
    observed_on: str  # YYYY-MM-DD
    observed_day: int
    source: Literal["observation", "pitch"] = "observation"


class Plan(Base):
    """What the learner studies (docs/sync.md "The plan"): the published campaigns whose
    audience reaches them, with their start days, their total daily limit, and the practice
    their coaching assigned."""

    daily_limit: int  # questions a day across all their campaigns
    campaigns: list[PlanCampaign]
    practice: list[PracticeItem] = msgspec.field(default_factory=list)


class WeakBehaviour(Base):
    rubric_id: str
    behaviour_id: str
    rating: int
    observed_on: str


class FollowThrough(Base):
    """Practice assigned from a rep's observations: questions, answered after, right, last day."""

    assigned: int
    answered: int
    right: int
    last_on: str | None


class MemberSummary(Base):
    """A rep as their coach (or manager) sees them (docs/sync.md "Who I am")."""

    last_observed_on: str | None
    observations: int
    weakest: list[WeakBehaviour]
    practice: FollowThrough


class Member(Base):
    user_id: str
    name: str
    role: Literal["rep", "coach", "manager"]
    summary: MemberSummary | None = None


class TeamView(Base):
    id: str
    name: str
    role: Literal["rep", "coach", "manager"]  # the signed-in person's role in it
    members: list[Member]


class Me(Base):
    """Who the signed-in person is: their roles, and their teams with the members."""

    user_id: str
    name: str
    roles: list[str]
    teams: list[TeamView]


class LeaderboardRow(Base):
    rank: int
    name: str
    score: int


class LeaderboardPosition(Base):
    """The signed-in rep's own place: sent to them only."""

    rank: int
    of: int
    score: int


class LeaderboardTeam(Base):
    rank: int
    team_id: str
    name: str
    average: float
    reps: int


class Leaderboard(Base):
    """The organisation's leaderboard as one rep may see it (docs/sync.md "Leaderboard"):
    the top 10 only, their own position, the teams."""

    as_of: str  # the last local day of the window (YYYY-MM-DD)
    window_days: int
    top: list[LeaderboardRow]
    me: LeaderboardPosition | None
    teams: list[LeaderboardTeam]


class Exemplar(Base):
    """A pitch the team may learn from: its coach proposed it and its rep consented
    (docs/coaching.md "Good examples")."""

    pitch_id: str
    rep_id: str
    rep_name: str
    prompt_id: str
    recorded_on: str  # YYYY-MM-DD
    video_sha256: str
    video_size: int
    video_type: str
    duration_ms: int


class PullResponse(Base):
    acked_through: int
    changes: list[Change]
    cursors: dict[Stream, int]
    has_more: bool
    reset: list[Stream] = msgspec.field(default_factory=list)
    digest: Digest | None = None
    server_time: str = ""
    # The learner's campaigns and daily limit, on every page (None from an older server).
    plan: Plan | None = None
    # Rejected mutations with client_seq from the request's `outbox_from` to `acked_through`.
    rejected: list[MutationResult] = msgspec.field(default_factory=list)
    # Who the person is (roles, teams, a coach's reps): on the last page only, else None.
    me: Me | None = None
    # The leaderboard (docs/sync.md "Leaderboard"): on the last page only, None when the
    # organisation has them off.
    leaderboard: Leaderboard | None = None
    # The good examples of the person's teams (docs/coaching.md "Good examples"): the complete
    # current list on the last page only, else None; a device replaces what it kept.
    exemplars: list[Exemplar] | None = None

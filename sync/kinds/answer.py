"""The `answer` kind: one immutable answer to a question. A grow-only set keyed by the answer's id.

Ingest rule (pure): decode and upcast the payload, then check it against the question as it was
published in the content version the learner saw. The server, not the device, decides whether
the answer was right. An id that is already stored is a `duplicate` (from another push or
device), unless it belongs to someone else (`rejected`). Who may write it: the person, for
themselves only (the push's user is the answer's owner). Who receives it in pulls: its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, NamedTuple

import msgspec

from sync.kinds.base import DUPLICATE, Codec, Decision, Rejected, identity
from sync.wire import Base, Timestamp, Uuid7

KIND = "answer"


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


CODEC: Codec[AnswerV1] = Codec(kind=KIND, current=AnswerV1, versions={1: (AnswerV1, identity)})
ANSWER_PAYLOAD_VERSIONS = CODEC.version_numbers


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestionAt:
    """A question as published in one content version (its right options normalised at publish)."""

    rev: int
    options: int
    correct: frozenset[int]


class CheckedAnswer(NamedTuple):
    """An answer that passed every rule, with the server's verdict on `correct` (a tuple: made
    once per answer on the push path)."""

    payload: AnswerV1
    rev: int
    correct: bool

    @property
    def overruled(self) -> bool:
        """True when the device's own `correct` disagreed with the content."""
        return self.correct != self.payload.correct


def decode_answer(payload_version: int, payload: bytes | msgspec.Raw) -> AnswerV1:
    """The current form of an answer payload of any known version."""
    return CODEC.decode(payload_version, payload)


def check_answer(answer: AnswerV1, question: QuestionAt | None, latest_version: int) -> CheckedAnswer:
    """Apply the content rules; the server, not the device, decides whether it was right."""
    if answer.content_version > latest_version:
        raise Rejected(f"content version {answer.content_version} has not been published (latest is {latest_version})")
    if question is None:
        raise Rejected(f"question {answer.question_id!r} is not in content version {answer.content_version}")
    chosen = set(answer.choice)
    if len(chosen) != len(answer.choice):
        raise Rejected("the same option is chosen twice")
    if max(chosen) > question.options:
        raise Rejected(f"option {max(chosen)} does not exist: the question has {question.options} options")
    return CheckedAnswer(answer, question.rev, chosen == question.correct)


def decide_identity(answer_id: str, owner: str | None, user_id: str, seen_in_push: bool) -> Decision | None:
    """`duplicate` or `rejected` when the id is taken; None when the answer is new."""
    if owner is not None and owner != user_id:
        return Decision.rejected("this answer id belongs to someone else")
    if owner is not None or seen_in_push:
        return DUPLICATE  # the grow-only set has it already
    return None

"""Ingest rules for answers: decode (and upcast) a payload, then check it against the content.

Pure: the caller looks up the question as it was in the content version the learner saw.
A `Rejected` answer is permanently invalid (the app shows the reason); `PayloadUnsupported`
means the server is older than the app, so the device must keep the mutation and retry later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from sync.protocol import AnswerV1


class Rejected(Exception):
    """A mutation that can never be applied; `reason` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PayloadUnsupported(Exception):
    """A payload version this server does not know yet."""


@dataclass(frozen=True, kw_only=True)
class QuestionAt:
    """A question as published in one content version."""

    rev: int
    options: int
    correct: frozenset[int]


@dataclass(frozen=True, kw_only=True)
class CheckedAnswer:
    """An answer that passed every rule, with the server's verdict on `correct`."""

    payload: AnswerV1
    rev: int
    correct: bool

    @property
    def overruled(self) -> bool:
        """True when the device's own `correct` disagreed with the content."""
        return self.correct != self.payload.correct


# payload_version -> function turning that version's payload into the current one. Version 1
# is current; an older version would get an entry that upcasts it.
_UPCASTERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: lambda payload: payload}
ANSWER_PAYLOAD_VERSIONS = sorted(_UPCASTERS)


def decode_answer(payload_version: int, payload: dict[str, Any]) -> AnswerV1:
    """The current form of an answer payload of any known version."""
    upcast = _UPCASTERS.get(payload_version)
    if upcast is None:
        raise PayloadUnsupported(f"answer payload version {payload_version} is newer than this server knows")
    try:
        return msgspec.convert(upcast(payload), AnswerV1)
    except msgspec.ValidationError as exc:
        raise Rejected(f"invalid answer: {exc}") from None


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
    return CheckedAnswer(payload=answer, rev=question.rev, correct=chosen == question.correct)

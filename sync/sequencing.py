"""Sequencing and idempotency of a push: pure, no I/O (docs/sync.md "Batches").

Given what a device sent and what the server holds (its last applied client_seq and the stored
mutations at the seqs the push repeats), decide for each mutation whether it is a repeat (its
stored result is returned, nothing changes) or the next one to apply, or refuse the whole push.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Sent:
    client_seq: int
    id: str
    hash: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Stored:
    """A mutation the server applied, duplicated or rejected; `hash` None when stored without one."""

    client_seq: int
    id: str
    hash: str | None
    status: str
    reason: str | None

    def matches(self, sent: Sent) -> bool:
        return self.id == sent.id and self.hash in (None, sent.hash)


class Gap(Exception):
    """The push does not continue where the server expects: resend from `expected_seq`."""

    def __init__(self, detail: str, expected_seq: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.expected_seq = expected_seq


class Reused(Exception):
    """A client_seq sent again with other content (a client bug)."""

    def __init__(self, detail: str, expected_seq: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.expected_seq = expected_seq


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    """One mutation of the push: a repeat with its stored result, or the next to apply."""

    index: int  # its position in the push
    repeat: Stored | None = None  # a repeat of a stored mutation: its result
    same_as: int | None = None  # a repeat of a mutation earlier in this push: that one's index


def plan(sent: Sequence[Sent], last_seq: int, stored: Mapping[int, Stored]) -> list[Step]:
    """The steps of a push in order, or `Gap` / `Reused` (nothing of the push is applied)."""
    expected = last_seq + 1
    last = last_seq
    fresh: dict[int, tuple[int, Sent]] = {}  # applied earlier in this push: seq -> (index, mutation)
    steps: list[Step] = []
    for index, mutation in enumerate(sent):
        seq = mutation.client_seq
        if seq <= last:
            prior = stored.get(seq)
            if prior is not None:
                if not prior.matches(mutation):
                    raise Reused(_reused(seq), expected)
                steps.append(Step(index=index, repeat=prior))
                continue
            earlier_index, earlier = fresh.get(seq, (None, None))
            if earlier is None or earlier.id != mutation.id or earlier.hash != mutation.hash:
                raise Reused(_reused(seq), expected)
            steps.append(Step(index=index, same_as=earlier_index))
            continue
        if seq != last + 1:
            raise Gap(f"expected client_seq {expected}, got {seq}: resend from there", expected)
        fresh[seq] = (index, mutation)
        steps.append(Step(index=index))
        last = seq
    return steps


def _reused(seq: int) -> str:
    return f"client_seq {seq} was already used for another mutation (another id, or the same id with another payload)"


def repeats_only(sent: Sequence[Sent], last_seq: int, stored: Mapping[int, Stored]) -> list[Stored] | None:
    """The stored results when every mutation is a matching repeat (answered from a read), else None."""
    if not sent or any(m.client_seq > last_seq for m in sent):
        return None
    found = [stored.get(m.client_seq) for m in sent]
    if any(prior is None or not prior.matches(m) for prior, m in zip(found, sent, strict=True)):
        return None
    return [prior for prior in found if prior is not None]

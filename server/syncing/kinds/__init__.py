"""The server's side of each record kind: a handler that loads what the kind's rule needs, asks
the rule (sync/kinds/), and writes the outcome. Push dispatches to them by kind. The edited kinds
(observations, sessions, pitches) share one way of applying a patch: edited.py `EditedKind`."""

from __future__ import annotations

from typing import Any, Protocol

from server.syncing.kinds.acknowledgements import Acknowledgements
from server.syncing.kinds.answers import Answers
from server.syncing.kinds.context import PushContext
from server.syncing.kinds.observations import Observations
from server.syncing.kinds.pitches import Pitches
from server.syncing.kinds.sessions import Sessions
from sync.kinds import CODECS
from sync.kinds.base import Decision
from sync.protocol import Mutation


class Handler(Protocol):
    kind: str

    def load(self, payloads: list[Any]) -> None: ...
    def decide(self, mutation: Mutation, payload: Any) -> Decision: ...
    def write(self) -> None: ...


HANDLERS: dict[str, type[Any]] = {h.kind: h for h in (Answers, Acknowledgements, Observations, Sessions, Pitches)}
assert set(HANDLERS) == set(CODECS), "every registered kind needs a server handler"

__all__ = ["HANDLERS", "Handler", "PushContext"]

"""The registry of record kinds: every kind of record that travels through sync (docs/sync.md).

Push knows kinds only through this registry: it decodes a mutation's payload with the kind's
codec (upcasting older payload versions) and dispatches to the kind's rule. Adding a kind is
adding a module here (payload Structs, codec, pure rule), its server handler
(server/syncing/kinds/), and its row in docs/sync.md.
"""

from __future__ import annotations

from typing import Any

from sync.kinds import acknowledgement, answer, observation, pitch, session
from sync.kinds.base import Codec, PayloadUnsupported

CODECS: dict[str, Codec[Any]] = {c.kind: c for c in (answer.CODEC, acknowledgement.CODEC, observation.CODEC, session.CODEC, pitch.CODEC)}


def codec(kind: str) -> Codec[Any]:
    """The codec of a registered kind; `PayloadUnsupported` for a kind this server does not know."""
    found = CODECS.get(kind)
    if found is None:
        raise PayloadUnsupported(f"record kind {kind!r} is newer than this server knows")
    return found


def payload_versions() -> dict[str, list[int]]:
    """The payload versions this server accepts, per kind (GET /sync/info)."""
    return {kind: c.version_numbers for kind, c in CODECS.items()}

"""Writes docs/sync-schema.json, the protocol's JSON Schema, from the Structs in sync/protocol.py.

    python -m sync.schema [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from sync import content, protocol
from sync.kinds.acknowledgement import AcknowledgementV1, AcknowledgementV2, AcknowledgementV3, AcknowledgementV4
from sync.kinds.answer import AnswerV1
from sync.kinds.observation import ObservationEditV1, ObservationEditV2
from sync.kinds.pitch import PitchEditV1
from sync.kinds.session import SessionEditV1

OUT = Path(__file__).resolve().parent.parent / "docs" / "sync-schema.json"
MESSAGES = {
    "SyncInfo": protocol.SyncInfo,
    "PushRequest": protocol.PushRequest,
    "PushResponse": protocol.PushResponse,
    "PullRequest": protocol.PullRequest,
    "PullResponse": protocol.PullResponse,
    "AnswerV1": AnswerV1,
    "AcknowledgementV1": AcknowledgementV1,
    "AcknowledgementV2": AcknowledgementV2,
    "AcknowledgementV3": AcknowledgementV3,
    "AcknowledgementV4": AcknowledgementV4,
    "ObservationEditV1": ObservationEditV1,
    "ObservationEditV2": ObservationEditV2,
    "SessionEditV1": SessionEditV1,
    "PitchEditV1": PitchEditV1,
    "SnapshotDocument": content.SnapshotDocument,
}


def _state_additional_properties(defs: dict[str, Any]) -> None:
    """Say of every object whether unknown fields are allowed: sync messages ignore them (a newer
    client's extras), authored content and the snapshot document refuse them."""
    for definition in defs.values():
        if definition.get("type") == "object" and "additionalProperties" not in definition:
            definition["additionalProperties"] = True


def schema() -> dict[str, Any]:
    refs, defs = msgspec.json.schema_components(list(MESSAGES.values()), ref_template="#/$defs/{name}")
    _state_additional_properties(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Recap sync protocol {protocol.PROTOCOL_VERSION}",
        "description": "Generated from sync/protocol.py by `python -m sync.schema`; see docs/sync.md.",
        "oneOf": list(refs),
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed schema is stale")
    text = render()
    if parser.parse_args().check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is stale: run python -m sync.schema", file=sys.stderr)
            return 1
        print(f"{OUT} is up to date")
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

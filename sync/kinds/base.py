"""What every record kind shares: its payload versions and the decisions push makes about it.

A kind (docs/sync.md "Record kinds") is registered in sync/kinds/__init__.py with:
- its payload Structs, one per version, and upcasters from each older version to the current
  one: a device never has to rewrite its outbox when the server moves on;
- a pure ingest rule (in the kind's module): given what is stored, applied / duplicate /
  rejected with a reason shown to the person;
- who may write it (part of that rule), and who receives it in pulls (the server's part).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

import msgspec

P = TypeVar("P", bound=msgspec.Struct)
Status = Literal["applied", "duplicate", "rejected"]


class Rejected(Exception):
    """A mutation that can never be applied; `reason` is shown to the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PayloadUnsupported(Exception):
    """A kind or payload version this server does not know yet: the device keeps it and retries."""


@dataclass(frozen=True, kw_only=True)
class Decision:
    """What push does with one mutation."""

    status: Status
    reason: str | None = None

    @classmethod
    def rejected(cls, reason: str) -> Decision:
        return cls(status="rejected", reason=reason)


APPLIED = Decision(status="applied")
DUPLICATE = Decision(status="duplicate")


@dataclass(frozen=True, kw_only=True)
class Codec(Generic[P]):
    """A kind's payload: the current Struct, and for each version the Struct it is sent as and
    the function that turns it into the current one."""

    kind: str
    current: type[P]
    versions: Mapping[int, tuple[type[msgspec.Struct], Callable[[Any], P]]]
    _decoders: dict[int, msgspec.json.Decoder[Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for version, (struct, _) in self.versions.items():
            self._decoders[version] = msgspec.json.Decoder(struct)

    @property
    def version_numbers(self) -> list[int]:
        return sorted(self.versions)

    def decode(self, version: int, raw: bytes | msgspec.Raw) -> P:
        """The current form of a payload of any known version; `Rejected` when it is invalid."""
        decoder = self._decoders.get(version)
        if decoder is None:
            raise PayloadUnsupported(f"{self.kind} payload version {version} is newer than this server knows")
        try:
            sent = decoder.decode(raw)
        except RecursionError:
            raise Rejected(f"invalid {self.kind}: nested too deeply") from None
        except msgspec.DecodeError as exc:
            raise Rejected(f"invalid {self.kind}: {exc}") from None
        upcast = self.versions[version][1]
        return upcast(sent)


def identity(payload: Any) -> Any:
    """The upcaster of a current payload version."""
    return payload


def checked_fields(record: str, values: Mapping[str, Any], type_of: Callable[[str], Any], dates: Collection[str] = ()) -> dict[str, Any]:
    """An edited record's patch values, each converted to its field's type (`type_of` raises
    `Rejected` for an unknown name); `Rejected` naming the field, or a date that does not exist."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        kind = type_of(name)
        try:
            out[name] = msgspec.convert(value, kind)
        except msgspec.ValidationError as exc:
            raise Rejected(f"{record} field {name!r}: {exc}") from None
        if name in dates and out[name] is not None:
            try:
                datetime.date.fromisoformat(out[name])
            except ValueError:
                raise Rejected(f"{record} field {name!r}: {out[name]!r} is not a date") from None
    return out

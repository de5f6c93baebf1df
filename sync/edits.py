"""The merge rule for edited records (observations, session notes): pure, no I/O.

A record is a set of named fields. A device edits it with a patch: the fields it sets, the
revision it started from (`base_rev`), its effective time and its device id. The server applies
patches in the order they reach it (one writer: that order is commit order) and keeps every
patch as a revision. For each field a patch sets (docs/sync.md "Edited records", with the table
of cases):

- nobody else changed the field since `base_rev` -> the patch's value is taken;
- someone did, with the same value -> nothing to do;
- someone did, and the field is **short** (a rating, a date, a flag, a name) -> last writer
  wins by (effective time, device id): the later edit's value is kept, whichever arrived last;
- someone did, and the field is **long text** (evidence, notes) -> both are kept: the stored
  value stays, the incoming one is added to the field's conflicts, flagged for a person to
  resolve. A later patch that set the field having seen the conflicts (its base_rev is at or
  after them), or that lists the field in `resolve`, clears them;
- the field is **ordered** (a session's stage, which only moves forward) -> the higher value
  wins, whoever wrote it and whenever: two devices that disagree end on the furthest stage;
- the field is a **joined list** (a pitch's comments) -> both lists are joined: the stored items,
  then the incoming items not among them, so nobody's item is lost (an item one side deleted
  while the other changed the list comes back). Only up to the kind's limit: a join that would
  hold more items is decided as a short field.

Effective times are clock-corrected on the server (sync/clock.py), so a device whose clock is
wrong cannot win every conflict; the device id breaks exact ties, so every replica decides alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class Stamp:
    """Who set a value, when (effective), from which device, in which revision."""

    rev: int
    at: str  # YYYY-MM-DDTHH:MM:SS.mmmZ
    device: str
    by: str  # the user id

    def order(self) -> tuple[str, str]:
        """Last-writer-wins order for short fields."""
        return (self.at, self.device)


@dataclass(frozen=True, kw_only=True, slots=True)
class Value:
    value: Any
    stamp: Stamp


@dataclass(frozen=True, kw_only=True)
class Record:
    """An edited record's current state: every field's value and stamp, and open conflicts."""

    id: str
    rev: int = 0
    fields: Mapping[str, Value] = field(default_factory=dict)
    conflicts: Mapping[str, tuple[Value, ...]] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        return {name: v.value for name, v in self.fields.items()}


@dataclass(frozen=True, kw_only=True)
class Patch:
    base_rev: int
    set: Mapping[str, Any]
    resolve: tuple[str, ...] = ()
    at: str
    device: str
    by: str


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """The record after a patch, and what happened to each field it named."""

    record: Record
    applied: tuple[str, ...] = ()  # the patch's value was taken
    unchanged: tuple[str, ...] = ()  # the field already held that value
    lost: tuple[str, ...] = ()  # short field: a later edit (by effective time) keeps its value
    conflicted: tuple[str, ...] = ()  # long text: kept beside the stored value, flagged
    resolved: tuple[str, ...] = ()  # conflicts cleared by this patch
    joined: tuple[str, ...] = ()  # joined list: the stored items and the incoming ones, each once


def never(name: str) -> bool:
    return False


def not_joined(name: str) -> int:
    return 0


def _join(stored: list[Any], incoming: list[Any]) -> list[Any]:
    return [*stored, *(item for item in incoming if item not in stored)]


def merge(
    record: Record, patch: Patch, is_long: Callable[[str], bool], is_ordered: Callable[[str], bool] = never,
    joined: Callable[[str], int] = not_joined,
) -> Outcome:  # fmt: skip
    """The record after `patch`: a new revision, whatever happened to its fields. `joined` gives
    the most items a joined list field may hold (0: the field is not one)."""
    rev = record.rev + 1
    stamp = Stamp(rev=rev, at=patch.at, device=patch.device, by=patch.by)
    fields = dict(record.fields)
    conflicts = dict(record.conflicts)
    applied: list[str] = []
    unchanged: list[str] = []
    lost: list[str] = []
    conflicted: list[str] = []
    resolved: list[str] = []
    joins: list[str] = []
    for name, value in patch.set.items():
        current = fields.get(name)
        incoming = Value(value=value, stamp=stamp)
        if current is not None and is_ordered(name) and current.value != value:
            if value > current.value:  # an ordered field only moves forward, whoever saw what
                fields[name] = incoming
                applied.append(name)
            else:
                lost.append(name)
        elif current is None or current.stamp.rev <= patch.base_rev or current.stamp.device == patch.device:
            # Nobody changed it since the patch's base, or the patch's own device did: a device's
            # patches reach the server in the order it made them, so it has seen its own writes.
            fields[name] = incoming
            applied.append(name)
            open_ = conflicts.get(name, ())
            if open_ and all(c.stamp.rev <= patch.base_rev for c in open_):
                del conflicts[name]  # set by someone who saw the conflict: that is its resolution
                resolved.append(name)
        elif current.value == value:
            unchanged.append(name)
        elif (
            isinstance(current.value, list) and isinstance(value, list)
            and len(both := _join(current.value, value)) <= joined(name)
        ):  # fmt: skip
            fields[name] = Value(value=both, stamp=stamp)
            applied.append(name)
            joins.append(name)
        elif not is_long(name):
            if stamp.order() > current.stamp.order():
                fields[name] = incoming
                applied.append(name)
            else:
                lost.append(name)
        else:
            conflicts[name] = (*conflicts.get(name, ()), incoming)
            conflicted.append(name)
    for name in patch.resolve:
        open_ = conflicts.get(name, ())
        if open_ and all(c.stamp.rev <= patch.base_rev for c in open_) and name not in resolved:
            del conflicts[name]
            resolved.append(name)
    return Outcome(
        record=replace(record, rev=rev, fields=fields, conflicts=conflicts),
        applied=tuple(applied), unchanged=tuple(unchanged), lost=tuple(lost),
        conflicted=tuple(conflicted), resolved=tuple(resolved), joined=tuple(joins),
    )  # fmt: skip


def replay(
    record_id: str, patches: list[Patch], is_long: Callable[[str], bool], is_ordered: Callable[[str], bool] = never,
    joined: Callable[[str], int] = not_joined,
) -> Record:  # fmt: skip
    """The record after these patches in this order: what every replica computes from the log."""
    record = Record(id=record_id)
    for patch in patches:
        record = merge(record, patch, is_long, is_ordered, joined).record
    return record

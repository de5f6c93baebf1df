"""Three-way merge of two edits of one item, and the side-by-side diff of a draft. Pure.

Merging is field by field (the fields of the item, as the form edits them): a field changed on
one side only takes that side's value; a field changed on both sides to the same value takes it;
a field changed on both sides differently is a conflict the editor settles by choosing. Nothing
is ever decided silently for them.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

import msgspec

# Outcomes of a field in a merge.
SAME = "same"  # nobody changed it
THEIRS = "theirs"  # changed by the other editor only
YOURS = "yours"  # changed by you only
BOTH = "both"  # changed by both, to the same value
CONFLICT = "conflict"  # changed by both, differently: choose


class MergedField(msgspec.Struct, frozen=True):
    name: str
    outcome: str
    base: Any = None
    theirs: Any = None
    yours: Any = None


class Merge(msgspec.Struct, frozen=True):
    fields: list[MergedField]

    @property
    def conflicts(self) -> list[MergedField]:
        return [f for f in self.fields if f.outcome == CONFLICT]

    def merged(self, choices: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The merged values; a conflict takes the side named in `choices` (KeyError without one)."""
        out: dict[str, Any] = {}
        for f in self.fields:
            side = f.outcome if f.outcome != CONFLICT else (choices or {})[f.name]
            value = {SAME: f.base, BOTH: f.yours, THEIRS: f.theirs, YOURS: f.yours}[side]
            if value is not None:
                out[f.name] = value
        return out


def _norm(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def three_way(base: Mapping[str, Any], theirs: Mapping[str, Any], yours: Mapping[str, Any], order: list[str]) -> Merge:
    """Merge `yours` and `theirs`, both edited from `base`, field by field, in `order` (then any
    other field present)."""
    names = [*order, *sorted({*base, *theirs, *yours} - set(order))]
    fields = []
    for name in names:
        b, t, y = base.get(name), theirs.get(name), yours.get(name)
        if b is None and t is None and y is None:
            continue
        nb, nt, ny = _norm(b), _norm(t), _norm(y)
        if nt == ny:
            outcome = SAME if nt == nb else BOTH
        elif nt == nb:
            outcome = YOURS
        elif ny == nb:
            outcome = THEIRS
        else:
            outcome = CONFLICT
        fields.append(MergedField(name, outcome, b, t, y))
    return Merge(fields)


# ---- diff -----------------------------------------------------------------------------------------


class DiffLine(msgspec.Struct, frozen=True):
    """One row of a side-by-side diff: the left and right line (None where the side has none)."""

    tag: str  # equal, replace, delete, insert
    left: str | None
    right: str | None


class FieldDiff(msgspec.Struct, frozen=True):
    name: str
    changed: bool
    lines: list[DiffLine]


def lines_of(value: Any) -> list[str]:
    """A field's value as lines of text: text by its lines, a list one item per line, a mapping
    one `key: value` per line."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split("\n")
    if isinstance(value, list):
        return [v if isinstance(v, str) else _norm(v) for v in value]
    if isinstance(value, dict):
        return [f"{k}: {v if isinstance(v, str) else _norm(v)}" for k, v in value.items()]
    return [_norm(value) if not isinstance(value, int | float) else str(value)]


def side_by_side(left: list[str], right: list[str]) -> list[DiffLine]:
    rows: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(DiffLine("equal", left[i], right[j1 + k]) for k, i in enumerate(range(i1, i2)))
            continue
        olds, news = left[i1:i2], right[j1:j2]
        for k in range(max(len(olds), len(news))):
            old = olds[k] if k < len(olds) else None
            new = news[k] if k < len(news) else None
            rows.append(DiffLine("replace" if old is not None and new is not None else ("delete" if new is None else "insert"), old, new))
    return rows


def diff(published: Mapping[str, Any], draft: Mapping[str, Any], order: list[str]) -> list[FieldDiff]:
    """Every field, published against draft, line by line."""
    names = [*order, *sorted({*published, *draft} - set(order))]
    out = []
    for name in names:
        old, new = published.get(name), draft.get(name)
        if old is None and new is None:
            continue
        out.append(FieldDiff(name, _norm(old) != _norm(new), side_by_side(lines_of(old), lines_of(new))))
    return out

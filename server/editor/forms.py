"""Form <-> item fields: what a submitted editor form means as an item's fields (a draft's values),
and what each widget shows for a draft's values. Pure: no database, no HTTP.

Input names: a field's name (`title`); a row of a list `name.N` (`options.0`); a row's sub-field
`name.N.sub` (`translations.0.name`, with `translations.0.key` the row's key); `correct` holds
the row numbers of the options ticked as right. Blank rows are dropped, so row numbers are not
option numbers: `correct` is translated through the options that remain.

Values keep what the editor typed even when it is wrong (`minutes: "ten"`): the checks report it
beside its field, and nothing typed is lost. Only what cannot be held at all (two rows for one
language) is refused before saving.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from server.editor.fields import FieldSpec, form_fields, numbered_keys
from server.library.rubric_rules import numbered

MISSING: Any = object()
_INT = re.compile(r"[+-]?\d{1,18}")
_WHERE = re.compile(r"^\$\.(\w+)(.*)$")
CHANGE_KINDS = ("cosmetic", "substantive")


class FormProblem(msgspec.Struct, frozen=True):
    """Something wrong with the form itself (not with the content): nothing was saved."""

    where: str
    message: str


class FormRefused(ValueError):
    def __init__(self, problems: list[FormProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in pairs:
        found.setdefault(key, []).append(value)
    return found


def _scalar(spec: FieldSpec, raw: str | None) -> Any:
    """One input's text as the field's value, MISSING when blank; kept as typed when it does not fit."""
    if raw is None:
        return MISSING
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if spec.widget == "markdown":
        return text if text.strip() else MISSING
    text = text.strip()
    if not text:
        return MISSING
    if spec.widget == "number":
        if _INT.fullmatch(text):
            return int(text) if spec.integer else float(text)
        if not spec.integer:
            try:
                number = float(text)
            except ValueError:
                return text
            return number if number == number and abs(number) != float("inf") else text
        return text
    if spec.widget == "select" and spec.choices == ("true", "false"):
        return text == "true" if text in spec.choices else text
    return text


def _rows(form: Mapping[str, list[str]], name: str) -> list[int]:
    """The row numbers present for a repeated field, in order."""
    found: set[int] = set()
    prefix = name + "."
    for key in form:
        if key.startswith(prefix):
            head = key[len(prefix) :].split(".", 1)[0]
            if head.isdigit() and len(head) < 5:
                found.add(int(head))
    return sorted(found)


def _first(form: Mapping[str, list[str]], key: str) -> str | None:
    values = form.get(key)
    return values[0] if values else None


def _sub_row(form: Mapping[str, list[str]], spec: FieldSpec, prefix: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for sub in spec.subfields:
        if keys := numbered_keys(sub):  # `levels.1` … `levels.4`
            numbered = {k: text for k in keys if (text := _scalar(sub.subfields[0], _first(form, f"{prefix}.{sub.name}.{k}"))) is not MISSING}
            if numbered:
                row[sub.name] = numbered
            continue
        if sub.widget in ("references", "words"):  # ids in one input, separated by commas
            ids = [w for w in re.split(r"[\s,]+", _first(form, f"{prefix}.{sub.name}") or "") if w]
            if ids:
                row[sub.name] = ids
            continue
        value = _scalar(sub, _first(form, f"{prefix}.{sub.name}"))
        if value is not MISSING:
            row[sub.name] = value
    return row


def parse_form(kind_folder: str, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The item's fields from a submitted form (raises FormRefused for what cannot be kept).

    `change` (cosmetic or substantive) is kept when given: it is the editor's answer for an
    answered question that changed.
    """
    form = _grouped(pairs)
    values: dict[str, Any] = {}
    problems: list[FormProblem] = []
    option_rows: dict[int, int] = {}  # form row -> option number (1 = first)
    for spec in form_fields(kind_folder):
        name = spec.name
        if spec.widget in ("rows", "references"):
            items = []
            for row in _rows(form, name):
                value = _scalar(spec, _first(form, f"{name}.{row}"))
                if value is not MISSING:
                    items.append(value)
                    if name == "options":
                        option_rows[row] = len(items)
            if items:
                values[name] = items
        elif spec.widget == "words":
            words = [w for w in re.split(r"[\s,]+", _first(form, name) or "") if w]
            if words:
                values[name] = words
        elif spec.widget == "behaviours":  # ticked checkboxes, in the page's (the rubric's) order
            picked = list(dict.fromkeys(v.strip() for v in form.get(name, []) if v.strip()))
            if picked:
                values[name] = picked
        elif spec.widget == "correct":
            continue  # after the options, below
        elif spec.widget == "map":
            mapping: dict[str, Any] = {}
            for row in _rows(form, name):
                key = (_first(form, f"{name}.{row}.key") or "").strip()
                sub = _sub_row(form, spec, f"{name}.{row}")
                if not key and not sub:
                    continue
                if not key:
                    problems.append(FormProblem(f"$.{name}", f"row {row + 1}: give the {spec.key.label.lower() if spec.key else 'key'}"))
                elif key in mapping:
                    problems.append(FormProblem(f"$.{name}", f"`{key}` is given in two rows: keep one"))
                else:
                    mapping[key] = sub
            if mapping:
                values[name] = mapping
        elif spec.widget == "structs":
            rows = [sub for row in _rows(form, name) if (sub := _sub_row(form, spec, f"{name}.{row}"))]
            if rows:
                values[name] = rows if spec.max_length != 1 or spec.min_length != 1 else rows[0]
        else:
            value = _scalar(spec, _first(form, name))
            if value is not MISSING:
                values[name] = value
    for spec in form_fields(kind_folder):
        if spec.widget == "correct":
            ticked = sorted({option_rows[int(r)] for r in form.get(spec.name, []) if r.isdigit() and int(r) in option_rows})
            several = _first(form, f"{spec.name}_mode") == "several"
            if len(ticked) == 1 and not several:
                values[spec.name] = ticked[0]
            elif ticked:
                values[spec.name] = ticked
    change = (_first(form, "change") or "").strip()
    if change in CHANGE_KINDS:
        values["change"] = change
    if problems:
        raise FormRefused(problems)
    return values


# ---- what the form shows -----------------------------------------------------------------------


def sub_value(sub: FieldSpec, row: Any) -> Any:
    """What a row's sub-field shows: the text of one input, or, for numbered keys (levels), the
    text of each key's input."""
    value = row.get(sub.name) if isinstance(row, dict) else None
    if numbered_keys(sub):
        levels = value if isinstance(value, dict) else {}
        return {k: text_of(levels.get(k, levels.get(str(k)))) for k in numbered_keys(sub)}
    return text_of(value)


def text_of(value: Any) -> str:
    """A value as an input shows it."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(text_of(v) for v in value)
    return str(value)


def right_options(value: Any) -> tuple[list[int], bool]:
    """`correct` as (the right option numbers, whether several may be chosen)."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int)], True
    if isinstance(value, int) and not isinstance(value, bool):
        return [value], False
    return [], False


def rows_for(spec: FieldSpec, value: Any) -> list[Any]:
    """The rows a repeated field shows: its values, then one blank row (or as many as its minimum
    needs), never more than its maximum."""
    if spec.widget == "map":
        items: list[Any] = [{"key": k, **(v if isinstance(v, dict) else {"value": v})} for k, v in (value or {}).items()]
    elif isinstance(value, dict):
        items = [value]
    else:
        items = list(value or [])
    blank: Any = {} if spec.widget in ("map", "structs") else ""
    wanted = max(len(items) + 1, spec.min_length or 0)
    if spec.max_length is not None:
        wanted = min(wanted, max(spec.max_length, len(items)))
    return items + [blank] * (wanted - len(items))


def field_of(where: str) -> tuple[str, str]:
    """A problem's `$.path` as (the form field it belongs to, where inside it, in words)."""
    match = _WHERE.match(where or "")
    if not match:
        return "", ""
    name, rest = match.group(1), match.group(2)
    index = re.match(r"^\[(\d+)\]", rest)
    if index:
        return name, f"row {int(index.group(1)) + 1}"
    key = re.match(r"^\.([\w-]+)", rest)
    return name, (key.group(1) if key else "")


def _normalised_row(spec: FieldSpec, row: Any) -> Any:
    """A row's sub-fields as `normalised` has fields: no empty or default ones, and numbered keys
    (levels) as numbers, which stored JSON holds as text."""
    if not isinstance(row, dict):
        return row
    out: dict[str, Any] = {}
    subs = {sub.name: sub for sub in spec.subfields}
    for name, value in row.items():
        sub = subs.get(name)
        if sub is not None and (value is None or value == [] or value == {} or value == sub.default):
            continue
        if sub is not None and numbered_keys(sub) and isinstance(value, dict):
            value = numbered(value)
        out[name] = value
    return out


def normalised(kind_folder: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Values without `change`, empty values and fields at their default: so that a published item
    (its stored JSON has every field) and a draft of it (the form leaves defaults out) compare
    equal when they mean the same item."""
    out: dict[str, Any] = {}
    for spec in form_fields(kind_folder):
        value = values.get(spec.name)
        if value is None or value == [] or value == {} or value == spec.default:
            continue
        if spec.widget == "structs" and isinstance(value, list):
            value = [_normalised_row(spec, row) for row in value]
        out[spec.name] = value
    known = {spec.name for spec in form_fields(kind_folder)} | {"change"}
    out.update({k: v for k, v in values.items() if k not in known and v is not None})
    return out

"""The editor's forms, generated from the content schema: one FieldSpec per field of a kind's Struct
(sync/content.py), its widget chosen from the field's type, its label and help taken from the
authoring guide (docs/content.md). A field added to the schema appears in the form without
editing this module; only what the types cannot say (which ids a field refers to) is listed here.
"""

from __future__ import annotations

import functools
import re
import typing
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi

from server.library.schema import KINDS
from sync.content import Language

GUIDE = Path(__file__).resolve().parent.parent.parent / "docs" / "content.md"

# Fields whose values are ids of other items (a kind folder), of the same kind ("" here), or of teams.
REFERENCES = {
    "competency": "competencies",
    "nugget": "nuggets",
    "nuggets": "nuggets",
    "questions": "questions",
    "refreshers": "refreshers",
    "translation_of": "",
    "audience": "teams",
    "rubric": "rubrics",
    "campaign": "campaigns",
}
# Where a field's name means something else in one kind: (kind folder, field) -> its source, or
# None for plain text. A pitch prompt's `audience` is words, not teams; its `behaviours` are
# picked (checkboxes) among those of the rubric its `rubric` field names.
KIND_REFERENCES: dict[tuple[str, str], str | None] = {
    ("pitch-prompts", "audience"): None,
    ("pitch-prompts", "behaviours"): "rubric",
}
# A language tag's pattern, as the schema has it: such fields get the library's languages as suggestions.
LANGUAGE_PATTERN: str = typing.get_args(Language)[1].pattern
# Text longer than this is Markdown (the schema's Markdown type allows 20,000 characters).
MARKDOWN_MIN_LENGTH = 10_000
# One-line inputs up to this length; longer plain text gets a small text area.
LINE_MAX_LENGTH = 200


class FieldSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One field of an editor form: what the item's field is, and how to edit it.

    widget: `id`, `text` (one line), `longtext` (a few lines), `markdown`, `number`, `select`,
    `date`, `reference` (one id, picked from a list), `references` (ids, one per row, in order),
    `rows` (texts, one per row, in order), `words` (short slugs, separated by commas), `correct`
    (the right options, ticked beside the options), `map` (a key, then sub-fields, per row) and
    `structs` (sub-fields per row), `behaviours` (checkboxes: the behaviours of the rubric that
    the field named by `source` picks).
    """

    name: str
    label: str
    help: str = ""
    format: str = ""
    widget: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = True
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    source: str = ""
    # A datalist of suggestions for free text: "languages" for language tags.
    suggest: str = ""
    key: FieldSpec | None = None
    subfields: tuple[FieldSpec, ...] = ()

    @property
    def repeated(self) -> bool:
        return self.widget in ("references", "rows", "map", "structs")


def _plain(type_: Any) -> tuple[Any, bool]:
    """The type without its metadata wrapper and without None; and whether None was allowed."""
    if isinstance(type_, mi.Metadata):
        return _plain(type_.type)
    if isinstance(type_, mi.UnionType):
        others = [t for t in type_.types if not isinstance(t, mi.NoneType)]
        optional = len(others) < len(type_.types)
        if len(others) == 1:
            inner, _ = _plain(others[0])
            return inner, optional
        return mi.UnionType(tuple(_plain(t)[0] for t in others)), optional
    return type_, False


def humanise(name: str) -> str:
    """`teaching_point` -> `Teaching point`."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words != "id" else "Id"


def _default(field: mi.Field) -> Any:
    if field.default is not msgspec.NODEFAULT:
        return msgspec.to_builtins(field.default)
    if field.default_factory is not msgspec.NODEFAULT:
        return msgspec.to_builtins(field.default_factory())
    return None


def _spec(name: str, type_: Any, *, required: bool, default: Any, kind_folder: str, guide: dict[str, tuple[str, str]]) -> FieldSpec:
    plain, _ = _plain(type_)
    meaning, format_ = guide.get(name, ("", ""))
    common: dict[str, Any] = {
        "name": name, "label": humanise(name), "help": meaning, "format": format_,
        "required": required, "default": default,
    }  # fmt: skip
    source = KIND_REFERENCES[(kind_folder, name)] if (kind_folder, name) in KIND_REFERENCES else REFERENCES.get(name)
    if source == "":
        source = kind_folder
    if isinstance(plain, mi.UnionType):
        # `correct`: an option number, or a list of them (several right answers).
        return FieldSpec(widget="correct", **common)
    if isinstance(plain, mi.LiteralType):
        return FieldSpec(widget="select", choices=tuple(str(v) for v in plain.values), **common)
    if isinstance(plain, mi.BoolType):
        return FieldSpec(widget="select", choices=("true", "false"), **common)
    if isinstance(plain, mi.IntType | mi.FloatType):
        low = plain.ge if plain.ge is not None else plain.gt
        return FieldSpec(
            widget="number", minimum=low, maximum=plain.le if plain.le is not None else plain.lt,
            integer=isinstance(plain, mi.IntType), **common,
        )  # fmt: skip
    if isinstance(plain, mi.DateType):
        return FieldSpec(widget="date", **common)
    if isinstance(plain, mi.StrType):
        if name == "id":
            widget = "id"
        elif source is not None:
            widget = "reference"
        elif (plain.max_length or 0) >= MARKDOWN_MIN_LENGTH:
            widget = "markdown"
        elif plain.max_length is not None and plain.max_length > LINE_MAX_LENGTH:
            widget = "longtext"
        else:
            widget = "text"
        suggest = "languages" if plain.pattern == LANGUAGE_PATTERN else ""
        return FieldSpec(
            widget=widget, min_length=plain.min_length, max_length=plain.max_length, pattern=plain.pattern,
            source=source or "", suggest=suggest, **common,
        )  # fmt: skip
    if isinstance(plain, mi.ListType | mi.SetType):
        item, _ = _plain(plain.item_type)
        counts: dict[str, Any] = {"min_length": plain.min_length, "max_length": plain.max_length}
        if isinstance(item, mi.StructType):
            return FieldSpec(widget="structs", subfields=_struct_fields(item, kind_folder), **counts, **common)
        if source is not None and KIND_REFERENCES.get((kind_folder, name)) == source:
            return FieldSpec(widget="behaviours", source=source, **counts, **common)
        if source is not None:
            return FieldSpec(widget="references", source=source, **counts, **common)
        if isinstance(item, mi.StrType) and item.pattern and (item.max_length or 0) <= 80:
            return FieldSpec(widget="words", pattern=item.pattern, **counts, **common)
        return FieldSpec(widget="rows", **counts, **common)
    if isinstance(plain, mi.DictType):
        key, _ = _plain(plain.key_type)
        value, _ = _plain(plain.value_type)
        key_name = "language" if getattr(key, "pattern", None) == LANGUAGE_PATTERN else "key"
        key_spec = _spec(key_name, key, required=True, default=None, kind_folder=kind_folder, guide={})
        subfields = _struct_fields(value, kind_folder) if isinstance(value, mi.StructType) else (
            _spec("value", value, required=True, default=None, kind_folder=kind_folder, guide={}),
        )  # fmt: skip
        return FieldSpec(widget="map", key=key_spec, subfields=subfields, **common)
    if isinstance(plain, mi.StructType):
        return FieldSpec(widget="structs", subfields=_struct_fields(plain, kind_folder), min_length=1, max_length=1, **common)
    return FieldSpec(widget="text", **common)


def _struct_fields(struct: mi.StructType, kind_folder: str) -> tuple[FieldSpec, ...]:
    """A row's sub-fields. A row's `id` (a rubric's behaviour) is typed, not fixed like an item's:
    it is a plain one-line input."""
    specs = (
        _spec(f.name, f.type, required=f.required, default=_default(f), kind_folder=kind_folder, guide={})
        for f in struct.fields
    )
    return tuple(msgspec.structs.replace(s, widget="text") if s.widget == "id" else s for s in specs)


def numbered_keys(spec: FieldSpec) -> tuple[int, ...]:
    """The keys of a map keyed by a small range of whole numbers (a rubric's levels 1 to 4): each
    gets its own input; () for other maps."""
    key = spec.key
    if spec.widget != "map" or key is None or key.widget != "number" or not key.integer:
        return ()
    if key.minimum is None or key.maximum is None or not 0 <= key.maximum - key.minimum < 10:
        return ()
    return tuple(range(int(key.minimum), int(key.maximum) + 1))


@functools.cache
def form_fields(kind_folder: str) -> tuple[FieldSpec, ...]:
    """The form of a kind (`questions`, …): every field of its Struct but `change`, which the
    editor asks about separately (cosmetic or substantive), in the Struct's order."""
    info = mi.type_info(KINDS[kind_folder])
    assert isinstance(info, mi.StructType)
    guide = guide_for(kind_folder)
    return tuple(
        _spec(f.name, f.type, required=f.required, default=_default(f), kind_folder=kind_folder, guide=guide)
        for f in info.fields
        if f.name != "change"
    )


def field_names(kind_folder: str) -> set[str]:
    return {f.name for f in form_fields(kind_folder)}


# ---- the authoring guide ---------------------------------------------------------------------------

_HEADING = re.compile(r"^### .*\(`([\w-]+)/`")
_ROW = re.compile(r"^\| `(\w+)` \| [^|]* \| ([^|]*) \| (.*) \|\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def parse_guide(text: str) -> dict[str, dict[str, tuple[str, str]]]:
    """docs/content.md's field tables: kind folder -> field -> (meaning, type), links as their text."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    current: dict[str, tuple[str, str]] | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = found.setdefault(heading.group(1), {})
            continue
        if line.startswith("#"):
            current = None
            continue
        row = _ROW.match(line)
        if row and current is not None:
            current[row.group(1)] = (_LINK.sub(r"\1", row.group(3).strip()), row.group(2).strip())
    return found


@functools.cache
def _guide() -> dict[str, dict[str, tuple[str, str]]]:
    try:
        return parse_guide(GUIDE.read_text(encoding="utf-8"))
    except OSError:  # installed without the docs: labels from the field names alone
        return {}


def guide_for(kind_folder: str) -> dict[str, tuple[str, str]]:
    return _guide().get(kind_folder, {})

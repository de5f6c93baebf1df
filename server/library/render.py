"""Writing an item as an authored file: YAML, or Markdown with YAML front matter.

For items that have no authored file (made in the browser editor, or published before files
were kept): the file a person would have written. Deterministic, in the order of the fields in
docs/content.md, leaving out fields at their default value; reading it back gives the same item
(tests/test_export.py checks that on every demo file).
"""

from __future__ import annotations

import datetime
from typing import Any

import msgspec
import yaml

from server.library.loader import Source
from server.library.rubric_rules import numbered
from server.library.schema import KINDS, Behaviour, Item

# Where an item without a file of its own goes: lessons and refreshers are Markdown, the rest YAML.
_MARKDOWN_KINDS = {"nuggets", "refreshers"}


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, as people write it; everything else as PyYAML would."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def _fields(cls: type[Item], data: dict[str, Any]) -> dict[str, Any]:
    """The item's fields that differ from their defaults, in the Struct's order, dates as dates."""
    out: dict[str, Any] = {}
    for field in msgspec.structs.fields(cls):
        if field.name == "change" or field.name not in data:
            continue
        value = data[field.name]
        if field.default is not msgspec.NODEFAULT and value == msgspec.to_builtins(field.default):
            continue
        if field.default_factory is not msgspec.NODEFAULT and value == msgspec.to_builtins(field.default_factory()):
            continue
        if field.name == "start" and isinstance(value, str):
            value = _date(value)
        if field.name == "behaviours":
            value = _behaviours(value)
        out[field.name] = value
    return out


_BEHAVIOUR_ORDER = {f.name: i for i, f in enumerate(msgspec.structs.fields(Behaviour))}


def _behaviours(behaviours: Any) -> Any:
    """A rubric's behaviours as written: fields in the schema's order (as in docs/content.md), level
    keys as numbers (`1:`), and no empty lists of linked practice."""
    if not isinstance(behaviours, list):
        return behaviours
    out = []
    for behaviour in behaviours:
        if isinstance(behaviour, dict):
            if isinstance(behaviour.get("levels"), dict):
                behaviour = {**behaviour, "levels": numbered(behaviour["levels"])}
            ordered = sorted(behaviour.items(), key=lambda kv: _BEHAVIOUR_ORDER.get(kv[0], len(_BEHAVIOUR_ORDER)))
            behaviour = {k: v for k, v in ordered if v != [] or k not in ("questions", "refreshers")}
        out.append(behaviour)
    return out


def _date(text: str) -> datetime.date | str:
    """A date written as YYYY-MM-DD; anything else as written (a draft may hold a wrong date,
    which the check then reports at its field)."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return text


def _yaml(fields: dict[str, Any]) -> str:
    return yaml.dump(fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def render(folder: str, data: dict[str, Any], rel: str | None = None) -> Source:
    """The authored file of an item of the kind folder `folder` ("questions", …), at `rel` if it
    has a place in the library, else `<folder>/<id>.yaml` (or `.md` for lessons and refreshers)."""
    cls = KINDS[folder]
    fields = _fields(cls, data)
    if rel is None:
        rel = f"{folder}/{data['id']}{'.md' if folder in _MARKDOWN_KINDS else '.yaml'}"
    if rel.endswith(".md"):
        body = str(fields.pop(cls.body_field, "")).strip("\n")
        text = f"---\n{_yaml(fields)}---\n" + (f"{body}\n" if body else "")
    else:
        text = _yaml(fields)
    return Source(rel=rel, shown=rel, raw=text.encode())

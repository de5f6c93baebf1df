"""Reading the authored library from disk: files, front matter, YAML and field types.

Every problem is collected, not just the first: a file with three wrong fields reports three
lines, each with the line number where the field stands.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any, get_args

import msgspec
import yaml

from server.library.problems import Problem
from server.library.prompt_rules import time_limit_problems
from server.library.rubric_rules import behaviour_problems
from server.library.schema import KINDS, Item, PitchPrompt, Rubric
from sync.content import AUDIENCE_PATTERN

MAX_FILE_BYTES = 256 * 1024
MAX_FILES = 10_000
SUFFIXES = (".yaml", ".yml", ".md")
# libyaml's parser when PyYAML was built with it (about 10x faster); same nodes, same marks.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PATTERN_WORDS = {
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$": "a slug (lower-case letters, digits and single hyphens)",
    r"^[a-z]{2}(?:-[A-Z]{2})?$": "a language tag such as en or nl",
    AUDIENCE_PATTERN: "an audience: all, a team id (north), role:ROLE (role:manager) or TEAM:TEAM-ROLE (north:rep)",
}


class Source(msgspec.Struct, frozen=True):
    """One content file as authored: where it lives in the library (`rel`, e.g.
    `questions/nl/x.yaml`), how problems name it (`shown`), and its exact bytes."""

    rel: str
    shown: str
    raw: bytes

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.rel).suffix

    @property
    def stem(self) -> str:
        return PurePosixPath(self.rel).stem


class LoadedItem(msgspec.Struct, frozen=True):
    """An item decoded from one file, with where its fields stand in that file, and the file."""

    item: Item
    path: str
    lines: dict[str, int]
    source: Source | None = None

    def line_of(self, where: str) -> int:
        """The line of a `$.path`, or of the nearest enclosing field that has one."""
        return _line_for(self.lines, where)


class Library(msgspec.Struct):
    """Every item of the authored library, by kind (the folder name) and id."""

    items: dict[str, dict[str, LoadedItem]]
    # Ids (taken from file names) of files that failed to load: references to them are not
    # reported again as unknown, since the file's own problem already is.
    broken: set[tuple[str, str]] = msgspec.field(default_factory=set)

    def of(self, kind: str) -> dict[str, LoadedItem]:
        return self.items.get(kind, {})

    def counts(self) -> dict[str, int]:
        return {kind: len(self.of(kind)) for kind in KINDS}


def _line_for(lines: dict[str, int], where: str) -> int:
    probe = where
    while probe:
        if probe in lines:
            return lines[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return lines.get("$", 0)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_TRUE_WORDS = ("yes", "true", "on")


def _reading(node: yaml.Node, text: str) -> str | None:
    """What YAML made of a value that is not plain text, in an editor's words, ending where
    the advice to quote it can follow; None for text."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL_TAG:
        value = "true" if str(node.value).lower() in _TRUE_WORDS else "false"
        return f"`{node.value}` is read by YAML as {value}, not as text"
    if isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS:
        return f"`{node.value}` is read by YAML as a number, not as text"
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        snippet = " ".join(text[node.start_mark.index : node.end_mark.index].split())
        if len(snippet) > 60:
            snippet = snippet[:57] + "..."
        if isinstance(node, yaml.SequenceNode):
            return f"`{snippet}` is read by YAML as a list, not as text"
        if ": " in snippet and not node.flow_style:
            return f"`{snippet}` is read by YAML as a field and its value because of the unquoted `: `, not as text"
        return f"`{snippet}` is read by YAML as fields, not as text"
    return None


class _Index(msgspec.Struct):
    """Where each `$.path` stands in a file, and what YAML made of values that are not text."""

    path: str
    offset: int
    text: str
    lines: dict[str, int] = msgspec.field(default_factory=dict)
    readings: dict[str, str] = msgspec.field(default_factory=dict)
    problems: list[Problem] = msgspec.field(default_factory=list)

    def walk(self, node: yaml.Node, where: str) -> None:
        """Record the line of every field and list item; report duplicated keys."""
        self.lines.setdefault(where, node.start_mark.line + 1 + self.offset)
        if where != "$" and (reading := _reading(node, self.text)):
            self.readings[where] = reading
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1 + self.offset
                if key in seen:
                    self.problems.append(Problem(self.path, line, f"`{key}` is given twice (first on line {seen[key]})"))
                    continue
                seen[key] = line
                child = f"{where}.{key}"
                self.lines[child] = line
                self.walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, value_node in enumerate(node.value):
                self.walk(value_node, f"{where}[{i}]")


def _tab_problem(text: str, path: str, offset: int, mark: Any) -> Problem | None:
    """The tab that most likely broke a parse: on the line of the error, else the first tab
    that indents a line before it."""
    rows = text.split("\n")
    error_row = mark.line if mark is not None else len(rows) - 1
    candidates = [error_row] + [i for i in range(min(error_row, len(rows))) if "\t" in rows[i][: len(rows[i]) - len(rows[i].lstrip())]]
    for row in candidates:
        if 0 <= row < len(rows) and "\t" in rows[row]:
            column = rows[row].index("\t") + 1
            return Problem(path, row + 1 + offset, f"line {row + 1 + offset} column {column} is a tab: YAML indents with spaces")
    return None


def parse_yaml(text: str, path: str, offset: int = 0) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse YAML, returning the data, the line of each `$.path`, and any problems."""
    data, index = _parse(text, path, offset)
    return data, index.lines, index.problems


def _parse(text: str, path: str, offset: int = 0) -> tuple[Any, _Index]:
    index = _Index(path=path, offset=offset, text=text)
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            index.problems.append(Problem(path, offset + 1, "the file holds no fields"))
            return None, index
        index.walk(node, "$")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        tab = _tab_problem(text, path, offset, mark) if "\t" in text else None
        line = mark.line + 1 + offset if mark else offset + 1
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        index.problems[:] = [tab or Problem(path, line, f"bad YAML: {reason}")]
        return None, index
    except yaml.YAMLError as exc:
        index.problems[:] = [Problem(path, offset + 1, f"bad YAML: {exc}")]
        return None, index
    finally:
        loader.dispose()
    return data, index


def split_front_matter(text: str, path: str) -> tuple[str, int, str, int, list[Problem]]:
    """Split a Markdown file into its YAML front matter and body, with their first lines."""
    rows = text.split("\n")
    if rows[0].strip() != "---":
        return "", 0, "", 0, [Problem(path, 1, "a Markdown file must start with a `---` line that opens its YAML front matter")]
    for i in range(1, len(rows)):
        if rows[i].strip() == "---":
            return "\n".join(rows[1:i]), 1, "\n".join(rows[i + 1 :]), i + 2, []
    return "", 0, "", 0, [Problem(path, 1, "the front matter opened on line 1 is never closed with a `---` line")]


def _friendly(message: str, field_type: Any = None) -> str:
    """msgspec's message in an editor's words: patterns described, choices listed."""
    for pattern, words in _PATTERN_WORDS.items():
        message = message.replace(f"matching regex '{pattern}'", f"({words})")
    message = message.replace("Invalid RFC3339 encoded date", "expected a date written as YYYY-MM-DD")
    message = message.replace("Object contains unknown field", "unknown field").replace("Object missing required field", "missing required field")
    if message.startswith("Invalid enum value") and field_type is not None:
        choices = [a for arg in get_args(field_type) for a in (get_args(arg) or [arg]) if isinstance(a, str)]
        message += f"; use one of: {', '.join(choices)}"
    return message.replace("`", "")


# Fields whose own rules say more than the schema's first error: (where inside, message) each.
_FIELD_RULES: dict[tuple[type[Item], str], Callable[[Any], list[tuple[str, str]]]] = {
    (Rubric, "behaviours"): behaviour_problems,
    (PitchPrompt, "time_limit_s"): time_limit_problems,
}

_EXPECTED_TEXT = re.compile(r"^Expected `str(?: \| null)?`, got `\w+`")


def _type_message(message: str, field_type: Any, reading: str | None) -> str:
    """A type error in an editor's words: when text was expected and YAML read something else
    (an unquoted `yes`, a number, `a: b`), say what it read and to quote it."""
    if reading is not None and _EXPECTED_TEXT.match(message):
        return f"{reading}: put the text in quotes"
    return _friendly(message, field_type)


def nearest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to a misspelt `word`, if one is close enough to suggest."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def _field_problems(data: dict[str, Any], cls: type[Item], path: str, lines: dict[str, int], readings: dict[str, str]) -> list[Problem]:
    """Check each field on its own so that every wrong field is reported, not just the first."""
    problems: list[Problem] = []
    fields = {f.name: f for f in msgspec.structs.fields(cls)}
    for key in data:
        if key not in fields:
            hint = nearest(str(key), fields, cutoff=0.75)
            also = f"; did you mean `{hint}`?" if hint else f"; known fields: {', '.join(fields)}"
            where = f"$.{key}"
            problems.append(Problem(path, _line_for(lines, where), f"unknown field `{key}`{also}", where))
    for name, field in fields.items():
        where = f"$.{name}"
        if name not in data:
            if field.required:
                problems.append(Problem(path, _line_for(lines, "$"), f"missing required field `{name}`", where))
            continue
        rule = _FIELD_RULES.get((cls, name))
        if rule is not None and (found := rule(data[name])):
            problems.extend(Problem(path, _line_for(lines, where + inner), message, where + inner) for inner, message in found)
            continue
        try:
            msgspec.convert(data[name], field.type)
        except msgspec.ValidationError as exc:
            message, _, at = str(exc).partition(" - at `")
            inner = at.rstrip("`")
            if inner.startswith("key` in `$"):
                inner = inner[len("key` in `$") :]
            elif inner.startswith("$"):
                inner = inner[1:]
            full = where + inner
            problems.append(Problem(path, _line_for(lines, full), _type_message(message, field.type, readings.get(full)), full))
    return problems


def load_source(source: Source, cls: type[Item]) -> tuple[LoadedItem | None, list[Problem]]:
    """Decode one content file's bytes into its Struct, or say everything that is wrong with it."""
    raw, shown = source.raw, source.shown
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(shown, 1, f"the file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}: split it")]
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(shown, line, "the file is not UTF-8 text: save it as UTF-8")]
    body = ""
    body_line = 0
    offset = 0
    if source.suffix == ".md":
        text, offset, body, body_line, problems = split_front_matter(text, shown)
        if problems:
            return None, problems
    data, index = _parse(text, shown, offset)
    lines = index.lines
    if index.problems:
        return None, index.problems
    if not isinstance(data, dict):
        return None, [Problem(shown, offset + 1, "expected fields (`name: value` lines) at the top level of the file")]
    if source.suffix == ".md":
        if cls.body_field in data:
            where = f"$.{cls.body_field}"
            return None, [Problem(shown, lines.get(where, 0), f"`{cls.body_field}` is given in the front matter and as the Markdown body: keep one", where)]
        if body.strip():
            data[cls.body_field] = body.strip()
            lines[f"$.{cls.body_field}"] = body_line
    problems = _field_problems(data, cls, shown, lines, index.readings)
    if problems:
        return None, problems
    try:
        item = msgspec.convert(data, cls)
    except msgspec.ValidationError as exc:
        return None, [Problem(shown, lines.get("$", 1), _friendly(str(exc)))]
    return LoadedItem(item=item, path=shown, lines=lines, source=source), []


def read_folder(root: Path) -> tuple[list[Source], list[Problem]]:
    """Every content file under `root`, as sources; and the problems with the folder itself."""
    problems: list[Problem] = []
    sources: list[Source] = []
    if not root.is_dir():
        return [], [Problem(str(root), 0, "no such content folder")]
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and entry.name not in KINDS and not entry.name.startswith("."):
            problems.append(Problem(str(entry), 0, f"unknown folder: content lives in {', '.join(k + '/' for k in KINDS)}"))
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            if file.is_dir() or any(part.startswith(".") for part in file.relative_to(root).parts):
                continue
            if file.suffix not in SUFFIXES:
                problems.append(Problem(str(file), 1, "not a content file: use .yaml, .yml or .md"))
                continue
            if len(sources) >= MAX_FILES:
                problems.append(Problem(str(root), 0, f"more than {MAX_FILES:,} files: split the library"))
                return sources, problems
            sources.append(Source(rel=file.relative_to(root).as_posix(), shown=str(file), raw=file.read_bytes()))
    return sources, problems


def load_sources(sources: list[Source]) -> tuple[Library, list[Problem]]:
    """Decode content files (by their place in the library: `<kind folder>/...`) into a library."""
    problems: list[Problem] = []
    items: dict[str, dict[str, LoadedItem]] = {kind: {} for kind in KINDS}
    broken: set[tuple[str, str]] = set()
    for source in sources:
        kind = source.rel.split("/", 1)[0]
        cls = KINDS.get(kind)
        if cls is None or "/" not in source.rel:
            problems.append(Problem(source.shown, 0, f"unknown folder: content lives in {', '.join(k + '/' for k in KINDS)}"))
            continue
        if source.suffix not in SUFFIXES:
            problems.append(Problem(source.shown, 1, "not a content file: use .yaml, .yml or .md"))
            continue
        loaded, found = load_source(source, cls)
        problems.extend(found)
        if loaded is None:
            broken.add((kind, source.stem))
            continue
        first = items[kind].get(loaded.item.id)
        if first is not None:
            problems.append(
                Problem(source.shown, loaded.line_of("$.id"), f"duplicate id `{loaded.item.id}`: {first.path} has it too", "$.id")
            )
            continue
        items[kind][loaded.item.id] = loaded
        if source.stem != loaded.item.id:
            problems.append(
                Problem(source.shown, loaded.line_of("$.id"), f"id `{loaded.item.id}` differs from the file name: rename the file to {loaded.item.id}{source.suffix} or fix the id", "$.id")
            )
    return Library(items, broken), problems


def load_library(root: Path) -> tuple[Library, list[Problem]]:
    """Read every content file under `root`; return the items and every problem found."""
    sources, problems = read_folder(root)
    library, more = load_sources(sources)
    return library, problems + more

"""The published library as files: for `recap content export`, the browser editor and roll-back.

An item published from a file comes back as that file, byte for byte (publish keeps it);
one made in the browser, or published before files were kept, is written as a person would
have written it (server/library/render.py). So a library can go files -> publish -> export ->
publish and the last publish finds nothing to change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import msgspec
import sqlite_utils

from server.library.loader import SUFFIXES, Source, load_sources
from server.library.render import render
from server.library.schema import KINDS, Question
from server.library.snapshot import KIND_BY_NAME
from server.storage import content as store


def place(folder: str, source: str | None) -> str | None:
    """An item's place in the library from what publish recorded: `questions/nl/x.yaml`. Old
    rows recorded the file's path as given on the command line: keep what follows its kind folder."""
    if not source:
        return None
    parts = PurePosixPath(source.replace("\\", "/")).parts
    if folder in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index(folder) :])
    return None


def sources_at(db: sqlite_utils.Database, version: int) -> list[Source]:
    """Every item of the library at `version`, as its file."""
    out = []
    for item in store.items_at(db, version):
        folder = KIND_BY_NAME[item.kind]
        rel = place(folder, item.source)
        if item.raw is not None and rel is not None:
            out.append(Source(rel=rel, shown=rel, raw=bytes(item.raw)))
        else:
            out.append(render(folder, json.loads(item.data), rel))
    return sorted(out, key=lambda s: s.rel)


def counts(sources: list[Source]) -> dict[str, int]:
    found = dict.fromkeys(KINDS, 0)
    for source in sources:
        found[source.rel.split("/", 1)[0]] += 1
    return found


def write_library(root: Path, sources: list[Source]) -> list[str]:
    """Write the files into `root` (made when missing) and delete the content files there that
    the library does not have, so the folder is the library. Returns the deleted files' places."""
    wanted = {s.rel for s in sources}
    removed = []
    for folder in KINDS:
        for file in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            rel = file.relative_to(root).as_posix()
            if file.is_file() and file.suffix in SUFFIXES and rel not in wanted and not any(p.startswith(".") for p in file.parts):
                file.unlink()
                removed.append(rel)
    for source in sources:
        target = root / source.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(source.raw)
        partial.replace(target)  # a reader never sees half a file
    return removed


_CHANGE_LINE = re.compile(rb"^change:.*$", re.M)


def with_change(source: Source, change: str) -> Source:
    """The file with a `change:` marker saying how it changed (replacing one it has)."""
    line = f"change: {change}".encode()
    raw = source.raw
    if _CHANGE_LINE.search(raw):
        raw = _CHANGE_LINE.sub(line, raw, count=1)
    elif source.rel.endswith(".md"):
        head, sep, rest = raw.partition(b"\n---")
        raw = head.rstrip(b"\n") + b"\n" + line + sep + rest
    else:
        raw = raw.rstrip(b"\n") + b"\n" + line + b"\n"
    return msgspec.structs.replace(source, raw=raw)


def marked_for(db: sqlite_utils.Database, sources: list[Source]) -> list[Source]:
    """The files, with a change marker on every question that differs from its published
    revision and already has answers: `cosmetic` when its right answer, option count and
    competency are the same (learners keep their progress), else `substantive`."""
    library, _ = load_sources(sources)
    current = store.current_items(db)
    answered = store.answer_counts(db, list(library.of("questions")))
    out = []
    for source in sources:
        loaded = library.of("questions").get(PurePosixPath(source.rel).stem) if source.rel.startswith("questions/") else None
        held = current.get(("question", loaded.item.id)) if loaded else None
        if loaded is None or held is None or held.data is None or not answered.get(loaded.item.id):
            out.append(source)
            continue
        question, before = loaded.item, msgspec.convert(json.loads(held.data), Question)
        assert isinstance(question, Question)
        if msgspec.structs.replace(question, change=None) == before:
            out.append(source)
            continue
        same_key = (question.correct_options, len(question.options), question.competency) == (
            before.correct_options, len(before.options), before.competency,
        )  # fmt: skip
        out.append(with_change(source, "cosmetic" if same_key else "substantive"))
    return out

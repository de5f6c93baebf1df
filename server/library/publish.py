"""Publishing: compare the authored library with what is published and write one new version."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import msgspec
import sqlite_utils

from server.db import write_transaction
from server.library.checks import check_sources
from server.library.loader import Library, LoadedItem, Source, read_folder
from server.library.problems import ContentError, Problem
from server.library.schema import KINDS, Question
from server.library.snapshot import KIND_BY_NAME, build_snapshot, snapshot_entry
from server.storage import content as store

KIND_ORDER = [cls.kind for cls in KINDS.values()]


class Change(msgspec.Struct, frozen=True):
    """One line of a publish report."""

    change: str  # new, cosmetic, substantive or removed
    kind: str
    item_id: str
    rev: int

    def __str__(self) -> str:
        return f"{self.change} {self.kind} {self.item_id} (rev {self.rev})"


class PublishResult(msgspec.Struct, frozen=True):
    version: int
    changes: list[Change]

    @property
    def published(self) -> bool:
        return bool(self.changes)


def canonical(loaded: LoadedItem) -> tuple[str, str]:
    """The item's stored JSON (without its change marker) and the hash that detects edits.

    The hash leaves out fields at their default value, so that adding a field with a default
    to the schema does not make every published item look edited.
    """
    item = msgspec.structs.replace(loaded.item, change=None)
    data = msgspec.json.encode(item).decode()
    defaults = {
        f.name: f.default if f.default is not msgspec.NODEFAULT else f.default_factory()
        for f in msgspec.structs.fields(item)
        if f.default is not msgspec.NODEFAULT or f.default_factory is not msgspec.NODEFAULT
    }
    meaningful = {
        k: v for k, v in msgspec.to_builtins(item, str_keys=True).items() if k not in defaults or v != msgspec.to_builtins(defaults[k])
    }
    digest = hashlib.sha256(msgspec.json.encode(meaningful, order="sorted")).hexdigest()
    return data, digest


def _cosmetic_problem(loaded: LoadedItem, before: dict[str, object]) -> Problem | None:
    """A cosmetic edit keeps progress, so it may not change what counts as a right answer."""
    item = loaded.item
    if not isinstance(item, Question):
        return None
    old = msgspec.convert(before, Question)
    for field, changed in (
        ("correct", old.correct_options != item.correct_options),
        ("options", len(old.options) != len(item.options)),
        ("competency", old.competency != item.competency),
    ):
        if changed:
            return Problem(
                loaded.path, loaded.line_of(f"$.{field}"),
                f"a cosmetic change cannot change `{field}` (learners' progress would no longer fit): "
                "mark it `change: substantive`",
                f"$.{field}",
            )
    return None


def plan(
    library: Library, current: dict[tuple[str, str], store.StoredItem], answers: dict[str, int]
) -> tuple[list[store.NewRevision], list[Problem]]:
    """Work out every revision a publish would write, or the problems that forbid it."""
    revisions: list[store.NewRevision] = []
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for folder, items in library.items.items():
        kind = KINDS[folder].kind
        for item_id, loaded in items.items():
            seen.add((kind, item_id))
            data, digest = canonical(loaded)
            cur = current.get((kind, item_id))
            rel, raw = (loaded.source.rel, loaded.source.raw) if loaded.source else (None, None)
            if cur is None or cur.removed:
                rev = cur.rev + 1 if cur else 1
                revisions.append(store.NewRevision(kind, item_id, rev, "new", rev, digest, data, rel, raw))
                continue
            if cur.hash == digest:
                continue
            marker = loaded.item.change
            answered = answers.get(item_id, 0) if kind == "question" else 0
            if answered and marker is None:
                problems.append(
                    Problem(
                        loaded.path, loaded.line_of("$"),
                        f"question `{item_id}` changed and already has {answered} answer(s): add "
                        "`change: cosmetic` (wording only, learners keep their progress) or "
                        "`change: substantive` (the meaning changed, progress restarts) to its fields",
                    )
                )
                continue
            change = marker or "substantive"
            if change == "cosmetic" and cur.data is not None:
                problem = _cosmetic_problem(loaded, json.loads(cur.data))
                if problem:
                    problems.append(problem)
                    continue
            rev = cur.rev + 1
            epoch = cur.epoch if change == "cosmetic" else rev
            revisions.append(store.NewRevision(kind, item_id, rev, change, epoch, digest, data, rel, raw))
    for (kind, item_id), cur in current.items():
        if not cur.removed and (kind, item_id) not in seen:
            revisions.append(store.NewRevision(kind, item_id, cur.rev + 1, "removed", cur.epoch, None, None, None))
    revisions.sort(key=lambda r: (KIND_ORDER.index(r.kind), r.item_id))
    return revisions, problems


def _entries(
    current: dict[tuple[str, str], store.StoredItem], revisions: list[store.NewRevision]
) -> dict[str, list[dict[str, object]]]:
    latest = {key: (c.rev, c.epoch, c.data) for key, c in current.items()}
    for r in revisions:
        latest[(r.kind, r.item_id)] = (r.rev, r.epoch, r.data)
    entries: dict[str, list[dict[str, object]]] = {}
    for (kind, _), (rev, epoch, data) in latest.items():
        if data is not None:
            entries.setdefault(KIND_BY_NAME[kind], []).append(snapshot_entry(kind, json.loads(data), rev, epoch))
    return entries


class RevertsRefused(ContentError):
    """A publish would put items back as an earlier version had them (a stale copy of the
    files, say, after an editor changed them in the browser); nothing was published."""

    def __init__(self, reverts: list[tuple[store.NewRevision, int, int, str]]) -> None:
        self.reverts = reverts
        super().__init__(
            [
                Problem(
                    shown, 0,
                    f"would put {r.kind} `{r.item_id}` back as version {old} had it, undoing version {newer}: "
                    "export the library first (`recap content export`) to get the newer text, or add --revert "
                    "to publish the older one",
                )
                for r, old, newer, shown in reverts
            ]
        )  # fmt: skip


class RemovalsRefused(ContentError):
    """A publish would withdraw items that the files do not have; nothing was published."""

    def __init__(self, removed: list[Change]) -> None:
        self.removed = removed
        super().__init__(
            [
                Problem(
                    f"{KIND_BY_NAME[c.kind]}/{c.item_id}", 0,
                    f"{c.kind} `{c.item_id}` is published but the files do not have it: add --remove to withdraw it, "
                    "or export the library first (`recap content export`) to get its file",
                )
                for c in removed
            ]
        )


def _reverts(
    db: sqlite_utils.Database,
    library: Library,
    current: dict[tuple[str, str], store.StoredItem],
    revisions: list[store.NewRevision],
) -> list[tuple[store.NewRevision, int, int, str]]:
    """The revisions that put an item back as an earlier version had it: (revision, that
    version, the version that changed it since, the file)."""
    changed = [r for r in revisions if r.hash is not None and (r.kind, r.item_id) in current]
    earlier = store.earlier_hashes(db, [(r.kind, r.item_id) for r in changed])
    out = []
    for r in changed:
        old = earlier[(r.kind, r.item_id)].get(r.hash or "")
        if old is not None:
            loaded = library.of(KIND_BY_NAME[r.kind]).get(r.item_id)
            out.append((r, old, current[(r.kind, r.item_id)].version, loaded.path if loaded else r.item_id))
    return out


def publish(
    db: sqlite_utils.Database,
    root: Path,
    now: datetime.datetime | None = None,
    *,
    allow_removals: bool = True,
    allow_reverts: bool = True,
    origin: dict[str, object] | None = None,
) -> PublishResult:
    """Validate the folder `root` and publish every change as one new version, all or nothing."""
    sources, problems = read_folder(root)
    return publish_sources(
        db, sources, now, folder_problems=problems, allow_removals=allow_removals, allow_reverts=allow_reverts, origin=origin
    )


def publish_sources(
    db: sqlite_utils.Database,
    sources: list[Source],
    now: datetime.datetime | None = None,
    *,
    folder_problems: list[Problem] | None = None,
    allow_removals: bool = True,
    allow_reverts: bool = True,
    origin: dict[str, object] | None = None,
    on_write: Callable[[sqlite_utils.Database, int], None] | None = None,
) -> PublishResult:
    """Publish a whole library given as its files (from a folder, the browser editor or a
    roll-back): every change as one new version, in one IMMEDIATE transaction, all or nothing.
    The one publisher: the same files give the same version, wherever they came from.

    Items published now but missing from the files are withdrawn only with `allow_removals`;
    otherwise RemovalsRefused names them and nothing is published. Likewise an item put back
    exactly as an earlier version had it (and since changed) only with `allow_reverts`, else
    RevertsRefused: a stale copy of the files cannot silently undo an edit made in the browser.
    `origin` says where the version came from (`{"via": "files"}`, `{"via": "editor"}`,
    `{"rollback_to": N}`); it is kept in the version's summary.

    `on_write(db, version)` runs inside the transaction once the new version is written (not when
    nothing changed): what the caller records with it (who published, the drafts it consumed)
    commits with the version or not at all, and an exception there publishes nothing.
    """
    library = check_sources(sources, folder_problems)
    question_ids = list(library.of("questions"))
    published_at = (now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds")
    with write_transaction(db):
        current = store.current_items(db)
        answers = store.answer_counts(db, [qid for qid in question_ids if ("question", qid) in current])
        revisions, problems = plan(library, current, answers)
        if problems:
            raise ContentError(problems)
        removed = [Change(r.change, r.kind, r.item_id, r.rev) for r in revisions if r.change == "removed"]
        if removed and not allow_removals:
            raise RemovalsRefused(removed)
        if not allow_reverts and (reverts := _reverts(db, library, current, revisions)):
            raise RevertsRefused(reverts)
        version = store.latest_version(db)
        if not revisions:
            return PublishResult(version, [])
        version += 1
        body, gz, etag = build_snapshot(version, published_at, _entries(current, revisions))
        summary = {"items": library.counts(), "changes": dict(Counter(r.change for r in revisions)), **({"origin": origin} if origin else {})}
        store.insert_version(db, version, published_at, summary, revisions, etag, len(body), gz)
        if on_write is not None:
            on_write(db, version)
    return PublishResult(version, [Change(r.change, r.kind, r.item_id, r.rev) for r in revisions])

"""The published library at one version, as the single JSON document devices download."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

import msgspec
from markdown_it import MarkdownIt

from server.library.schema import KINDS
from sync.content import SnapshotDocument

__all__ = ["SNAPSHOT_KEYS", "SnapshotDocument", "build_snapshot", "render_markdown", "snapshot_entry"]

# Raw HTML in authored Markdown is shown as text, never rendered: content must not be able to
# inject scripts into the app. markdown-it also refuses javascript: links.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

# Markdown fields that get a rendered `<field>_html` twin in the snapshot.
_MARKDOWN_FIELDS = {
    "competency": ("description",),
    "nugget": ("body",),
    "question": ("stem", "explanation"),
    "refresher": ("body",),
    "campaign": ("description",),
    "rubric": (),
    "pitch_prompt": ("situation",),
}
KIND_BY_NAME = {cls.kind: folder for folder, cls in KINDS.items()}
# The snapshot document's list of each kind folder: the folder's name, `_` for `-`
# (`pitch-prompts/` → `pitch_prompts`).
SNAPSHOT_KEYS = {folder: folder.replace("-", "_") for folder in KINDS}


def render_markdown(text: str) -> str:
    html: str = _markdown.render(text)
    return html


def snapshot_entry(kind: str, data: dict[str, Any], rev: int, epoch: int) -> dict[str, Any]:
    """One item as the app sees it: authored fields, its revision, and rendered Markdown.

    Stored data is decoded with today's schema first, so an item published before a field was
    added still reaches the app with that field at its default.
    """
    # Stored JSON has a rubric's level numbers as text ("1"): not strict, so they are numbers again.
    entry: dict[str, Any] = msgspec.to_builtins(msgspec.convert(data, KINDS[KIND_BY_NAME[kind]], strict=kind != "rubric"))
    entry.pop("change", None)
    entry["rev"] = rev
    if kind == "question":
        entry["epoch"] = epoch
        # The one place `correct` is normalised (a number or a list, as authored).
        correct = entry["correct"]
        entry["correct_options"] = sorted(correct) if isinstance(correct, list) else [correct]
        entry["multiple"] = isinstance(correct, list)
    for field in _MARKDOWN_FIELDS.get(kind, ()):
        if entry.get(field):
            entry[f"{field}_html"] = render_markdown(entry[field])
    return entry


def build_snapshot(version: int, published_at: str, entries: dict[str, list[dict[str, Any]]]) -> tuple[bytes, bytes, str]:
    """Encode a snapshot; return (JSON, gzip of it, ETag). Deterministic for the same input."""
    document: dict[str, Any] = {"version": version, "published_at": published_at}
    for folder in KINDS:
        document[SNAPSHOT_KEYS[folder]] = sorted(entries.get(folder, []), key=lambda e: e["id"])
    body = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # mtime=0 keeps the compressed bytes identical for identical input.
    return body, gzip.compress(body, compresslevel=9, mtime=0), etag

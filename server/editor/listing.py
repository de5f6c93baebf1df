"""The editor's list of every item, and its filters. Pure: rows from what storage returns.

Statuses: `published` (live), `withdrawn` (published once, removed since), `draft` (has a draft),
`ready` (a draft marked ready for review). An item can be published and have a draft at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from server.editor.quality import Quality
from server.editor.store import Draft
from server.library.snapshot import KIND_BY_NAME
from server.storage.content import StoredItem

STATUSES = ("published", "draft", "ready", "withdrawn")
QUALITY_FILTERS = ("flagged", "too-easy", "too-hard", "ambiguous")


class Row(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    folder: str
    item_id: str
    title: str
    competency: str | None
    language: str | None
    statuses: tuple[str, ...]
    answers: int = 0
    campaigns: tuple[str, ...] = ()
    quality: Quality | None = None
    reach: int | None = None  # campaigns: learners it reaches (server/editor/campaign_insight.py)


def title_of(data: Mapping[str, Any], item_id: str) -> str:
    """A one-line title: the title or name, else the first line of a question's stem."""
    for field in ("title", "name"):
        if isinstance(data.get(field), str) and data[field].strip():
            return str(data[field]).strip()
    stem = data.get("stem")
    if isinstance(stem, str) and stem.strip():
        line = stem.strip().split("\n", 1)[0]
        line = re.sub(r"[*_`#>]", "", line).strip()
        return line if len(line) <= 120 else line[:119] + "…"
    return item_id


def rows(
    current: Mapping[tuple[str, str], StoredItem],
    drafts: Iterable[Draft],
    answers: Mapping[str, int],
    qualities: Mapping[str, Quality] | None = None,
    reach: Mapping[str, int] | None = None,
) -> list[Row]:
    """One row per item that is published, withdrawn or drafted, sorted by kind and id."""
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    statuses: dict[tuple[str, str], list[str]] = {}
    for key, item in current.items():
        if item.removed:
            statuses.setdefault(key, []).append("withdrawn")
            by_key.setdefault(key, {})
        else:
            statuses.setdefault(key, []).append("published")
            by_key[key] = json.loads(item.data or "{}")
    for draft in drafts:
        key = (draft.kind, draft.item_id)
        statuses.setdefault(key, []).append("ready" if draft.ready else "draft")
        by_key[key] = draft.fields  # the list shows what the editor is working on
    membership: dict[tuple[str, str], list[str]] = {}
    for (kind, item_id), data in by_key.items():
        if kind == "pitch_prompt" and isinstance(data.get("campaign"), str):
            membership.setdefault((kind, item_id), []).append(data["campaign"])
        if kind != "campaign":
            continue
        for field, target in (("questions", "question"), ("nuggets", "nugget")):
            for ref in data.get(field) or []:
                if isinstance(ref, str):
                    membership.setdefault((target, ref), []).append(item_id)
    out = []
    for (kind, item_id), data in by_key.items():
        competency = data.get("competency")
        language = data.get("language", "en") if kind != "competency" else None
        out.append(
            Row(
                kind=kind, folder=KIND_BY_NAME[kind], item_id=item_id, title=title_of(data, item_id),
                competency=competency if isinstance(competency, str) else None,
                language=language if isinstance(language, str) else None,
                statuses=tuple(statuses.get((kind, item_id), ())),
                answers=answers.get(item_id, 0) if kind == "question" else 0,
                campaigns=tuple(sorted(membership.get((kind, item_id), []))),
                quality=(qualities or {}).get(item_id) if kind == "question" else None,
                reach=(reach or {}).get(item_id) if kind == "campaign" else None,
            )
        )
    kinds = list(KIND_BY_NAME)
    return sorted(out, key=lambda r: (kinds.index(r.kind), r.item_id))


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    kind: str = ""
    competency: str = ""
    language: str = ""
    campaign: str = ""
    status: str = ""
    answers: str = ""  # "yes" or "no"
    quality: str = ""  # flagged, too-easy, too-hard, ambiguous
    q: str = ""  # words in the id or title

    @property
    def active(self) -> bool:
        return any(msgspec.structs.asdict(self).values())


def matches(row: Row, f: Filters) -> bool:
    if f.kind and row.kind != f.kind:
        return False
    if f.competency and row.competency != f.competency and not (row.kind == "competency" and row.item_id == f.competency):
        return False
    if f.language and row.language != f.language:
        return False
    if f.campaign and f.campaign not in row.campaigns and not (row.kind == "campaign" and row.item_id == f.campaign):
        return False
    if f.status and f.status not in row.statuses:
        return False
    if f.answers == "yes" and not row.answers:
        return False
    if f.answers == "no" and (row.kind != "question" or row.answers):
        return False
    if f.quality:
        flags = row.quality.flags if row.quality else []
        if not flags or (f.quality != "flagged" and f.quality not in flags):
            return False
    if f.q:
        text = f"{row.item_id} {row.title}".lower()
        if not all(word in text for word in f.q.lower().split()):
            return False
    return True


def choices(all_rows: list[Row]) -> dict[str, list[str]]:
    """The values each filter can take, from the rows themselves."""
    return {
        "kind": list(KIND_BY_NAME),
        "competency": sorted({r.item_id for r in all_rows if r.kind == "competency"} | {r.competency for r in all_rows if r.competency}),
        "language": sorted({r.language for r in all_rows if r.language}),
        "campaign": sorted(r.item_id for r in all_rows if r.kind == "campaign"),
        "status": list(STATUSES),
        "quality": list(QUALITY_FILTERS),
    }

"""What sync needs to know about published content, cached per immutable snapshot."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field

import sqlite_utils

from server.storage import content as content_store
from sync.enrollment import CampaignAt, parse_start
from sync.kinds.answer import QuestionAt
from sync.practice import Links, links_of
from sync.progress import DEFAULT_SETTINGS, settings_by_question
from sync.scheduler import Settings


@dataclass(frozen=True)
class VersionIndex:
    """One published content version: its questions, their epochs and scheduler settings."""

    version: int
    questions: dict[str, QuestionAt]
    epochs: dict[str, int]
    settings: dict[str, Settings]
    campaigns: tuple[CampaignAt, ...] = ()
    practice: Links = field(default_factory=Links)  # what low coaching ratings link to (sync/practice.py)

    def settings_for(self, question_id: str) -> Settings:
        return self.settings.get(question_id, DEFAULT_SETTINGS)


def _build(body_gzip: bytes, version: int) -> VersionIndex:
    document = json.loads(gzip.decompress(body_gzip))
    questions: dict[str, QuestionAt] = {}
    epochs: dict[str, int] = {}
    for q in document["questions"]:
        # `correct_options` is normalised at publish; snapshots published before it carry `correct` only.
        correct = q.get("correct_options") or (q["correct"] if isinstance(q["correct"], list) else [q["correct"]])
        questions[q["id"]] = QuestionAt(rev=q["rev"], options=len(q["options"]), correct=frozenset(correct))
        epochs[q["id"]] = q["epoch"]
    campaigns = tuple(
        CampaignAt(
            id=c["id"], audience=tuple(c.get("audience", ())), start_day=parse_start(c.get("start")), end_day=parse_start(c.get("end"))
        )
        for c in document["campaigns"]
    )
    settings = settings_by_question(document["campaigns"], document["questions"])
    return VersionIndex(version, questions, epochs, settings, campaigns, links_of(document))


# Keyed by the snapshot's ETag, a hash of its bytes: right for any database, since a
# snapshot never changes. Small: a server holds one or two live versions at a time.
_cache: dict[str, VersionIndex] = {}
_CACHE_SIZE = 32


def version_index(db: sqlite_utils.Database, version: int) -> VersionIndex | None:
    """The index of one published version, or None when there is no such version."""
    etag = content_store.snapshot_etag(db, version) if 0 < version < 2**63 else None
    if etag is None:
        return None
    index = _cache.get(etag)
    if index is None:
        row = content_store.get_snapshot(db, version)
        assert row is not None
        index = _build(row.body_gzip, row.version)
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[etag] = index
    return index

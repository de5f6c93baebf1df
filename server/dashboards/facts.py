"""What the retention aggregates need of each question in each published version: its
competency and its guessing rate. Cached per immutable snapshot (keyed by its ETag)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass

import sqlite_utils

from server.storage import content as content_store
from sync.measures import guess_ppm


@dataclass(frozen=True)
class QuestionFacts:
    competency: str
    guess_ppm: int  # 1/C(k, m) in parts per million


_cache: dict[str, dict[str, QuestionFacts]] = {}
_CACHE_SIZE = 64


def _build(body_gzip: bytes) -> dict[str, QuestionFacts]:
    document = json.loads(gzip.decompress(body_gzip))
    found = {}
    for q in document["questions"]:
        correct = q.get("correct_options") or (q["correct"] if isinstance(q["correct"], list) else [q["correct"]])
        found[q["id"]] = QuestionFacts(str(q["competency"]), guess_ppm(len(q["options"]), len(correct)))
    return found


def of_version(db: sqlite_utils.Database, version: int) -> dict[str, QuestionFacts]:
    """The facts of every question of one version; empty for an unknown version."""
    etag = content_store.snapshot_etag(db, version) if 0 < version < 2**63 else None
    if etag is None:
        return {}
    found = _cache.get(etag)
    if found is None:
        row = content_store.get_snapshot(db, version)
        assert row is not None
        found = _build(row.body_gzip)
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[etag] = found
    return found


class Facts:
    """Facts by (version, question), loaded per version on first use within one operation."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.versions: dict[int, dict[str, QuestionFacts]] = {}

    def get(self, version: int, question_id: str) -> QuestionFacts | None:
        held = self.versions.get(version)
        if held is None:
            held = self.versions[version] = of_version(self.db, version)
        return held.get(question_id)

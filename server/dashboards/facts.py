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
    options: int


@dataclass(frozen=True)
class VersionFacts:
    questions: dict[str, QuestionFacts]
    competencies: dict[str, str]  # id -> name, in the library's order


_cache: dict[str, VersionFacts] = {}
_CACHE_SIZE = 64
_EMPTY = VersionFacts({}, {})


def _build(body_gzip: bytes) -> VersionFacts:
    document = json.loads(gzip.decompress(body_gzip))
    found = {}
    for q in document["questions"]:
        correct = q.get("correct_options") or (q["correct"] if isinstance(q["correct"], list) else [q["correct"]])
        found[q["id"]] = QuestionFacts(
            str(q["competency"]), guess_ppm(len(q["options"]), len(correct)), len(q["options"])
        )
    competencies = {str(c["id"]): str(c.get("name") or c["id"]) for c in document.get("competencies", [])}
    return VersionFacts(found, competencies)


def latest(db: sqlite_utils.Database) -> VersionFacts:
    """The facts of the latest published version (empty when nothing is published)."""
    return of_version(db, content_store.latest_version(db))


def of_version(db: sqlite_utils.Database, version: int) -> VersionFacts:
    """The facts of one version; empty for an unknown version."""
    etag = content_store.snapshot_etag(db, version) if 0 < version < 2**63 else None
    if etag is None:
        return _EMPTY
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
        self.versions: dict[int, VersionFacts] = {}

    def get(self, version: int, question_id: str) -> QuestionFacts | None:
        held = self.versions.get(version)
        if held is None:
            held = self.versions[version] = of_version(self.db, version)
        return held.questions.get(question_id)

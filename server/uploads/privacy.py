"""A person's uploads and videos in their data export, and gone with their erasure (server/privacy.py).

A video belongs to whoever uploaded it. When someone else finished uploading the same file (the
same bytes, stored once), it stays, now theirs; otherwise its row and its file go.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlite_utils

from server.uploads import files, store
from sync.clock import format_utc


def var_dir(db: sqlite_utils.Database) -> Path:
    """The folder beside the database file, where the server keeps its files (Settings.var_dir)."""
    return Path(str(db.execute("PRAGMA database_list").fetchone()[2])).parent


def collect(db: sqlite_utils.Database, user_id: str) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Their `uploads` and `videos` rows, and a listing of their video files (path beside the database)."""
    uploads, videos = store.of_person(db, user_id)
    layout = files.Layout(var_dir(db))
    media = []
    for video in videos:
        path = layout.video(video.sha256)
        media.append(
            {
                "kind": "video", "sha256": video.sha256, "pitch_id": video.pitch_id, "size": video.size,
                "content_type": video.content_type, "created_at": format_utc(video.created_at),
                "file": str(path.relative_to(layout.videos.parent)), "present": path.exists(),
            }
        )  # fmt: skip
    tables = {
        "uploads": [_jsonable(asdict(u)) for u in uploads],
        "videos": [_jsonable(asdict(v)) for v in videos],
    }
    return tables, media


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: format_utc(v) if hasattr(v, "tzinfo") else v for k, v in row.items()}


def erase(db: sqlite_utils.Database, user_id: str) -> tuple[dict[str, int], list[Path]]:
    """Delete their uploads and their videos' rows (call in the erasure's write transaction);
    return the counts and the files to delete once it commits."""
    uploads, videos = store.of_person(db, user_id)
    layout = files.Layout(var_dir(db))
    doomed = [layout.partial(u.id) for u in uploads if not u.complete]
    counts = {"uploads": db.execute("DELETE FROM uploads WHERE user_id = ?", [user_id]).rowcount, "videos": 0}
    for video in videos:
        heir = store.other_uploader(db, video.sha256, user_id)
        if heir is not None:
            db.execute("UPDATE videos SET uploaded_by = ? WHERE sha256 = ?", [heir, video.sha256])
            counts["videos (kept, another uploaded them too)"] = (
                counts.get("videos (kept, another uploaded them too)", 0) + 1
            )
        else:
            db.execute("DELETE FROM videos WHERE sha256 = ?", [video.sha256])
            counts["videos"] += 1
            doomed.append(layout.video(video.sha256))
    return counts, doomed


def remove(paths: list[Path]) -> int:
    """Delete the files of an erasure that has committed; return how many were there."""
    return sum(files.remove(path) for path in paths)

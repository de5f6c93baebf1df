"""What a test of uploads looks at on the server's side: its rows and its files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.tus import TusClient


def rows(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def partials(db_path: Path) -> list[str]:
    folder = db_path.parent / "uploads"
    return sorted(p.name for p in folder.glob("*.part")) if folder.exists() else []


def stored_videos(db_path: Path) -> list[str]:
    folder = db_path.parent / "videos"
    return sorted(p.name for p in folder.glob("*/*")) if folder.exists() else []


def nothing_of(db_path: Path, user: str) -> None:
    """Assert the server keeps nothing of this person's uploads: no row, no partial, no video."""
    user_id = f"dev:{user}"
    ids = [r[0] for r in rows(db_path, "SELECT id FROM uploads WHERE user_id = ?", user_id)]
    assert ids == [], f"upload rows left: {ids}"
    assert rows(db_path, "SELECT sha256 FROM videos WHERE uploaded_by = ?", user_id) == []
    assert partials(db_path) == [], partials(db_path)


def upload_whole(client: TusClient, data: bytes, pitch_id: str, sha256: str, filetype: str = "video/webm") -> str:
    created = client.create(len(data), pitch_id, sha256, filetype)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    answer = client.patch(location, 0, data, data)
    assert answer.status_code == 204, answer.text
    return location

"""The files of uploads and videos under the data folder (docs/uploads.md "Storage").

`<var>/uploads/<upload id>.part`: the bytes received so far; `<var>/videos/<aa>/<sha256>`: a
finished video, content-addressed (one file per content, whoever sent it). Paths are only ever
made from an upload id or a SHA-256 that passed its pattern, never from anything else a client sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from server.uploads import protocol

READ_BLOCK = 1024 * 1024


class Layout:
    """Where the files of one server live."""

    def __init__(self, var_dir: Path) -> None:
        self.uploads = var_dir / "uploads"
        self.videos = var_dir / "videos"

    def partial(self, upload_id: str) -> Path:
        return self.uploads / f"{protocol.known_id(upload_id)}.part"

    def video(self, sha256: str) -> Path:
        if not protocol.SHA256_HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256: {sha256[:80]!r}")
        return self.videos / sha256[:2] / sha256


def video_files(layout: Layout) -> Iterator[tuple[str, Path]]:
    """Every file at a content address under `<var>/videos/`: (its SHA-256, its path)."""
    if not layout.videos.exists():
        return
    for folder in sorted(layout.videos.iterdir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if protocol.SHA256_HEX.fullmatch(path.name) and path.name[:2] == folder.name and path.is_file():
                yield path.name, path


def open_at(path: Path, offset: int) -> tuple[int, BinaryIO]:
    """Open a partial file for writing at `offset`, cutting off anything past it (bytes a crash
    left beyond the recorded offset were never acknowledged). Returns (where it stands, file):
    less than `offset` when bytes were lost from the disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "r+b" if path.exists() else "w+b")  # noqa: SIM115 - the caller closes it
    size = handle.seek(0, os.SEEK_END)
    stands = min(size, offset)
    handle.truncate(stands)
    handle.seek(stands)
    return stands, handle


def sync_file(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def head(path: Path, size: int) -> bytes:
    with contextlib.suppress(FileNotFoundError), open(path, "rb") as handle:
        return handle.read(size)
    return b""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def place(partial: Path, target: Path) -> None:
    """Move a finished, checked file to its content address, atomically and durably. When a file
    is already there it holds the same bytes (same SHA-256), so the partial is simply dropped."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        partial.unlink(missing_ok=True)
        return
    os.replace(partial, target)
    _sync_dir(target.parent)


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True

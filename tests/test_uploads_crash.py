"""A crash between an upload's file reaching its content address and its row being recorded
(server/uploads/transfer.py `_finish`): the real `recap serve` over HTTP, the crash's leftovers
made on disk as the crash leaves them. The client's next PATCH finishes the upload from the file,
without its bytes again; a file nobody comes back for is deleted by `recap videos prune` once an
hour old, and never a file a video row or an unfinished upload still names."""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import videos
from tests.support.server import LiveServer, run_recap
from tests.support.tus import TusClient, new_pitch_id
from tests.support.uploads import partials, rows, stored_videos, upload_whole

ENV = {"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"}
USER = "rep@example.com"
CHUNK = 64 * 1024
HOUR = 3600


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "var" / "recap.db", env=ENV)
    yield live
    live.stop()


def crashed_at_the_end(server: LiveServer, client: TusClient, data: bytes) -> tuple[str, int]:
    """An upload sent but for its last chunk, then left as a crash in `_finish` leaves it: the whole
    file moved to its content address, the row still unfinished at the last recorded offset."""
    sha = hashlib.sha256(data).hexdigest()
    created = client.create(len(data), new_pitch_id(), sha)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    last = (len(data) - 1) // CHUNK * CHUNK  # where the last chunk starts
    for offset in range(0, last, CHUNK):
        answer = client.patch(location, offset, data[offset : offset + CHUNK], data[offset : offset + CHUNK])
        assert answer.status_code == 204, answer.text
    [partial] = (server.db_path.parent / "uploads").glob("*.part")
    partial.write_bytes(data)  # the last chunk written...
    target = server.db_path.parent / "videos" / sha[:2] / sha
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, target)  # ...and placed; then the server died before recording it
    return location, last


def test_the_next_patch_finishes_an_upload_whose_file_was_placed_but_not_recorded(server: LiveServer) -> None:
    client = TusClient(server.url, USER)
    data = videos.video("webm", 6 * CHUNK - 1, random.Random(7))
    location, last = crashed_at_the_end(server, client, data)
    sha = hashlib.sha256(data).hexdigest()
    assert client.offset(location) == last, "the row still says where the last recorded chunk ended"

    answer = client.patch(location, last, data[last:], data[last:])
    assert answer.status_code == 204, answer.text
    assert int(answer.headers["upload-offset"]) == len(data), "finished, not sent back to the start"
    assert rows(server.db_path, "SELECT completed_at IS NOT NULL FROM uploads") == [(1,)]
    assert rows(server.db_path, "SELECT sha256, size FROM videos") == [(sha, len(data))]
    served = client.http.get(f"{server.url}/videos/{sha}", headers=client.auth)
    assert served.status_code == 200 and served.content == data
    assert partials(server.db_path) == [] and stored_videos(server.db_path) == [sha]
    client.close()


def test_a_file_another_upload_recorded_is_not_taken_without_its_bytes(server: LiveServer) -> None:
    """The file at the address is someone else's recorded video: this upload proved nothing, so it
    is sent again from the start (the server holds none of its bytes any more)."""
    mine, theirs = TusClient(server.url, USER), TusClient(server.url, "rep2@example.com")
    data = videos.video("webm", 5 * CHUNK + 123, random.Random(8))
    location, last = crashed_at_the_end(server, mine, data)
    sha = hashlib.sha256(data).hexdigest()
    os.remove(server.db_path.parent / "videos" / sha[:2] / sha)
    upload_whole(theirs, data, new_pitch_id(), sha)  # the other person's upload records the same file

    refused = mine.patch(location, last, data[last:], data[last:])
    assert refused.status_code == 409 and mine.offset(location) == 0, refused.text
    answer = mine.patch(location, 0, data, data)
    assert answer.status_code == 204 and int(answer.headers["upload-offset"]) == len(data), answer.text
    assert rows(server.db_path, "SELECT count(*) FROM uploads WHERE completed_at IS NOT NULL") == [(2,)]
    mine.close()
    theirs.close()


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_prune_deletes_a_stray_video_file_only_when_nothing_names_it_and_it_is_an_hour_old(server: LiveServer) -> None:
    client = TusClient(server.url, USER)
    rng = random.Random(9)
    waiting, _ = crashed_at_the_end(server, client, videos.video("webm", 3 * CHUNK, rng))  # its sender may come back
    kept = videos.video("webm", 2 * CHUNK, rng)
    upload_whole(client, kept, new_pitch_id(), hashlib.sha256(kept).hexdigest())
    folder = server.db_path.parent / "videos"
    stray, young = (hashlib.sha256(bytes([n])).hexdigest() for n in (1, 2))
    for sha in (stray, young):
        (folder / sha[:2]).mkdir(parents=True, exist_ok=True)
        (folder / sha[:2] / sha).write_bytes(b"left by a crash")
    (folder / "notes.txt").write_text("not ours to judge")
    for path in folder.glob("*/*"):
        age(path, 2 * HOUR)
    age(folder / young[:2] / young, 60)
    before = stored_videos(server.db_path)

    dry = run_recap("videos", "prune", "--dry-run", db_path=server.db_path)
    assert dry.returncode == 0 and dry.stdout.rstrip().endswith("and 1 stray video file(s)"), dry.stdout
    assert stored_videos(server.db_path) == before
    done = run_recap("videos", "prune", db_path=server.db_path)
    assert done.returncode == 0 and done.stdout.rstrip().endswith("and 1 stray video file(s)"), done.stdout
    assert stored_videos(server.db_path) == sorted(set(before) - {stray})
    assert (folder / "notes.txt").exists()
    # The upload whose file was kept finishes when its sender comes back.
    answer = client.patch(waiting, client.offset(waiting), b"", b"")
    assert int(answer.headers.get("upload-offset", -1)) == 3 * CHUNK, (answer.status_code, answer.text)
    client.close()

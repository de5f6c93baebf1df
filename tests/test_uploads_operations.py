"""Running video storage: uploads from a signed-in browser (cookie + CSRF) or device credential,
storage use and retention on the admin page and in `recap settings`, `recap videos prune`
(and the scheduled jobs), and a person's videos in their export and gone with their erasure."""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server import jobs, migrations
from server.app import create_app
from server.db import connect
from server.settings import Settings
from server.uploads import housekeeping
from tests.support import videos
from tests.support.paths import ROOT
from tests.support.server import run_recap
from tests.support.tus import STREAM, TUS, metadata, new_pitch_id

from .test_auth import latest_code

RNG = random.Random(6)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "var" / "recap.db"
    db = connect(path)
    migrations.apply(db)
    db.close()
    assert run_recap("users", "import", str(ROOT / "server" / "demo" / "accounts.csv"), db_path=path).returncode == 0
    return path


class Person:
    """A person signed in by emailed code in the in-process app: session cookie, CSRF token, device credential."""

    def __init__(self, db_file: Path, address: str) -> None:
        self.client = TestClient(create_app(Settings(db_path=db_file)), base_url="http://testserver.local")
        self.client.__enter__()
        assert self.client.post("/auth/code", json={"email": address}).status_code == 200
        answer = self.client.post(
            "/auth/verify",
            json={"email": address, "code": latest_code(db_file, address), "device_id": str(uuid.uuid4())},
        )
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]
        self.device = {"Authorization": f"Bearer {answer.json()['device_token']}"}

    def upload(self, data: bytes, pitch_id: str | None = None, finish: bool = True) -> str:
        headers = {**TUS, "X-CSRF-Token": self.csrf}
        sha = hashlib.sha256(data).hexdigest()
        meta = metadata(pitch_id=pitch_id or new_pitch_id(), sha256=sha, filetype="video/webm")
        created = self.client.post(
            "/uploads/", headers={**headers, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
        )
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        body = data if finish else data[: len(data) // 2]
        written = self.client.patch(
            location, headers={**headers, "Content-Type": STREAM, "Upload-Offset": "0"}, content=body
        )
        assert written.status_code == 204, written.text
        return sha

    def close(self) -> None:
        self.client.__exit__(None, None, None)


@pytest.fixture
def rep(db_file: Path) -> Iterator[Person]:
    person = Person(db_file, "rep@example.com")
    yield person
    person.close()


def sql(db_file: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_file)
    try:
        rows = conn.execute(query, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def test_a_browser_uploads_with_its_session_and_csrf_token_a_device_with_its_credential(rep: Person) -> None:
    meta = metadata(pitch_id=new_pitch_id(), sha256="c" * 64, filetype="video/webm")
    creation = {**TUS, "Upload-Length": "100", "Upload-Metadata": meta}
    refused = rep.client.post("/uploads/", headers=creation)
    assert refused.status_code == 403 and refused.json()["reason"] == "csrf"
    data = videos.video("webm", 20_000, RNG)
    sha = rep.upload(data)
    watched = rep.client.get(f"/videos/{sha}")  # a safe method: the cookie alone
    assert watched.status_code == 200 and watched.content == data
    rep.client.cookies.clear()
    by_device = rep.client.post("/uploads/", headers={**creation, **rep.device})
    assert by_device.status_code == 201
    assert rep.client.get(f"/videos/{sha}", headers=rep.device).content == data
    assert rep.client.post("/uploads/", headers=creation).status_code == 401


def test_the_admin_page_shows_storage_and_sets_retention(db_file: Path, rep: Person) -> None:
    rep.upload(videos.video("webm", 3 * 1024 * 1024, RNG))
    rep.upload(videos.video("webm", 50_000, RNG), finish=False)
    admin = Person(db_file, "admin@example.com")
    try:
        page = admin.client.get("/admin").text
        assert "Video pitches" in page and "<td>1</td><td>3.0 MiB</td><td>1</td><td>0.0 MiB</td>" in page, page
        assert 'name="video_retention_days"' in page and 'value="180"' in page
        form = {"csrf_token": admin.csrf, "video_retention_days": "30"}
        assert (
            admin.client.post("/admin/settings/video-retention", data={**form, "csrf_token": "wrong"}).status_code
            == 403
        )
        saved = admin.client.post("/admin/settings/video-retention", data=form, follow_redirects=False)
        assert saved.status_code == 303 and "Videos+kept+for+30+days" in saved.headers["location"]
        bad = admin.client.post("/admin/settings/video-retention", data={**form, "video_retention_days": "0"})
        assert bad.status_code == 400
        assert (
            rep.client.post("/admin/settings/video-retention", data={**form, "csrf_token": rep.csrf}).status_code == 403
        )
    finally:
        admin.close()
    assert "video-retention-days\t30" in run_recap("settings", "show", db_path=db_file).stdout
    assert ("organisation: 180 -> 30",) in sql(
        db_file, "SELECT detail FROM audit_log WHERE event = 'video-retention-days'"
    )
    usage = run_recap("videos", "usage", db_path=db_file).stdout.splitlines()
    assert usage == [
        "organisation\tvideos\tvideo_bytes\tunfinished\tunfinished_bytes",
        f"1\t1\t{3 * 1024 * 1024}\t1\t25000",
    ]


def test_the_retention_setting_from_the_shell(db_file: Path) -> None:
    assert (
        run_recap("settings", "set", "video-retention-days", "90", db_path=db_file).stdout.strip()
        == "video-retention-days: 180 -> 90"
    )
    assert (
        run_recap("settings", "set", "video-retention-days", "90", db_path=db_file).stdout.strip()
        == "video-retention-days: 90 (no change)"
    )
    for bad in ("0", "3651", "soon"):
        result = run_recap("settings", "set", "video-retention-days", bad, db_path=db_file)
        assert result.returncode == 1 and "is not a number of days from 1 to 3650" in result.stderr
    person = run_recap("settings", "set", "video-retention-days", "5", "--person", "rep@example.com", db_path=db_file)
    assert person.returncode == 1 and "organisation-wide" in person.stderr
    assert "video-retention-days\t90" in run_recap("settings", "show", db_path=db_file).stdout


def _exemplar(db_file: Path, sha: str, rep_id: str) -> None:
    """A pitch of that video, proposed by a coach and consented to by its rep (m017's columns)."""
    sql(
        db_file,
        "INSERT INTO pitches (id, rep_id, prompt_id, video_sha256, video_size, video_type, reviewed, exemplar, rev, state,"
        " created_at, updated_at, seq) VALUES (?, ?, 'p', ?, 1, 'video/webm', 1, 1, 1, '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1)",
        str(uuid.uuid4()), rep_id, sha,
    )  # fmt: skip


def test_prune_deletes_old_videos_but_keeps_examples_and_young_ones(db_file: Path, rep: Person) -> None:
    old, example, young = (rep.upload(videos.video("webm", 10_000, RNG)) for _ in range(3))
    rep_id = str(sql(db_file, "SELECT id FROM users WHERE email = 'rep@example.com'")[0][0])
    sql(db_file, "UPDATE videos SET created_at = '2025-01-01T00:00:00Z' WHERE sha256 IN (?, ?)", old, example)
    _exemplar(db_file, example, rep_id)
    var = db_file.parent
    dry = run_recap("videos", "prune", "--dry-run", db_path=db_file)
    assert dry.returncode == 0 and f"would delete video {old}" in dry.stdout and example not in dry.stdout, dry.stdout
    assert (var / "videos" / old[:2] / old).exists()
    done = run_recap("videos", "prune", db_path=db_file)
    assert done.stdout.splitlines() == [
        f"deleted video {old}",
        "deleted 1 video(s) past 180 days (10,000 bytes), 0 expired upload(s), 0 stray partial file(s) and 0 stray video file(s)",
    ]
    assert not (var / "videos" / old[:2] / old).exists()
    assert (var / "videos" / example[:2] / example).exists() and (var / "videos" / young[:2] / young).exists()
    assert rep.client.get(f"/videos/{old}").status_code == 404
    assert sorted(r[0] for r in sql(db_file, "SELECT sha256 FROM videos")) == sorted([example, young])
    # The scheduled job runs the same: with nothing past retention, nothing goes.
    settings = Settings(db_path=db_file)
    housekeeping._run(settings, lambda: datetime.datetime.now(datetime.UTC), "prune")
    assert len(sql(db_file, "SELECT sha256 FROM videos")) == 2
    housekeeping._run(settings, lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400), "prune")
    assert sql(db_file, "SELECT sha256 FROM videos") == [(example,)]


def test_the_jobs_are_on_the_servers_scheduler(db_file: Path) -> None:
    scheduler = jobs.start(Settings(db_path=db_file, reminders=False), lambda: datetime.datetime.now(datetime.UTC))
    try:
        assert {job.id for job in scheduler.get_jobs()} == {housekeeping.EXPIRY_JOB, housekeeping.RETENTION_JOB}
    finally:
        jobs.stop(scheduler)
    scheduler = jobs.start(Settings(db_path=db_file), lambda: datetime.datetime.now(datetime.UTC))
    try:
        assert len(scheduler.get_jobs()) == 3  # and the reminders
    finally:
        jobs.stop(scheduler)


def test_export_lists_a_persons_videos_and_erase_removes_them(db_file: Path, rep: Person, tmp_path: Path) -> None:
    mine = rep.upload(videos.video("webm", 10_000, RNG))
    shared_data = videos.video("webm", 12_000, RNG)
    shared = rep.upload(shared_data)
    rep.upload(videos.video("webm", 8_000, RNG), finish=False)
    other = Person(db_file, "rep2@example.com")
    try:
        other.upload(shared_data)  # the same file, stored once: it stays theirs after the erasure
    finally:
        other.close()
    out = tmp_path / "export.json"
    exported = run_recap("users", "export", "rep@example.com", "--out", str(out), db_path=db_file)
    assert exported.returncode == 0 and "3 uploads" in exported.stdout and "2 video files" in exported.stdout, (
        exported.stdout
    )
    document = json.loads(out.read_text())
    assert sorted(m["sha256"] for m in document["media"]) == sorted([mine, shared])
    assert all(m["present"] and m["file"] == f"videos/{m['sha256'][:2]}/{m['sha256']}" for m in document["media"])
    assert len(document["tables"]["uploads"]) == 3
    var = db_file.parent
    assert len(list((var / "uploads").glob("*.part"))) == 1
    erased = run_recap("users", "erase", "rep@example.com", "--yes", db_path=db_file)
    assert erased.returncode == 0 and "3 uploads" in erased.stdout and "2 video and upload files" in erased.stdout, (
        erased.stdout
    )
    assert not (var / "videos" / mine[:2] / mine).exists() and not list((var / "uploads").glob("*.part"))
    assert (var / "videos" / shared[:2] / shared).read_bytes() == shared_data
    rep2 = str(sql(db_file, "SELECT id FROM users WHERE email = 'rep2@example.com'")[0][0])
    assert sql(db_file, "SELECT sha256, uploaded_by FROM videos") == [(shared, rep2)]
    assert sql(db_file, "SELECT count(*) FROM uploads WHERE user_id NOT IN (SELECT id FROM users)") == [(0,)]

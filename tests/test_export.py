"""Files stay first-class: `recap content export`, `rollback`, `versions`, and publish's guards
(`--remove`, `--revert`) that keep a folder of files from silently undoing the browser's work."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlite_utils

from server import migrations
from server.db import connect
from server.library.export import sources_at
from server.library.loader import Source, load_source, read_folder
from server.library.publish import canonical, publish, publish_sources
from server.library.render import render
from server.library.schema import KINDS
from server.library.snapshot import SNAPSHOT_KEYS
from server.storage import content as store
from sync.content import SnapshotDocument
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import run_recap

from .test_content_check import edit
from .test_publish import add_answer

EXPORTED = re.compile(r"^exported version \d+: \d+ competencies, \d+ nuggets, \d+ questions, \d+ refreshers, \d+ campaigns$")


def files_of(root: Path) -> dict[str, bytes]:
    return {
        f.relative_to(root).as_posix(): f.read_bytes()
        for folder in KINDS
        for f in sorted((root / folder).rglob("*"))
        if f.is_file() and not f.name.startswith(".")
    }


def snapshot_items(db: sqlite_utils.Database, version: int) -> dict[str, dict[str, Any]]:
    """The snapshot's items by kind/id, without what publishing numbers (rev, epoch)."""
    row = store.get_snapshot(db, version)
    assert row is not None
    data = json.loads(gzip.decompress(row.body_gzip))
    return {
        f"{folder}/{entry['id']}": {k: v for k, v in entry.items() if k not in ("rev", "epoch")}
        for folder in KINDS
        for entry in data[SNAPSHOT_KEYS[folder]]
    }


def test_every_demo_file_comes_back_byte_for_byte_and_republishes_as_no_change(tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    first = run_recap("content", "publish", "--create", str(DEMO_LIBRARY), db_path=db_file)
    assert first.returncode == 0 and first.stdout.strip().endswith("published version 1"), first.stderr
    out = tmp_path / "exported"
    exported = run_recap("content", "export", str(out), db_path=db_file)
    assert exported.returncode == 0, exported.stderr
    last = exported.stdout.strip().splitlines()[-1]
    assert EXPORTED.match(last), last
    checked = run_recap("content", "check", str(DEMO_LIBRARY)).stdout.strip().splitlines()[-1]
    assert last == checked.replace("content ok:", "exported version 1:")
    demo = files_of(DEMO_LIBRARY)
    assert files_of(out) == demo and len(demo) > 80
    again = run_recap("content", "publish", str(out), db_path=db_file)
    assert again.returncode == 0 and again.stdout.strip().splitlines() == ["no changes (version 1)"], again.stdout + again.stderr


@pytest.mark.parametrize("folder", list(KINDS))
def test_every_demo_item_written_by_the_renderer_reads_back_as_the_same_item(folder: str) -> None:
    """What the browser editor and old databases rely on: an item with no authored file is
    written as one that loads to exactly the same item."""
    sources, _ = read_folder(DEMO_LIBRARY)
    mine = [s for s in sources if s.rel.startswith(folder + "/")]
    assert mine
    for source in mine:
        loaded, problems = load_source(source, KINDS[folder])
        assert loaded is not None and not problems
        data = msgspec.to_builtins(loaded.item)
        for rel in (source.rel, None):  # in its place, and as a new item of the browser's
            written = render(folder, data, rel)
            again, problems = load_source(written, KINDS[folder])
            assert not problems, (written.rel, problems, written.raw.decode())
            assert again is not None and canonical(again) == canonical(loaded), written.raw.decode()
            assert render(folder, msgspec.to_builtins(again.item), rel).raw == written.raw  # a fixed point


def test_a_library_published_before_files_were_kept_exports_as_written_files(tmp_path: Path) -> None:
    db = connect(tmp_path / "old.db")
    migrations.apply(db)
    publish(db, DEMO_LIBRARY)
    # Rows from before m008: no bytes, and `source` as the path given on the command line.
    db.execute("DROP TRIGGER item_versions_no_update")
    with db.conn:
        db.execute("UPDATE item_versions SET raw = NULL, source = '/srv/recap/' || source")
    out = tmp_path / "out"
    assert run_recap("content", "export", str(out), db_path=tmp_path / "old.db").returncode == 0
    assert sorted(files_of(out)) == sorted(files_of(DEMO_LIBRARY))  # each in its place
    assert publish(db, out).changes == []


def test_export_makes_the_folder_the_library_and_says_what_it_deleted(tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    run_recap("content", "publish", "--create", str(DEMO_LIBRARY), db_path=db_file)
    out = tmp_path / "repo"
    (out / "questions").mkdir(parents=True)
    (out / "questions" / "withdrawn-long-ago.yaml").write_text("id: withdrawn-long-ago\n")
    (out / "questions" / ".draft.yaml").write_text("kept: hidden files are not content\n")
    (out / "README.md").write_text("not content\n")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result = run_recap("content", "export", str(out), db_path=db_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "deleted questions/withdrawn-long-ago.yaml (not in version 1)"
    assert (out / "questions" / ".draft.yaml").exists() and (out / "README.md").exists() and (out / ".git" / "HEAD").exists()
    twice = run_recap("content", "export", str(out), db_path=db_file)  # a repeat changes nothing
    assert twice.stdout.strip().splitlines() == [result.stdout.strip().splitlines()[-1]]
    assert files_of(out) == files_of(DEMO_LIBRARY)


def test_export_refuses_what_it_cannot_do_and_writes_nothing(tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    empty = run_recap("content", "export", str(tmp_path / "out"), db_path=db_file)
    assert empty.returncode == 1 and "nothing is published yet" in empty.stderr
    assert not (tmp_path / "out").exists()
    run_recap("content", "publish", "--create", str(DEMO_LIBRARY), db_path=db_file)
    missing = run_recap("content", "export", str(tmp_path / "out"), "--version", "7", db_path=db_file)
    assert missing.returncode == 1 and "there is no version 7: the library has versions 1 to 1" in missing.stderr
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    not_folder = run_recap("content", "export", str(a_file), db_path=db_file)
    assert not_folder.returncode == 1 and "is not a folder" in not_folder.stderr
    assert a_file.read_text() == "x"
    below = run_recap("content", "export", str(a_file / "sub"), db_path=db_file)
    assert below.returncode == 1 and "cannot write" in below.stderr
    assert not any(tmp_path.glob("**/*.partial"))


def test_export_of_an_earlier_version(library: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    run_recap("content", "publish", "--create", str(library), db_path=db_file)
    before = files_of(library)
    edit(library, "refreshers/how-to-ask-who-else.md", "title:", "title: Quickly,")
    assert run_recap("content", "publish", str(library), db_path=db_file).returncode == 0
    run_recap("content", "export", str(tmp_path / "v1"), "--version", "1", db_path=db_file)
    run_recap("content", "export", str(tmp_path / "v2"), db_path=db_file)
    assert files_of(tmp_path / "v1") == before
    assert files_of(tmp_path / "v2") == files_of(library)


# --- roll back -------------------------------------------------------------------------------------


def test_rollback_publishes_a_new_version_equal_to_the_old_one(library: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    run_recap("content", "publish", "--create", str(library), db_path=db_file)
    edit(library, "refreshers/how-to-ask-who-else.md", "title:", "title: Quickly,")
    (library / "questions" / "new-one.yaml").write_text(
        (library / "questions" / "who-else.yaml").read_text().replace("id: who-else", "id: new-one")
    )
    assert run_recap("content", "publish", str(library), db_path=db_file).returncode == 0
    back = run_recap("content", "rollback", "1", db_path=db_file)
    assert back.returncode == 0, back.stderr
    lines = back.stdout.strip().splitlines()
    assert lines[-2:] == ["published version 3", "version 3 is version 1 again"]
    assert "removed question new-one (rev 2)" in lines and "substantive refresher how-to-ask-who-else (rev 3)" in lines
    db = sqlite_utils.Database(db_file)
    assert snapshot_items(db, 3) == snapshot_items(db, 1)
    assert [r.version for r in store.versions(db)] == [3, 2, 1]  # nothing was deleted
    again = run_recap("content", "rollback", "3", db_path=db_file)
    assert again.stdout.strip().splitlines() == ["no changes (version 3)"]
    listed = run_recap("content", "versions", db_path=db_file).stdout.splitlines()
    assert listed[0].split("\t")[0] == "3" and listed[0].split("\t")[2] == "roll-back to 1"
    assert listed[-1].split("\t")[2] == "files"


def test_rollback_marks_answered_questions_so_learners_keep_progress_when_they_can(library: Path, tmp_path: Path) -> None:
    db = connect(tmp_path / "recap.db")
    migrations.apply(db)
    publish(db, library)
    add_answer(db, "who-else")
    add_answer(db, "pick-two", "a2")
    edit(library, "questions/who-else.yaml", "stem:", "change: cosmetic\nstem: Honestly,")
    edit(library, "questions/pick-two.md", "correct: [1, 2]", "change: substantive\ncorrect: [1, 3]")
    changed = publish(db, library)
    assert {c.item_id: c.change for c in changed.changes} == {"who-else": "cosmetic", "pick-two": "substantive"}
    from server.library.rollback import roll_back

    back = roll_back(db, 1)
    assert {c.item_id: c.change for c in back.changes} == {"who-else": "cosmetic", "pick-two": "substantive"}
    epochs = {k: v for k, v in ((c.item_id, c) for c in store.current_items(db).values())}
    assert epochs["who-else"].epoch == 1 and epochs["pick-two"].epoch == 3


def test_rollback_refuses_a_version_that_does_not_exist(tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    nothing = run_recap("content", "rollback", "1", db_path=db_file)
    assert nothing.returncode == 1 and "nothing is published yet" in nothing.stderr
    run_recap("content", "publish", "--create", str(DEMO_LIBRARY), db_path=db_file)
    for bad in ("0", "2", "-1"):
        result = run_recap("content", "rollback", bad, db_path=db_file)
        assert result.returncode == 1 and "the library has versions 1 to 1" in result.stderr, bad
    word = run_recap("content", "rollback", "latest", db_path=db_file)
    assert word.returncode == 2 and "invalid int value" in word.stderr
    assert [r.version for r in store.versions(sqlite_utils.Database(db_file))] == [1]


# --- publishing files never silently undoes the browser ---------------------------------------------


def browser_edit(db: sqlite_utils.Database, library: Path, rel: str, change: dict[str, Any]) -> int:
    """What the browser editor does: the published files with one item rewritten, published."""
    sources = sources_at(db, store.latest_version(db))
    folder = rel.split("/", 1)[0]
    item = next(s for s in sources if s.rel == rel)
    loaded, _ = load_source(item, KINDS[folder])
    assert loaded is not None
    rewritten: Source = render(folder, {**msgspec.to_builtins(loaded.item), **change}, rel)
    result = publish_sources(db, [rewritten if s.rel == rel else s for s in sources], origin={"via": "editor"})
    assert result.published
    return result.version


def test_publishing_a_folder_that_lacks_an_item_needs_remove(library: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    run_recap("content", "publish", "--create", str(library), db_path=db_file)
    db = sqlite_utils.Database(db_file)
    added = render("refreshers", {"id": "made-in-the-browser", "title": "How do I?", "competency": "discovery", "steps": ["Ask."]})
    publish_sources(db, [*sources_at(db, 1), added], origin={"via": "editor"})
    refused = run_recap("content", "publish", str(library), db_path=db_file)
    assert refused.returncode == 1
    assert "refreshers/made-in-the-browser $: refresher `made-in-the-browser` is published but the files do not have it: add --remove" in refused.stdout
    assert "nothing was published" in refused.stderr and store.latest_version(db) == 2
    removed = run_recap("content", "publish", "--remove", str(library), db_path=db_file)
    assert removed.returncode == 0 and "removed refresher made-in-the-browser (rev 2)" in removed.stdout


def test_a_stale_folder_cannot_put_back_what_the_browser_changed(library: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "recap.db"
    run_recap("content", "publish", "--create", str(library), db_path=db_file)
    db = sqlite_utils.Database(db_file)
    version = browser_edit(db, library, "refreshers/how-to-ask-who-else.md", {"steps": ["Ask who decides.", "Ask when."]})
    stale = run_recap("content", "publish", str(library), db_path=db_file)
    assert stale.returncode == 1 and store.latest_version(db) == version
    assert f"would put refresher `how-to-ask-who-else` back as version 1 had it, undoing version {version}" in stale.stdout
    # `make run` publishes only into an empty database.
    initial = run_recap("content", "publish", "--initial", str(library), db_path=db_file)
    assert initial.returncode == 0 and "not published" in initial.stdout and store.latest_version(db) == version
    # The team's way: export, commit, carry on editing files.
    assert run_recap("content", "export", str(library), db_path=db_file).returncode == 0
    assert run_recap("content", "publish", str(library), db_path=db_file).stdout.strip() == f"no changes (version {version})"
    edit(library, "refreshers/how-to-ask-who-else.md", "title:", "title: Quickly,")
    assert run_recap("content", "publish", str(library), db_path=db_file).returncode == 0
    # Going back on purpose says so.
    reverted = run_recap("content", "publish", "--revert", str(tmp_path / "none"), db_path=db_file)
    assert reverted.returncode == 1  # (a missing folder is still an error)
    shutil.copytree(library, tmp_path / "old")
    run_recap("content", "export", str(tmp_path / "old"), "--version", "1", db_path=db_file)
    assert run_recap("content", "publish", str(tmp_path / "old"), db_path=db_file).returncode == 1
    forced = run_recap("content", "publish", "--revert", str(tmp_path / "old"), db_path=db_file)
    assert forced.returncode == 0 and forced.stdout.strip().endswith(f"published version {version + 2}")


def test_the_snapshot_carries_the_rubrics_as_the_schema_says(tmp_path: Path) -> None:
    db = connect(tmp_path / "recap.db")
    migrations.apply(db)
    version = publish(db, DEMO_LIBRARY).version
    row = store.get_snapshot(db, version)
    assert row is not None
    body = gzip.decompress(row.body_gzip)
    document = msgspec.json.decode(body, type=SnapshotDocument)
    by_id = {r.id: r for r in document.rubrics}
    assert len(by_id) == len(list((DEMO_LIBRARY / "rubrics").rglob("*.yaml"))) >= 9
    discovery = by_id["discovery-rubric"]
    assert (discovery.competency, discovery.language, discovery.rev) == ("needs-analysis", "en", 1)
    assert discovery.behaviours[0].levels[1].startswith("Pitches features")
    assert by_id["conversation-rubric-nl"].translation_of == "conversation-rubric"
    raw = json.loads(body)["rubrics"][0]
    assert sorted(raw["behaviours"][0]["levels"]) == ["1", "2", "3", "4"]  # JSON keys, as the app reads them
    # A version published before rubrics existed has no `rubrics` list; it still decodes, with none.
    older = {k: v for k, v in json.loads(body).items() if k != "rubrics"}
    assert msgspec.json.decode(json.dumps(older), type=SnapshotDocument).rubrics == []

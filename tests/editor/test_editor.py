"""The browser editor over real HTTP: a real server (`recap serve`) on a real SQLite file with the
demo library and accounts, people signed in by emailed code, the pages' forms submitted as a
browser submits them. Access, CSRF, drafts and their checks, conflicts and merges, publishing,
withdrawing, rolling back, the cosmetic/substantive question, quality figures, translations.

One server serves the module (sign-ins are rate limited per network); each test works on items
of its own, so the order of the tests does not matter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from server.app import create_app
from server.settings import Settings
from tests.support.device import Device
from tests.support.editor import (
    EDITOR,
    csrf_of,
    item_form,
    post_form,
    problems_beside,
    save,
)
from tests.support.editor_http import Q, csrf_of_cookie, latest_version, new_question, publish_draft, rows
from tests.support.forms import form_action, form_fields
from tests.support.server import LiveServer, run_recap

# ---- access -------------------------------------------------------------------------------------


def editor_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(db_path=Path("/nonexistent/never-opened.db")))
    return sorted(
        (method, re.sub(r"\{(\w+):\w+\}", lambda m: {"folder": "questions", "item_id": "who-else-is-involved", "version": "1"}[m.group(1)], route.path))
        for route in app.routes
        if route.path.startswith("/editor")
        for handler in getattr(route, "route_handlers", [])
        for method in handler.http_methods
        if method in ("GET", "POST")
    )


def test_only_editors_and_admins_reach_the_editor(server: LiveServer, people: dict[str, httpx.Client]) -> None:
    routes = editor_routes()
    assert len(routes) >= 20
    with httpx.Client(base_url=server.url, follow_redirects=False) as anonymous:
        for method, path in routes:
            answer = anonymous.request(method, path)
            if method == "GET":
                assert answer.status_code == 303, f"{method} {path}: {answer.status_code}"
                assert answer.headers["location"].startswith("/?next=%2Feditor") and answer.headers["location"].endswith("#/sign-in")
            else:
                assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
    for role in ("rep", "coach", "manager"):
        for method, path in routes:
            answer = people[role].request(method, path, data={"csrf_token": csrf_of_cookie(people[role])})
            assert answer.status_code == 403, f"{role}: {method} {path}: {answer.status_code}"
            if method == "GET":
                assert "text/html" in answer.headers["content-type"] and "You may not see this" in answer.text
    for role in ("editor", "admin"):
        for method, path in routes:
            if method == "GET":
                assert people[role].get(path).status_code in (200, 404), f"{role}: GET {path}"


def test_every_write_needs_the_csrf_token(server: LiveServer, editor: httpx.Client) -> None:
    for method, path in editor_routes():
        if method != "POST":
            continue
        missing = editor.post(path, data={"title": "x"})
        assert missing.status_code == 403, f"POST {path} without a token: {missing.status_code}"
        wrong = editor.post(path, data={"csrf_token": "x" * 43})
        assert wrong.status_code == 403, f"POST {path} with a wrong token: {wrong.status_code}"
    assert rows(server, "SELECT count(*) FROM editor_drafts WHERE item_id = 'who-else-is-involved'") == [(0,)]


def test_the_sign_in_redirect_comes_back_to_the_page(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as anonymous:
        answer = anonymous.get("/editor/items/questions/who-else-is-involved?x=1")
        assert answer.headers["location"] == "/?next=%2Feditor%2Fitems%2Fquestions%2Fwho-else-is-involved%3Fx%3D1#/sign-in"


# ---- drafts, checks, problems beside their fields ------------------------------------------------


def test_a_new_question_is_a_draft_with_its_problems_beside_their_fields(editor: httpx.Client, server: LiveServer) -> None:
    made = new_question(editor, "budget-no-budget", explanation="", correct=[], options__1="Send the proposal anyway.")
    assert made.status_code == 303 and made.headers["location"].startswith(f"{Q}/budget-no-budget?")
    page = editor.get(f"{Q}/budget-no-budget").text
    assert "missing required field `explanation`" in " ".join(problems_beside(page, "explanation"))
    assert "missing required field `correct`" in " ".join(problems_beside(page, "correct"))
    assert 'id="summary"' in page and "2 problems to fix before publishing" in page
    assert 'aria-invalid="true"' in page
    draft = rows(server, "SELECT revision, base_rev, status FROM editor_drafts WHERE item_id = 'budget-no-budget'")
    assert draft == [(1, None, "draft")]
    fields = item_form(editor, f"{Q}/budget-no-budget")
    fixed = save(editor, f"{Q}/budget-no-budget", fields, explanation="Budget follows priority.", correct="0", as_json=True)
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    assert body["revision"] == 2 and body["problems"] == [{"where": "$.options[2]", "message": "option 3 repeats option 2"}]
    assert problems_beside(editor.get(f"{Q}/budget-no-budget").text, "options") == ["row 3: option 3 repeats option 2"]
    # A wrong value is kept as typed, and said to be wrong beside its field.
    fields = item_form(editor, f"{Q}/budget-no-budget")
    wrong = save(editor, f"{Q}/budget-no-budget", fields, options__1="Offer a discount.", difficulty="7", as_json=True)
    assert wrong.json()["problems"] == [{"where": "$.difficulty", "message": "Expected int <= 3"}]
    assert problems_beside(editor.get(f"{Q}/budget-no-budget").text, "difficulty") == ["Expected int <= 3"]


def test_an_id_in_use_or_malformed_is_refused_and_nothing_is_lost(editor: httpx.Client, server: LiveServer) -> None:
    taken = new_question(editor, "who-else-is-involved")
    assert taken.status_code == 409 and "already has the id" in taken.text
    assert rows(server, "SELECT count(*) FROM editor_drafts WHERE item_id = 'who-else-is-involved'") == [(0,)]
    bad = new_question(editor, "Not A Slug")
    assert bad.status_code == 400 and "cannot be used" in bad.text
    as_json = save(editor, "/editor/new/questions", item_form(editor, "/editor/new/questions"), id="", as_json=True)
    assert as_json.status_code == 400 and as_json.json()["problems"][0]["where"] == "$.id"
    twice = save(
        editor, "/editor/items/competencies/value-messaging", item_form(editor, "/editor/items/competencies/value-messaging"),
        translations__0__key="nl", translations__1__key="nl", translations__1__name="Waarde", as_json=True,
    )  # fmt: skip
    assert twice.status_code == 400 and "given in two rows" in twice.json()["detail"]
    assert rows(server, "SELECT count(*) FROM editor_drafts WHERE item_id = 'value-messaging'") == [(0,)]
    big = editor.post(f"{Q}/who-else-is-involved", data={"csrf_token": csrf_of_cookie(editor), "stem": "x" * (1024 * 1024 + 10)})
    assert big.status_code == 413
    junk = save(editor, f"{Q}/who-else-is-involved", item_form(editor, f"{Q}/who-else-is-involved"), _revision="seven")
    assert junk.status_code == 400 and "_revision" in junk.text


def test_every_demo_item_round_trips_through_its_form(editor: httpx.Client, server: LiveServer) -> None:
    """Opening a published item and saving it unchanged starts no draft: the form says exactly
    what the item says, for every field of every kind."""
    items = rows(server, "SELECT kind, item_id FROM item_versions WHERE version = 1 ORDER BY kind, item_id")
    folders = {"competency": "competencies", "nugget": "nuggets", "question": "questions", "refresher": "refreshers", "campaign": "campaigns", "rubric": "rubrics", "pitch_prompt": "pitch-prompts"}
    picked = [items[i] for i in range(0, len(items), 4)] + [
        ("competency", "value-messaging"), ("campaign", "value-selling-foundations-nl"),
        ("rubric", "discovery-rubric"), ("rubric", "conversation-rubric-nl"),
        ("pitch_prompt", "too-expensive-at-the-end"), ("pitch_prompt", "too-expensive-at-the-end-nl"), ("pitch_prompt", "why-change-now"),
    ]  # fmt: skip
    for kind, item_id in picked:
        path = f"/editor/items/{folders[kind]}/{item_id}"
        answer = save(editor, path, item_form(editor, path), as_json=True)
        assert answer.status_code == 200 and answer.json()["saved"] is False, f"{kind} {item_id}: {answer.text}"
    marks = ",".join("?" * len(picked))
    assert rows(server, f"SELECT count(*) FROM editor_drafts WHERE item_id IN ({marks})", *[i for _, i in picked]) == [(0,)]


# ---- conflicts and merges --------------------------------------------------------------------------


def test_two_editors_saving_one_draft_get_a_merge_never_an_overwrite(editor: httpx.Client, editor2: httpx.Client, server: LiveServer) -> None:
    path = "/editor/items/refreshers/how-to-open-a-customer-meeting"
    mine, theirs = item_form(editor, path), item_form(editor2, path)
    first = save(editor2, path, theirs, title="How do I open a customer meeting well?", steps__0="Start with their world.")
    assert first.status_code == 303
    second = save(editor, path, mine, title="How do I open a first customer meeting?", body="Say why you came.", as_json=True)
    assert second.status_code == 409 and second.json()["reason"] == "draft" and second.json()["revision"] == 1
    page = save(editor, path, mine, title="How do I open a first customer meeting?", body="Say why you came.")
    assert page.status_code == 409
    assert "editor2@example.com saved this draft" in page.text and "1 field changed on both sides" in page.text
    merge = form_fields(page.text)
    assert dict(merge)["_revision"] == "1"
    # No choice for the clashing field: refused, nothing saved.
    refused = post_form(editor, form_action(page.text) or "", merge)
    assert refused.status_code == 400 and "choose which version to keep" in refused.text
    done = post_form(editor, form_action(page.text) or "", [*merge, ("choose.title", "yours")])
    assert done.status_code == 303
    saved = json.loads(rows(server, "SELECT fields FROM editor_drafts WHERE item_id = 'how-to-open-a-customer-meeting'")[0][0])
    assert saved["title"] == "How do I open a first customer meeting?"  # mine, chosen
    assert saved["steps"][0] == "Start with their world."  # theirs, merged
    assert saved["body"] == "Say why you came."  # mine, merged
    assert rows(server, "SELECT revision FROM editor_draft_revisions WHERE item_id = 'how-to-open-a-customer-meeting' ORDER BY revision") == [(1,), (2,)]


def test_a_draft_of_an_item_published_again_from_files_asks_for_a_merge(editor: httpx.Client, server: LiveServer, tmp_path: Path) -> None:
    path = "/editor/items/nuggets/trigger-moments"
    started = save(editor, path, item_form(editor, path), title="Trigger moments: when buyers move")
    assert started.status_code == 303
    # Someone publishes the same nugget from files meanwhile.
    files = _export(server, tmp_path / "files")
    nugget = files / "nuggets" / "trigger-moments.md"
    text = nugget.read_text()
    assert "minutes: 2\n" in text
    nugget.write_text(text.replace("minutes: 2\n", "minutes: 3\n"))
    published = run_recap("content", "publish", str(files), db_path=server.db_path)
    assert published.returncode == 0, published.stdout + published.stderr
    answer = save(editor, path, item_form(editor, path), title="Trigger moments: when buyers start to move", as_json=True)
    assert answer.status_code == 409 and answer.json()["reason"] == "published"
    page = save(editor, path, item_form(editor, path), title="Trigger moments: when buyers start to move")
    assert "A newer version of this item was published" in page.text
    resolved = post_form(editor, form_action(page.text) or "", form_fields(page.text))
    assert resolved.status_code == 303
    merged = json.loads(rows(server, "SELECT fields, base_rev FROM editor_drafts WHERE item_id = 'trigger-moments'")[0][0])
    assert merged["minutes"] == 3 and merged["title"] == "Trigger moments: when buyers start to move"


def _export(server: LiveServer, folder: Path) -> Path:
    """The published library as files (the export the editor and roll-back use)."""
    from server.db import connect
    from server.library.export import sources_at, write_library

    db = connect(server.db_path)
    try:
        write_library(folder, sources_at(db, int(db.execute("SELECT max(version) FROM library_versions").fetchone()[0])))
    finally:
        db.close()
    return folder


# ---- publishing ------------------------------------------------------------------------------------


def test_a_draft_is_published_once_and_a_double_submit_publishes_nothing(editor: httpx.Client, server: LiveServer) -> None:
    made = new_question(editor, "budget-follows-priority")
    assert made.status_code == 303
    before = latest_version(server)
    confirm = editor.get(f"{Q}/budget-follows-priority/publish")
    assert "revision 1" in confirm.text and "new" in confirm.text
    fields = form_fields(confirm.text)
    done = post_form(editor, form_action(confirm.text) or "", fields)
    assert done.status_code == 200 and f"Published version {before + 1}" in done.text
    assert "new question" in done.text and "budget-follows-priority" in done.text
    assert rows(server, "SELECT count(*) FROM editor_drafts WHERE item_id = 'budget-follows-priority'") == [(0,)]
    assert rows(server, "SELECT user_id IS NOT NULL, action FROM library_publishers WHERE version = ?", before + 1) == [(1, "publish")]
    again = post_form(editor, form_action(confirm.text) or "", fields)
    assert again.status_code == 409 and "has no draft any more" in again.text
    assert latest_version(server) == before + 1
    versions = editor.get("/editor/versions").text
    assert f"{EDITOR} in the browser" in versions and "files (recap content publish)" in versions


def test_a_draft_saved_again_after_the_confirmation_is_not_published_blind(editor: httpx.Client, editor2: httpx.Client, server: LiveServer) -> None:
    assert new_question(editor, "budget-owner-question").status_code == 303
    confirm = editor.get(f"{Q}/budget-owner-question/publish")
    changed = save(editor2, f"{Q}/budget-owner-question", item_form(editor2, f"{Q}/budget-owner-question"), teaching_point="Find the owner.")
    assert changed.status_code == 303
    before = latest_version(server)
    refused = post_form(editor, form_action(confirm.text) or "", form_fields(confirm.text))
    assert refused.status_code == 409 and "saved again or published since you confirmed" in refused.text
    assert latest_version(server) == before


def test_a_draft_with_problems_is_not_published(editor: httpx.Client, server: LiveServer) -> None:
    assert new_question(editor, "budget-broken", explanation="").status_code == 303
    page = editor.get(f"{Q}/budget-broken/publish").text
    assert "missing required field `explanation`" in page and 'disabled' in page
    before = latest_version(server)
    forced = editor.post(f"{Q}/budget-broken/publish", data={"csrf_token": csrf_of(page), "draft": "question:budget-broken:1"})
    assert forced.status_code == 400 and "nothing was published" in forced.text
    assert latest_version(server) == before
    assert rows(server, "SELECT count(*) FROM editor_drafts WHERE item_id = 'budget-broken'") == [(1,)]


def test_a_changed_answered_question_asks_cosmetic_or_substantive(editor: httpx.Client, server: LiveServer) -> None:
    qid, path = "trigger-merger", f"{Q}/trigger-merger"
    for n in range(3):
        with httpx.Client(base_url=server.url) as http:
            learner = Device(f"learner{n}@example.com", http)
            learner.answer(qid, [1], False, 20_000)
            learner.sync()
    page = editor.get(path).text
    stem = dict(form_fields(page, "item-form"))["stem"]
    fields = item_form(editor, path)
    unmarked = save(editor, path, fields, stem=stem + "\nWhat now?", as_json=True)
    assert unmarked.status_code == 200
    assert [p["where"] for p in unmarked.json()["problems"]] == ["$.change"]
    page = editor.get(path).text
    assert "3 answers from 3 learners" in page
    assert "learners have answered it 3 time(s)" in problems_beside(page, "change")[0]
    # Cosmetic cannot move the right answer.
    cosmetic = save(editor, path, item_form(editor, path), change="cosmetic", correct="2", as_json=True)
    assert [p["where"] for p in cosmetic.json()["problems"]] == ["$.correct"]
    assert "a cosmetic change cannot change `correct`" in cosmetic.json()["problems"][0]["message"]
    substantive = save(editor, path, item_form(editor, path), change="substantive", as_json=True)
    assert substantive.json()["problems"] == []
    epoch_before = rows(server, "SELECT max(rev) FROM item_versions WHERE item_id = ?", qid)[0][0]
    assert publish_draft(editor, path).status_code == 200
    rev, epoch, change = rows(server, "SELECT rev, epoch, change FROM item_versions WHERE item_id = ? ORDER BY rev DESC LIMIT 1", qid)[0]
    assert (rev, epoch, change) == (epoch_before + 1, epoch_before + 1, "substantive")
    raw = rows(server, "SELECT raw FROM item_versions WHERE item_id = ? ORDER BY rev DESC LIMIT 1", qid)[0][0]
    assert b"change: substantive" in raw  # the file says so, as a person would have written it


def test_withdrawing_needs_confirmation_and_what_names_the_item_to_let_go(editor: httpx.Client, server: LiveServer) -> None:
    named = "/editor/items/questions/spot-willingness-to-change"
    confirm = editor.get(named + "/withdraw")
    assert confirm.status_code == 200 and "must stop naming it first" in confirm.text
    before = latest_version(server)
    refused = post_form(editor, named + "/withdraw", form_fields(confirm.text))
    assert refused.status_code == 400 and "unknown question `spot-willingness-to-change`" in refused.text
    assert latest_version(server) == before
    # A refresher that a rubric's behaviour names stays; once the rubric is withdrawn, nobody names it and it goes.
    path = "/editor/items/refreshers/how-to-make-a-training-day-stick"
    kept = post_form(editor, path + "/withdraw", form_fields(editor.get(path + "/withdraw").text))
    assert kept.status_code == 400 and "unknown refresher `how-to-make-a-training-day-stick`" in kept.text and "learning-habits-rubric" in kept.text
    rubric = "/editor/items/rubrics/learning-habits-rubric"
    gone = post_form(editor, rubric + "/withdraw", form_fields(editor.get(rubric + "/withdraw").text))
    assert gone.status_code == 200 and "removed rubric learning-habits-rubric" in re.sub(r"<[^>]+>", "", gone.text)
    done = post_form(editor, path + "/withdraw", form_fields(editor.get(path + "/withdraw").text))
    assert done.status_code == 200 and "removed refresher how-to-make-a-training-day-stick" in re.sub(r"<[^>]+>", "", done.text)
    assert rows(server, "SELECT action, detail FROM library_publishers WHERE version = ?", before + 2) == [("withdraw", "refresher how-to-make-a-training-day-stick")]
    assert "withdrawn" in editor.get("/editor?status=withdrawn").text
    assert editor.get(path + "/withdraw").status_code == 404
    # Its page still has it, as last published, to bring it back.
    page = editor.get(path).text
    assert f"Withdrawn in library version {before + 2}" in page
    assert dict(form_fields(page, "item-form"))["title"] == "How do I make what I learned on a training day stick?"


def test_rolling_back_publishes_a_version_equal_to_the_one_chosen(editor: httpx.Client, server: LiveServer) -> None:
    assert new_question(editor, "budget-rollback-probe").status_code == 303
    before = latest_version(server)
    assert publish_draft(editor, f"{Q}/budget-rollback-probe").status_code == 200
    confirm = editor.get(f"/editor/versions/{before}/rollback")
    assert f"publishes version {before + 2}, equal to version {before}" in confirm.text
    done = post_form(editor, f"/editor/versions/{before}/rollback", form_fields(confirm.text))
    assert done.status_code == 200 and f"Published version {before + 2}" in done.text
    assert rows(server, "SELECT change FROM item_versions WHERE item_id = 'budget-rollback-probe' ORDER BY rev") == [("new",), ("removed",)]
    assert rows(server, "SELECT action, detail FROM library_publishers WHERE version = ?", before + 2) == [("roll-back", str(before))]
    snapshot = lambda v: {k: val for k, val in httpx.get(f"{server.url}/content/snapshot/{v}").json().items() if k not in ("version", "published_at")}  # noqa: E731
    assert _without_revs(snapshot(before + 2)) == _without_revs(snapshot(before))
    # A second submit of the same confirmation: the library moved on, nothing is published.
    again = post_form(editor, f"/editor/versions/{before}/rollback", form_fields(confirm.text))
    assert again.status_code == 409 and latest_version(server) == before + 2
    assert editor.get("/editor/versions/999/rollback").status_code == 404


def _without_revs(document: dict[str, Any]) -> dict[str, Any]:
    return {kind: [{k: v for k, v in e.items() if k not in ("rev", "epoch")} for e in entries] for kind, entries in document.items()}



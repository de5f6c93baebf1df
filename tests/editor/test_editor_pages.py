"""The browser editor's pages over real HTTP (fixtures: tests/editor/conftest.py): Markdown and phone
previews, quality figures, translations, the list, campaign reach and preview, well-formed pages,
rubrics. tests/editor/test_editor.py has access, drafts, merges and publishing."""

from __future__ import annotations

import html
import json
import re

import httpx

from tests.support.device import Device
from tests.support.editor import (
    csrf_of,
    item_form,
    post_form,
    problems_beside,
    save,
)
from tests.support.editor_http import Q, csrf_of_cookie, latest_version, new_question, publish_draft, rows
from tests.support.forms import form_fields
from tests.support.server import LiveServer

# ---- previews, quality, translations --------------------------------------------------------------


def test_markdown_is_previewed_by_the_snapshot_renderer_only(editor: httpx.Client) -> None:
    token = csrf_of_cookie(editor)
    answer = editor.post("/editor/markdown", json={"text": "**Ask** <script>alert(1)</script> [x](javascript:alert(1))"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    html = answer.json()["html"]
    assert "<strong>Ask</strong>" in html and "<script>" not in html and "href=\"javascript:" not in html and "&lt;script&gt;" in html
    assert editor.post("/editor/markdown", json={"text": "x"}).status_code == 403
    assert editor.post("/editor/markdown", content=b'{"text": "a", "text": "b"}', headers={"X-CSRF-Token": token, "Content-Type": "application/json"}).status_code == 400
    page = editor.post("/editor/markdown", data={"csrf_token": token, "field": "stem", "stem": "# Hello *there*"})
    assert page.status_code == 200 and "<h1>Hello <em>there</em></h1>" in page.text


def test_the_phone_preview_is_the_draft_as_the_snapshot_carries_it(editor: httpx.Client) -> None:
    path = "/editor/items/refreshers/how-to-tell-where-the-buyer-is"
    save(editor, path, item_form(editor, path), body="Try: *where are you now?*")
    page = editor.get(path + "/preview?screen=item")
    assert page.status_code == 200
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"] and page.headers["x-frame-options"] == "SAMEORIGIN"
    data = json.loads(re.search(r'<script type="application/json" id="preview-data">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert data["kind"] == "refresher" and data["entry"]["body_html"] == "<p>Try: <em>where are you now?</em></p>\n"
    assert {c["id"] for c in data["competencies"]} >= {"buyer-journey"}
    assert "frame-ancestors 'none'" in editor.get(path).headers["content-security-policy"]  # the editor's own pages are not framed


def test_quality_figures_from_learners_first_answers(editor: httpx.Client, server: LiveServer) -> None:
    qid = "trigger-missed-target"
    right = json.loads(rows(server, "SELECT data FROM item_versions WHERE item_id = ? ORDER BY rev DESC LIMIT 1", qid)[0][0])["correct"]
    right = right if isinstance(right, int) else right[0]
    wrong = 1 if right != 1 else 2
    with httpx.Client(base_url=server.url) as http:
        for n in range(12):
            learner = Device(f"quality{n}@example.com", http)
            first = [right] if n < 4 else [wrong]  # 4 of 12 right first time; a wrong option beats the right one
            learner.answer(qid, first, n < 4, 20_000)
            learner.answer(qid, [right], True, 20_001)  # the repeat does not count as "first time"
            learner.sync()
    page = editor.get(f"{Q}/{qid}").text
    assert "33 % of 12 learners (4 right)" in page
    assert f"option {wrong}, by 8 of 12" in page
    assert "likely ambiguous" in page and "Median answer time" in page and "1.0 s" in page
    listed = editor.get("/editor?quality=ambiguous&kind=question").text
    assert qid in listed and "33 % of 12" in listed
    assert "who-else-is-involved" not in listed


def test_stale_and_missing_translations_are_flagged(editor: httpx.Client, server: LiveServer) -> None:
    original = "/editor/items/nuggets/open-with-their-world"
    page = editor.get(original).text
    assert "open-with-their-world-nl" in page and "stale" not in page
    save(editor, original, item_form(editor, original), title="Open with their world, not yours")
    assert publish_draft(editor, original).status_code == 200
    page = editor.get(original).text
    assert re.search(r"open-with-their-world-nl</a> \(nl\) · <strong class=\"flag\">stale</strong>", page)
    translation = editor.get(original + "-nl").text
    assert "A translation of" in translation and "stale" in translation
    lonely = editor.get("/editor/items/nuggets/the-forgetting-curve").text
    assert "<strong class=\"flag\">Missing</strong>: nl" in lonely
    assert 'href="/editor/new/nuggets?from=the-forgetting-curve&amp;language=nl"' in lonely
    started = editor.get("/editor/new/nuggets?from=the-forgetting-curve&language=nl").text
    values = dict(form_fields(started, "item-form"))
    assert values["id"] == "the-forgetting-curve-nl" and values["translation_of"] == "the-forgetting-curve" and values["language"] == "nl"


def test_the_list_filters_and_counts(editor: httpx.Client) -> None:
    page = editor.get("/editor?kind=refresher&language=nl").text
    assert re.search(r"\d+ of \d+ items shown", page)
    assert "how-to-open-a-customer-meeting-nl" in page and "how-to-open-a-customer-meeting</code>" not in page
    assert "value-selling-foundations-nl" in editor.get("/editor?campaign=value-selling-foundations-nl&kind=campaign").text
    assert "Nothing matches" in editor.get("/editor?q=zzzz-nothing").text
    assert editor.get("/editor?kind=<script>").status_code == 200


def test_a_question_reaches_a_campaign_from_its_page(editor: httpx.Client, server: LiveServer) -> None:
    assert new_question(editor, "budget-in-a-campaign").status_code == 303
    page = editor.get(f"{Q}/budget-in-a-campaign").text
    assert "In no campaign" in page
    added = editor.post(f"{Q}/budget-in-a-campaign/campaign", data={"csrf_token": csrf_of(page), "campaign": "coaching-and-remote-teams", "position": "first"})
    assert added.status_code == 303
    draft = json.loads(rows(server, "SELECT fields FROM editor_drafts WHERE item_id = 'coaching-and-remote-teams'")[0][0])
    assert draft["questions"][0] == "budget-in-a-campaign"
    assert "In coaching-and-remote-teams" in editor.get(f"{Q}/budget-in-a-campaign").text
    # Published alone, the campaign would name an unpublished question: refused, said why.
    alone = editor.get("/editor/items/campaigns/coaching-and-remote-teams/publish").text
    before = latest_version(server)
    refused = post_form(editor, "/editor/items/campaigns/coaching-and-remote-teams/publish", form_fields(alone))
    assert refused.status_code == 400 and "unknown question `budget-in-a-campaign`" in refused.text
    # Both together go out as one version.
    everything = editor.get("/editor/publish").text
    wanted = [(k, v) for k, v in form_fields(everything) if k == "csrf_token" or v.split(":")[1:2] in (["budget-in-a-campaign"], ["coaching-and-remote-teams"])]
    done = post_form(editor, "/editor/publish", wanted)
    assert done.status_code == 200 and f"Published version {before + 1}" in done.text
    assert {r[0] for r in rows(server, "SELECT item_id FROM item_versions WHERE version = ?", before + 1)} == {"budget-in-a-campaign", "coaching-and-remote-teams"}


def test_pages_are_well_formed_and_every_control_is_labelled(editor: httpx.Client) -> None:
    paths = [
        "/editor", "/editor/new/questions", "/editor/review", "/editor/publish", "/editor/versions",
        *(f"/editor/items/{folder}/{item}" for folder, item in (
            ("competencies", "value-messaging"), ("nuggets", "the-value-wedge"), ("questions", "who-else-is-involved"),
            ("refreshers", "how-to-find-who-else-decides"), ("campaigns", "value-selling-foundations"),
        )),
    ]  # fmt: skip
    for path in paths:
        page = editor.get(path).text
        assert "=&#34;" not in page and "=&quot;" not in page, f"{path}: an attribute was escaped as text"
        assert page.count("<form") == page.count("</form>")
        assert page.count('name="csrf_token"') == len(re.findall(r'<form\b[^>]*method="post"', page)), path
        ids = re.findall(r'<(?:input|textarea|select)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
        labelled = set(re.findall(r'<label for="([^"]+)"', page))
        assert [i for i in ids if i not in labelled] == [], f"{path}: controls without a label"
        assert len(ids) == len(set(ids)), f"{path}: an id is used twice"
        unnamed = re.findall(r'<(?:input|textarea|select)\b(?![^>]*type="(?:hidden|submit)")(?![^>]*\bid=)[^>]*>', page)
        assert unnamed == [], f"{path}: controls without an id to label: {unnamed[:3]}"


def test_a_campaign_page_says_whom_it_reaches_and_previews_a_chosen_learners_two_weeks(
    editor: httpx.Client, server: LiveServer
) -> None:
    path = "/editor/items/campaigns/coaching-and-remote-teams"
    page = editor.get(path)
    assert page.status_code == 200
    # Managers and coaches: the demo has one of each (and nobody else with those roles).
    assert "Reaches 2 learners now." in page.text
    # By default the preview is of someone the campaign reaches, listed first.
    select = page.text.split('<select id="preview-learner"', 1)[1].split("</select>", 1)[0]
    options = [(v, sel, html.unescape(label)) for v, sel, label in re.findall(r'<option value="([^"]+)"( selected)?>([^<]*)</option>', select)]
    assert [label for _, _, label in options[:2]] == ["Casey Coach <coach@example.com>", "Morgan Manager <manager@example.com>"]
    assert "Robin Rep <rep@example.com> (not in its audience)" in [label for _, _, label in options]
    table = page.text.split('<table class="campaign-preview">', 1)[1].split("</table>", 1)[0]
    days = re.findall(r'<th scope="row">(\w{3}) (\d{4}-\d{2}-\d{2})</th>', table)
    assert len(days) == 14
    assert [d for _, d in days] == sorted(d for _, d in days)
    # Casey gets at most the campaign's cap of 2 a day from it, at most 3 in all (the total daily
    # limit shared with the value-selling campaign, whose questions are marked as from it).
    assert "They get at most 3 questions a day across 2 campaigns" in page.text
    per_day = [row.split("</th>", 1)[1] for row in table.split("<tbody>", 1)[1].split("</tr>")[:-1]]
    assert len(per_day) == 14
    ours = [row.count("<li>") for row in per_day]
    theirs = [row.count('<li class="muted">') for row in per_day]
    assert ours[0] == 2 and all(n <= 2 for n in ours) and all(a + b <= 3 for a, b in zip(ours, theirs, strict=True))
    assert "from value-selling-foundations" in per_day[0]
    # Preview as a rep the campaign does not reach: said so, and still shown.
    rep_id = rows(server, "SELECT id FROM users WHERE email = 'rep@example.com'")[0][0]
    as_rep = editor.get(path, params={"learner": rep_id}).text
    assert f'<option value="{rep_id}" selected>' in as_rep
    assert "though the campaign's audience does not include them" in html.unescape(as_rep)
    # An unknown learner falls back to the first one reached; a nonsense one does not break the page.
    assert editor.get(path, params={"learner": "<nobody>"}).status_code == 200
    # The list shows each campaign's reach.
    listing = editor.get("/editor", params={"kind": "campaign"}).text
    assert re.search(r"coaching-and-remote-teams.*?<td>2</td>", listing, re.S)


# ---- rubrics ---------------------------------------------------------------------------------------


def test_a_rubric_opens_edits_and_publishes_with_its_behaviours_levels_and_practice(editor: httpx.Client, server: LiveServer) -> None:
    """The list has rubrics; a rubric's form has each behaviour with its four levels and linked
    practice; a changed level and a removed link are saved, checked and published as a file."""
    listed = editor.get("/editor?kind=rubric").text
    assert "discovery-rubric" in listed and "remote-safety-rubric" in listed
    path = "/editor/items/rubrics/discovery-rubric"
    page = editor.get(path)
    assert page.status_code == 200
    form = dict(item_form(editor, path))
    assert form["behaviours.0.id"] == "asks-about-goals"
    assert form["behaviours.0.levels.1"].startswith("Pitches features")
    assert form["behaviours.0.questions"] == "from-feature-request-to-goal, make-a-vague-goal-concrete"
    assert form["behaviours.2.refreshers"] == "how-to-find-who-else-decides"
    assert 'for="f-behaviours-0-levels-4">Level 4 (behaviour 1)</label>' in page.text
    # An emptied level, then an unknown question: each reported beside the behaviours, nothing lost.
    blank = save(editor, path, item_form(editor, path), as_json=True, behaviours__0__levels__2="  ")
    assert [(p["where"], p["message"]) for p in blank.json()["problems"]] == [
        ("$.behaviours[0].levels", "behaviour `asks-about-goals`: level 2 missing: describe all four levels, 1, 2, 3 and 4")
    ]
    assert "level 2 missing" in problems_beside(editor.get(path).text, "behaviours")[0]
    bad = save(editor, path, item_form(editor, path), as_json=True, behaviours__0__levels__2="Asks one question.", behaviours__1__questions="make-a-vague-goal-concret")
    problems = [p["message"] for p in bad.json()["problems"]]
    assert problems == ["unknown question `make-a-vague-goal-concret`; did you mean `make-a-vague-goal-concrete`?"], problems
    assert dict(item_form(editor, path))["behaviours.1.questions"] == "make-a-vague-goal-concret"  # kept as typed
    good = save(
        editor, path, item_form(editor, path), as_json=True,
        behaviours__0__levels__2="Asks one general question, then presents after the first answer.",
        behaviours__1__questions="make-a-vague-goal-concrete",
    )  # fmt: skip
    assert good.status_code == 200 and good.json()["problems"] == [] and good.json()["valid"] is True, good.text
    assert publish_draft(editor, path).status_code == 200
    raw = rows(server, "SELECT raw FROM item_versions WHERE item_id = 'discovery-rubric' ORDER BY rev DESC LIMIT 1")[0][0].decode()
    assert "- id: asks-about-goals\n  text: Asks about the customer's goals before presenting anything\n  levels:\n    1: Pitches" in raw
    assert "    2: Asks one general question, then presents after the first answer.\n" in raw
    assert "- id: makes-goals-concrete\n" in raw and "  questions:\n  - make-a-vague-goal-concrete\n- id: maps-who-decides\n" in raw
    entry = next(r for r in httpx.get(f"{server.url}/content/snapshot/{latest_version(server)}").json()["rubrics"] if r["id"] == "discovery-rubric")
    assert entry["behaviours"][0]["levels"]["2"] == "Asks one general question, then presents after the first answer."
    assert entry["behaviours"][1]["questions"] == ["make-a-vague-goal-concrete"]


def test_a_new_rubric_is_made_in_the_browser_and_one_per_competency_is_enforced(editor: httpx.Client, server: LiveServer) -> None:
    path = "/editor/new/rubrics"
    fields = item_form(editor, path)
    names = {k for k, _ in fields}
    # A new rubric's form has three behaviours (the fewest a rubric has), each with four levels.
    assert {f"behaviours.{i}.levels.{n}" for i in range(3) for n in range(1, 5)} <= names
    behaviours = {
        f"behaviours__{i}__{key}": value
        for i in range(3)
        for key, value in {"id": f"b{i}", "text": f"Behaviour {i}", **{f"levels__{n}": f"What level {n} looks like" for n in range(1, 5)}}.items()
    }
    twice = save(editor, path, fields, as_json=True, id="browser-rubric", competency="needs-analysis", title="Discovery again", **behaviours)
    assert twice.status_code == 200, twice.text
    messages = [p["message"] for p in twice.json()["problems"]]
    assert any("already has a rubric in `en`" in m for m in messages), messages
    fixed = save(editor, "/editor/items/rubrics/browser-rubric", item_form(editor, "/editor/items/rubrics/browser-rubric"), as_json=True, language="nl")
    assert fixed.json()["problems"] == [], fixed.text
    assert publish_draft(editor, "/editor/items/rubrics/browser-rubric").status_code == 200
    raw = rows(server, "SELECT raw FROM item_versions WHERE item_id = 'browser-rubric'")[0][0].decode()
    assert raw.startswith("id: browser-rubric\ncompetency: needs-analysis\nlanguage: nl\ntitle: Discovery again\nbehaviours:\n- id: b0\n")
    assert "  levels:\n    1: What level 1 looks like\n" in raw

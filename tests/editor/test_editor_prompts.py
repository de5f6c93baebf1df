"""Pitch prompts in the browser editor over real HTTP (docs/editor.md): the list has them, a prompt's
form has its rubric as a choice and that rubric's behaviours as checkboxes, its time limit as a
number with its bounds; edits are checked, kept as typed and published; a new prompt and a
translation are made in the browser; what a prompt names cannot be withdrawn from under it."""

from __future__ import annotations

import json
import re

import httpx

from server.storage import content as store
from tests.support.editor import item_form, post_form, problems_beside, save
from tests.support.editor_http import latest_version, publish_draft, rows
from tests.support.forms import form_fields
from tests.support.server import LiveServer

P = "/editor/items/pitch-prompts"


def snapshot_prompts(server: LiveServer) -> dict[str, dict[str, object]]:
    doc = httpx.get(f"{server.url}/content/snapshot/{latest_version(server)}").json()
    return {p["id"]: p for p in doc["pitch_prompts"]}


def prompt_ids(server: LiveServer) -> frozenset[str]:
    import sqlite_utils

    db = sqlite_utils.Database(server.db_path)
    try:
        return store.pitch_prompt_ids(db)
    finally:
        db.close()


def test_the_list_and_a_prompt_s_form(editor: httpx.Client) -> None:
    listed = editor.get("/editor?kind=pitch_prompt").text
    assert "why-change-now" in listed and "too-expensive-at-the-end-nl" in listed and "pitch prompt" in listed
    assert "who-else-is-involved" not in listed  # only prompts
    assert "why-change-now" in editor.get("/editor?campaign=value-selling-foundations").text  # its campaign
    page = editor.get(f"{P}/why-change-now").text
    assert "<h1>Pitch prompt <code>why-change-now</code></h1>" in page
    assert re.search(
        r'<input id="f-time_limit_s" name="time_limit_s" type="number" inputmode="decimal" value="120" min="30" max="180" step="1"',
        page,
    )
    assert re.search(r'<select id="f-rubric" name="rubric"[^>]*>', page)
    assert '<option value="value-messaging-rubric" selected>' in page
    assert '<input id="f-audience" name="audience" type="text"' in page  # words, not a choice of teams
    assert '<option value="value-selling-foundations" selected>' in page
    # The rubric's four behaviours as checkboxes, the three judged ticked, in the rubric's order.
    boxes = re.findall(
        r'<input type="checkbox" id="f-behaviours-([\w-]+)" name="behaviours" value="[\w-]+"( checked)?', page
    )
    assert boxes == [
        ("chooses-the-right-story", " checked"),
        ("makes-the-cost-of-doing-nothing-clear", " checked"),
        ("leads-with-the-wedge", ""),
        ("proves-the-claim", " checked"),
    ]
    assert "Makes the cost of doing nothing clear <code>makes-the-cost-of-doing-nothing-clear</code></label>" in page
    behaviour_map = json.loads(re.search(r"data-behaviours='([^']*)'", page).group(1).replace("&#39;", "'"))  # type: ignore[union-attr]
    assert [b for b, _ in behaviour_map["discovery-rubric"]][:2] == ["asks-about-goals", "makes-goals-concrete"]


def test_a_prompt_is_edited_checked_and_published(editor: httpx.Client, server: LiveServer) -> None:
    path = f"{P}/discovery-first-meeting"
    too_long = save(editor, path, item_form(editor, path), as_json=True, time_limit_s="200")
    assert [(p["where"], p["message"]) for p in too_long.json()["problems"]] == [
        ("$.time_limit_s", "the time limit is a whole number of seconds from 30 to 180; this one is 200")
    ]
    page = editor.get(path).text
    assert problems_beside(page, "time_limit_s") == [
        "the time limit is a whole number of seconds from 30 to 180; this one is 200"
    ]
    assert 'value="200"' in page  # kept as typed
    none_ticked = save(editor, path, item_form(editor, path), as_json=True, time_limit_s="75", behaviours=[])
    assert [p["where"] for p in none_ticked.json()["problems"]] == ["$.behaviours"], none_ticked.text
    good = save(
        editor, path, item_form(editor, path), as_json=True, time_limit_s="75",
        behaviours=["asks-about-goals", "learns-how-they-choose"], audience="",
    )  # fmt: skip
    assert good.json()["problems"] == [] and good.json()["valid"] is True, good.text
    # Alone it is refused: the Dutch translation judges the behaviours of the original.
    alone = publish_draft(editor, path)
    assert alone.status_code == 400 and "nothing was published" in alone.text
    assert (
        "a translation judges the behaviours of `discovery-first-meeting`, in the same order: asks-about-goals, learns-how-they-choose"
        in alone.text
    )
    dutch = f"{P}/discovery-first-meeting-nl"
    assert (
        save(
            editor,
            dutch,
            item_form(editor, dutch),
            as_json=True,
            behaviours=["asks-about-goals", "learns-how-they-choose"],
        ).json()["problems"]
        == []
    )
    both = editor.get("/editor/publish").text
    assert (
        'value="pitch_prompt:discovery-first-meeting:' in both
        and 'value="pitch_prompt:discovery-first-meeting-nl:' in both
    )
    assert "Publish pitch prompt discovery-first-meeting" in both
    assert post_form(editor, "/editor/publish", form_fields(both)).status_code == 200
    entry = snapshot_prompts(server)["discovery-first-meeting"]
    assert (entry["time_limit_s"], entry["behaviours"], entry["audience"], entry["rev"]) == (
        75,
        ["asks-about-goals", "learns-how-they-choose"],
        None,
        2,
    )
    raw = rows(
        server, "SELECT raw FROM item_versions WHERE item_id = 'discovery-first-meeting' ORDER BY rev DESC LIMIT 1"
    )[0][0].decode()
    assert (
        "time_limit_s: 75\nrubric: discovery-rubric\nbehaviours:\n- asks-about-goals\n- learns-how-they-choose\ncampaign: value-selling-foundations\n"
        in raw
    )
    assert "audience" not in raw


def test_choosing_another_rubric_without_the_script_keeps_the_old_ticks_and_says_so(editor: httpx.Client) -> None:
    path = f"{P}/too-expensive-at-the-end"
    saved = save(editor, path, item_form(editor, path), as_json=True, rubric="discovery-rubric")
    messages = [p["message"] for p in saved.json()["problems"]]
    assert messages == [
        "rubric `discovery-rubric` has no behaviour `speaks-in-outcomes` (its behaviours: asks-about-goals, makes-goals-concrete, maps-who-decides, learns-how-they-choose, listens-and-follows-up)",
        "rubric `discovery-rubric` has no behaviour `meets-objections-with-curiosity` (its behaviours: asks-about-goals, makes-goals-concrete, maps-who-decides, learns-how-they-choose, listens-and-follows-up)",
        "rubric `discovery-rubric` has no behaviour `agrees-a-customer-next-step` (its behaviours: asks-about-goals, makes-goals-concrete, maps-who-decides, learns-how-they-choose, listens-and-follows-up)",
    ], messages
    page = editor.get(path).text
    # The new rubric's behaviours are offered, unticked; the old ticks stay, flagged, so nothing is lost.
    assert re.search(r'value="listens-and-follows-up" aria-describedby', page)
    assert "<code>speaks-in-outcomes</code> (not a behaviour of this rubric: untick it)" in page
    assert len(problems_beside(page, "behaviours")) == 3
    fixed = save(editor, path, item_form(editor, path), as_json=True, behaviours=["listens-and-follows-up"])
    assert fixed.json()["problems"] == [], fixed.text
    discard = editor.get(path + "/discard").text
    assert post_form(editor, path + "/discard", form_fields(discard)).status_code in (200, 303)


def test_a_new_prompt_and_its_translation_are_made_in_the_browser(editor: httpx.Client, server: LiveServer) -> None:
    new = "/editor/new/pitch-prompts"
    fields = item_form(editor, new)
    names = dict(fields)
    assert names["time_limit_s"] == "" and "behaviours" not in names  # nothing ticked: no rubric chosen yet
    assert "Choose a rubric above" in editor.get(new).text
    made = save(
        editor, new, fields, as_json=True, id="summarise-then-propose", title="Summarise before you propose",
        situation="The buyer asks: **“So what would you propose?”** Summarise first.", time_limit_s="90",
        rubric="conversation-rubric", behaviours=["summarises-before-proposing", "agrees-a-customer-next-step"],
        campaign="value-selling-foundations",
    )  # fmt: skip
    assert made.status_code == 200 and made.json()["problems"] == [], made.text
    path = f"{P}/summarise-then-propose"
    page = editor.get(path).text
    assert re.search(r'value="summarises-before-proposing" checked', page) and re.search(
        r'value="opens-with-their-world" aria', page
    )
    assert "<strong>“So what would you propose?”</strong>" in page  # the situation as the app shows it
    preview = editor.get(path + "/preview?screen=item").text
    data = json.loads(
        re.search(r'<script type="application/json" id="preview-data">(.*?)</script>', preview, re.S).group(1)
    )  # type: ignore[union-attr]
    assert data["kind"] == "pitch_prompt" and data["entry"]["situation_html"].startswith("<p>The buyer asks:")
    assert any(r["id"] == "conversation-rubric-nl" for r in data["rubrics"])
    assert publish_draft(editor, path).status_code == 200
    assert snapshot_prompts(server)["summarise-then-propose"]["behaviours"] == [
        "summarises-before-proposing",
        "agrees-a-customer-next-step",
    ]
    assert "summarise-then-propose" in prompt_ids(server)
    # Translate into Dutch: the Dutch campaign and the Dutch rubric are filled in for it.
    assert "Translate into nl" in editor.get(path).text
    dutch = dict(item_form(editor, f"{new}?from=summarise-then-propose&language=nl"))
    assert (dutch["id"], dutch["language"], dutch["translation_of"]) == (
        "summarise-then-propose-nl",
        "nl",
        "summarise-then-propose",
    )
    assert (dutch["rubric"], dutch["campaign"]) == ("conversation-rubric-nl", "value-selling-foundations-nl")
    translated = save(
        editor, new, item_form(editor, f"{new}?from=summarise-then-propose&language=nl"), as_json=True,
        title="Vat samen voordat je voorstelt", situation="De klant vraagt: **“Wat stel je voor?”** Vat eerst samen.",
    )  # fmt: skip
    assert translated.json()["problems"] == [], translated.text
    assert publish_draft(editor, f"{P}/summarise-then-propose-nl").status_code == 200
    entry = snapshot_prompts(server)["summarise-then-propose-nl"]
    assert (entry["language"], entry["rubric"], entry["behaviours"]) == (
        "nl",
        "conversation-rubric-nl",
        ["summarises-before-proposing", "agrees-a-customer-next-step"],
    )


def test_what_a_prompt_names_cannot_be_withdrawn_from_under_it_and_a_prompt_can(
    editor: httpx.Client, server: LiveServer
) -> None:
    before = latest_version(server)
    rubric = "/editor/items/rubrics/value-messaging-rubric"
    refused = post_form(editor, rubric + "/withdraw", form_fields(editor.get(rubric + "/withdraw").text))
    assert (
        refused.status_code == 400
        and "unknown rubric `value-messaging-rubric`" in refused.text
        and "why-change-now" in refused.text
    )
    assert latest_version(server) == before
    prompt = f"{P}/why-change-now-nl"
    gone = post_form(editor, prompt + "/withdraw", form_fields(editor.get(prompt + "/withdraw").text))
    assert gone.status_code == 200 and "removed pitch prompt why-change-now-nl" in re.sub(r"<[^>]+>", "", gone.text)
    assert "why-change-now-nl" not in snapshot_prompts(server)
    assert "why-change-now-nl" in prompt_ids(server)  # a pitch recorded against it still names a prompt that existed

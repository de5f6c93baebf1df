"""Previews: an item on a phone exactly as the app shows it, and Markdown as the app renders it.

The phone preview is a page of its own, shown in a phone-sized frame on the item's page. It loads
the app's own screen code and styles (pwa/src/preview.js, built with the app) and gives it the
item as the snapshot would carry it (snapshot_entry: the same fields, the same sanitised
`<field>_html`), so what the editor sees is what a rep will see.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import sqlite_utils
from litestar import MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from server import auth
from server.editor import drafts, store
from server.editor.pages import EDITOR, EDITOR_FORM, built_assets, folder_or_404
from server.errors import RecapError
from server.json_body import check_json
from server.library.snapshot import render_markdown, snapshot_entry
from server.security_headers import CONTENT_SECURITY_POLICY
from server.settings import Settings
from server.storage import content

SCREENS = ("question", "right", "wrong", "item")
MAX_MARKDOWN_BYTES = 256 * 1024
# The preview is framed by the editor's own pages, and only by them.
FRAMED_BY_SELF = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "X-Frame-Options": "SAMEORIGIN",
}


class Markdown(msgspec.Struct, forbid_unknown_fields=True):
    text: str


_markdown_decoder = msgspec.json.Decoder(Markdown)


def preview_data(db: sqlite_utils.Database, state: drafts.ItemState, data: dict[str, Any], changed: bool) -> dict[str, Any]:
    """What the preview script renders: the entry, the competencies it names, the campaign line."""
    rev = state.published_rev + (1 if changed or not state.published_rev else 0)
    epoch = state.published.epoch if state.published is not None and state.live and not changed else rev
    entry = snapshot_entry(state.kind, data, rev, epoch)
    current = content.current_items(db)
    competencies = [
        snapshot_entry("competency", json.loads(item.data), item.rev, item.epoch)
        for (kind, _), item in current.items()
        if kind == "competency" and not item.removed and item.data
    ]
    campaign = None
    reading: dict[str, list[dict[str, Any]]] = {"nuggets": [], "refreshers": []}
    if state.kind == "question":
        for (kind, _), item in sorted(current.items()):
            if kind == "campaign" and not item.removed and item.data and state.item_id in json.loads(item.data).get("questions", []):
                campaign = {"title": json.loads(item.data).get("title")}
                break
        # What the feedback offers to read (pwa/src/library.js relatedReading): titles only.
        for (kind, _), item in sorted(current.items()):
            if kind in ("nugget", "refresher") and not item.removed and item.data:
                fields = json.loads(item.data)
                keep = ("id", "title", "language", "competency", "translation_of")
                reading[f"{kind}s"].append({key: fields.get(key) for key in keep if fields.get(key) is not None})
    rubrics: list[dict[str, Any]] = []
    if state.kind == "pitch_prompt":
        # The rubric the prompt names, and its translations: the card shows the behaviours' texts.
        rubrics = [
            snapshot_entry("rubric", json.loads(item.data), item.rev, item.epoch)
            for (kind, _), item in sorted(current.items())
            if kind == "rubric" and not item.removed and item.data
        ]
    return {"kind": state.kind, "entry": entry, "competencies": competencies, "campaign": campaign, "rubrics": rubrics, **reading}


@get("/editor/items/{folder:str}/{item_id:str}/preview", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def phone_preview(
    request: Request[Any, Any, Any],
    db: NamedDependency[sqlite_utils.Database],
    settings: NamedDependency[Settings],
    folder: FromPath[str],
    item_id: FromPath[str],
) -> Template:
    """The item (its draft, else as published) on a phone: `screen` = question, right or wrong
    (the feedback after a right or a wrong answer), or item (a refresher, a lesson, …)."""
    state = drafts.load(db, folder_or_404(folder), item_id)
    screen = str(request.query_params.get("screen", "question"))
    screen = screen if screen in SCREENS else "question"
    values = state.values()
    checked = drafts.check(db, state, values, store.all_drafts(db))
    data = checked.entry_data()
    context: dict[str, Any] = {"kind": state.kind, "item_id": item_id, "screen": screen, "problems": checked.problems}
    context["preview"] = preview_data(db, state, data, checked.changed) if data is not None else None
    context["assets"] = built_assets(settings).get("preview", {})
    return Template("editor/preview.html", context=context, headers=FRAMED_BY_SELF)


@post("/editor/markdown", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_MARKDOWN_BYTES + 4096)
async def markdown_preview(request: Request[Any, Any, Any]) -> Response[Any]:
    """Markdown rendered by the snapshot's renderer and sanitiser: `{"text"}` -> `{"html"}` for the
    editor's script (X-CSRF-Token header), or a form's `field` named text as a page (no script)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        auth.require_form_csrf(request, request.state.principal, request.headers.get(auth.CSRF_HEADER, ""))
        body = await request.body()
        check_json(request, body, MAX_MARKDOWN_BYTES)
        try:
            text = _markdown_decoder.decode(body).text
        except msgspec.DecodeError as error:
            raise RecapError(f"send {{\"text\": \"…\"}}: {error}") from None
        return Response({"html": render_markdown(text)}, media_type=MediaType.JSON)
    form = await request.form()
    auth.require_form_csrf(request, request.state.principal, str(form.get("csrf_token", "")))
    field = str(form.get("field", ""))
    text = form.get(field, "") if field and not field.startswith(("_", "csrf")) else ""
    html = render_markdown(text if isinstance(text, str) else "")
    return Template("editor/markdown.html", context={"html": html, "field": field})

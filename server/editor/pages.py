"""What the editor's pages show: the context of each template, built from storage and the pure
rules. No SQL here (server/editor/store.py) and no routing (routes.py, publishing.py, preview.py).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import msgspec
import sqlite_utils
from litestar import Request
from litestar.response import Redirect

from server import auth, urls
from server.campaigns.reach import campaign_reach
from server.editor import campaign_insight, store
from server.editor.drafts import FOLDER_OF, KIND_OF, Checked, ItemState
from server.editor.fields import FieldSpec, form_fields
from server.editor.forms import field_of, right_options, rows_for, text_of
from server.editor.quality import FLAG_WORDS, MIN_FIRST_ANSWERS, Quality, quality
from server.editor.translations import Family, Published, family
from server.errors import NotFound, RecapError
from server.library.problems import Problem
from server.library.snapshot import render_markdown
from server.settings import Settings
from server.storage import content
from server.storage.content import StoredItem

EDITOR = {"access": "role:editor,admin"}
EDITOR_FORM = {"access": "role:editor,admin", "csrf": "form"}
# A form carries one item (a file is at most 256 KiB) and its merge; more is not an edit.
MAX_FORM_BYTES = 1024 * 1024
NOUNS = {"competencies": "competency", "nuggets": "nugget", "questions": "question", "refreshers": "refresher", "campaigns": "campaign", "rubrics": "rubric", "pitch-prompts": "pitch prompt"}


class Conflicted(RecapError):
    """Someone else changed it first: nothing was done; look again."""

    status_code = 409
    error = "conflict"


def folder_or_404(folder: str) -> str:
    if folder not in KIND_OF:
        raise NotFound(f"no such kind of item: {folder} (the kinds are {', '.join(KIND_OF)})")
    return folder


def item_url(folder: str, item_id: str, suffix: str = "") -> str:
    return f"/editor/items/{urls.segment(folder)}/{urls.segment(item_id)}{suffix}"


def back(url: str, message: str) -> Redirect:
    """Back to a page, with what was done (shown in a status line there)."""
    return Redirect(f"{url}?{urlencode({'done': message})}", status_code=303)


async def read_form(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    """The submitted form's fields, once its CSRF token is checked (the page's forms carry it; the
    editor's script also sends it in the X-CSRF-Token header)."""
    form = await request.form()
    sent = str(form.get("csrf_token", "")) or request.headers.get(auth.CSRF_HEADER, "")
    auth.require_form_csrf(request, request.state.principal, sent)
    return [(str(k), v if isinstance(v, str) else "") for k, v in form.multi_items()]


def base_context(request: Request[Any, Any, Any], db: sqlite_utils.Database, **extra: Any) -> dict[str, Any]:
    """What every editor page has: who is signed in, the CSRF token, the draft counts."""
    drafts = store.all_drafts(db)
    return {
        "me": request.state.principal.email,
        "csrf": auth.form_csrf_token(request),
        "draft_count": len(drafts),
        "ready_count": sum(1 for d in drafts if d.ready),
        "review_required": request.app.state.settings.editor_review,
        "message": request.query_params.get("done", ""),
        "nouns": NOUNS,
        "folders": FOLDER_OF,
        "assets": built_assets(request.app.state.settings),
        **extra,
    }


def built_assets(settings: Settings) -> dict[str, dict[str, str]]:
    """The editor's script and the phone preview's script and styles, as pwa/build.mjs names them
    in dist/pages.json; empty when the app is not built (the pages then work without script)."""
    try:
        found = json.loads((settings.pwa_dist / "pages.json").read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


# ---- an item's form ---------------------------------------------------------------------------


class FieldView(msgspec.Struct, kw_only=True):
    """One field as its widget shows it."""

    spec: FieldSpec
    id: str
    value: str = ""
    rows: list[Any] = []
    checked: list[int] = []  # `correct`: the right option numbers
    picked: list[str] = []  # `behaviours`: the ids ticked
    several: bool = False
    problems: list[str] = []
    html: str = ""  # Markdown: the saved text, rendered as the app shows it


def field_views(folder: str, values: dict[str, Any], problems: list[Problem]) -> list[FieldView]:
    by_field: dict[str, list[str]] = {}
    for p in problems:
        name, inside = field_of(p.where)
        by_field.setdefault(name, []).append(f"{inside}: {p.message}" if inside else p.message)
    views = []
    for spec in form_fields(folder):
        value = values.get(spec.name)
        view = FieldView(spec=spec, id=f"f-{spec.name}", problems=by_field.get(spec.name, []))
        if spec.repeated:
            view.rows = rows_for(spec, value)
        elif spec.widget == "correct":
            view.checked, view.several = right_options(value)
            view.value = text_of(value) if not view.checked and value is not None else ""
        elif spec.widget == "words":
            view.value = ", ".join(map(str, value)) if isinstance(value, list) else text_of(value)
        elif spec.widget == "behaviours":
            view.picked = [str(v) for v in value] if isinstance(value, list) else ([str(value)] if value else [])
            view.value = text_of(values.get(spec.source))  # the rubric whose behaviours are offered
        else:
            view.value = text_of(value)
        if spec.widget == "markdown" and isinstance(value, str):
            view.html = render_markdown(value)
        views.append(view)
    return views


def problem_lines(folder: str, problems: list[Problem]) -> list[dict[str, str]]:
    """The summary at the top of the form: each problem, with a link to its field."""
    labels = {f.name: f.label for f in form_fields(folder)}
    out = []
    for p in problems:
        name, inside = field_of(p.where)
        label = "Kind of change" if name == "change" else labels.get(name, "")
        out.append({"field": name, "label": f"{label} ({inside})" if inside and label else label, "message": p.message})
    return out


def reference_choices(db: sqlite_utils.Database, current: dict[tuple[str, str], StoredItem], drafts: list[store.Draft]) -> dict[str, list[tuple[str, str]]]:
    """The ids a reference field can name (published or drafted), each with its title."""
    from server.editor.listing import title_of

    found: dict[str, dict[str, str]] = {folder: {} for folder in KIND_OF}
    for (kind, item_id), item in current.items():
        if not item.removed and item.data:
            found[FOLDER_OF[kind]][item_id] = title_of(json.loads(item.data), item_id)
    for d in drafts:
        found[FOLDER_OF[d.kind]].setdefault(d.item_id, title_of(d.fields, d.item_id) + " (draft)")
    out: dict[str, list[tuple[str, str]]] = {folder: sorted(ids.items()) for folder, ids in found.items()}
    out["teams"] = [("all", "everyone"), *((t, t) for t in store.teams(db))]
    return out


def rubric_behaviours(current: dict[tuple[str, str], StoredItem], drafts: list[store.Draft]) -> dict[str, list[tuple[str, str]]]:
    """Each rubric's behaviours (published, or as its draft has them), as (id, text): what a pitch
    prompt's behaviours are picked among."""
    found: dict[str, Any] = {
        item_id: json.loads(item.data).get("behaviours")
        for (kind, item_id), item in current.items()
        if kind == "rubric" and not item.removed and item.data
    }
    found.update({d.item_id: d.fields.get("behaviours") for d in drafts if d.kind == "rubric"})
    return {
        rubric_id: [(str(b["id"]), str(b.get("text") or b["id"])) for b in behaviours if isinstance(b, dict) and b.get("id")]
        for rubric_id, behaviours in sorted(found.items())
        if isinstance(behaviours, list)
    }


def published_items(current: dict[tuple[str, str], StoredItem]) -> list[Published]:
    out = []
    for (kind, item_id), item in current.items():
        if item.removed or not item.data:
            continue
        data = json.loads(item.data)
        if kind == "competency":
            out.append(Published(kind, item_id, None, None, item.version, tuple(sorted(data.get("translations") or {}))))
        else:
            out.append(Published(kind, item_id, data.get("language", "en"), data.get("translation_of"), item.version))
    return out


def translation_family(current: dict[tuple[str, str], StoredItem], state: ItemState) -> Family | None:
    return family(published_items(current), state.kind, state.item_id)


def question_quality(db: sqlite_utils.Database, item: StoredItem | None, with_times: bool = True) -> Quality | None:
    """The quality figures of a published question (None when it is not published)."""
    if item is None or item.removed or not item.data:
        return None
    data = json.loads(item.data)
    firsts = store.first_choices(db, {item.item_id: item.epoch}).get(item.item_id, [])
    total = store.answer_totals(db, {item.item_id: item.epoch}).get(item.item_id, 0)
    right, _ = right_options(data.get("correct"))
    times = store.durations(db, item.item_id, item.epoch) if with_times else []
    return quality(total, firsts, right, len(data.get("options") or []), times)


def all_qualities(db: sqlite_utils.Database, current: dict[tuple[str, str], StoredItem]) -> dict[str, Quality]:
    """Quality figures of every published question (without answer times: the list needs none)."""
    questions = {i: item for (k, i), item in current.items() if k == "question" and not item.removed and item.data}
    epochs = {i: item.epoch for i, item in questions.items()}
    firsts = store.first_choices(db, epochs)
    totals = store.answer_totals(db, epochs)
    out = {}
    for item_id, item in questions.items():
        data = json.loads(item.data or "{}")
        right, _ = right_options(data.get("correct"))
        out[item_id] = quality(totals.get(item_id, 0), firsts.get(item_id, []), right, len(data.get("options") or []))
    return out


def item_context(
    request: Request[Any, Any, Any],
    db: sqlite_utils.Database,
    state: ItemState,
    values: dict[str, Any],
    checked: Checked | None,
    *,
    new: bool = False,
) -> dict[str, Any]:
    """Everything an item's page shows."""
    folder = state.folder
    current = content.current_items(db)
    drafts = store.all_drafts(db)
    who = store.emails(db)
    problems = checked.problems if checked else []
    learners, answers = store.learners_answered(db, state.item_id) if state.kind == "question" and state.live else (0, 0)
    choices = reference_choices(db, current, drafts)
    languages = sorted({p.language for p in published_items(current) if p.language} | {"en"})
    membership = [
        c_id for c_id, title in choices["campaigns"]
        if state.kind in ("question", "nugget") and _lists(current, drafts, c_id, FOLDER_OF[state.kind], state.item_id)
    ]  # fmt: skip
    reach = campaign_reach(db) if state.kind == "campaign" else None
    preview_people, preview = (
        campaign_insight.preview(db, state.item_id, request.query_params.get("learner"), _prompts(current))
        if state.kind == "campaign" and state.live
        else ([], None)
    )
    return base_context(
        request, db,
        folder=folder, kind=state.kind, item_id=state.item_id, new=new, state=state,
        fields=field_views(folder, values, problems),
        summary=problem_lines(folder, problems),
        elsewhere=checked.elsewhere if checked else [],
        changed=checked.changed if checked else True,
        valid=checked is not None and checked.entry_data() is not None,
        answers=answers, learners=learners,
        change=values.get("change") or "",
        change_problems=[p.message for p in problems if field_of(p.where)[0] == "change"],
        ask_change=state.live and (checked.changed if checked else False),
        choices=choices, languages=languages, who=who,
        behaviour_choices=rubric_behaviours(current, drafts) if state.kind == "pitch_prompt" else {},
        history=store.history(db, state.kind, state.item_id),
        family=translation_family(current, state) if state.live else None,
        quality=question_quality(db, state.published) if state.kind == "question" else None,
        flag_words=FLAG_WORDS, min_answers=MIN_FIRST_ANSWERS,
        campaigns_of=membership,
        reach=reach, preview_people=preview_people, campaign_preview=preview,
        url=item_url(folder, state.item_id) if not new else f"/editor/new/{folder}",
    )  # fmt: skip


def _prompts(current: dict[tuple[str, str], StoredItem]) -> dict[str, str]:
    """Each published question's prompt, by id."""
    return {
        item.item_id: str(msgspec.json.decode(item.data).get("prompt", ""))
        for (kind, _), item in current.items()
        if kind == "question" and item.data and not item.removed
    }


def _lists(current: dict[tuple[str, str], StoredItem], drafts: list[store.Draft], campaign_id: str, field: str, item_id: str) -> bool:
    draft = next((d for d in drafts if (d.kind, d.item_id) == ("campaign", campaign_id)), None)
    if draft is not None:
        data = draft.fields
    else:
        item = current.get(("campaign", campaign_id))
        data = json.loads(item.data) if item is not None and item.data else {}
    refs = data.get(field) or []
    return isinstance(refs, list) and item_id in refs

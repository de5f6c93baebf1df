"""The editor's item pages: the list, a new item, an item's form (save, merge, diff, review,
discard, add to a campaign). Editors and admins only (server/policy.py); every write is a POST
carrying the session's CSRF token (a form field, or the X-CSRF-Token header from the script).

A save answers the page's form with a redirect back to the item, and the editor's script (which
asks for JSON) with the draft's new revision and the problems found, beside their fields.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import sqlite_utils
from litestar import MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server import auth
from server.campaigns.reach import campaign_reach
from server.db import write_transaction
from server.editor import drafts, listing, store
from server.editor.drafts import KIND_OF, Conflict, ConflictError, IdTaken
from server.editor.fields import form_fields
from server.editor.forms import FormRefused, normalised, parse_form
from server.editor.merge import CONFLICT
from server.editor.pages import (
    EDITOR,
    EDITOR_FORM,
    MAX_FORM_BYTES,
    Conflicted,
    all_qualities,
    back,
    base_context,
    folder_or_404,
    item_context,
    item_url,
    published_items,
    read_form,
)
from server.editor.translations import translated_references
from server.errors import NotFound, RecapError, wants_json
from server.pool import ConnectionPool, in_thread
from server.storage import content
from sync.clock import format_utc
from sync.content import Slug

_slug = msgspec.json.Decoder(Slug)


def _json(body: dict[str, Any], status: int = 200) -> Response[Any]:
    return Response(body, status_code=status, media_type=MediaType.JSON)


def _token(pairs: list[tuple[str, str]], name: str) -> int:
    value = next((v for k, v in pairs if k == name), "0").strip() or "0"
    if not value.isdigit() or len(value) > 12:
        raise RecapError(f"`{name}` must be a whole number: reload the page")
    return int(value)


# ---- the list ---------------------------------------------------------------------------------


@get("/editor", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def list_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template:
    """Every item, published, withdrawn or drafted, with filters."""
    q = request.query_params
    filters = listing.Filters(**{name: str(q.get(name, ""))[:200] for name in msgspec.structs.asdict(listing.Filters())})
    current = content.current_items(db)
    questions = [i for (k, i), item in current.items() if k == "question"]
    reach = campaign_reach(db)
    rows = listing.rows(current, store.all_drafts(db), content.answer_counts(db, questions), all_qualities(db, current), reach)
    shown = [r for r in rows if listing.matches(r, filters)]
    counts = {kind: sum(1 for r in shown if r.kind == kind) for kind in listing.choices(rows)["kind"]}
    return Template(
        "editor/list.html",
        context=base_context(
            request, db, rows=shown, total=len(rows), counts=counts, filters=filters, choices=listing.choices(rows),
            version=content.latest_version(db),
        ),
    )


# ---- a new item -----------------------------------------------------------------------------------


@get("/editor/new/{folder:str}", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def new_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], folder: FromPath[str]) -> Template:
    """A blank form for a new item; `?from=ID&language=xx` starts a translation of item ID."""
    folder = folder_or_404(folder)
    values: dict[str, Any] = {}
    original = str(request.query_params.get("from", ""))
    language = str(request.query_params.get("language", ""))[:20]
    if original:
        source = drafts.load(db, folder, original)
        if not source.live and source.draft is None:
            raise NotFound(f"there is no {KIND_OF[folder]} `{original}` to translate")
        values = {k: v for k, v in source.values().items() if k != "change"}
        values.update({"id": f"{original}-{language}" if language else "", "translation_of": original})
        if language:
            values["language"] = language
            values = translated_references(folder, values, language, published_items(content.current_items(db)))
    state = drafts.ItemState(folder, "", None, None)
    return Template("editor/item.html", context=item_context(request, db, state, values, None, new=True))


@post("/editor/new/{folder:str}", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def create(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str]) -> Response[Any]:
    """Create the item's first draft from the form; its id is then fixed for good."""
    folder = folder_or_404(folder)
    pairs = await read_form(request)
    item_id = next((v for k, v in pairs if k == "id"), "").strip()
    try:
        _slug.decode(json.dumps(item_id))
    except msgspec.ValidationError:
        problem = {"where": "$.id", "message": "give an id: lower-case letters, digits and single hyphens, at most 80 characters"}
        if wants_json(request):
            return _json({"error": "bad_request", "detail": problem["message"], "problems": [problem]}, 400)
        raise RecapError(f"the id `{item_id}` cannot be used: {problem['message']}. Go back: the form is as you left it.") from None
    return await _save(request, pool, folder, item_id, pairs, new=True)


# ---- an item --------------------------------------------------------------------------------------


@get("/editor/items/{folder:str}/{item_id:str}", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def item_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], folder: FromPath[str], item_id: FromPath[str]) -> Template:
    """An item's form: its draft (or published) values, every problem beside its field."""
    state = drafts.load(db, folder_or_404(folder), item_id)
    if state.published is None and state.draft is None:
        raise NotFound(f"there is no {state.kind} `{item_id}`: create it from the list")
    values = state.values()
    checked = drafts.check(db, state, values, store.all_drafts(db))
    return Template("editor/item.html", context=item_context(request, db, state, values, checked))


@post("/editor/items/{folder:str}/{item_id:str}", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def save_item(
    request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str], item_id: FromPath[str]
) -> Response[Any]:
    """Save the form as the item's draft (autosave and the Save button alike)."""
    folder = folder_or_404(folder)
    return await _save(request, pool, folder, item_id, await read_form(request))


async def _save(request: Request[Any, Any, Any], pool: ConnectionPool, folder: str, item_id: str, pairs: list[tuple[str, str]], *, new: bool = False) -> Response[Any]:
    revision, base_rev = _token(pairs, "_revision"), _token(pairs, "_base")
    user_id, now = request.state.principal.user_id, format_utc(auth.now(request))
    try:
        values = parse_form(folder, pairs)
    except FormRefused as refused:
        problems = [{"where": p.where, "message": p.message} for p in refused.problems]
        if wants_json(request):
            return _json({"error": "bad_request", "detail": str(refused), "problems": problems}, 400)
        raise RecapError(f"not saved: {refused}. Go back: the form is as you left it.") from None

    def work(db: sqlite_utils.Database) -> Any:
        existing = drafts.load(db, folder, item_id)
        if not new and existing.published is None and existing.draft is None and revision == 0:
            raise NotFound(f"there is no {KIND_OF[folder]} `{item_id}`: create it from the list")
        try:
            draft = drafts.save(db, folder, item_id, values, revision=revision, base_rev=base_rev, user_id=user_id, now=now, new=new)
        except ConflictError as error:
            return error.conflict
        except IdTaken as error:
            return error
        if draft is None:
            return None, None
        state = drafts.load(db, folder, item_id)
        return draft, drafts.check(db, state, draft.fields, store.all_drafts(db))

    outcome = await in_thread(pool, work)
    if isinstance(outcome, IdTaken):
        if wants_json(request):
            return _json({"error": "conflict", "detail": str(outcome), "problems": [{"where": "$.id", "message": str(outcome)}]}, 409)
        raise Conflicted(f"{outcome}. Go back: the form is as you left it.")
    if isinstance(outcome, Conflict):
        return await _conflict_response(request, pool, folder, item_id, outcome)
    draft, checked = outcome
    if draft is None:
        if wants_json(request):
            return _json({"saved": False, "revision": 0, "base_rev": base_rev, "detail": "no change from the published item"})
        return back(item_url(folder, item_id), "No changes: the form is as published, so no draft was started")
    if wants_json(request):
        return _json(
            {
                "saved": True, "revision": draft.revision, "base_rev": draft.base_rev or 0, "saved_at": draft.updated_at,
                "url": item_url(folder, item_id), "changed": checked.changed, "valid": checked.entry_data() is not None,
                "problems": [{"where": p.where, "message": p.message} for p in checked.problems],
                "elsewhere": [str(p) for p in checked.elsewhere],
            }
        )  # fmt: skip
    return back(item_url(folder, item_id), f"Saved (draft revision {draft.revision})")


async def _conflict_response(request: Request[Any, Any, Any], pool: ConnectionPool, folder: str, item_id: str, conflict: Conflict) -> Response[Any]:
    """409: as JSON for the script (which then offers the merge page), else the merge page."""

    def page(db: sqlite_utils.Database) -> Response[Any]:
        who = store.emails(db)
        if wants_json(request):
            return _json(
                {
                    "error": "conflict", "reason": conflict.reason, "revision": conflict.revision,
                    "base_rev": conflict.base_rev, "detail": _conflict_words(conflict, who),
                },
                409,
            )  # fmt: skip
        merge = conflict.merge(drafts.order(folder))
        context = base_context(
            request, db, folder=folder, kind=KIND_OF[folder], item_id=item_id, conflict=conflict, merge=merge,
            explanation=_conflict_words(conflict, who), yours_json=json.dumps(conflict.yours),
            their_name=who.get(conflict.by or "", "") if conflict.reason == "draft" else "published",
            labels={f.name: f.label for f in form_fields(folder)}, CONFLICT=CONFLICT,
        )  # fmt: skip
        return Template("editor/merge.html", context=context, status_code=409)

    return await in_thread(pool, page)


def _conflict_words(conflict: Conflict, who: dict[str, str]) -> str:
    if conflict.reason == "published":
        return f"A newer version of this item was published (revision {conflict.base_rev}) while you were editing."
    if conflict.revision == 0:
        return "The draft you were editing was published or discarded while you were editing."
    by = who.get(conflict.by or "", conflict.by or "another editor")
    return f"{by} saved this draft (revision {conflict.revision}) at {conflict.at} while you were editing."


@post("/editor/items/{folder:str}/{item_id:str}/merge", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def resolve(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str], item_id: FromPath[str]) -> Response[Any]:
    """Save the merge: fields changed on one side as merged, conflicts as chosen (`choose.FIELD`).

    The form carries your values and what they were based on (`_from_revision`, `_from_base`),
    and the state it merged with (`_revision`, `_base`): the merge is worked out again from the
    database, and if the other side moved on once more, you get a new merge page."""
    folder = folder_or_404(folder)
    pairs = await read_form(request)
    try:
        yours = json.loads(dict(pairs).get("_yours", ""))
    except ValueError:
        raise RecapError("the merge form was damaged (your values are not JSON): open the item again") from None
    if not isinstance(yours, dict):
        raise RecapError("the merge form was damaged: open the item again")
    token = (_token(pairs, "_revision"), _token(pairs, "_base"))
    origin = (_token(pairs, "_from_revision"), _token(pairs, "_from_base"))
    choices = {k.removeprefix("choose."): v for k, v in pairs if k.startswith("choose.") and v in ("theirs", "yours")}
    user_id, now = request.state.principal.user_id, format_utc(auth.now(request))

    def work(db: sqlite_utils.Database) -> Any:
        state = drafts.load(db, folder, item_id)
        conflict = drafts.find_conflict(db, state, yours, *origin)
        if conflict is None:  # nothing to merge with any more: yours as they are
            merged, target = yours, (state.revision, state.base_rev)
        else:
            if (conflict.revision, conflict.base_rev) != token:
                return conflict  # moved on again while you were merging
            merge = conflict.merge(drafts.order(folder))
            missing = [f.name for f in merge.conflicts if f.name not in choices]
            if missing:
                return missing
            merged, target = merge.merged(choices), token
        try:
            return drafts.save(db, folder, item_id, merged, revision=target[0], base_rev=target[1], user_id=user_id, now=now)
        except ConflictError as error:
            return error.conflict

    outcome = await in_thread(pool, work)
    if isinstance(outcome, Conflict):
        return await _conflict_response(request, pool, folder, item_id, outcome)
    if isinstance(outcome, list):
        raise RecapError(f"choose which version to keep for: {', '.join(outcome)}. Go back: your choices are as you left them.")
    if outcome is None:
        return back(item_url(folder, item_id), "Merged: the result is the published item, so no draft is kept")
    return back(item_url(folder, item_id), f"Merged and saved (draft revision {outcome.revision})")


@get("/editor/items/{folder:str}/{item_id:str}/diff", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def diff_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], folder: FromPath[str], item_id: FromPath[str]) -> Template:
    """The draft beside the published item, field by field, line by line."""
    from server.editor.merge import diff

    state = drafts.load(db, folder_or_404(folder), item_id)
    if state.draft is None:
        raise NotFound(f"{state.kind} `{item_id}` has no draft to compare")
    checked = drafts.check(db, state, state.draft.fields, store.all_drafts(db))
    data = checked.entry_data()
    draft_values = normalised(folder, data) if data is not None else normalised(folder, state.draft.fields)
    published = state.published_values() or {}
    labels = {f.name: f.label for f in form_fields(folder)}
    return Template(
        "editor/diff.html",
        context=base_context(
            request, db, folder=folder, kind=state.kind, item_id=item_id, state=state, labels=labels,
            rows=diff(published, draft_values, drafts.order(folder)), url=item_url(folder, item_id),
        ),
    )


# ---- review, discard, campaigns -----------------------------------------------------------------------


@post("/editor/items/{folder:str}/{item_id:str}/ready", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def mark_ready(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str], item_id: FromPath[str]) -> Redirect:
    """Mark the draft ready for review (`ready=yes`) or back to draft (`ready=no`)."""
    folder = folder_or_404(folder)
    pairs = await read_form(request)
    revision, ready = _token(pairs, "_revision"), dict(pairs).get("ready") == "yes"
    user_id, now = request.state.principal.user_id, format_utc(auth.now(request))

    def work(db: sqlite_utils.Database) -> bool:
        with write_transaction(db):
            return store.set_status(db, KIND_OF[folder], item_id, revision, ready, user_id, now)

    if not await in_thread(pool, work):
        raise Conflicted("the draft was saved again (or published) since you opened it: look at it again, then mark it")
    return back(item_url(folder, item_id), "Marked ready for review" if ready else "Marked as draft again")


@get("/editor/items/{folder:str}/{item_id:str}/discard", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def discard_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], folder: FromPath[str], item_id: FromPath[str]) -> Template:
    """Confirm throwing a draft away."""
    state = drafts.load(db, folder_or_404(folder), item_id)
    if state.draft is None:
        raise NotFound(f"{state.kind} `{item_id}` has no draft")
    return Template("editor/discard.html", context=base_context(request, db, folder=folder, kind=state.kind, item_id=item_id, state=state, url=item_url(folder, item_id)))


@post("/editor/items/{folder:str}/{item_id:str}/discard", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def discard(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str], item_id: FromPath[str]) -> Redirect:
    """Throw the draft away (its saved revisions stay in the database)."""
    folder = folder_or_404(folder)
    revision = _token(await read_form(request), "_revision")

    def work(db: sqlite_utils.Database) -> tuple[bool, bool]:
        with write_transaction(db):
            gone = store.delete_draft(db, KIND_OF[folder], item_id, revision)
        return gone, drafts.load(db, folder, item_id).published is not None

    gone, published = await in_thread(pool, work)
    if not gone:
        raise Conflicted("the draft was saved again (or published) since you opened it: look at it again")
    return back(item_url(folder, item_id) if published else "/editor", "Draft discarded")


@post("/editor/items/{folder:str}/{item_id:str}/campaign", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def add_to_campaign(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str], item_id: FromPath[str]) -> Redirect:
    """Add this question or nugget to a campaign's draft, first or last (`position`)."""
    folder = folder_or_404(folder)
    if folder not in ("questions", "nuggets"):
        raise NotFound("only questions and nuggets go into campaigns")
    form = dict(await read_form(request))
    campaign, first = form.get("campaign", ""), form.get("position") == "first"
    user_id, now = request.state.principal.user_id, format_utc(auth.now(request))

    def work(db: sqlite_utils.Database) -> str:
        state = drafts.load(db, "campaigns", campaign)
        if not state.live and state.draft is None:
            raise NotFound(f"there is no campaign `{campaign}`")
        values = state.values()
        refs = [r for r in values.get(folder) or [] if r != item_id]
        values[folder] = [item_id, *refs] if first else [*refs, item_id]
        try:
            drafts.save(db, "campaigns", campaign, values, revision=state.revision, base_rev=state.base_rev, user_id=user_id, now=now)
        except ConflictError:
            raise Conflicted(f"campaign `{campaign}` was published again since its draft began: open it and save to merge first") from None
        return campaign

    done = await in_thread(pool, work)
    return back(item_url(folder, item_id), f"Added to the draft of campaign {done} ({'first' if first else 'last'}); publish it to send it")

"""The editor's publishing pages: publish one draft or all, withdraw an item, the review queue, the
library's versions and rolling back to one. Each write has a confirmation page first (GET), then
the POST carries exactly what was confirmed (the drafts' revisions), so a double submit or a
draft saved meanwhile is refused, never published blind.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from server import auth
from server.editor import drafts, release, store
from server.editor.drafts import FOLDER_OF, KIND_OF
from server.editor.pages import (
    EDITOR,
    EDITOR_FORM,
    MAX_FORM_BYTES,
    Conflicted,
    base_context,
    folder_or_404,
    item_url,
    read_form,
)
from server.errors import NotFound, RecapError
from server.library.problems import ContentError
from server.library.publish import PublishResult
from server.library.rollback import NoSuchVersion
from server.pool import ConnectionPool, in_thread
from server.storage import content


def _pending(db: sqlite_utils.Database, user_id: str, review: bool, only: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    """Every draft (or one) with what publishing it would do: its check, and why it may not be
    published yet (review, a merge needed)."""
    everything = store.all_drafts(db)
    out = []
    for draft in everything:
        if only is not None and (draft.kind, draft.item_id) != only:
            continue
        state = drafts.load(db, FOLDER_OF[draft.kind], draft.item_id)
        checked = drafts.check(db, state, draft.fields, everything)
        blocked = release.review_problem(draft, user_id) if review else None
        if draft.base_rev is not None and draft.base_rev != state.published_rev:
            blocked = "the item was published again since this draft began: open it and save to merge"
        out.append(
            {
                "draft": draft, "state": state, "checked": checked, "blocked": blocked,
                "url": item_url(FOLDER_OF[draft.kind], draft.item_id), "folder": FOLDER_OF[draft.kind],
            }
        )  # fmt: skip
    return out


def _wanted(pairs: list[tuple[str, str]]) -> list[release.Wanted]:
    """The drafts a publish form confirmed: `draft` fields of `kind:id:revision`."""
    out = []
    for key, value in pairs:
        if key != "draft":
            continue
        parts = value.split(":")
        if len(parts) != 3 or parts[0] not in FOLDER_OF or not parts[2].isdigit():
            raise RecapError(f"`{value}` does not name a draft: reload the publish page")
        wanted = release.Wanted(parts[0], parts[1], int(parts[2]))
        if wanted not in out:  # a draft ticked twice is published once
            out.append(wanted)
    return out


def _result_page(request: Request[Any, Any, Any], db: sqlite_utils.Database, result: PublishResult, what: str) -> Template:
    return Template("editor/published.html", context=base_context(request, db, result=result, what=what))


async def _publishing(request: Request[Any, Any, Any], pool: ConnectionPool, work: Any, what: str) -> Template:
    """Run a publish; its refusals and content problems become a clear page, nothing published."""

    def run(db: sqlite_utils.Database) -> Template:
        try:
            result = work(db)
        except release.Refused as error:
            raise Conflicted(f"nothing was published: {error}") from None
        except ContentError as error:
            problems = "; ".join(str(p) for p in error.problems[:20])
            raise RecapError(f"nothing was published: the library would have {len(error.problems)} problem(s): {problems}") from None
        return _result_page(request, db, result, what)

    page: Template = await in_thread(pool, run)
    return page


# ---- publish ----------------------------------------------------------------------------------------


@get("/editor/publish", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def publish_all_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template:
    """Confirm publishing drafts: every draft with its problems, ticked unless it cannot go."""
    review = request.app.state.settings.editor_review
    pending = _pending(db, request.state.principal.user_id, review)
    return Template("editor/publish.html", context=base_context(request, db, pending=pending, single=False, who=store.emails(db)))


@post("/editor/publish", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def publish_all(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool]) -> Template:
    """Publish the confirmed drafts as one new version."""
    wanted = _wanted(await read_form(request))
    user_id, now, review = request.state.principal.user_id, auth.now(request), request.app.state.settings.editor_review
    return await _publishing(request, pool, lambda db: release.publish_drafts(db, wanted, user_id, now, review=review), "drafts")


@get("/editor/items/{folder:str}/{item_id:str}/publish", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def publish_one_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], folder: FromPath[str], item_id: FromPath[str]) -> Template:
    """Confirm publishing one draft."""
    folder = folder_or_404(folder)
    review = request.app.state.settings.editor_review
    pending = _pending(db, request.state.principal.user_id, review, (KIND_OF[folder], item_id))
    if not pending:
        raise NotFound(f"{KIND_OF[folder]} `{item_id}` has no draft to publish")
    return Template("editor/publish.html", context=base_context(request, db, pending=pending, single=True, who=store.emails(db)))


@post("/editor/items/{folder:str}/{item_id:str}/publish", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def publish_one(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str], item_id: FromPath[str]) -> Template:
    """Publish one draft (the revision confirmed) as a new version."""
    folder = folder_or_404(folder)
    wanted = [w for w in _wanted(await read_form(request)) if (FOLDER_OF[w.kind], w.item_id) == (folder, item_id)]
    if not wanted:
        raise RecapError("the form does not say which revision of the draft to publish: reload the page")
    user_id, now, review = request.state.principal.user_id, auth.now(request), request.app.state.settings.editor_review
    return await _publishing(request, pool, lambda db: release.publish_drafts(db, wanted, user_id, now, review=review), f"{KIND_OF[folder]} {item_id}")


# ---- withdraw ---------------------------------------------------------------------------------------


@get("/editor/items/{folder:str}/{item_id:str}/withdraw", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def withdraw_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], folder: FromPath[str], item_id: FromPath[str]) -> Template:
    """Confirm withdrawing a published item: what happens to answers, what refers to it."""
    folder = folder_or_404(folder)
    state = drafts.load(db, folder, item_id)
    if not state.live:
        raise NotFound(f"{state.kind} `{item_id}` is not published")
    learners, answers = store.learners_answered(db, item_id) if state.kind == "question" else (0, 0)
    return Template(
        "editor/withdraw.html",
        context=base_context(request, db, folder=folder, kind=state.kind, item_id=item_id, state=state, learners=learners, answers=answers, url=item_url(folder, item_id)),
    )


@post("/editor/items/{folder:str}/{item_id:str}/withdraw", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def withdraw(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], folder: FromPath[str], item_id: FromPath[str]) -> Template:
    """Publish the library without this item."""
    folder = folder_or_404(folder)
    await read_form(request)
    user_id, now = request.state.principal.user_id, auth.now(request)
    return await _publishing(request, pool, lambda db: release.withdraw(db, folder, item_id, user_id, now), f"withdrawal of {KIND_OF[folder]} {item_id}")


# ---- review -----------------------------------------------------------------------------------------


@get("/editor/review", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def review_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template:
    """Every draft, those marked ready for review first, with who wrote and who marked them."""
    everything = sorted(store.all_drafts(db), key=lambda d: (not d.ready, d.updated_at), reverse=False)
    rows = [{"draft": d, "url": item_url(FOLDER_OF[d.kind], d.item_id)} for d in everything]
    return Template("editor/review.html", context=base_context(request, db, rows=rows, who=store.emails(db)))


# ---- versions and roll-back ----------------------------------------------------------------------------


@get("/editor/versions", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def versions_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database]) -> Template:
    """The library's versions, newest first: when, by whom (or from files), what changed."""
    return Template("editor/versions.html", context=base_context(request, db, versions=store.versions(db), latest=content.latest_version(db)))


def _version(version: str) -> int:
    if not version.isdigit() or len(version) > 9:
        raise NotFound(f"there is no version {version}")
    return int(version)


@get("/editor/versions/{version:str}/rollback", sync_to_thread=True, opt=EDITOR, include_in_schema=False)
def rollback_page(request: Request[Any, Any, Any], db: NamedDependency[sqlite_utils.Database], version: FromPath[str]) -> Template:
    """Confirm rolling back to a version."""
    number = _version(version)
    if not content.version_exists(db, number):
        raise NotFound(f"there is no version {number}")
    return Template("editor/rollback.html", context=base_context(request, db, version=number, latest=content.latest_version(db)))


@post("/editor/versions/{version:str}/rollback", status_code=200, opt=EDITOR_FORM, include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def rollback(request: Request[Any, Any, Any], pool: NamedDependency[ConnectionPool], version: FromPath[str]) -> Template:
    """Publish a new version equal to this one."""
    number = _version(version)
    form = dict(await read_form(request))
    latest = form.get("latest", "")
    user_id, now = request.state.principal.user_id, auth.now(request)

    def work(db: sqlite_utils.Database) -> PublishResult:
        if latest and latest != str(content.latest_version(db)):
            raise release.Refused(f"the library changed since you confirmed (it is at version {content.latest_version(db)} now): look at the versions again")
        try:
            return release.restore(db, number, user_id, now)
        except NoSuchVersion as error:
            raise NotFound(str(error)) from None

    return await _publishing(request, pool, work, f"roll-back to version {number}")


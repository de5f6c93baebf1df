"""The editor's routes as one Router: anonymous people asking for a page are sent to sign in (and
back afterwards); everything else is as on every route (server/policy.py, server/errors.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.response import Redirect
from litestar.router import Router

from server.editor import preview, publishing, routes
from server.errors import handle_error, wants_json
from server.syncing.errors import Unauthorized

SIGN_IN = "/#/sign-in"


def sign_in_first(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A page asked for without being signed in: the app's sign-in, then back to the page."""
    if request.method in ("GET", "HEAD") and not wants_json(request):
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/?{urlencode({'next': wanted})}#/sign-in", status_code=303)
    return handle_error(request, exc)


def editor_router() -> Router:
    handlers = [
        routes.list_page, routes.new_page, routes.create, routes.item_page, routes.save_item, routes.resolve,
        routes.diff_page, routes.mark_ready, routes.discard_page, routes.discard, routes.add_to_campaign,
        publishing.publish_all_page, publishing.publish_all, publishing.publish_one_page, publishing.publish_one,
        publishing.withdraw_page, publishing.withdraw, publishing.review_page, publishing.versions_page,
        publishing.rollback_page, publishing.rollback,
        preview.phone_preview, preview.markdown_preview,
    ]  # fmt: skip
    return Router(path="/", route_handlers=handlers, exception_handlers={Unauthorized: sign_in_first})

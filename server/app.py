"""The Litestar application, built by one factory that tests call with their own settings."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import cast

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import Message, Receive, Scope, Send

from server import __version__, jobs, migrations, proxies, urls
from server.coaching import routes as coaching
from server.dashboards import routes as dashboards
from server.db import connect
from server.deps import provide_db, provide_pool, provide_settings, provide_writer
from server.editor import text as editor_text
from server.editor.router import editor_router
from server.errors import handle_error
from server.policy import access_guard, check_declarations
from server.pool import ConnectionPool
from server.reminders import keys as push_keys
from server.reminders import routes as reminders
from server.request_log import log_request
from server.results import routes as results
from server.routes import admin, auth, content, health, shell, sync
from server.security_headers import with_security_headers
from server.settings import Settings
from server.storage.writer import Writer
from server.uploads import routes as uploads
from server.uploads.transfer import Transfers
from server.xapi import routes as xapi

TEMPLATES = Path(__file__).parent / "templates"


class RecapApp(Litestar):
    """Litestar, plus security headers and one log line on every HTTP response (404s and errors included).

    The client address and scheme are settled first, from a trusted proxy's headers when the
    peer is one (server/proxies.py), so that the log, the headers and sign-in agree on them.
    """

    trusted_proxies: tuple[proxies.Network, ...] = ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] != ScopeType.HTTP:
            await super().__call__(scope, receive, send)
            return
        scope = proxies.resolve(scope, self.trusted_proxies)
        if scope.get("method") == "HEAD":
            # HEAD is GET without the body, for every route that answers GET (RFC 9110 §9.3.2).
            scope = cast(Scope, {**scope, "method": "GET"})
            send = _without_body(send)
        await log_request(scope, receive, with_security_headers(scope, send), super().__call__)


def _without_body(send: Send) -> Send:
    """`send` with every body chunk emptied: the headers (Content-Length included) stay as for GET."""

    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only


def _template_filters(engine: JinjaTemplateEngine) -> None:
    # `segment`: a value placed in a URL path, quoted whole (an email may hold `%`, `?`, `#`, `/`).
    engine.engine.filters["segment"] = urls.segment
    engine.engine.filters.update(editor_text.FILTERS)
    engine.engine.globals.update(editor_text.GLOBALS)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def create_app(settings: Settings, clock: Callable[[], datetime.datetime] = _utc_now) -> RecapApp:
    """Build the app for these settings. Applies pending migrations at start-up unless told not to.

    `clock` is what sign-in and sessions take as the time; tests pass one they can move.
    """

    pool = ConnectionPool(settings.db_path, settings.busy_timeout_ms)
    writer = Writer(settings.db_path, settings.busy_timeout_ms)
    transfers = Transfers(settings, pool, writer)

    def migrate_on_start() -> None:
        if settings.migrate_on_start:
            db = connect(settings.db_path)
            try:
                migrations.apply(db)
            finally:
                db.close()
        pool.start()
        writer.start()
        db = pool.acquire()
        try:
            if not migrations.pending(db):  # made at first start, kept (docs/operations.md "Reminders")
                push_keys.ensure(db, clock())
        finally:
            pool.release(db)
        app.state.jobs = jobs.start(settings, clock)

    def stop() -> None:
        jobs.stop(app.state.get("jobs"))
        transfers.close()
        writer.stop()
        pool.close()

    app = RecapApp(
        route_handlers=[
            auth.request_code,
            auth.verify,
            auth.logout,
            health.ready,
            content.latest,
            content.snapshot,
            sync.info,
            sync.push_route,
            sync.pull_route,
            admin.people_page,
            admin.audit_page,
            admin.person_page,
            admin.add_person,
            admin.set_teams,
            admin.set_roles,
            admin.set_email,
            admin.set_person_limit,
            admin.set_organisation_limit,
            admin.set_leaderboards,
            admin.account_action,
            admin.revoke_device,
            reminders.router(),
            coaching.router(),
            dashboards.router(),
            results.router(),
            xapi.xapi_download,
            *uploads.ROUTES,
            editor_router(),
            shell.app_shell,
            shell.service_worker,
            shell.web_manifest,
            shell.assets_router(settings),
            shell.icons_router(settings),
            shell.pages_static_router(),
        ],
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "pool": Provide(provide_pool, sync_to_thread=False),
            "writer": Provide(provide_writer, sync_to_thread=False),
        },
        state=State(
            {"settings": settings, "pool": pool, "writer": writer, "clock": clock, "transfers": transfers}
        ),
        on_startup=[migrate_on_start],
        on_shutdown=[stop],
        exception_handlers={Exception: handle_error},
        guards=[access_guard],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_template_filters),
        # The schema as JSON and YAML only: the browsable UIs load scripts from CDNs, which the
        # Content-Security-Policy (rightly) refuses.
        openapi_config=OpenAPIConfig(
            title="Recap", version=__version__, path="/schema", render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()]
        ),
        # The `recap` command configures logging itself: one plain line per event.
        logging_config=None,
    )
    app.trusted_proxies = proxies.networks(settings.trusted_proxies)
    check_declarations(app)
    return app

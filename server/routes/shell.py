"""The installable app's shell: its HTML page and its built, hashed assets."""

from __future__ import annotations

from litestar import MediaType, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.router import Router
from litestar.static_files import create_static_files_router

from server.errors import NotReady
from server.settings import Settings


@get("/", media_type=MediaType.HTML, opt={"access": "public"}, include_in_schema=False)
async def app_shell(settings: NamedDependency[Settings]) -> Response[bytes]:
    """The app's page. Never cached without revalidation, so a new build is seen at once."""
    index = settings.pwa_dist / "index.html"
    if not index.is_file():
        raise NotReady("the app has not been built: run `make run` (or `npm run build` in pwa/)")
    return Response(index.read_bytes(), media_type=MediaType.HTML, headers={"Cache-Control": "no-cache"})


def assets_router(settings: NamedDependency[Settings]) -> Router:
    """Hashed build output: a file's name changes with its content, so cache it for good."""
    return create_static_files_router(
        path="/assets",
        directories=[settings.pwa_dist / "assets"],
        cache_control=CacheControlHeader(public=True, max_age=31_536_000, immutable=True),
        opt={"access": "public"},
        name="assets",
    )

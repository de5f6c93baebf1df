"""The installable app's shell: its page, service worker, manifest, icons and hashed assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import MediaType, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.file_system import BaseLocalFileSystem
from litestar.router import Router
from litestar.static_files import create_static_files_router

from server.errors import NotReady
from server.settings import Settings

# The page, the worker and the manifest must be revalidated every time, or a new build would
# not be seen; everything under /assets has its content hash in its name and is immutable.
NO_CACHE = {"Cache-Control": "no-cache"}


def _built(settings: Settings, name: str) -> Path:
    path = settings.pwa_dist / name
    if not path.is_file():
        raise NotReady("the app has not been built: run `make run` (or `npm run build` in pwa/)")
    return path


@get(["/", "/index.html"], media_type=MediaType.HTML, opt={"access": "public"}, include_in_schema=False)
async def app_shell(settings: NamedDependency[Settings]) -> Response[bytes]:
    """The app's page."""
    return Response(_built(settings, "index.html").read_bytes(), media_type=MediaType.HTML, headers=NO_CACHE)


@get("/sw.js", opt={"access": "public"}, include_in_schema=False)
async def service_worker(settings: NamedDependency[Settings]) -> Response[bytes]:
    """The service worker, at the root so that its scope is the whole app."""
    body = _built(settings, "sw.js").read_bytes()
    # Litestar adds "; charset=utf-8" to text types itself.
    return Response(body, media_type="text/javascript", headers=NO_CACHE)


@get("/manifest.webmanifest", opt={"access": "public"}, include_in_schema=False)
async def web_manifest(settings: NamedDependency[Settings]) -> Response[bytes]:
    """The web app manifest that makes the app installable."""
    body = _built(settings, "manifest.webmanifest").read_bytes()
    return Response(body, media_type="application/manifest+json", headers=NO_CACHE)


class StaticFiles(BaseLocalFileSystem):
    """The local file system, where a name that cannot be a file (a NUL byte, a name longer than
    the file system allows, a path through a file) is simply not found: 404, never 500."""

    async def info(self, path: Any, **kwargs: Any) -> Any:
        try:
            return await super().info(path, **kwargs)
        except (ValueError, OSError):
            raise FileNotFoundError(path) from None


def assets_router(settings: Settings) -> Router:
    """Hashed build output: a file's name changes with its content, so cache it for good."""
    return create_static_files_router(
        path="/assets",
        directories=[settings.pwa_dist / "assets"],
        cache_control=CacheControlHeader(public=True, max_age=31_536_000, immutable=True),
        opt={"access": "public"},
        name="assets",
        file_system=StaticFiles(),
    )


def icons_router(settings: Settings) -> Router:
    """The app's icons: stable names, so cached for a day and then revalidated."""
    return create_static_files_router(
        path="/icons",
        directories=[settings.pwa_dist / "icons"],
        cache_control=CacheControlHeader(public=True, max_age=86_400),
        opt={"access": "public"},
        name="icons",
        file_system=StaticFiles(),
    )


def pages_static_router() -> Router:
    """Styles of the server's own HTML pages (no inline styles: the CSP forbids them)."""
    return create_static_files_router(
        path="/static",
        directories=[Path(__file__).resolve().parent.parent / "static"],
        cache_control=CacheControlHeader(public=True, max_age=3600),
        opt={"access": "public"},
        name="pages-static",
        file_system=StaticFiles(),
    )

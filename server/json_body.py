"""JSON request bodies: the one way every JSON route reads what it is sent.

Checked in this order, each with its own clear 4xx: the size (413), the media type (415: only
`application/json`, which a cross-site HTML form cannot send), the syntax, with duplicate keys
and absurd nesting refused (400: a body two parsers could read differently is not accepted),
and finally the route's msgspec Struct.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import msgspec
from litestar import Request

from server.errors import RecapError

T = TypeVar("T")


class UnsupportedMediaType(RecapError):
    status_code = 415
    error = "unsupported_media_type"


class BodyTooLarge(RecapError):
    status_code = 413
    error = "too_large"


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise DuplicateKey(f"the key {twice!r} is given twice in one object")
    return found


def is_json(content_type: str) -> bool:
    """True for `application/json`, with or without parameters such as `charset=utf-8`."""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def check_json(request: Request[Any, Any, Any], body: bytes, max_bytes: int, malformed: type[RecapError] = RecapError) -> None:
    """Size, media type and syntax of a JSON body; raise the matching error, or return."""
    if len(body) > max_bytes:
        raise BodyTooLarge(f"the body is {len(body):,} bytes; at most {max_bytes:,} are accepted")
    if not is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("send the body as JSON with `Content-Type: application/json`")
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise malformed("the body is not a valid request: it is nested too deeply") from None
    except DuplicateKey as exc:
        raise malformed(f"the body is not a valid request: {exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise malformed(f"the body is not valid JSON: {exc}") from None


def decode(decoder: msgspec.json.Decoder[T], body: bytes, malformed: type[RecapError] = RecapError) -> T:
    """The body as the decoder's type, or `malformed` naming the field at fault."""
    try:
        return decoder.decode(body)
    except RecursionError:
        raise malformed("the body is not a valid request: it is nested too deeply") from None
    except msgspec.DecodeError as exc:
        raise malformed(f"the body is not a valid request: {exc}") from None

"""Building URLs from values people chose: an email address may hold `%`, `?`, `#` or `/`."""

from __future__ import annotations

from urllib.parse import quote

# Characters RFC 3986 allows as they are inside a path segment; everything else is %-encoded.
_SEGMENT_SAFE = "@!$&'()*+,;=:~"


def segment(value: object) -> str:
    """`value` as one path segment: `/admin/people/{segment(email)}` opens that person, exactly."""
    return quote(str(value), safe=_SEGMENT_SAFE)

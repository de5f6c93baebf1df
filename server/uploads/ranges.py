"""The `Range` header of a video request (RFC 9110 §14), without I/O: one byte range to send,
the whole file, or 416."""

from __future__ import annotations

import re

from server.uploads.errors import RangeUnsatisfiable

_SPEC = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte to send, or None for the whole file.

    A header that is not a `bytes=` range is ignored (the whole file, as RFC 9110 asks). Several
    ranges are answered with the one range that spans them all (a client asking for several
    parts of a video gets them in one piece; `multipart/byteranges` is not served). No
    satisfiable range at all: 416.
    """
    if header is None:
        return None
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return None
    wanted: list[tuple[int, int]] = []
    for spec in specs.split(","):
        match = _SPEC.fullmatch(spec)
        if match is None or (not match.group(1) and not match.group(2)):
            return None  # malformed: ignore the header
        first_text, last_text = match.groups()
        if not first_text:  # suffix: the last N bytes
            suffix = int(last_text)
            if suffix > 0 and size > 0:
                wanted.append((max(0, size - suffix), size - 1))
            continue
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
        if last_text and last < first:
            return None  # malformed
        if first < size:
            wanted.append((first, min(last, size - 1)))
    if not wanted:
        raise RangeUnsatisfiable(f"no part of the range lies within the video's {size} bytes", size=size)
    return min(f for f, _ in wanted), max(last for _, last in wanted)

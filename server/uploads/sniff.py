"""What a file is, from its first bytes, never its name: WebM (EBML, DocType `webm`) or MP4
(an `ftyp` box with a video brand). Pure: bytes in, a verdict out."""

from __future__ import annotations

from dataclasses import dataclass

WEBM = "video/webm"
MP4 = "video/mp4"
# Enough for any real EBML header or ftyp box; a file that has not said what it is by then is not one.
HEAD_BYTES = 4096
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
DOCTYPE_ID = 0x4282
# ftyp brands of files that hold video as MediaRecorder and cameras write them.
VIDEO_BRANDS = frozenset(
    b.encode() for b in ("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "dash", "mmp4")
)
# A major brand that says "not a video" (audio books, images), whatever compatible brands follow.
REFUSED_BRANDS = frozenset(
    b.encode() for b in ("M4A ", "M4B ", "M4P ", "heic", "heix", "mif1", "msf1", "avif", "avis", "crx ")
)


@dataclass(frozen=True)
class Verdict:
    """`decided` False: too few bytes to tell yet. Else `kind` is WEBM, MP4 or None (not a video)."""

    decided: bool
    kind: str | None = None


UNDECIDED = Verdict(decided=False)
REFUSED = Verdict(decided=True, kind=None)


def sniff(head: bytes, whole: bool) -> Verdict:
    """Judge the first bytes of a file. `whole`: these are all the bytes there will be (or at
    least HEAD_BYTES of them), so a missing answer is a refusal, not a wait."""
    whole = whole or len(head) >= HEAD_BYTES
    head = head[:HEAD_BYTES]
    verdicts = [_webm(head), _mp4(head)]
    for verdict in verdicts:
        if verdict.decided:
            return verdict
    if all(verdict is _NOT_MINE for verdict in verdicts):
        return REFUSED  # starts like neither container
    return REFUSED if whole else UNDECIDED


# "Not this container": lets the other judge try (never returned by sniff itself).
_NOT_MINE = Verdict(decided=False, kind="other")


class _Bad(ValueError):
    """An EBML integer no encoder writes (a first byte of 0)."""


def _vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer at `at`: (value, next position), or None past the end."""
    if at >= len(data):
        return None
    first = data[at]
    width = next((w for w in range(1, 9) if first & (0x80 >> (w - 1))), 0)
    if width == 0:
        raise _Bad("EBML integer of width 0")
    if at + width > len(data):
        return None
    value = first if keep_marker else first & (0xFF >> width)
    for byte in data[at + 1 : at + width]:
        value = (value << 8) | byte
    return value, at + width


def _webm(head: bytes) -> Verdict:
    if not head.startswith(EBML_MAGIC[: len(head)]):
        return _NOT_MINE
    if len(head) < len(EBML_MAGIC):
        return UNDECIDED
    try:
        return _doctype(head)
    except _Bad:
        return REFUSED


def _doctype(head: bytes) -> Verdict:
    """The EBML header's DocType must be `webm` (Matroska files and others are refused)."""
    size = _vint(head, len(EBML_MAGIC), keep_marker=False)
    if size is None:
        return UNDECIDED
    at, end = size[1], size[1] + size[0]
    while at < end:
        element = _vint(head, at, keep_marker=True)
        length = _vint(head, element[1], keep_marker=False) if element else None
        if element is None or length is None:
            return UNDECIDED
        start, stop = length[1], length[1] + length[0]
        if element[0] == DOCTYPE_ID:
            if stop > len(head):
                return UNDECIDED
            return Verdict(True, WEBM) if head[start:stop].rstrip(b"\x00") == b"webm" else REFUSED
        at = stop
    return REFUSED  # a complete header without a DocType


def _mp4(head: bytes) -> Verdict:
    if len(head) < 8:
        return UNDECIDED if b"ftyp".startswith(head[4:8]) else _NOT_MINE
    if head[4:8] != b"ftyp":
        return _NOT_MINE
    size = int.from_bytes(head[:4], "big")
    if size < 16 or size > HEAD_BYTES or size % 4:
        return REFUSED
    if len(head) < size:
        return UNDECIDED
    major = head[8:12]
    brands = {major, *(head[at : at + 4] for at in range(16, size, 4))}
    if major in REFUSED_BRANDS or not brands & VIDEO_BRANDS:
        return REFUSED
    return Verdict(True, MP4)

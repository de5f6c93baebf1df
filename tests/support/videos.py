"""Test videos made at test time: a real container header (WebM's EBML header, MP4's ftyp box)
and random bytes after it. Enough for the server's sniffing; no player would show anything."""

from __future__ import annotations

import hashlib
import random
import struct


def _element(element_id: bytes, value: bytes) -> bytes:
    return element_id + bytes([0x80 | len(value)]) + value  # sizes < 127: one-byte vint


def webm_header(doctype: bytes = b"webm") -> bytes:
    body = b"".join(
        [
            _element(b"\x42\x86", b"\x01"),  # EBMLVersion
            _element(b"\x42\xf7", b"\x01"),  # EBMLReadVersion
            _element(b"\x42\xf2", b"\x04"),  # EBMLMaxIDLength
            _element(b"\x42\xf3", b"\x08"),  # EBMLMaxSizeLength
            _element(b"\x42\x82", doctype),  # DocType
            _element(b"\x42\x87", b"\x04"),  # DocTypeVersion
            _element(b"\x42\x85", b"\x02"),  # DocTypeReadVersion
        ]
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body


def mp4_header(major: bytes = b"isom", brands: tuple[bytes, ...] = (b"isom", b"iso2", b"avc1", b"mp41")) -> bytes:
    payload = major + struct.pack(">I", 512) + b"".join(brands)
    return struct.pack(">I", 8 + len(payload)) + b"ftyp" + payload


def video(kind: str, size: int, rng: random.Random) -> bytes:
    """`kind` webm or mp4, exactly `size` bytes."""
    header = webm_header() if kind == "webm" else mp4_header()
    return header + rng.randbytes(size - len(header))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

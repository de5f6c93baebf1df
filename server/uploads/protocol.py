"""The tus 1.0.0 rules as we serve them, without I/O: headers in, decisions out (docs/uploads.md).

Every function here either returns a parsed value or raises the UploadError a client must see.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from dataclasses import dataclass

from server.uploads import errors
from server.uploads.errors import TUS_VERSION

EXTENSIONS = "creation,expiration,checksum,termination"
CHECKSUM_ALGORITHMS = "sha256"
OFFSET_STREAM = "application/offset+octet-stream"
VIDEO_TYPES = ("video/webm", "video/mp4")
# Upload ids are made by the server (secrets.token_urlsafe(24): 32 characters); anything else,
# `../x`, `%2e%2e`, an absolute path, a NUL, is unknown before the disk is touched.
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{32}")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# A pitch id is a UUID made by the device (the `pitch` record's id).
PITCH_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_METADATA_BYTES = 4096
_DIGITS = re.compile(r"[0-9]{1,20}")
_META_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class Creation:
    """What a creation request (POST) asks for."""

    length: int
    pitch_id: str
    sha256: str
    content_type: str


@dataclass(frozen=True)
class Upload:
    """What the store holds about one upload, as the rules need it."""

    id: str
    user_id: str
    pitch_id: str
    sha256: str
    length: int
    offset: int
    content_type: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    completed_at: datetime.datetime | None

    @property
    def complete(self) -> bool:
        return self.completed_at is not None


def check_version(header: str | None) -> None:
    """Every request but OPTIONS says which tus version it speaks (412 for another one)."""
    if header is None or header.strip() != TUS_VERSION:
        error = errors.VersionUnsupported(
            f"send Tus-Resumable: {TUS_VERSION} (this server speaks tus {TUS_VERSION} only)"
        )
        error.headers["Tus-Version"] = TUS_VERSION
        raise error


def parse_count(name: str, header: str | None) -> int:
    """A non-negative whole number header (Upload-Length, Upload-Offset): digits only."""
    if header is None:
        raise errors.Malformed(f"the {name} header is missing")
    value = header.strip()
    if not _DIGITS.fullmatch(value):
        raise errors.Malformed(f"{name} must be a whole number of bytes (digits only), not {header[:40]!r}")
    return int(value)


def parse_metadata(header: str | None) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64(value)` pairs (a key alone: an empty value).

    Keys are unique; values are strict base64 of UTF-8 text without NUL.
    """
    if header is None or not header.strip():
        raise errors.Malformed("the Upload-Metadata header is missing: send pitch_id, sha256 and filetype")
    if len(header) > MAX_METADATA_BYTES:
        raise errors.Malformed(f"Upload-Metadata may be at most {MAX_METADATA_BYTES} bytes")
    found: dict[str, str] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if len(parts) > 2 or not _META_KEY.fullmatch(parts[0]):
            raise errors.Malformed(f"Upload-Metadata pair {pair.strip()[:60]!r} is not `key base64value`")
        key = parts[0]
        if key in found:
            raise errors.Malformed(f"Upload-Metadata names {key!r} twice")
        try:
            value = base64.b64decode(parts[1], validate=True).decode("utf-8") if len(parts) == 2 else ""
        except (binascii.Error, UnicodeDecodeError):
            raise errors.Malformed(f"Upload-Metadata {key!r} is not base64 of UTF-8 text") from None
        if "\x00" in value:
            raise errors.Malformed(f"Upload-Metadata {key!r} holds a NUL character")
        found[key] = value
    return found


def media_type(text: str) -> str:
    """`video/webm;codecs=vp8,opus` → `video/webm`."""
    return text.split(";", 1)[0].strip().lower()


def creation(length_header: str | None, metadata_header: str | None, max_bytes: int) -> Creation:
    """A creation request's length and metadata, checked: 413 over the limit, 415 for a file
    type we do not keep, 400 for anything missing or garbled."""
    length = parse_count("Upload-Length", length_header)
    if length > max_bytes:
        raise errors.TooLarge(
            f"a video may be at most {max_bytes:,} bytes; this one declares {length:,}", limit=max_bytes
        )
    if length == 0:
        raise errors.Malformed("Upload-Length must be at least 1 byte")
    meta = parse_metadata(metadata_header)
    missing = [key for key in ("pitch_id", "sha256", "filetype") if not meta.get(key)]
    if missing:
        raise errors.Malformed(f"Upload-Metadata lacks {', '.join(missing)}")
    if not PITCH_ID.fullmatch(meta["pitch_id"]):
        raise errors.Malformed("Upload-Metadata pitch_id must be the pitch record's UUID")
    if not SHA256_HEX.fullmatch(meta["sha256"]):
        raise errors.Malformed("Upload-Metadata sha256 must be the file's SHA-256 as 64 lowercase hex digits")
    kind = media_type(meta["filetype"])
    if kind not in VIDEO_TYPES:
        raise errors.NotAVideo(f"filetype {kind!r} is not kept: send {' or '.join(VIDEO_TYPES)}")
    return Creation(length=length, pitch_id=meta["pitch_id"].lower(), sha256=meta["sha256"], content_type=kind)


def parse_checksum(header: str | None) -> bytes | None:
    """`Upload-Checksum: sha256 <base64 digest>` → the 32-byte digest; None without the header."""
    if header is None:
        return None
    parts = header.strip().split(" ")
    if len(parts) != 2:
        raise errors.Malformed("Upload-Checksum must be `sha256 <base64 digest>`")
    if parts[0].lower() != CHECKSUM_ALGORITHMS:
        raise errors.Malformed(f"checksum algorithm {parts[0][:20]!r} is not supported: use sha256")
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise errors.Malformed("Upload-Checksum's digest is not base64") from None
    if len(digest) != 32:
        raise errors.Malformed("Upload-Checksum's digest must be 32 bytes (SHA-256)")
    return digest


def known_id(upload_id: str) -> str:
    """The id when it has the shape of one we made; 404 otherwise (before any look-up)."""
    if not UPLOAD_ID.fullmatch(upload_id):
        raise errors.UnknownUpload("no such upload")
    return upload_id


def visible(upload: Upload | None, user_id: str, now: datetime.datetime) -> Upload:
    """The caller's own upload, not expired: 404 for an unknown or another person's, 410 after expiry."""
    if upload is None or upload.user_id != user_id:
        raise errors.UnknownUpload("no such upload")
    if expired(upload, now):
        raise errors.Expired("this upload expired before it was finished: create it again")
    return upload


def expired(upload: Upload, now: datetime.datetime) -> bool:
    """Unfinished past its expiry. A finished upload never expires: creating it again answers its place."""
    return not upload.complete and now >= upload.expires_at


def check_patch(upload: Upload, content_type: str | None, offset: int, content_length: int | None) -> None:
    """A PATCH against the upload it writes to: 415, 409 or 413 (the caller checked 404/410)."""
    if content_type is None or media_type(content_type) != OFFSET_STREAM:
        raise errors.NotAVideo(f"a PATCH body must be sent as Content-Type: {OFFSET_STREAM}")
    if offset != upload.offset:
        raise errors.OffsetMismatch(
            f"Upload-Offset {offset} is not where this upload stands ({upload.offset}): ask with HEAD and resume there",
            offset=upload.offset,
        )
    if content_length is not None and offset + content_length > upload.length:
        raise errors.TooLarge(
            f"{content_length:,} bytes from offset {offset:,} go past Upload-Length {upload.length:,}",
            limit=upload.length,
        )


def same_creation(upload: Upload, asked: Creation) -> None:
    """Creating an upload again (same person, pitch and file) must describe the same file."""
    if upload.length != asked.length or upload.content_type != asked.content_type:
        raise errors.OffsetMismatch(
            "this pitch's upload of this file was created with another length or type: the file cannot have changed"
        )


def expires_at(created: datetime.datetime, hours: int) -> datetime.datetime:
    return created + datetime.timedelta(hours=hours)


def http_date(moment: datetime.datetime) -> str:
    """RFC 9110's IMF-fixdate, as Upload-Expires wants it."""
    utc = moment.astimezone(datetime.UTC)
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{days[utc.weekday()]}, {utc.day:02d} {months[utc.month - 1]} {utc.year} {utc:%H:%M:%S} GMT"

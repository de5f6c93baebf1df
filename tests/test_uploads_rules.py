"""The upload rules without I/O: tus headers, container sniffing, Range, retention."""

from __future__ import annotations

import base64
import datetime

import pytest

from server.uploads import errors, protocol, ranges, retention, sniff
from tests.support import videos

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
PITCH = "0190f1d2-3c4b-7a5e-8f60-123456789abc"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_metadata_pairs_are_decoded() -> None:
    found = protocol.parse_metadata(f"pitch_id {b64(PITCH)}, sha256 {b64('a' * 64)},filetype {b64('video/webm')},empty")
    assert found == {"pitch_id": PITCH, "sha256": "a" * 64, "filetype": "video/webm", "empty": ""}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "k",
        "k !!",
        "k a b",
        "k eA==,k eA==",
        f"k {b64('a' * 10)}=",
        f"k {b64('nul' + chr(0))}",
        "bad key eA==",
        "ü eA==",
    ],
)
def test_garbled_metadata_is_refused(header: str | None) -> None:
    if header == "k":
        assert protocol.parse_metadata(header) == {"k": ""}
        return
    with pytest.raises(errors.Malformed):
        protocol.parse_metadata(header)


def test_a_creation_is_checked_whole() -> None:
    meta = f"pitch_id {b64(PITCH.upper())},sha256 {b64('b' * 64)},filetype {b64('video/MP4; codecs=avc1')},name {b64('x.mp4')}"
    asked = protocol.creation("1234", meta, 10_000)
    assert asked == protocol.Creation(1234, PITCH, "b" * 64, "video/mp4")
    with pytest.raises(errors.TooLarge):
        protocol.creation("10001", meta, 10_000)
    for length in ("0", "-1", "1.5", "", " ", "99999999999999999999999"):
        with pytest.raises((errors.Malformed, errors.TooLarge)):
            protocol.creation(length, meta, 10_000)


def _upload(offset: int = 10, length: int = 100, completed: bool = False) -> protocol.Upload:
    return protocol.Upload(
        "i" * 32, "u", PITCH, "a" * 64, length, offset, "video/webm", NOW, NOW + datetime.timedelta(hours=24),
        NOW if completed else None,
    )  # fmt: skip


def test_patch_decisions() -> None:
    upload = _upload()
    protocol.check_patch(upload, protocol.OFFSET_STREAM, 10, 90)
    with pytest.raises(errors.NotAVideo):
        protocol.check_patch(upload, "application/json", 10, 1)
    with pytest.raises(errors.OffsetMismatch):
        protocol.check_patch(upload, protocol.OFFSET_STREAM, 11, 1)
    with pytest.raises(errors.TooLarge):
        protocol.check_patch(upload, protocol.OFFSET_STREAM, 10, 91)


def test_visibility_and_expiry() -> None:
    upload = _upload()
    assert protocol.visible(upload, "u", NOW) is upload
    with pytest.raises(errors.UnknownUpload):
        protocol.visible(upload, "someone else", NOW)
    with pytest.raises(errors.UnknownUpload):
        protocol.visible(None, "u", NOW)
    later = NOW + datetime.timedelta(hours=24)
    with pytest.raises(errors.Expired):
        protocol.visible(upload, "u", later)
    assert protocol.visible(_upload(completed=True), "u", later + datetime.timedelta(days=99)).complete


@pytest.mark.parametrize(
    "upload_id", ["../x", "%2e%2e", "/etc/passwd", "a" * 31, "a" * 33, "a" * 31 + "\x00", "a" * 31 + "/", ""]
)
def test_only_ids_of_our_making_are_known(upload_id: str) -> None:
    with pytest.raises(errors.UnknownUpload):
        protocol.known_id(upload_id)


def test_checksums() -> None:
    digest = bytes(range(32))
    assert protocol.parse_checksum("sha256 " + base64.b64encode(digest).decode()) == digest
    assert protocol.parse_checksum(None) is None
    for bad in (
        "sha1 " + base64.b64encode(bytes(20)).decode(),
        "sha256",
        "sha256 %%%",
        "sha256 " + base64.b64encode(bytes(31)).decode(),
    ):
        with pytest.raises(errors.Malformed):
            protocol.parse_checksum(bad)


def test_http_dates() -> None:
    assert (
        protocol.http_date(datetime.datetime(2026, 12, 1, 9, 5, 3, tzinfo=datetime.UTC))
        == "Tue, 01 Dec 2026 09:05:03 GMT"
    )


def test_sniffing_webm_and_mp4() -> None:
    webm, mp4 = videos.webm_header() + bytes(100), videos.mp4_header() + bytes(100)
    assert sniff.sniff(webm, whole=False) == sniff.Verdict(True, sniff.WEBM)
    assert sniff.sniff(mp4, whole=False) == sniff.Verdict(True, sniff.MP4)
    for cut in range(0, 20):  # too few bytes yet: wait, unless that is all there is
        assert not sniff.sniff(webm[:cut], whole=False).decided
        assert sniff.sniff(webm[:cut], whole=True) == sniff.REFUSED
    assert not sniff.sniff(mp4[:10], whole=False).decided


@pytest.mark.parametrize(
    "head",
    [
        b"GIF89a" + bytes(100),
        b"\x89PNG\r\n\x1a\n" + bytes(100),
        videos.webm_header(b"matroska") + bytes(100),
        videos.mp4_header(b"M4A ", (b"M4A ", b"isom", b"mp42")) + bytes(100),
        videos.mp4_header(b"heic", (b"mif1", b"heic")) + bytes(100),
        videos.mp4_header(b"qt  ", (b"qt  ",)) + bytes(100),
        b"\x00\x00\x00\x08ftyp" + bytes(100),  # a box too short to hold a brand
        b"\x1a\x45\xdf\xa3\x00" + bytes(100),  # an EBML size no encoder writes
        bytes(5000),
    ],
)
def test_sniffing_refuses_what_is_not_a_video(head: bytes) -> None:
    assert sniff.sniff(head, whole=False) == sniff.REFUSED


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None), ("bytes=0-0", (0, 0)), ("bytes=0-", (0, 99)), ("bytes=-1", (99, 99)), ("bytes=-1000", (0, 99)),
        ("bytes=5-500", (5, 99)), ("bytes=0-1, 8-9", (0, 9)), ("bytes=50-59,0-9", (0, 59)), ("Bytes = 1-2", (1, 2)),
        ("items=0-1", None), ("bytes=3-2", None), ("bytes=x-", None), ("bytes=", None), ("bytes=-", None),
    ],
)  # fmt: skip
def test_ranges(header: str | None, expected: tuple[int, int] | None) -> None:
    assert ranges.byte_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=200-300", "bytes=-0", "bytes=100-,-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(errors.RangeUnsatisfiable):
        ranges.byte_range(header, 100)


def test_retention_keeps_examples_and_young_videos() -> None:
    day = datetime.timedelta(days=1)
    held = [
        retention.Stored("old", NOW - 200 * day), retention.Stored("older", NOW - 400 * day),
        retention.Stored("example", NOW - 900 * day), retention.Stored("young", NOW - 179 * day),
        retention.Stored("edge", NOW - 180 * day),
    ]  # fmt: skip
    assert retention.to_delete(held, frozenset({"example"}), 180, NOW) == ["older", "old"]
    assert retention.to_delete(held, frozenset(), 1000, NOW) == []
    assert retention.parse_days(" 30 ") == 30
    for bad in ("0", "3651", "-1", "x", "1.5"):
        with pytest.raises(retention.Invalid):
            retention.parse_days(bad)

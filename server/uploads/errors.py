"""The upload errors, each with the status the tus protocol gives it (docs/uploads.md "Errors")."""

from __future__ import annotations

from server.errors import RecapError

TUS_VERSION = "1.0.0"


class UploadError(RecapError):
    """Any refusal of an upload request; every answer names the protocol version it speaks."""

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail, **extra)
        self.headers["Tus-Resumable"] = TUS_VERSION


class Malformed(UploadError):
    status_code = 400
    error = "bad_request"


class BodyDropped(UploadError):
    """The connection went away, or fell silent, in the middle of a PATCH body."""

    status_code = 400
    error = "body_dropped"


class UnknownUpload(UploadError):
    """No such upload, or another person's (the same answer, so ids cannot be probed)."""

    status_code = 404
    error = "not_found"


class OffsetMismatch(UploadError):
    status_code = 409
    error = "offset_mismatch"


class Expired(UploadError):
    status_code = 410
    error = "expired"


class VersionUnsupported(UploadError):
    status_code = 412
    error = "tus_version_unsupported"


class TooLarge(UploadError):
    status_code = 413
    error = "too_large"


class NotAVideo(UploadError):
    """Wrong request content type, a file type we do not keep, or bytes that are not WebM/MP4."""

    status_code = 415
    error = "unsupported_media_type"


class WrittenElsewhere(UploadError):
    """Another server process on the same database is writing this upload (server/uploads/writers.py)."""

    status_code = 423
    error = "locked"


class ChecksumMismatch(UploadError):
    """tus's checksum extension: the chunk (or the whole file) does not hash as declared."""

    status_code = 460
    error = "checksum_mismatch"


class Busy(UploadError):
    """The database is busy or the server is stopping: nothing was recorded, retry shortly."""

    status_code = 503
    error = "unavailable"


class RangeUnsatisfiable(RecapError):
    status_code = 416
    error = "range_not_satisfiable"

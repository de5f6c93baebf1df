"""Sync's error kinds as HTTP errors; sync/protocol.py ErrorKind names them."""

from __future__ import annotations

from server.errors import RecapError
from sync.protocol import ErrorKind


class SyncError(RecapError):
    """Base of the sync errors; `error` is an ErrorKind value."""


class ProtocolUnsupported(SyncError):
    """The request's protocol version is not one this server speaks."""

    status_code = 400
    error = ErrorKind.PROTOCOL_UNSUPPORTED.value


class PayloadUnsupported(SyncError):
    """A payload version newer than this server: the device keeps it and retries later."""

    status_code = 400
    error = ErrorKind.PAYLOAD_UNSUPPORTED.value


class Malformed(SyncError):
    """A body that does not match the protocol."""

    status_code = 400
    error = ErrorKind.MALFORMED.value


class SeqGap(SyncError):
    """A push that skips client_seq values: resend from `expected_seq`."""

    status_code = 409
    error = ErrorKind.SEQ_GAP.value


class SeqReused(SyncError):
    """A client_seq or mutation id reused for a different mutation."""

    status_code = 409
    error = ErrorKind.SEQ_REUSED.value


class DeviceBound(SyncError):
    """The device belongs to another user."""

    status_code = 403
    error = ErrorKind.DEVICE_BOUND.value


class TooLarge(SyncError):
    """A push over the limits: split it."""

    status_code = 413
    error = ErrorKind.TOO_LARGE.value


class Unauthorized(SyncError):
    """No valid credential: sign in again; keep the outbox."""

    status_code = 401
    error = ErrorKind.UNAUTHORIZED.value


class Unavailable(SyncError):
    """A transient failure: nothing was applied; retry with backoff."""

    status_code = 503
    error = ErrorKind.UNAVAILABLE.value

"""The server's VAPID key pair (RFC 8292): made once, at first start, and kept in the database.

Push services accept messages for a subscription only when they are signed by the key the
subscription was made with, so the pair must outlive restarts and upgrades: it lives in the
`push_keys` table (backed up with the database, never in the repository). Losing it only means
every device subscribes again, which the app does by itself when the key it holds differs.
"""

from __future__ import annotations

import base64
import datetime

import sqlite_utils
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.db import write_transaction
from sync.clock import format_utc


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Base64url with or without padding; ValueError when it is not."""
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_pair() -> tuple[str, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return pem, b64url(public)


def ensure(db: sqlite_utils.Database, now: datetime.datetime) -> tuple[str, str]:
    """(private key PEM, public key base64url): the stored pair, made first if there is none.

    Two servers starting together on one database agree: the first insert wins, the other's
    is ignored and both read the winner.
    """
    row = db.execute("SELECT private_pem, public_key FROM push_keys WHERE id = 1").fetchone()
    if row is None:
        pem, public = _new_pair()
        with write_transaction(db):
            db.execute(
                "INSERT OR IGNORE INTO push_keys (id, private_pem, public_key, created_at) VALUES (1, ?, ?, ?)",
                [pem, public, format_utc(now)],
            )
        row = db.execute("SELECT private_pem, public_key FROM push_keys WHERE id = 1").fetchone()
    return str(row[0]), str(row[1])


def public_key(db: sqlite_utils.Database, now: datetime.datetime) -> str:
    return ensure(db, now)[1]

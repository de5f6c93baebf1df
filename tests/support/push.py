"""A push service of our own on 127.0.0.1, and a subscriber's keys: Web Push end to end without
Google's or Mozilla's servers.

The server under test encrypts and signs each message exactly as for a real push service (RFC
8291 aes128gcm, RFC 8292 VAPID); this service records the request as it arrived, and the test
decrypts it with the subscriber's private key and checks the signature with the server's public
key, which is what a browser and a push service would do.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Subscriber:
    """What a browser holds for one push subscription: an ECDH key pair and an auth secret."""

    private: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def keys(self) -> dict[str, str]:
        public = self.private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(public), "auth": b64url(self.auth)}

    def decrypt(self, message: Received) -> Any:
        assert message.headers.get("content-encoding") == "aes128gcm", message.headers
        return json.loads(http_ece.decrypt(message.body, private_key=self.private, auth_secret=self.auth, version="aes128gcm"))


def vapid_claims(message: Received, public_key: str) -> dict[str, Any]:
    """The VAPID JWT's claims, once its ES256 signature is checked against `public_key`."""
    authorization = message.headers.get("authorization", "")
    assert authorization.startswith("vapid t="), message.headers
    found = re.fullmatch(r"vapid t=([\w.-]+), ?k=([\w-]+)", authorization)
    assert found, authorization
    token_part, key_part = found.groups()
    assert key_part == public_key, "the message names another key than the server publishes"
    header, claims, signature = token_part.split(".")
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    decoded: dict[str, Any] = json.loads(unb64url(claims))
    return decoded


class FakePushService:
    """Answers every POST with `status` (201 as a push service accepts) and keeps what came."""

    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.received: list[Received] = []
        self.arrived = threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                service.arrived.set()
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, name: str) -> str:
        return f"{self.url}/push/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

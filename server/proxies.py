"""Who the client is: the socket peer, unless that peer is a trusted proxy (RECAP_TRUSTED_PROXIES).

Only a trusted proxy's X-Forwarded-For and X-Forwarded-Proto are believed, and of
X-Forwarded-For only the right-most entry that is not itself a trusted proxy: everything to
its left was written by the client and may be invented. So a client that sends its own
X-Forwarded-For can never pick the address its rate limits are counted under.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import cast

from litestar.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted(address: str | None, trusted: tuple[Network, ...]) -> bool:
    ip = _ip(address) if address else None
    return ip is not None and any(ip in net for net in trusted)


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str | None:
    """The client's address: the peer, or the right-most untrusted X-Forwarded-For entry."""
    if not is_trusted(peer, trusted):
        return peer
    entries = [e.strip() for header in forwarded_for for e in header.split(",") if e.strip()]
    for entry in reversed(entries):
        ip = _ip(entry)
        if ip is None:
            return peer  # the proxy wrote something that is not an address: count it against the proxy
        if not any(ip in net for net in trusted):
            return str(ip)
    return peer


def resolve(scope: Scope, trusted: tuple[Network, ...]) -> Scope:
    """The scope with `client` and `scheme` as the trusted proxy says, or unchanged."""
    client = scope.get("client")
    peer = client[0] if client else None
    if not trusted or not is_trusted(peer, trusted):
        return scope
    headers = scope.get("headers", [])
    forwarded = [v.decode("latin-1") for k, v in headers if k.lower() == b"x-forwarded-for"]
    protos = [v.decode("latin-1") for k, v in headers if k.lower() == b"x-forwarded-proto"]
    updated = dict(scope)
    address = client_address(peer, forwarded, trusted)
    if address is not None and address != peer:
        updated["client"] = (address, 0)
    if protos:
        proto = protos[-1].split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            updated["scheme"] = proto
    return cast(Scope, updated)


def rate_key(address: str | None) -> str:
    """The rate-limit bucket of an address: IPv6 clients by their /64, which one host usually has."""
    ip = _ip(address) if address else None
    if ip is None:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if isinstance(ip, ipaddress.IPv6Address) else str(ip)
